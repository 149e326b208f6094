"""A kernel on a (possibly remote) Jupyter server, through its REST API and kernel websocket.

``RemoteKernelManager`` and its ``RemoteKernelClient`` answer the calls ``AsyncKernelSession.attach`` makes of a
jupyter_client manager and client, so a ``KernelSession`` (and ``RecoveringKernel`` over it) runs code in a
notebook's kernel on a server it can only reach over HTTP: ``KernelSession.attach(notebook_kernel(server, path))``.

The server owns that kernel: its process is not ours (no pid, no exit status, none of ``KernelConfig``'s limits),
and the server's restarter replaces it when it dies. The server tells its websocket clients so with a ``status``
message of no parent, ``restarting`` (or ``dead`` when the restart failed); from then on the manager reports
the kernel not alive, so a pending execute ends as ``Status.DIED`` and the recovery restarts and replays.

A dropped websocket (the server restarting its proxy, a laptop's network changing) is no error: the client
reconnects with exponential backoff, as ``JupyterServer.backoff`` bounds it (attempts and total time), and
only then fails, in one line. A request in flight when the socket dropped cannot be finished (the server keeps
a dropped connection's messages only when no other client, such as JupyterLab, is on the kernel): its reader
gets ``ConnectionDropped``, saying the cell may have run; requests made while reconnecting wait for the new socket.
"""

from __future__ import annotations

import asyncio
import json
import queue
import struct
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, TypeVar
from urllib.parse import quote

from jupyter_client.jsonutil import json_default
from jupyter_client.session import Session
from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.websocket import WebSocketClientConnection, WebSocketClosedError, websocket_connect

T = TypeVar("T")
_REQUEST_TIMEOUT_S = 30.0
# Starting or restarting a kernel: the server answers once the kernel runs (a restart: once it answers).
_START_TIMEOUT_S = 120.0
_MAX_MESSAGE_BYTES = 256 * 1024**2  # one output (a large figure) arrives as one websocket message
# No proxy from the environment: the REST calls go where the websocket goes (tornado uses none).
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
# Kernel states by which the server, not the kernel, reports that the kernel's process is gone.
_GONE = ("restarting", "dead")
# Pings on an open websocket: a connection that died without a close (a network cut) is noticed within this.
_PING_INTERVAL_S = 20.0
# HTTP statuses a reconnection cannot outwait: the token is refused, or the kernel (or room) is gone.
_FINAL = (401, 403, 404)


@dataclass(frozen=True)
class Backoff:
    """How a dropped websocket is reconnected: waits of ``first_s``, doubling up to ``max_wait_s``, for at most
    ``attempts`` tries and ``total_s`` seconds from the drop; then the caller gives up with a clear error."""

    first_s: float = 0.5
    max_wait_s: float = 8.0
    attempts: int = 10
    total_s: float = 60.0

    def waits(self) -> Iterator[float]:
        """The wait before each attempt, none past the total time."""
        started, wait = time.monotonic(), self.first_s
        for _ in range(self.attempts):
            left = self.total_s - (time.monotonic() - started)
            if left <= 0:
                return
            yield min(wait, left)
            wait = min(wait * 2, self.max_wait_s)

    def describe(self, attempts: int, started: float) -> str:
        return f"{attempts} attempt{'s' if attempts != 1 else ''} in {time.monotonic() - started:.0f} s"


