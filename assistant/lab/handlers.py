"""HTTP and WebSocket handlers under ``/sciwand/``: authenticated and authorised by jupyter_server itself.

Every handler derives from jupyter_server's own bases, so the token or cookie check, XSRF on non-GET
requests and origin checks are the server's, not ours. Clients get JSON errors with a message (4xx),
never a traceback.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
from dataclasses import replace
from typing import Any

from jupyter_server.auth.decorator import authorized, ws_authenticated
from jupyter_server.base.handlers import APIHandler, JupyterHandler
from jupyter_server.base.websocket import WebSocketMixin
from tornado import web
from tornado.iostream import StreamClosedError
from tornado.websocket import WebSocketClosedError, WebSocketHandler

from assistant.errors import InputError, SciwandError
from assistant.lab.chat import KernelChat
from assistant.lab.chats import LabState
from assistant.lab.probe import VARIABLES_PROBE, KernelSilent, evaluate_silently
from assistant.lab.protocol import (
    AskRequest,
    DecisionRequest,
    ErrorEvent,
    History,
    KernelEvent,
    ServerEvent,
    StateEvent,
    Variable,
    Variables,
    from_json,
    to_json,
)

# Running code in a notebook's kernel is what the kernels API authorises as "execute" on "kernels".
AUTH_RESOURCE = "kernels"
VARIABLES_TIMEOUT_S = 2.0  # a kernel busy with a cell answers after it: the panel hears "unknown" first


# A query parameter that carries a credential (token=, _xsrf=, ...): its value never reaches a log line.
_SECRET_PARAMETER = re.compile(r"(?i)([?&][^=&]*(?:token|xsrf|auth)[^=&]*=)[^&]*")


def scrubbed(uri: str) -> str:
    """``uri`` with the values of its credential parameters replaced by ``[secret]``."""
    return _SECRET_PARAMETER.sub(r"\1[secret]", uri)


class _ScrubbedLogs:
    """Tornado logs every refused request (4xx) with its URL, where a browser's socket carries its token."""

    request: Any

    def _request_summary(self) -> str:
        return f"{self.request.method} {scrubbed(self.request.uri or '')} ({self.request.remote_ip})"


class _LabHandler(_ScrubbedLogs, APIHandler):
    auth_resource = AUTH_RESOURCE

    @property
    def lab(self) -> LabState:
        return self.settings["sciwand"]

    def notebook_argument(self) -> str:
        path = self.get_argument("path", "").strip()
        if not path:
            raise web.HTTPError(400, "the query needs path=<notebook path>")
        return path


class ConfigHandler(_LabHandler):
    @web.authenticated
    @authorized
    def get(self) -> None:
        self.finish(to_json(self.lab.public_config()))


class HistoryHandler(_LabHandler):
    @web.authenticated
    @authorized
    def get(self) -> None:
        path = self.notebook_argument()
        self.finish(to_json(History(path, self.lab.history.events(path))))

    @web.authenticated
    @authorized
    async def delete(self) -> None:
        await self.lab.forget(self.notebook_argument())
        self.set_status(204)
        self.finish()


class CompletionHandler(_LabHandler):
    """Inline completion: the suggestion at the cursor of a cell being typed (``assistant/lab/completion.py``).
    With ``"stream": true`` the answer is one JSON object per line as the model writes (NDJSON), the last
    one ``"done": true``; a client that closes the connection stops the model."""

    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.get_json_body()
        if not isinstance(body, dict):
            raise web.HTTPError(400, "the body is a JSON object: prefix, suffix, cells, kernel_id")
        try:
            if body.get("stream"):
                await self._stream(body)
                return
            reply = await self.lab.completion.complete(body, self.gone)
        except SciwandError as exc:  # a model that cannot load, an endpoint that fails: one line, no traceback
            raise web.HTTPError(502, str(exc)) from None
        self.finish(reply)

    def initialize(self) -> None:
        self.gone = threading.Event()

    def on_connection_close(self) -> None:
        self.gone.set()  # the user typed on: the model stops at its next token, written or not

    async def _stream(self, body: dict[str, Any]) -> None:
        self.set_header("Content-Type", "application/x-ndjson")
        replies = self.lab.completion.stream(body, self.gone)
        try:
            async for reply in replies:
                self.write(json.dumps(reply) + "\n")
                await self.flush()
        except StreamClosedError:  # the user typed on and the editor dropped the request
            return
        finally:
            await replies.aclose()
        self.finish()


