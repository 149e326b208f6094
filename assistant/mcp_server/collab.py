"""A notebook's shared document on a Jupyter server with jupyter-collaboration, edited as JupyterLab's own
clients edit it: sciwand's MCP attach mode adds its cells there, the open tabs show them at once, and the
server, not sciwand, writes the file (its autosave, or the user's save).

The server serves each notebook as a Y document (a CRDT: ``pycrdt``, with ``jupyter_ydoc``'s notebook schema,
the server's own) in a room, ``/api/collaboration/room/json:notebook:<file id>``, after
``PUT /api/collaboration/session/<path>`` has given the file id and the server's session. Over the room's
websocket run the Y sync protocol's messages: each side sends its state (step 1), the other answers with what
it lacks (step 2), then updates flow both ways as either side edits. Concurrent edits merge: the user's
keystrokes and sciwand's cells both stay.

A cell counts as added once the server's document has it: after the update, sciwand sends a step 1 and the
server answers it (step 2) only after it applied everything sent before, in order. A dropped socket is
reconnected with backoff (``JupyterServer.backoff``) to a fresh copy of the document, the server's as it
is now (a restarted server may have rebuilt the room from the file), and every cell not yet confirmed is
added again unless the document already has it (by cell id): a cell in flight at the drop is neither lost
nor doubled. When the reconnection gives up, the cells waiting fail with its one-line error, and the next
cell starts a new connection.

Not ``jupyter-nbmodel-client``: its client resets its document when the socket closes (cells sent but not
yet received are lost with it), does not reconnect, and starts unsynced (edits then go to an empty copy)
with only a logged warning. Not ``pycrdt-websocket`` either: that is the server's side (rooms); pycrdt's own
``Provider``, the client side, discards pending updates on stop and confirms nothing. What sciwand needs (a
confirmation per cell, a fresh copy on reconnect) is this module's few lines over pycrdt's sync messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections import deque
from collections.abc import Coroutine
from typing import Any, TypeVar
from urllib.parse import quote

from jupyter_ydoc import YNotebook
from pycrdt import (
    Decoder,
    Doc,
    YMessageType,
    YSyncMessageType,
    create_sync_message,
    create_update_message,
    handle_sync_message,
)
from tornado.websocket import WebSocketClientConnection, WebSocketClosedError

from kernels.remote import JupyterServer, RemoteKernelError, collaboration_session

T = TypeVar("T")
_RAW = 2  # jupyter-collaboration's own messages on the room socket (JSON: save replies, conflicts)
_GONE = 4404  # the room's close code when its file is gone
_CONFIRM_S = 30.0  # the server's answer to a connected client, past which a cell counts as not added


class SharedNotebook:
    """A client of one notebook's room, on an event loop of its own (a thread); ``append`` blocks."""

    def __init__(self, server: JupyterServer, path: str) -> None:
        self.server = server
        self.path = path
        self.what = f"the shared document of {path} on the Jupyter server at {server.url}"
        self.reconnects = 0  # connections made again after a drop
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="sciwand-shared-notebook", daemon=True)
        self._thread.start()
        # The rest lives on the loop.
        self._pending: dict[str, tuple[dict[str, Any], asyncio.Future[None]]] = {}  # by cell id, not yet confirmed
        self._notebook: YNotebook | None = None  # this connection's copy of the document
        self._socket: WebSocketClientConnection | None = None
        self._synced: asyncio.Event | None = None
        self._probes: deque[list[str]] = deque()  # our step 1s in flight: the cells each one confirms
        self._applying = False  # a remote update is being applied: not ours to send back
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    @classmethod
    def open(cls, server: JupyterServer, path: str) -> SharedNotebook:
        """Connected and synced; ``RemoteKernelError`` (one line) when the room refuses or does not answer."""
        shared = cls(server, path)
        try:
            shared._run(shared._start())
        except BaseException:
            shared.close()
            raise
        return shared

    def append(self, cell: dict[str, Any]) -> None:
        """Add ``cell`` (an nbformat cell with an id) at the end of the document; returns once the server's
        document has it. ``RemoteKernelError`` when it could not be delivered (the reconnection gave up)."""
        self._run(self._append(dict(cell)))

    def cells(self) -> list[dict[str, Any]]:
        """The cells of this client's copy of the document (the server's, as last synced)."""
        return self._run(self._cells())

    def close(self) -> None:
        """Disconnect; the room and its document live on (the server's)."""
        if self._loop.is_closed():
            return
        with contextlib.suppress(Exception):
            self._run(self._stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    # -- on the loop ----------------------------------------------------------------------------
    async def _start(self) -> None:
        self._synced = asyncio.Event()
        socket = await self._connect(None)
        self._task = self._spawn(self._serve(socket))
        await self._wait_synced()

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.create_task(coro)
        # Its failure reached the cells that waited (and the next cell starts anew): nothing more to report.
        task.add_done_callback(lambda done: done.cancelled() or done.exception())
        return task

    async def _wait_synced(self) -> None:
        assert self._synced is not None and self._task is not None
        synced = asyncio.create_task(self._synced.wait())
        done, _ = await asyncio.wait({synced, self._task}, timeout=_CONFIRM_S, return_when=asyncio.FIRST_COMPLETED)
        synced.cancel()
        if self._synced.is_set():
            return
        if self._task in done and self._task.exception() is not None:
            raise self._task.exception()  # type: ignore[misc]
        raise RemoteKernelError(f"{self.what} did not answer within {_CONFIRM_S:g} s")

    async def _connect(self, timeout: float | None) -> WebSocketClientConnection:
        """A socket to the room, with the session the server has now (a restarted server has a new one)."""
        session = await asyncio.to_thread(collaboration_session, self.server, self.path)
        if session is None:
            raise RemoteKernelError(
                f"the Jupyter server at {self.server.url} no longer serves {self.path} collaboratively"
            )
        room = (
            f"/api/collaboration/room/json:notebook:{quote(session['fileId'])}?sessionId={quote(session['sessionId'])}"
        )
        what = f"the collaboration room of {self.path}"
        if timeout is None:
            return await self.server.websocket(room, what)
        return await self.server.websocket(room, what, timeout)

    async def _serve(self, socket: WebSocketClientConnection | None) -> None:
        """Sync over ``socket`` (None: reconnect first) until it closes, then reconnect; ends when closing, or
        when reconnecting gave up: the cells waiting then fail with that error."""
        try:
            while True:
                if socket is None:
                    socket = await self.server.reconnect(self._connect, self.what)
                    self.reconnects += 1
                await self._sync_over(socket)
                if self._closing:
                    return
                if socket.close_code == _GONE:
                    raise RemoteKernelError(f"{self.path} is no longer on the Jupyter server at {self.server.url}")
                socket = None
        except RemoteKernelError as error:
            for _, waiting in self._pending.values():
                if not waiting.done():
                    waiting.set_exception(error)
            self._pending.clear()
            raise

    async def _sync_over(self, socket: WebSocketClientConnection) -> None:
        """One connection: a fresh copy of the document, synced with the server's; our cells go out as updates."""
        assert self._synced is not None
        notebook = YNotebook(Doc())
        subscription = notebook.ydoc.observe(self._local_update)
        self._notebook, self._socket = notebook, socket
        self._probes = deque([[]])  # the first step 1: its answer is the server's document
        self._send(create_sync_message(notebook.ydoc))
        try:
            while (message := await socket.read_message()) is not None:
                if isinstance(message, bytes) and message:
                    self._receive(message)
        finally:
            notebook.ydoc.unobserve(subscription)
            self._socket = None
            self._synced.clear()

    def _receive(self, message: bytes) -> None:
        assert self._notebook is not None and self._synced is not None
        if message[0] == YMessageType.SYNC:
            self._applying = True
            try:
                reply = handle_sync_message(message[1:], self._notebook.ydoc)
            finally:
                self._applying = False
            if reply is not None:
                self._send(reply)
            if message[1] == YSyncMessageType.SYNC_STEP2:
                confirmed = self._probes.popleft() if self._probes else []
                if not self._synced.is_set():
                    self._synced.set()
                    self._deliver()
                self._confirm(confirmed)
        elif message[0] == _RAW:
            with contextlib.suppress(ValueError):
                if json.loads(Decoder(message[1:]).read_var_string()).get("type") == "conflict":
                    # Our copy's history is not the room's (rebuilt from a changed file): start afresh.
                    assert self._socket is not None
                    self._socket.close()

    def _local_update(self, event: Any) -> None:
        if not self._applying:
            self._send(create_update_message(event.update))

    def _send(self, message: bytes) -> None:
        if self._socket is not None:
            with contextlib.suppress(WebSocketClosedError):  # the reading notices; the cells are sent again
                self._socket.write_message(message, binary=True)

    def _put(self, ids: list[str]) -> None:
        """Add the pending cells ``ids`` to this copy (one update), then ask the server to confirm them."""
        assert self._notebook is not None
        with self._notebook.ydoc.transaction():
            for cell_id in ids:
                self._notebook.append_cell(self._pending[cell_id][0])
        self._probes.append(ids)
        self._send(create_sync_message(self._notebook.ydoc))

    def _deliver(self) -> None:
        """After a (re)sync: the pending cells the server's document has arrived before the drop; the rest go now."""
        assert self._notebook is not None
        present = {ycell.get("id") for ycell in self._notebook.ycells}
        self._confirm([cell_id for cell_id in self._pending if cell_id in present])
        missing = [cell_id for cell_id in self._pending if cell_id not in present]
        if missing:
            self._put(missing)

    def _confirm(self, ids: list[str]) -> None:
        for cell_id in ids:
            _, waiting = self._pending.pop(cell_id, (None, None))
            if waiting is not None and not waiting.done():
                waiting.set_result(None)

    async def _append(self, cell: dict[str, Any]) -> None:
        assert self._synced is not None
        cell_id = cell["id"]
        waiting = asyncio.get_running_loop().create_future()
        self._pending[cell_id] = (cell, waiting)
        if self._task is None or self._task.done():  # the last connection gave up: try again for this cell
            self._task = self._spawn(self._serve(None))
        elif self._synced.is_set():
            self._put([cell_id])
        limit = self.server.backoff.total_s + _CONFIRM_S
        try:
            await asyncio.wait_for(waiting, limit)
        except TimeoutError:
            self._pending.pop(cell_id, None)
            raise RemoteKernelError(f"{self.what} did not confirm the cell within {limit:g} s") from None

    async def _cells(self) -> list[dict[str, Any]]:
        assert self._notebook is not None
        return self._notebook.get()["cells"]

    async def _stop(self) -> None:
        self._closing = True
        if self._socket is not None:
            self._socket.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(BaseException):
                await self._task