class RemoteKernelError(RuntimeError):
    """A Jupyter server or its kernel could not be used; the message is one line, for the user."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status  # the HTTP status the server answered, if it answered


class ConnectionDropped(RemoteKernelError):
    """The websocket dropped while a request was in flight: the request's outcome is unknown; the client
    reconnects for the next one."""


class JupyterServer:
    """Blocking JSON calls to a Jupyter server's REST API, authenticated by its token; ``backoff`` bounds how
    its websockets (a kernel's channels, a notebook's shared document) are reconnected after a drop."""

    def __init__(self, url: str, token: str, backoff: Backoff | None = None) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.backoff = backoff or Backoff()

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"}

    def request(self, method: str, path: str, body: Any = None, timeout: float = _REQUEST_TIMEOUT_S) -> Any:
        """The decoded JSON answer to ``method path`` (None when empty); ``RemoteKernelError`` when refused."""
        data = None if body is None else json.dumps(body, default=json_default).encode()
        headers = {**self.headers, "Content-Type": "application/json"}
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with _DIRECT.open(request, timeout=timeout) as response:
                payload = response.read()
        except urllib.error.HTTPError as error:
            raise self.refusal(error.code, _server_message(error.read()) or error.reason, f"{method} {path}") from None
        except (urllib.error.URLError, OSError) as error:
            raise self.unreachable(getattr(error, "reason", error)) from None
        return json.loads(payload) if payload else None

    def refusal(self, status: int, reason: object, what: str) -> RemoteKernelError:
        if status in (401, 403):
            message = (
                f"the Jupyter server at {self.url} refused the token (HTTP {status}): `jupyter server list` shows it"
            )
        else:
            message = f"the Jupyter server at {self.url} answered {what} with HTTP {status}: {reason}"
        return RemoteKernelError(message, status)

    def unreachable(self, reason: object) -> RemoteKernelError:
        return RemoteKernelError(f"cannot reach the Jupyter server at {self.url}: {reason}")

    def websocket_request(self, path: str, timeout: float = _REQUEST_TIMEOUT_S) -> HTTPRequest:
        """The websocket request for ``path`` (with its query) on this server, authenticated by the token."""
        url = "ws" + self.url.removeprefix("http") + path
        return HTTPRequest(url, headers=self.headers, connect_timeout=timeout, request_timeout=timeout)

    async def websocket(self, path: str, what: str, timeout: float = _REQUEST_TIMEOUT_S) -> WebSocketClientConnection:
        """An open websocket to ``path``; ``RemoteKernelError`` (one line, naming ``what``) when refused."""
        try:
            return await websocket_connect(
                self.websocket_request(path, timeout),
                max_message_size=_MAX_MESSAGE_BYTES,
                ping_interval=_PING_INTERVAL_S,
                ping_timeout=_PING_INTERVAL_S,
            )
        except HTTPClientError as error:
            if error.code == 599:  # tornado's code for no answer at all
                raise self.unreachable(error) from None
            raise self.refusal(error.code, error.message, what) from None
        except OSError as error:
            raise self.unreachable(error) from None

    async def reconnect(self, connect: Callable[[float], Awaitable[T]], lost: str) -> T:
        """``connect(timeout)`` again after a drop (of the connection to ``lost``), as ``backoff`` bounds it:
        a refusal no wait can change (token refused, gone) at once, else, once the attempts are spent, one line
        saying how long it tried."""
        started, attempts, last = time.monotonic(), 0, None
        for wait in self.backoff.waits():
            await asyncio.sleep(wait)
            attempts += 1
            left = max(1.0, self.backoff.total_s - (time.monotonic() - started))
            try:
                return await connect(min(_REQUEST_TIMEOUT_S, left))
            except RemoteKernelError as error:
                if error.status in _FINAL:
                    raise
                last = error
        raise RemoteKernelError(
            f"lost the connection to {lost} and gave up reconnecting after "
            f"{self.backoff.describe(attempts, started)}: {last or 'no attempt left'}"
        )

    def text(self, path: str) -> str | None:
        """The text ``GET path`` answers (a page), None when there is none (404); ``RemoteKernelError`` else."""
        request = urllib.request.Request(self.url + path, headers=self.headers)
        try:
            with _DIRECT.open(request, timeout=_REQUEST_TIMEOUT_S) as response:
                return response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            raise self.refusal(error.code, error.reason, f"GET {path}") from None
        except (urllib.error.URLError, OSError) as error:
            raise self.unreachable(getattr(error, "reason", error)) from None


def _server_message(body: bytes) -> str:
    """The ``message`` of a jupyter_server error answer, if it is one."""
    try:
        return str(json.loads(body).get("message", ""))
    except (ValueError, AttributeError):
        return ""


def server_path(notebook: str) -> str:
    """``notebook`` as the server's APIs name it: relative to its root, without the ``RTC:`` drive that
    JupyterLab's Copy Path adds under jupyter-collaboration."""
    return notebook.removeprefix("RTC:").strip("/")


def contents_api(notebook: str) -> str:
    """The contents API address of ``notebook``."""
    return "/api/contents/" + quote(server_path(notebook))


