"""Chat models built once per process and shared by every task, chat and worker thread that names them."""

from __future__ import annotations

import threading
from collections.abc import Callable

from langchain_core.language_models.chat_models import BaseChatModel

from assistant.config import Settings
from assistant.llm.backends import describe, make_chat_model


class ModelCache:
    """The chat model a task asks for (its own ``model``, else the run's), each built once and shared.

    The embedded model is one llama.cpp instance per process whatever the number of workers, so memory
    does not grow with ``--workers``.
    """

    def __init__(self, settings: Settings, progress: Callable[[int, int], None] | None = None) -> None:
        self.settings = settings
        self.progress = progress
        self._models: dict[str, BaseChatModel] = {}
        self._lock = threading.Lock()

    def get(self, settings: Settings) -> tuple[BaseChatModel, str]:
        """The model ``settings`` names and its display name, built on first use."""
        name = describe(settings)
        with self._lock:
            if name not in self._models:
                self._models[name] = make_chat_model(settings, progress=self.progress)
            return self._models[name], name