class VariablesHandler(_LabHandler):
    """The kernel's variables (name, type and size) for the panel's ``@`` list, read silently from the kernel."""

    @web.authenticated
    @authorized("execute")  # the list is read by an expression the kernel evaluates
    async def get(self) -> None:
        kernel_id = self.get_argument("kernel_id", "")
        if kernel_id not in self.kernel_manager:
            raise web.HTTPError(404, f"no kernel with id {kernel_id!r} is running in this server")
        kernel = self.kernel_manager.get_kernel(kernel_id)
        try:
            found = await evaluate_silently(kernel, VARIABLES_PROBE, VARIABLES_TIMEOUT_S)
        except KernelSilent:
            found = None
        if not isinstance(found, list):
            self.finish(to_json(Variables([], known=False)))
            return
        variables = [Variable(str(name), str(description)) for name, description in found]
        self.finish(to_json(Variables(variables)))


class ChatSocket(_ScrubbedLogs, WebSocketMixin, WebSocketHandler, JupyterHandler):  # type: ignore[misc]
    """One browser tab's view of a kernel's chat: asks, decides on steps, stops; receives every event."""

    auth_resource = AUTH_RESOURCE
    chat: KernelChat

    def set_default_headers(self) -> None:
        """No API headers on a WebSocket upgrade (as jupyter_server's kernel socket)."""

    @property
    def lab(self) -> LabState:
        return self.settings["sciwand"]

    @ws_authenticated
    async def get(self, *args: Any, **kwargs: Any) -> None:
        if not await self._allowed():
            raise web.HTTPError(403, "not authorised to run code in kernels")
        kernel_id = self.get_argument("kernel_id", "")
        path = self.get_argument("path", "").strip()
        if not path:
            raise web.HTTPError(400, "the query needs path=<notebook path>")
        if kernel_id not in self.kernel_manager:
            raise web.HTTPError(404, f"no kernel with id {kernel_id!r} is running in this server")
        self.chat = self.lab.chat_for(kernel_id, path)
        await super().get(*args, **kwargs)

    async def _allowed(self) -> bool:
        allowed = self.authorizer.is_authorized(self, self.current_user, "execute", AUTH_RESOURCE)
        return await allowed if hasattr(allowed, "__await__") else bool(allowed)

    def open(self, *args: Any, **kwargs: Any) -> None:
        super().open(*args, **kwargs)
        self.chat.listeners.add(self.send)
        self.send(StateEvent(self.chat.running))
        if self.chat.waiting:
            self.send(KernelEvent(busy=True))

    def send(self, event: ServerEvent) -> None:
        try:
            self.write_message(to_json(event))
        except WebSocketClosedError:
            self.chat.listeners.discard(self.send)

    async def on_message(self, message: str | bytes) -> None:
        try:
            request = from_json(message)
        except InputError as exc:
            self.send(ErrorEvent(str(exc)))
            return
        if isinstance(request, AskRequest):
            self._ask(request)
        elif isinstance(request, DecisionRequest):
            refusal = self.chat.decide(request)
            if refusal:
                self.send(ErrorEvent(refusal))
        else:
            await self.chat.stop()

    def _ask(self, request: AskRequest) -> None:
        question = request.question.strip()
        if not question:
            self.send(ErrorEvent("the question is empty"))
            return
        model = request.model or None
        if model is not None and model not in self.lab.models:
            self.send(ErrorEvent(f"unknown model {model!r}; choose one of {self.lab.models}"))
            return
        settings = replace(self.lab.settings, model=model) if model else self.lab.settings
        started = self.chat.start(
            question,
            settings,
            approval=request.approval,
            cells=request.context,
            ask_id=request.ask_id,
            notebook_code=request.notebook_code,
        )
        if not started:
            self.send(ErrorEvent("a question is already running in this kernel: wait, or Stop it"))

    def on_close(self) -> None:
        self.chat.listeners.discard(self.send)
        if not self.chat.listeners and self.chat.running:
            # Nobody would see what it does: stop it (the history keeps what happened so far).
            asyncio.get_running_loop().create_task(self.chat.stop())
