"""The loop's events as chat messages: each step, its images and the answer, posted as they happen.

The loop runs in a worker thread; the chat lives on the Jupyter server's event loop, so everything reaches the
chat through ``Chat``, whose methods are called on the worker thread and schedule the change on the server's loop.
"""

from __future__ import annotations

import threading
from typing import Any, Protocol

from assistant.engine.events import Figures, LoopEvents, Step
from assistant.engine.replies import prose
from assistant.errors import RunStopped
from assistant.persona.messages import answer_markdown, image_bundles, step_markdown


class Chat(Protocol):
    """Thread-safe posting into one chat (the persona schedules each call on the server's loop)."""

    def post(self, body: str, mime: tuple[dict[str, Any], dict[str, Any]] | None = None) -> None: ...
    def status(self, text: str) -> None: ...
    def usage(self, figures: Figures) -> None: ...


class ChatRelay(LoopEvents):
    """Posts a run's steps and answer into the chat; after a stop, ends the run at its next event."""

    def __init__(self, chat: Chat) -> None:
        self.chat = chat
        self.stopped = threading.Event()
        self.executing = False  # a step runs in the kernel: a stop interrupts it
        self._reply = ""  # the model's reply so far this turn: its words explain the step
        self._steps = 0
        self._answer: str | None = None

    def begin(self) -> None:
        """A new question: steps count from 1 again, and an earlier stop no longer applies."""
        self.stopped.clear()
        self._steps, self._answer = 0, None

    def check_stopped(self) -> None:
        if self.stopped.is_set():
            raise RunStopped

    def turn(self, number: int) -> None:
        self.check_stopped()
        self._reply = ""
        self.chat.status("is thinking...")

    def token(self, text: str) -> None:
        self.check_stopped()
        self._reply += text

    def running(self, code: str) -> None:
        self.check_stopped()
        self.executing = True
        self.chat.status(f"is running step {self._steps + 1}...")

    def step(self, step: Step) -> None:
        self.executing = False
        self._steps += 1
        self.chat.post(step_markdown(self._steps, step, prose(self._reply)))
        for bundle in image_bundles(step):
            self.chat.post(f"Figure from step {self._steps}", mime=bundle)
        self.check_stopped()

    def notice(self, text: str) -> None:
        self.chat.post(f"*{text}*")

    def answer(self, text: str | None) -> None:
        self._answer = text

    def finished(self, figures: Figures) -> None:
        self.chat.post(answer_markdown(self._answer, figures))
        self.chat.usage(figures)