def notebook_kernel(server: JupyterServer, notebook: str) -> RemoteKernelManager:
    """The kernel of ``notebook`` (a path relative to the server's root): the one of its session, as JupyterLab
    opened it, else one started in a new session (the server's default kernel), which JupyterLab then shares."""
    path = server_path(notebook)
    try:
        model = server.request("GET", contents_api(path) + "?content=0")
    except RemoteKernelError as error:
        if error.status == 404:
            raise RemoteKernelError(f"no notebook {path!r} on the Jupyter server at {server.url}", 404) from None
        raise
    if model["type"] != "notebook":
        raise RemoteKernelError(f"{path!r} on the Jupyter server at {server.url} is a {model['type']}, not a notebook")
    sessions = server.request("GET", "/api/sessions")
    session = next((s for s in sessions if s.get("path") == path and s.get("kernel")), None)
    if session is None:
        body = {"path": path, "name": PurePosixPath(path).name, "type": "notebook"}
        session = server.request("POST", "/api/sessions", body, timeout=_START_TIMEOUT_S)
    kernel = session["kernel"]
    return RemoteKernelManager(server, kernel["id"], kernel.get("execution_state", "idle"))


def collaboration_session(server: JupyterServer, path: str) -> dict[str, Any] | None:
    """The server's collaboration session of the notebook ``path`` (``fileId``, ``sessionId``), or None when
    the server does not serve notebooks collaboratively: no jupyter-collaboration (its endpoint answers 404),
    or real-time collaboration turned off (``YDocExtension.disable_rtc``: the endpoint answers, but JupyterLab
    opens files without it, as its page configuration says)."""
    try:
        session = server.request(
            "PUT", "/api/collaboration/session/" + quote(path), {"format": "json", "type": "notebook"}
        )
    except RemoteKernelError as error:
        if error.status in (404, 405):
            return None
        raise
    page = server.text("/lab")
    if page is not None and '"disableRTC": true' in page:
        return None
    return session


class RemoteKernelManager:
    """One kernel of a Jupyter server, as ``AsyncKernelSession.attach`` uses a kernel manager.

    Its methods are coroutines of whatever loop the session runs on; the REST calls run in worker threads.
    """

    autorestart = False  # the restarter is the server's, not ours to lend: see is_alive
    provisioner = None  # no local process: no pid, no exit status, no cgroup

    def __init__(self, server: JupyterServer, kernel_id: str, execution_state: str = "idle") -> None:
        self.server = server
        self.kernel_id = kernel_id
        # The kernel's last status, as any client of it heard; once the server said "restarting" or "dead", that,
        # until this manager restarts the kernel: the new kernel's own status must not make the old one look alive.
        self.execution_state = execution_state
        # The client's websocket dropped and is being reconnected: the server may be away for a while.
        self.reconnecting = False

    @property
    def api(self) -> str:
        return f"/api/kernels/{quote(self.kernel_id)}"

    def client(self) -> RemoteKernelClient:
        return RemoteKernelClient(self)

    def heard(self, execution_state: str) -> None:
        """A status message on the kernel's websocket; ``restarting`` and ``dead`` come from the server."""
        if execution_state in _GONE or self.execution_state not in _GONE:
            self.execution_state = execution_state

    async def is_alive(self) -> bool:
        if self.execution_state in _GONE:
            return False
        try:
            model = await self._call("GET", self.api)
        except RemoteKernelError as error:
            if error.status == 404:  # shut down, or removed by the server after a failed restart
                return False
            if error.status is None and self.reconnecting:  # unknown while the server is away: the reconnection
                return True  # decides (a request waits for the new socket, or fails when it gives up)
            raise
        return model["execution_state"] not in _GONE

    async def interrupt_kernel(self) -> None:
        await self._call("POST", f"{self.api}/interrupt")

    async def restart_kernel(self, now: bool = True) -> None:
        """A fresh kernel under the same id; the server's restarter may have made it already.

        ``now`` is jupyter_client's: the server restarts at once, not after asking the kernel to shut down.
        """
        if self.execution_state != "restarting":  # else a second restart would cost a kernel start, nothing more
            await self._call("POST", f"{self.api}/restart", timeout=_START_TIMEOUT_S)
        self.execution_state = "starting"

    async def _call(self, method: str, path: str, timeout: float = _REQUEST_TIMEOUT_S) -> Any:
        try:
            return await asyncio.to_thread(self.server.request, method, path, None, timeout)
        except RemoteKernelError as error:
            if error.status == 404:
                gone = f"kernel {self.kernel_id} is no longer on the Jupyter server at {self.server.url}"
                raise RemoteKernelError(gone, 404) from None
            raise

    def channels_path(self, session_id: str) -> str:
        """The websocket path of the kernel's channels, as this client's session (the server keys on it)."""
        return f"{self.api}/channels?session_id={quote(session_id)}"


