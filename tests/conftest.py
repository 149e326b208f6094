"""Shared fixtures and helpers: real kernels (one per module where state isolation is not needed), scripted LLMs,
a local OpenAI-compatible HTTP endpoint, the CLI's environment, results.jsonl records, waiting on a condition.

Test modules import the helpers: ``from conftest import read_results, wait_for``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, fields, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import nbformat
import pytest
from jupyter_client.manager import KernelManager
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from nbformat.v4 import new_code_cell, new_notebook
from pydantic import Field

from assistant.engine.harness import HarnessConfig
from assistant.engine.loop import ChatSession
from domain_tools.catalog import Catalog
from kernels import KernelConfig, KernelSession

# jp_fetch, jp_ws_fetch and a real jupyter_server per test, for the lab panel's handlers.
pytest_plugins = ["pytest_jupyter.jupyter_server"]


class ScriptedChatModel(FakeListChatModel):
    """FakeListChatModel that also records the messages of every call, so tests can see the feedback."""

    calls: list[list[BaseMessage]] = Field(default_factory=list)
    call_kwargs: list[dict[str, Any]] = Field(default_factory=list)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        self.calls.append(list(messages))
        self.call_kwargs.append(dict(kwargs))
        yield from super()._stream(messages, stop, run_manager, **kwargs)


def python_block(code: str, prose: str = "I will compute it.") -> str:
    return f"{prose}\n```python\n{code}\n```"


# -- helpers shared by test modules ------------------------------------------------------------------------


def saved_sources(path: Path) -> list[str] | None:
    """The cell sources of a notebook file a server saves on its own (collaboration's autosave, a save from
    the tab); None while it is being written, when a read finds it empty."""
    try:
        return [cell.source for cell in nbformat.read(path, as_version=4).cells]
    except nbformat.reader.NotJSONError:
        return None


def wait_for(condition: Callable[[], object], timeout: float = 10.0, what: str = "the condition") -> object:
    """Poll ``condition`` until it is truthy and return its value; fail naming ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.02)


def stdout_text(result: Any) -> str:
    """All an ``ExecutionResult`` printed to stdout, stream chunks joined (stderr and rich outputs left out)."""
    return "".join(o.text or "" for o in result.outputs if o.output_type == "stream" and o.name == "stdout")


def read_results(out: Path) -> list[dict[str, Any]]:
    """The records of ``OUT/results.jsonl`` in file order; every line must be a complete JSON record."""
    return [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]


def results_by_id(out: Path) -> dict[str, dict[str, Any]]:
    """``read_results(out)`` by task id (a later record of the same id wins)."""
    return {record["id"]: record for record in read_results(out)}


def cli_environment(tmp_path: Path) -> dict[str, str]:
    """The environment for a ``sciwand`` subprocess: no user config, no SCIWAND_* or OpenAI key, wide output."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("SCIWAND_")}
    env.pop("OPENAI_API_KEY", None)
    env.update(SCIWAND_CONFIG=str(tmp_path / "no-config.toml"), COLUMNS="200", PYTHONIOENCODING="utf-8")
    return env


@pytest.fixture
def cli_env(tmp_path) -> dict[str, str]:
    """``cli_environment`` for this test's ``tmp_path``."""
    return cli_environment(tmp_path)


@pytest.fixture(scope="module")
def kernel(tmp_path_factory) -> Iterator[KernelSession]:
    """One real kernel for a whole test module; tests must not rely on each other's variables."""
    session = KernelSession(KernelConfig(cwd=tmp_path_factory.mktemp("kernel-cwd"))).start()
    yield session
    session.shutdown()


@pytest.fixture
def make_kernel(tmp_path):
    """Factory for a fresh kernel with its own KernelConfig fields; every kernel made is shut down."""
    sessions: list[KernelSession] = []

    def make(**config: Any) -> KernelSession:
        config.setdefault("cwd", tmp_path / "kernel-cwd")
        session = KernelSession(KernelConfig(**config)).start()
        sessions.append(session)
        return session

    yield make
    for session in sessions:
        session.shutdown()


@pytest.fixture
def code_reply():
    """``code_reply(code)``: an LLM reply holding one python block."""
    return python_block


