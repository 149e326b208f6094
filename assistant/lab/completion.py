"""Inline completion for the JupyterLab editor: ``POST /sciwand/complete`` with the cell around the cursor.

The model is the panel's (one llama.cpp instance for both); a completion never waits behind a chat reply, it
answers "busy" at once. The kernel's names go in the prompt: they are read silently from the notebook's
kernel in the background, at most every few seconds, so a request never waits for a kernel running a cell.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from jupyter_server.services.kernels.kernelmanager import MappingKernelManager

from assistant.config import Settings
from assistant.engine.completion import CompletionRequest, suggest
from assistant.lab.probe import NAMES_PROBE, KernelSilent, evaluate_silently
from assistant.llm.completion import completer_for
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

    async def complete(self, body: dict[str, Any]) -> dict[str, str]:
        """``{"text": suggestion, "status": "ok" | "busy" | "off" | "unavailable"}`` for a request body
        ``{"prefix", "suffix", "cells", "kernel_id"}``; a model that fails raises ``SciwandError``."""
        if not self.settings.inline_completion:
            return {"text": "", "status": "off"}
        request = CompletionRequest(
            prefix=str(body.get("prefix", "")),
            suffix=str(body.get("suffix", "")),
            cells=tuple(str(cell) for cell in body.get("cells", [])),
            names=self._kernel_names(str(body.get("kernel_id", ""))),
        )
        return await asyncio.get_running_loop().run_in_executor(None, self._suggest, request)

    def _suggest(self, request: CompletionRequest) -> dict[str, str]:
        """Runs in a worker thread: the model may load, and llama.cpp blocks while it writes."""
        model, _ = self.models.get(self.settings)
        completer = completer_for(self.settings, model)
        if completer is None:  # a provider with no completion API here (Anthropic, Ollama, …)
            return {"text": "", "status": "unavailable"}
        text = suggest(request, completer)
        return {"text": "", "status": "busy"} if text is None else {"text": text, "status": "ok"}

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
