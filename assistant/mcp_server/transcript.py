"""A session's notebook, written as it happens but off the call's path.

``NotebookTranscript`` builds a cell (nbformat validates it) and rewrites its whole file on every event: fine
for a question's few steps, but an agent may run hundreds of cells in a session, and each call would wait
for a longer rewrite. Here the loop's events are queued as they come, and a writer thread turns them into
cells and saves the file, at most every ``interval`` seconds and once more at ``close``: a killed server
loses at most the last ``interval``.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
from nbformat.v4 import new_markdown_cell

from assistant.engine.events import Step
from assistant.runs.notebook import NotebookTranscript, write_atomically

SAVE_INTERVAL_S = 0.5


class LiveTranscript(NotebookTranscript):
    def __init__(self, path: Path, interval: float = SAVE_INTERVAL_S) -> None:
        super().__init__(path)
        self.interval = interval
        self._events: deque[tuple[Callable[[Any], None], Any]] = deque()
        self._lock = threading.Lock()  # one thread at a time turns events into cells and writes them
        self._cell_texts: list[str] = []  # the JSON of each cell written so far
        self._pending = threading.Event()
        self._closed = threading.Event()
        self._writer = threading.Thread(target=self._write_while_open, name=f"transcript-{path.stem}", daemon=True)
        self._writer.start()

    # The loop's events: queued, so the call that made them returns at once.
    def question(self, text: str) -> None:
        self._queue(super().question, text)

    def setup(self, step: Step) -> None:
        self._queue(super().setup, step)

    def step(self, step: Step) -> None:
        self._queue(super().step, step)

    def answer(self, text: str | None) -> None:
        self._queue(super().answer, text)

    def note(self, text: str) -> None:
        """A Markdown cell of sciwand's own (e.g. where the kernel was restarted)."""
        self._queue(self.notebook.cells.append, new_markdown_cell(text))

    def save(self) -> None:
        """The writer saves; an event's own save (``NotebookTranscript._append``) waits for it."""

    def _queue(self, event: Callable[[Any], None], argument: Any) -> None:
        self._events.append((event, argument))
        self._pending.set()

    def current(self) -> nbformat.NotebookNode:
        """The notebook with every event so far in it."""
        with self._lock:
            self._apply()
            return self.notebook

    def _apply(self) -> None:
        while self._events:
            event, argument = self._events.popleft()
            event(argument)

    def _write_while_open(self) -> None:
        while not self._closed.is_set():
            self._pending.wait()
            self._pending.clear()
            self._write()
            self._closed.wait(self.interval)  # a rate limit: events in between are saved together

    def _write(self) -> None:
        with self._lock:
            self._apply()
            # Cells never change once in: each is serialized once (nbformat validated it as it was made), so
            # a save costs a join, not a copy and a dump of the whole notebook as nbformat.writes would.
            fresh = self.notebook.cells[len(self._cell_texts) :]
            self._cell_texts += [json.dumps(cell, sort_keys=True, indent=1, ensure_ascii=False) for cell in fresh]
            rest = {key: value for key, value in self.notebook.items() if key != "cells"}
            tail = json.dumps(rest, sort_keys=True, indent=1, ensure_ascii=False).removeprefix("{\n")
            text = '{\n "cells": [\n' + ",\n".join(self._cell_texts) + "\n ],\n" + tail
        write_atomically(self.path, text)

    def close(self) -> None:
        """Stop the writer and save the final state."""
        self._closed.set()
        self._pending.set()
        self._writer.join()
        self._write()
