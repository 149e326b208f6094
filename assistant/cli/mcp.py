"""``sciwand mcp``: serve sciwand's kernels and loop to MCP clients (stdio, or streamable HTTP with a token)."""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
from pathlib import Path

from langchain_core.language_models.chat_models import BaseChatModel
from rich.console import Console

from assistant.config import Settings, add_settings_arguments, kernel_limits
from assistant.errors import InputError
from assistant.llm.model_cache import LatestModel
from assistant.runs.progress import ByteProgress
from kernels import KernelConfig

TOKEN_VARIABLE = "SCIWAND_MCP_TOKEN"  # the HTTP transport's bearer token; never a file, never the kernel's
JUPYTER_TOKEN_VARIABLE = "JUPYTER_TOKEN"


def add_command(commands: argparse._SubParsersAction) -> None:
    mcp = commands.add_parser(
        "mcp",
        help="serve persistent science kernels and sciwand's loop to MCP clients (Claude, VS Code, ...)",
        description="An MCP server: tools execute, variables, catalog, ask, export_notebook, restart, shutdown.",
    )
    add_settings_arguments(mcp)
    mcp.add_argument("--transport", choices=("stdio", "http"), default="stdio", help="default: stdio")
    mcp.add_argument("--host", default="127.0.0.1", help="HTTP: the address to listen on (default 127.0.0.1)")
    mcp.add_argument("--port", type=int, default=8765, help="HTTP: the port (default 8765)")
    mcp.add_argument(
        "--http-token",
        help=f"HTTP: the bearer token clients must send (default: ${TOKEN_VARIABLE}, else a new one is printed)",
    )
    mcp.add_argument("--workdir", type=Path, default=Path.cwd(), help="the kernels' working directory")
    mcp.add_argument(
        "--transcripts", type=Path, help="where each session's notebook is written as it runs (default: state dir)"
    )
    mcp.add_argument("--jupyter-url", help="run the default session in a notebook's kernel on this Jupyter server")
    mcp.add_argument("--token", help=f"that Jupyter server's token (default: ${JUPYTER_TOKEN_VARIABLE})")
    mcp.add_argument("--notebook", help="the notebook's path on that server, e.g. analysis/plates.ipynb")


def _transcripts(args: argparse.Namespace) -> Path:
    if args.transcripts is not None:
        return args.transcripts
    state = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return state / "sciwand" / "mcp" / time.strftime("%Y%m%d-%H%M%S")


def mcp_command(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.mcp_server.registry import DEFAULT_SESSION, KernelRegistry
    from assistant.mcp_server.serve import serve_http, serve_stdio
    from assistant.mcp_server.tools import build_server

    errors = Console(stderr=True, highlight=False)  # stdout is the stdio transport's: nothing else goes there
    attach = None
    if args.jupyter_url or args.notebook:
        if not (args.jupyter_url and args.notebook):
            raise InputError("--jupyter-url and --notebook go together")
        attach = _attacher(args, settings)
    registry = KernelRegistry(settings, args.workdir, _transcripts(args), attach=attach)
    if attach is not None:
        registry.open(DEFAULT_SESSION)  # a wrong URL, token or notebook stops here, in one line, not at a call

    models = LatestModel(progress=ByteProgress("preparing the embedded model", errors))

    def model() -> BaseChatModel:
        return models.get(settings)  # built at the first `ask` (the embedded model takes seconds to load)

    if args.transport == "stdio":
        serve_stdio(build_server(registry, model), registry)
        return 0
    token = args.http_token or os.environ.get(TOKEN_VARIABLE) or secrets.token_urlsafe(32)
    shown = token if not (args.http_token or os.environ.get(TOKEN_VARIABLE)) else "<your token>"
    server = build_server(registry, model, host=args.host, port=args.port)
    serve_http(
        server,
        registry,
        token,
        announce=lambda url: print(f"sciwand mcp: {url}  (Authorization: Bearer {shown})", file=sys.stderr),
    )
    return 0


def _attacher(args: argparse.Namespace, settings: Settings):
    from assistant.mcp_server.attach import attach_notebook
    from kernels.remote import RemoteKernelError

    token = args.token or os.environ.get(JUPYTER_TOKEN_VARIABLE, "")

    def attach():
        config = KernelConfig(**kernel_limits(settings))
        try:
            notebook = attach_notebook(args.jupyter_url, token, args.notebook, config)
        except RemoteKernelError as exc:
            raise InputError(str(exc)) from None
        return notebook.kernel, notebook.record, notebook.close

    return attach