# The harness of the scripted-model tests: the loop's mechanics, without the example bank and the library index,
# a vote (it consumes scripted replies), the answer checks (scripted steps print typed numbers) or the first helper
# (it needs the domain preamble). Tests of each ask for it.
SCRIPTED = HarnessConfig(examples_per_question=0, api_names=0, vote_samples=0, check_answers=False, first_helper=False)
HARNESS_FIELDS = {field.name for field in fields(HarnessConfig)}


@pytest.fixture
def make_chat(kernel):
    """``make_chat(replies, **kwargs)``: a ChatSession on a scripted model; the model is ``session.model``."""

    def make(replies: list[str], *, executor: Any = None, **kwargs: Any) -> ChatSession:
        """Keywords naming a ``HarnessConfig`` field set that field; the rest go to ``ChatSession``."""
        kwargs.setdefault("timeout", 30.0)
        kwargs.setdefault("model_name", "scripted")
        kwargs.setdefault("setup_code", None)  # the domain imports take seconds; these tests need none
        kwargs.setdefault("catalog", Catalog())  # the loop's mechanics, independent of the domain catalogs
        harness = {name: kwargs.pop(name) for name in HARNESS_FIELDS if name in kwargs}
        return ChatSession(
            ScriptedChatModel(responses=list(replies)),
            executor or kernel,
            harness=replace(SCRIPTED, **harness),
            **kwargs,
        )

    return make


# -- a remote OpenAI-compatible endpoint on 127.0.0.1 (the openai: provider, streaming) -------------------
# What a handler does with request number n (1-based): returns nothing, having written the response itself.
Behaviour = Callable[["Handler", int], None]


