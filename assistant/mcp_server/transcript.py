"""A session's notebook, written as it happens but off the call's path.

``NotebookTranscript`` rewrites its whole file on every event: fine for a question's few steps, but an agent
may run hundreds of cells in one session, and each call would then wait for a longer rewrite (6 ms after 200
cells). Here a writer thread saves the latest state, at most every ``interval`` seconds, and once more at
``close``: a killed server loses at most the last ``interval``.
"""

from __future__ import annotations

import copy
import threading
from pathlib import Path

import nbformat

from assistant.runs.notebook import NotebookTranscript, write_atomically

SAVE_INTERVAL_S = 0.5


class LiveTranscript(NotebookTranscript):
    def __init__(self, path: Path, interval: float = SAVE_INTERVAL_S) -> None:
        super().__init__(path)
        self.interval = interval
        self._pending = threading.Event()
        self._closed = threading.Event()
        self._writer = threading.Thread(target=self._write_while_open, name=f"transcript-{path.stem}", daemon=True)
        self._writer.start()

    def save(self) -> None:
        self._pending.set()

    def _write_while_open(self) -> None:
        while not self._closed.is_set():
            self._pending.wait()
            self._pending.clear()
            self._write()
            self._closed.wait(self.interval)  # a rate limit: calls in between are saved together

    def _write(self) -> None:
        # Cells are appended, never changed once in: a shallow copy of the list is a consistent snapshot.
        snapshot = copy.copy(self.notebook)
        snapshot.cells = list(self.notebook.cells)
        write_atomically(self.path, nbformat.writes(snapshot))

    def close(self) -> None:
        """Stop the writer and save the final state."""
        self._closed.set()
        self._pending.set()
        self._writer.join()
        self._write()
