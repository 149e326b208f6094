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


class LatestModel:
    """The model the latest settings name, built on first use and again only when the settings change.

    For a front-end that reads the settings at each question (the Jupyter AI persona: the config file and
    ``SCIWAND_*`` may change while the server runs) or builds the model only when asked (``sciwand mcp``'s
    ``ask``). Keyed on the whole settings, not the model's name as ``ModelCache`` keys a run's fixed ones: a
    new endpoint or temperature must not reuse the model built for the old. One model is kept, the latest.
    """

    def __init__(self, progress: Callable[[int, int], None] | None = None) -> None:
        self.progress = progress
        self._lock = threading.Lock()  # questions are answered in threads of their own, at once
        self._settings: Settings | None = None
        self._model: BaseChatModel | None = None

    def get(self, settings: Settings) -> BaseChatModel:
        with self._lock:
            if self._model is None or settings != self._settings:
                self._model = make_chat_model(settings, progress=self.progress)
                self._settings = settings
            return self._model