class Handler(BaseHTTPRequestHandler):
    server: FakeOpenAI

    def log_message(self, format: str, *args: object) -> None:  # keep pytest's output clean
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length) or b"{}")
        self.body = body
        with self.server.lock:
            self.server.requests.append(body)
            number = len(self.server.requests)
        # The loop stops reading once a reply holds a complete code block.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.server.behaviour(self, number)

    def send_json(self, status: int, payload: dict, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def send_reply(self, text: str, pieces: int = 4, gate: tuple[int, threading.Event] | None = None) -> None:
        """The reply as chat-completion chunks, streamed as SSE (the loop always streams); ``gate`` (n, event)
        holds the stream before its n-th piece until the event is set, as a model still writing."""
        deltas = [{"role": "assistant", "content": ""}] + [{"content": piece} for piece in split(text, pieces)]
        chunks = [
            {
                "id": "chatcmpl-test",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": "test-model",
                "choices": [{"index": 0, "delta": delta, "finish_reason": "stop" if last else None}],
            }
            for delta, last in zip(deltas, [False] * (len(deltas) - 1) + [True], strict=True)
        ]
        if (self.body.get("stream_options") or {}).get("include_usage"):  # as OpenAI and llama.cpp's server do
            usage = prompt_usage(self.body, completion_tokens=len(deltas) - 1)
            chunks.append({"id": "chatcmpl-test", "object": "chat.completion.chunk", "choices": [], "usage": usage})
        self.send_events(chunks, gate)

    def send_completion(self, text: str, pieces: int = 4, gate: tuple[int, threading.Event] | None = None) -> None:
        """``text`` as the OpenAI completions API streams it (``"stream": true``), or whole when not asked to."""
        if not self.body.get("stream"):
            self.send_json(200, {"id": "cmpl", "object": "text_completion", "choices": [{"index": 0, "text": text}]})
            return
        chunks = [
            {"id": "cmpl", "object": "text_completion", "choices": [{"index": 0, "text": piece}]}
            for piece in split(text, pieces)
        ]
        self.send_events(chunks, gate)

    def send_events(self, chunks: list[dict], gate: tuple[int, threading.Event] | None) -> None:
        """``chunks`` as server-sent events, then ``[DONE]``; ``gate`` holds the n-th until its event is set."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        for index, chunk in enumerate(chunks):
            if gate is not None and index == gate[0]:
                gate[1].wait(120)
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.flush()
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()


def split(text: str, pieces: int) -> list[str]:
    """``text`` in ``pieces`` parts or fewer, as a model streams it."""
    size = max(1, len(text) // pieces + 1)
    return [text[i : i + size] for i in range(0, len(text), size)]


def prompt_usage(body: dict, completion_tokens: int) -> dict[str, int]:
    """The usage figures the fake endpoint reports: a prompt token per 4 characters of the messages."""
    prompt_tokens = sum(len(str(message.get("content", ""))) for message in body.get("messages", [])) // 4
    total = prompt_tokens + completion_tokens
    return {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens, "total_tokens": total}


class FakeOpenAI(ThreadingHTTPServer):
    """An OpenAI chat-completions endpoint on 127.0.0.1 that records each request body and lets its behaviour
    answer it."""

    daemon_threads = True

    def __init__(self, behaviour: Behaviour) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.behaviour = behaviour
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        self.release = threading.Event()  # hanging handlers return once set

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


@pytest.fixture
def serve() -> Iterator[Callable[[Behaviour], FakeOpenAI]]:
    """``serve(behaviour)``: a started FakeOpenAI (``.base_url``, ``.requests``: every request body, in order)."""
    servers: list[FakeOpenAI] = []

    def start(behaviour: Behaviour) -> FakeOpenAI:
        server = FakeOpenAI(behaviour)
        threading.Thread(target=server.serve_forever, name="fake-openai", daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.release.set()
        server.shutdown()
        server.server_close()


def assert_printed_with_units(profile: Any, unitless: set[str]) -> None:
    """``print(profile)`` is the title, then one 'label : value unit' line per row, every unit shown.

    ``unitless`` names exactly the rows whose value is a dimensionless float (logP, QED...): any other float
    row without a unit fails, so a new quantity cannot slip in without one. Counts (ints) and text need none.
    """
    lines = str(profile).splitlines()
    assert lines[0] == profile.title and len(lines) == len(profile.rows) + 1
    for row, line in zip(profile.rows, lines[1:], strict=True):
        label, _, shown = line.strip().partition(" : ")
        assert label.rstrip() == row.label and shown == row.shown(), line
        if row.unit:
            assert shown.endswith(f" {row.unit}"), line
    assert {row.key for row in profile.rows if isinstance(row.value, float) and not row.unit} == unitless


def markdown_outputs(cell: Any) -> list[str]:
    return [output["data"]["text/markdown"] for output in cell.outputs if "text/markdown" in output.get("data", {})]


@pytest.fixture
def kernel_client(tmp_path):
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(cwd=str(tmp_path))
    client = manager.client()
    client.start_channels()
    client.wait_for_ready(timeout=60)
    yield manager, client
    client.stop_channels()
    manager.shutdown_kernel(now=True)


def run_until(client: Any, code: str, until: str | None = None) -> tuple[str, list[dict[str, Any]]]:
    """Execute ``code``; return its reply status and iopub messages (stop reading at stream text ``until``)."""
    msg_id = client.execute(code)
    messages = []
    while True:
        message = client.get_iopub_msg(timeout=120)
        if message["parent_header"].get("msg_id") != msg_id:
            continue
        messages.append(message)
        content = message["content"]
        if until is not None and message["msg_type"] == "stream" and until in content["text"]:
            return "running", messages
        if message["msg_type"] == "status" and content["execution_state"] == "idle":
            return client.get_shell_msg(timeout=60)["content"]["status"], messages


# -- the lab panel's server (pytest-jupyter) ------------------------------------------------------------
LAB_NOTEBOOK = "analysis/caffeine.ipynb"


async def start_kernel(jp_fetch) -> str:
    response = await jp_fetch(
        "api", "kernels", method="POST", body=json.dumps({"name": "python3"}), request_timeout=120
    )
    return json.loads(response.body)["id"]


@contextlib.asynccontextmanager
async def notebook_client(serverapp: Any, kernel_id: str) -> AsyncIterator[Any]:
    """A client of one of the server's kernels, as the notebook page holds one: it sees every iopub message."""
    client = serverapp.kernel_manager.get_kernel(kernel_id).client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=60)
        yield client
    finally:
        client.stop_channels()