_DROPPED = object()  # an inbox marker: the socket dropped here, with a request in flight


class RemoteKernelClient:
    """The calls ``AsyncKernelSession`` makes of a kernel client, over the kernel's websocket on the server.

    The websocket carries JSON messages with a ``channel`` field (the server's default protocol), and every
    iopub message of the kernel, whoever asked: readers filter by parent, as over ZeroMQ. A dropped socket is
    reconnected (``JupyterServer.backoff``); a request that was in flight then fails its reader with
    ``ConnectionDropped``; only a reconnection that gives up (or a refusal) fails the readers for good.
    """

    def __init__(self, manager: RemoteKernelManager) -> None:
        self.manager = manager
        self.session = Session()  # builds the messages; the server signs them for the kernel
        # None: the end of the channel, after which readers get ``_failure``; _DROPPED: see ``_drop``.
        self._inbox: dict[str, asyncio.Queue[Any]] = {"shell": asyncio.Queue(), "iopub": asyncio.Queue()}
        self._outbox: list[tuple[str, str]] = []  # (msg_id, text) of requests made while no socket was open
        self._socket: WebSocketClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._failure: RemoteKernelError | None = None
        # Requests written to the open socket, by msg_id, and what of their answer is still due: the shell
        # reply and the iopub idle status. A drop loses the rest of their answer.
        self._in_flight: dict[str, set[str]] = {}
        self._dropped: ConnectionDropped | None = None  # a drop that no reader has been told of yet
        self._stopping = False
        self.reconnects = 0  # how many times the socket was reconnected after a drop

    @property
    def what(self) -> str:
        return f"kernel {self.manager.kernel_id} on the Jupyter server at {self.manager.server.url}"

    # -- channels ---------------------------------------------------------------------------
    def start_channels(self, hb: bool = False) -> None:
        """Connect in the background (on the running loop); ``hb`` is moot: the server watches the process."""
        self._reader = asyncio.get_running_loop().create_task(self._read())

    def stop_channels(self) -> None:
        self._stopping = True
        if self._reader is not None:
            self._reader.cancel()
        if self._socket is not None:
            self._socket.close()
        self._fail(RemoteKernelError(f"disconnected from kernel {self.manager.kernel_id}"))

    async def _read(self) -> None:
        server, path = self.manager.server, self.manager.channels_path(self.session.session)
        what = f"the websocket of kernel {self.manager.kernel_id}"
        try:
            socket = await server.websocket(path, what)  # the first connection: a failure is the attach's
            while True:
                self._open(socket)
                while (raw := await socket.read_message()) is not None:
                    self._receive(_decode(raw))
                self._socket = None
                if self._stopping:
                    return
                self._drop()
                self.manager.reconnecting = True
                try:
                    socket = await server.reconnect(lambda timeout: server.websocket(path, what, timeout), self.what)
                except RemoteKernelError as error:
                    if error.status == 404:
                        raise RemoteKernelError(f"{self.what} is gone (HTTP 404 on reconnecting)", 404) from None
                    raise
                finally:
                    self.manager.reconnecting = False
                self.reconnects += 1
        except RemoteKernelError as error:
            self._fail(error)
        finally:  # whatever ended the reading, no reader waits for messages that cannot come
            self._fail(RemoteKernelError(f"the Jupyter server at {server.url} closed the connection to its kernel"))

    def _open(self, socket: WebSocketClientConnection) -> None:
        """Use ``socket``: the requests made while none was open go out first, in order."""
        self._socket = socket
        outbox, self._outbox = self._outbox, []
        for msg_id, text in outbox:
            self._write(msg_id, text)

    def _drop(self) -> None:
        """The socket dropped: what was in flight will not be answered here. Its reader is told, once."""
        if self._in_flight:
            self._in_flight.clear()
            self._dropped = ConnectionDropped(
                f"the connection to {self.what} dropped while a request was in flight: the cell may have run "
                "(or may still run) in the kernel, but its outputs and reply were lost; sciwand is reconnecting"
            )
            for inbox in self._inbox.values():
                inbox.put_nowait(_DROPPED)

    def _receive(self, msg: dict[str, Any]) -> None:
        channel = msg.pop("channel", None)
        parent = (msg.get("parent_header") or {}).get("msg_id")
        if channel == "iopub" and msg["msg_type"] == "status":
            self.manager.heard(msg["content"]["execution_state"])
            if msg["content"]["execution_state"] == "idle":
                self._answered(parent, "idle")
        elif channel == "shell":
            self._answered(parent, "reply")
        if channel in self._inbox:
            self._inbox[channel].put_nowait(msg)

    def _answered(self, msg_id: str | None, part: str) -> None:
        due = self._in_flight.get(msg_id or "")
        if due is not None:
            due.discard(part)
            if not due:
                del self._in_flight[msg_id or ""]

    def _fail(self, failure: RemoteKernelError) -> None:
        """Wake every reader with ``failure`` (the first cause wins) once the messages before it are read."""
        if self._failure is None:
            self._failure = failure
            for inbox in self._inbox.values():
                inbox.put_nowait(None)

    # -- messages ---------------------------------------------------------------------------
    def _send(self, msg_type: str, content: dict[str, Any]) -> str:
        if self._failure is not None:
            raise self._failure
        # A new request: the reader of the one a drop cut off has gone (this session asks one thing at a time).
        self._dropped = None
        msg = self.session.msg(msg_type, content)
        msg_id = msg["header"]["msg_id"]
        text = json.dumps({**msg, "channel": "shell"}, default=json_default)
        if self._socket is None:
            self._outbox.append((msg_id, text))
        else:
            self._write(msg_id, text)
        return msg_id

    def _write(self, msg_id: str, text: str) -> None:
        assert self._socket is not None
        try:
            self._socket.write_message(text)
        except WebSocketClosedError:  # closed under us: the reading notices; this request waits for the next
            self._outbox.append((msg_id, text))
            return
        self._in_flight[msg_id] = {"reply", "idle"}

    def kernel_info(self) -> str:
        return self._send("kernel_info_request", {})

    def execute(
        self,
        code: str,
        silent: bool = False,
        store_history: bool = True,
        user_expressions: dict[str, str] | None = None,
        allow_stdin: bool = False,
        stop_on_error: bool = True,
    ) -> str:
        """Send an execute request, as jupyter_client's ``execute``; its msg_id."""
        content = {
            "code": code,
            "silent": silent,
            "store_history": store_history,
            "user_expressions": user_expressions or {},
            "allow_stdin": allow_stdin,
            "stop_on_error": stop_on_error,
        }
        return self._send("execute_request", content)

    async def get_shell_msg(self, timeout: float | None = None) -> dict[str, Any]:
        return await self._next("shell", timeout)

    async def get_iopub_msg(self, timeout: float | None = None) -> dict[str, Any]:
        return await self._next("iopub", timeout)

    async def _next(self, channel: str, timeout: float | None) -> dict[str, Any]:
        """The channel's next message; ``queue.Empty`` after ``timeout`` s, as jupyter_client's clients raise."""
        inbox = self._inbox[channel]
        while True:
            try:
                msg = await asyncio.wait_for(inbox.get(), timeout)
            except TimeoutError:
                raise queue.Empty from None
            if msg is None:
                inbox.put_nowait(None)  # for the next reader too
                assert self._failure is not None
                raise self._failure
            if msg is _DROPPED:
                if self._dropped is not None:  # the first reader after the drop is the cut-off request's
                    dropped, self._dropped = self._dropped, None
                    raise dropped
                continue  # the other channel's marker of the same drop: told already
            return msg


def _decode(raw: str | bytes) -> dict[str, Any]:
    """A message from the server: JSON, or (one with binary buffers) the count of parts, their offsets, then
    the JSON part and the buffers, which nothing here reads."""
    if isinstance(raw, str):
        return json.loads(raw)
    count = struct.unpack("!I", raw[:4])[0]
    offsets = struct.unpack(f"!{count}I", raw[4 : 4 * (count + 1)])
    end = offsets[1] if count > 1 else len(raw)
    return json.loads(raw[offsets[0] : end])
