"""Run the MCP server on a transport, and shut every kernel down when it stops, however it stops.

stdio: the client's disconnect closes stdin and the server returns; on SIGTERM or SIGINT it shuts the
kernels down and exits. Streamable HTTP: uvicorn handles the signals and returns.
A SIGKILL runs nothing here: then each kernel ends by itself (ipykernel polls for its parent, whose pid
jupyter_client passes as JPY_PARENT_PID).
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable

import anyio
from mcp.server.fastmcp import FastMCP

from assistant.mcp_server.http_auth import RequireBearerToken
from assistant.mcp_server.registry import KernelRegistry


def serve_stdio(server: FastMCP, registry: KernelRegistry) -> None:
    async def main() -> None:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(_exit_on_signal, registry)
            await server.run_stdio_async()  # returns when the client closes stdin
            tasks.cancel_scope.cancel()

    try:
        anyio.run(main)
    finally:
        registry.close()


async def _exit_on_signal(registry: KernelRegistry) -> None:
    """SIGTERM or SIGINT: shut the kernels down and exit. The stdio reader waits in a thread on stdin and
    cannot be cancelled, so the server cannot unwind while the client keeps stdin open."""
    with anyio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
        async for _ in signals:
            await anyio.to_thread.run_sync(registry.close)
            os._exit(0)


def serve_http(
    server: FastMCP, registry: KernelRegistry, token: str, announce: Callable[[str], None] | None = None
) -> None:
    """Streamable HTTP at ``http://HOST:PORT/mcp``; every request needs ``Authorization: Bearer <token>``."""
    import uvicorn

    settings = server.settings
    app = RequireBearerToken(server.streamable_http_app(), token)
    config = uvicorn.Config(app, host=settings.host, port=settings.port, log_level="warning")
    http = uvicorn.Server(config)
    if announce is not None:
        announce(f"http://{settings.host}:{settings.port}{settings.streamable_http_path}")
    try:
        http.run()
    finally:
        registry.close()