async def wait_printed(client: Any, text: str) -> None:
    """Wait until the kernel prints ``text``, whoever asked it to."""
    while True:
        message = await client.get_iopub_msg(timeout=60)
        if message["msg_type"] == "stream" and text in message["content"]["text"]:
            return


async def connect(jp_ws_fetch, kernel_id: str, path: str = LAB_NOTEBOOK) -> Any:
    socket = await jp_ws_fetch("sciwand", "ws", params={"kernel_id": kernel_id, "path": path})
    assert json.loads(await socket.read_message()) == {"type": "state", "running": False}
    return socket


async def events_until(socket: Any, kind: str) -> list[dict[str, Any]]:
    """Every event up to and including the first of type ``kind``, tokens left out."""
    seen = []
    while True:
        message = await socket.read_message()
        assert message is not None, f"socket closed before a {kind!r} event; got {seen}"
        event = json.loads(message)
        if event["type"] != "token":
            seen.append(event)
        if event["type"] == kind:
            return seen


def ask(socket: Any, question: str, approval: bool = False) -> None:
    socket.write_message(json.dumps({"type": "ask", "question": question, "approval": approval}))


# -- Jupyter AI's chat and the @sciwand persona (assistant/persona) -----------------------------------------
PERSONA_ID = "jupyter-ai-personas::assistant::SciwandPersona"
# The server extensions Jupyter AI's chat needs: the chat itself (WebSocket transport), the router, the personas.
JUPYTER_AI_EXTENSIONS = {"jupyterlab_chat": True, "jupyter_ai_router": True, "jupyter_ai_persona_manager": True}
# A message the persona ends a reply with: the answer, no answer, an error, or a stop.
_LAST_REPLY = ("**Answer:**", "**No answer**", "**sciwand", "*Stopped.*")


class ChatClient:
    """One client of a ``.chat`` file over Jupyter AI's WebSocket protocol (``/api/chat/ws/<path>``)."""

    def __init__(self, websocket: Any, connection: dict[str, Any]) -> None:
        self.websocket = websocket
        self.chat_id: str = connection["id"]
        self.users: dict[str, Any] = dict(connection["users"])

    async def frame(self, deadline: float) -> dict[str, Any]:
        """The next server frame; fails once ``deadline`` (``time.monotonic()``) has passed."""
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError("timed out waiting for the chat")
        message = await asyncio.wait_for(self.websocket.read_message(), left)
        assert message is not None, "the chat's socket closed"
        frame = json.loads(message)
        if frame.get("action") == "users":
            self.users.update(frame["users"])
        return frame

    async def wait_for_persona(self, timeout: float = 60.0) -> None:
        """Until the persona has joined the chat (Jupyter AI adds it after the chat opens)."""
        deadline = time.monotonic() + timeout
        while PERSONA_ID not in self.users:
            await self.frame(deadline)

    def send(self, body: str, **fields: Any) -> None:
        """Send ``body`` to the persona, as the chat input does when @sciwand is picked."""
        frame = {
            "type": "client",
            "action": "send",
            "id": str(uuid.uuid4()),
            "body": body,
            "mentions": [PERSONA_ID],
            "metadata": {"to_persona": PERSONA_ID},
            **fields,
        }
        self.websocket.write_message(json.dumps(frame))

    async def frames_until(self, condition: Callable[[dict[str, Any]], bool], timeout: float) -> list[dict[str, Any]]:
        """Every frame up to and including the first that meets ``condition``."""
        deadline = time.monotonic() + timeout
        frames = []
        while True:
            frames.append(await self.frame(deadline))
            if condition(frames[-1]):
                return frames

    async def reply(self, timeout: float = 120.0) -> list[dict[str, Any]]:
        """The persona's messages up to its last one for this question (answer, no answer, error or stop)."""

        def last(frame: dict[str, Any]) -> bool:
            return persona_message(frame) is not None and frame["message"]["body"].startswith(_LAST_REPLY)

        frames = await self.frames_until(last, timeout)
        return [message for message in map(persona_message, frames) if message is not None]

    async def ask(self, body: str, timeout: float = 120.0, **fields: Any) -> list[dict[str, Any]]:
        self.send(body, **fields)
        return await self.reply(timeout)


