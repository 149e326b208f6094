"""Run the MCP server on a transport, and shut every kernel down when it stops, however it stops.

stdio: the client's disconnect closes stdin and the server returns; SIGTERM or SIGINT cancels it (its pipes
are the loop's, so a read waiting on stdin ends too). Either way the kernels are shut down before the loop
they do their I/O on stops. Streamable HTTP: uvicorn handles the signals and returns.
A SIGKILL runs nothing here: then each kernel ends by itself (ipykernel polls for its parent, whose pid
jupyter_client passes as JPY_PARENT_PID).
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable

import anyio
from mcp.server.fastmcp import FastMCP

from assistant.mcp_server.http_auth import RequireBearerToken
from assistant.mcp_server.registry import KernelRegistry
from assistant.mcp_server.stdio import run_stdio


def serve_stdio(server: FastMCP, registry: KernelRegistry) -> None:
    async def main() -> None:
        registry.loop = asyncio.get_running_loop()
        try:
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(_stop_on_signal, tasks.cancel_scope)
                await run_stdio(server)  # returns when the client closes stdin
                tasks.cancel_scope.cancel()
        finally:
            with anyio.CancelScope(shield=True):  # the kernels' I/O runs on this loop: close them while it runs
                await anyio.to_thread.run_sync(registry.close)

    anyio.run(main)


async def _stop_on_signal(scope: anyio.CancelScope) -> None:
    with anyio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
        async for _ in signals:
            scope.cancel()
            return


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
