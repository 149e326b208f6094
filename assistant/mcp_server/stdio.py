"""The stdio transport on the event loop's own pipes, not on threads.

The SDK's stdio server reads stdin and writes stdout through worker threads (``anyio.wrap_file``): every
message crosses two thread hand-offs, which cost about a millisecond a call on 2 busy cores, and a read
blocked in its thread cannot be cancelled, so the server could not stop while a client held stdin open.
Here both are asyncio pipe transports: reads and writes are events of the loop, and cancellable.
"""

from __future__ import annotations

import asyncio
import os
import stat
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from mcp.server.fastmcp import FastMCP
from mcp.server.stdio import stdio_server

MAX_MESSAGE_BYTES = 256 * 1024**2  # one JSON-RPC line; code and outputs are capped far below this


class _Lines:
    """stdin as an async iterator of text lines, as the SDK's stdio server reads it."""

    def __init__(self, reader: asyncio.StreamReader) -> None:
        self.reader = reader

    def __aiter__(self) -> _Lines:
        return self

    async def __anext__(self) -> str:
        line = await self.reader.readline()
        if not line:
            raise StopAsyncIteration
        return line.decode("utf-8", errors="replace")


class _Writer:
    """stdout as the SDK's stdio server writes it: ``write`` then ``flush``, one message per line."""

    def __init__(self, transport: asyncio.WriteTransport, protocol: asyncio.streams.FlowControlMixin) -> None:
        self.transport, self.protocol = transport, protocol

    async def write(self, text: str) -> None:
        self.transport.write(text.encode("utf-8"))

    async def flush(self) -> None:
        await self.protocol._drain_helper()  # waits only while the pipe's buffer is over its high-water mark


@asynccontextmanager
async def _pipes() -> AsyncIterator[tuple[_Lines, _Writer]]:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=MAX_MESSAGE_BYTES)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin.buffer)
    transport, protocol = await loop.connect_write_pipe(asyncio.streams.FlowControlMixin, sys.stdout.buffer)
    try:
        yield _Lines(reader), _Writer(transport, protocol)
    finally:
        transport.close()


async def run_stdio(server: FastMCP) -> None:
    """``server`` on this process's stdin and stdout, until the client closes stdin."""
    if not stat.S_ISFIFO(os.fstat(sys.stdin.fileno()).st_mode) and not sys.stdin.isatty():
        await server.run_stdio_async()  # a file or socket (not a client's pipe): the SDK's threaded streams
        return
    async with _pipes() as (stdin, stdout), stdio_server(stdin, stdout) as (read, write):  # type: ignore[arg-type]
        lowlevel = server._mcp_server  # FastMCP's run_stdio_async does the same, on the SDK's threaded streams
        await lowlevel.run(read, write, lowlevel.create_initialization_options())