def persona_message(frame: dict[str, Any]) -> dict[str, Any] | None:
    """The persona's chat message a server frame carries, if it carries one."""
    if frame.get("action") == "message" and frame["message"].get("sender") == PERSONA_ID:
        return frame["message"]
    return None


async def open_chat(jp_ws_fetch, root: Path, path: str = "science.chat") -> ChatClient:
    """Create the chat file ``path`` under the server's ``root``, connect to it, and wait for the persona."""
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text("{}")
    websocket = await jp_ws_fetch("api", "chat", "ws", path)
    connection = json.loads(await websocket.read_message())
    assert connection["action"] == "connection", connection
    client = ChatClient(websocket, connection)
    await client.wait_for_persona()
    return client


# -- a Jupyter server in a subprocess, reached over HTTP as a remote one is ------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_notebook(path: Path, cells: list[str]) -> None:
    """A python3 notebook of code cells ``cells`` at ``path``."""
    notebook = new_notebook(
        cells=[new_code_cell(source) for source in cells],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(path))


def jupyter_config(base: Path, app: str, collaboration: bool) -> Path:
    """The Jupyter config directory of a test server under ``base``: real-time collaboration (jupyter-collaboration,
    the ``collab`` extra) only when asked. Installed, it is on for every server of the environment: JupyterLab
    would open notebooks as shared documents, and a plain server would answer sciwand's collaboration probe."""
    config = base / "config"
    config.mkdir(parents=True, exist_ok=True)
    settings: dict[str, Any] = {}
    if not collaboration:
        if app == "jupyterlab":  # the lab's front-end expects the server extension: RTC off is its own switch
            settings["YDocExtension"] = {"disable_rtc": True}
        else:
            settings["ServerApp"] = {"jpserver_extensions": {"jupyter_server_ydoc": False}}
    # The shared documents' history, which jupyter-collaboration keeps in the server's working directory.
    settings["SQLiteYStore"] = {"db_path": str(base / "ystore.db")}
    (config / "jupyter_server_config.json").write_text(json.dumps(settings))
    return config


@contextlib.contextmanager
def jupyter_process(
    root: Path, env: dict[str, str], app: str = "jupyter_server", collaboration: bool = False
) -> Iterator[tuple[str, str]]:
    """``python -m APP`` serving ``root`` on 127.0.0.1 with a fresh token, its Jupyter directories and log
    (``server.log``) beside ``root``, ``env`` added: (its URL, the token), once its API answers. Real-time
    collaboration is on only with ``collaboration`` (see ``jupyter_config``)."""
    base = root.parent
    token, port = secrets.token_hex(16), free_port()
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(jupyter_config(base, app, collaboration)),
        "JUPYTER_DATA_DIR": str(base / "data"),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        **env,
    }
    command = [sys.executable, "-m", app, "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}"]
    command += ["--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}"]
    log = base / "server.log"
    with log.open("w") as sink:  # in ``base``: whatever the server keeps in its working directory stays there
        server = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT, cwd=base)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: server.poll() is not None or _answers(url, token), 120, f"{app} to answer")
        if server.poll() is not None:
            pytest.fail(f"{app} exited with status {server.returncode}: {log.read_text()[-2000:]}")
        yield url, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # shutting its kernels down can outlast that on a loaded machine
            server.kill()
            server.wait()


