"""Inline completion for the JupyterLab editor: ``POST /sciwand/complete`` with the cell around the cursor.

The model is the panel's (one llama.cpp instance for both); a completion never waits behind a chat reply, it
answers "busy" at once. The suggestion streams: the editor shows its first words while the model writes the
rest, and a client that goes away (the user typed on) stops the model. The kernel's names go in the prompt:
they are read silently from the notebook's kernel in the background, at most every few seconds, so a request
never waits for a kernel running a cell.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from jupyter_server.services.kernels.kernelmanager import MappingKernelManager

from assistant.config import Settings
from assistant.engine.completion import CompletionRequest, prepare, suggest
from assistant.lab.probe import NAMES_PROBE, KernelSilent, evaluate_silently
from assistant.llm.completion import Completer, completer_for
from assistant.llm.model_cache import ModelCache

NAMES_MAX_AGE_S = 5.0  # names older than this are read again, in the background
NAMES_TIMEOUT_S = 2.0  # a kernel busy with a cell answers later; the names stay as they were


@dataclass
class _Names:
    text: str = ""
    read_at: float = 0.0
    reading: asyncio.Task[None] | None = None


@dataclass
class CompletionService:
    settings: Settings
    models: ModelCache
    kernel_manager: MappingKernelManager
    _names: dict[str, _Names] = field(default_factory=dict)

    async def complete(self, body: dict[str, Any], gone: threading.Event | None = None) -> dict[str, str]:
        """``{"text": suggestion, "status": "ok" | "busy" | "off" | "unavailable"}`` for a request body
        ``{"prefix", "suffix", "cells", "kernel_id"}``; a model that fails raises ``SciwandError``. With
        ``"prepare": true`` (a notebook just opened) the model only reads the prompt, if it is free, and the
        text is "": the first suggestion then evaluates only the cell typed."""
        replies = [reply async for reply in self.stream(body, gone)]
        return {"text": replies[-1]["text"], "status": replies[-1]["status"]}

    async def stream(self, body: dict[str, Any], gone: threading.Event | None = None) -> AsyncIterator[dict[str, Any]]:
        """``{"text", "done": False}`` for each longer suggestion as the model writes it, then the whole one,
        ``{"text", "status", "done": True}``. Setting ``gone``, or closing the iterator early, stops the model."""
        if not self.settings.inline_completion:
            yield {"text": "", "status": "off", "done": True}
            return
        request = CompletionRequest(
            prefix=str(body.get("prefix", "")),
            suffix=str(body.get("suffix", "")),
            cells=tuple(str(cell) for cell in body.get("cells", [])),
            names=self._kernel_names(str(body.get("kernel_id", ""))),
        )
        loop = asyncio.get_running_loop()
        if body.get("prepare"):
            yield {"text": "", "status": await loop.run_in_executor(None, self._prepare, request), "done": True}
            return
        partials: asyncio.Queue[str] = asyncio.Queue()
        gone = gone or threading.Event()

        def shown(text: str) -> None:  # called from the worker thread
            loop.call_soon_threadsafe(partials.put_nowait, text)

        written = loop.run_in_executor(None, self._suggest, request, shown, gone.is_set)
        try:
            while True:
                waiting = asyncio.ensure_future(partials.get())
                await asyncio.wait({waiting, written}, return_when=asyncio.FIRST_COMPLETED)
                if not waiting.done():
                    waiting.cancel()
                    break
                yield {"text": waiting.result(), "done": False}
            while not partials.empty():  # shown before the model returned (the thread queued them first)
                yield {"text": partials.get_nowait(), "done": False}
            yield {**await written, "done": True}
        finally:
            gone.set()  # the client went away: the model stops at its next token

    def _suggest(
        self, request: CompletionRequest, shown: Callable[[str], None], cancelled: Callable[[], bool]
    ) -> dict[str, str]:
        """Runs in a worker thread: the model may load, and llama.cpp blocks while it writes."""
        completer = self._completer()
        if completer is None:
            return {"text": "", "status": "unavailable"}
        text = suggest(request, completer, shown, cancelled)
        return {"text": "", "status": "busy"} if text is None else {"text": text, "status": "ok"}

    def _prepare(self, request: CompletionRequest) -> str:
        """Runs in a worker thread, as ``_suggest``: the status of reading the prompt."""
        completer = self._completer()
        if completer is None:
            return "unavailable"
        return "ok" if prepare(request, completer) else "busy"

    def _completer(self) -> Completer | None:
        """The model's completer; None for a provider with no completion API here (Anthropic, Ollama, …)."""
        model, _ = self.models.get(self.settings)
        return completer_for(self.settings, model)

    def _kernel_names(self, kernel_id: str) -> str:
        """The names last read from ``kernel_id``; a read is started when they are old."""
        if kernel_id not in self.kernel_manager:
            return ""
        names = self._names.setdefault(kernel_id, _Names())
        stale = time.monotonic() - names.read_at > NAMES_MAX_AGE_S
        if stale and (names.reading is None or names.reading.done()):
            names.reading = asyncio.ensure_future(self._read_names(kernel_id, names))
        return names.text

    async def _read_names(self, kernel_id: str, names: _Names) -> None:
        try:
            text = await evaluate_silently(self.kernel_manager.get_kernel(kernel_id), NAMES_PROBE, NAMES_TIMEOUT_S)
        except KernelSilent:  # a busy kernel, a kernel gone: keep the names as they were, read them again later
            return
        if isinstance(text, str):  # else the expression failed (no sciwand in that kernel): nothing to add
            names.text = text
        names.read_at = time.monotonic()