def _answers(url: str, token: str) -> bool:
    request = urllib.request.Request(f"{url}/api/status", headers={"Authorization": f"token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=5):
            return True
    except OSError:
        return False


@dataclass(frozen=True)
class ServedJupyter:
    url: str
    token: str
    root: Path

    def notebook(self, name: str, cells: list[str]) -> str:
        """A new notebook ``name`` (a path relative to the server's root) of code cells ``cells``; ``name``."""
        write_notebook(self.root / name, cells)
        return name


@contextlib.contextmanager
def served(tmp_path_factory: Any, collaboration: bool) -> Iterator[ServedJupyter]:
    root = tmp_path_factory.mktemp("jupyter") / "root"
    root.mkdir()
    env = {"SCIWAND_CONFIG": str(root.parent / "no-config.toml")}
    with jupyter_process(root, env, collaboration=collaboration) as (url, token):
        yield ServedJupyter(url, token, root)


@pytest.fixture(scope="module")
def served_jupyter(tmp_path_factory) -> Iterator[ServedJupyter]:
    """A `jupyter server` subprocess for the whole module, without real-time collaboration; tests give each
    their own notebook, hence kernel."""
    with served(tmp_path_factory, collaboration=False) as server:
        yield server


@pytest.fixture(scope="module")
def served_collab(tmp_path_factory) -> Iterator[ServedJupyter]:
    """``served_jupyter`` with jupyter-collaboration on: notebooks are shared documents the server saves."""
    with served(tmp_path_factory, collaboration=True) as server:
        yield server


# -- `sciwand mcp` through the MCP SDK's own client (assistant/mcp_server) -----------------------------------
SCIWAND = str(Path(sys.executable).with_name("sciwand"))


def server_params(tmp_path: Path, *extra: str, env: dict[str, str] | None = None) -> StdioServerParameters:
    """`sciwand mcp` with ``extra`` arguments, its kernels in ``tmp_path/work``, no config file."""
    (tmp_path / "work").mkdir(exist_ok=True)
    environment = {**os.environ, "SCIWAND_CONFIG": str(tmp_path / "no-config.toml"), **(env or {})}
    args = ["mcp", "--workdir", str(tmp_path / "work"), "--transcripts", str(tmp_path / "transcripts"), *extra]
    return StdioServerParameters(command=SCIWAND, args=args, env=environment)


@asynccontextmanager
async def mcp_client(params: StdioServerParameters) -> AsyncIterator[ClientSession]:
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        yield session


def run(test: Callable[[], Awaitable[None]]) -> None:
    """An async test body, failed after 5 minutes rather than hanging."""
    asyncio.run(asyncio.wait_for(test(), 300))


# -- a TCP proxy whose connections a test cuts (a network drop), for the websockets' reconnection ------------------


class DroppingProxy:
    """A TCP proxy on 127.0.0.1 to a local server's port, on a loop of its own: ``cut`` drops every connection
    through it (a reset, as a network change does), ``close`` also stops listening (the server is away), and
    ``listen`` takes connections again on the same port. ``url`` is the server's address through it."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.accepted = 0  # connections taken, all told
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="dropping-proxy", daemon=True)
        self._thread.start()
        self._listener: asyncio.Server | None = None
        self._transports: set[asyncio.BaseTransport] = set()
        self.listen()

    def _call(self, coro: Awaitable[Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(30)  # type: ignore[arg-type]

    def listen(self) -> None:
        async def start() -> None:
            self._listener = await asyncio.start_server(self._pipe, "127.0.0.1", self.port, reuse_address=True)

        self._call(start())

    def cut(self) -> None:
        async def abort() -> None:
            for transport in list(self._transports):
                transport.abort()  # a reset: both ends see the connection die at once
            self._transports.clear()

        self._call(abort())

    def close(self) -> None:
        async def stop() -> None:
            if self._listener is not None:
                self._listener.close()
                self._listener = None

        self._call(stop())
        self.cut()

    def shutdown(self) -> None:
        self.close()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.transport.abort()
            return
        self._transports |= {writer.transport, upstream_writer.transport}

        async def forward(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                sink.close()

        await asyncio.gather(forward(reader, upstream_writer), forward(upstream_reader, writer))
        self._transports -= {writer.transport, upstream_writer.transport}


@pytest.fixture
def dropping_proxy() -> Iterator[Callable[[str], DroppingProxy]]:
    """``dropping_proxy(url)``: a ``DroppingProxy`` to the local server at ``url``; every one made is shut down."""
    proxies: list[DroppingProxy] = []

    def make(url: str) -> DroppingProxy:
        proxy = DroppingProxy(int(url.rsplit(":", 1)[1]))
        proxies.append(proxy)
        return proxy

    yield make
    for proxy in proxies:
        proxy.shutdown()
