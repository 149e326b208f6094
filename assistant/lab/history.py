"""Each notebook's conversation, on disk: the events the panel showed, and what the LLM remembers.

Events are appended and flushed one line at a time as they happen, so a page reload, a server restart or
a killed server loses nothing already shown. Files live in the server's data directory, one pair per
notebook path, never next to the user's notebooks.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
from pathlib import Path

from langchain_core.messages import BaseMessage, messages_from_dict, messages_to_dict

from assistant.errors import InputError
from assistant.lab.protocol import (
    SERVER_EVENTS,
    KernelEvent,
    OutputEvent,
    ServerEvent,
    StateEvent,
    TokenEvent,
    from_json,
    to_json,
)
from assistant.runs.notebook import write_atomically

# Shown live, not kept: the LLM's text and a step's outputs as they stream (the step's end keeps its outputs),
# whether a run is going and whether it waits for the kernel (the socket says so on open).
TRANSIENT_EVENTS = (TokenEvent, StateEvent, KernelEvent, OutputEvent)


class ChatHistory:
    """``root`` holds the files; ``scope`` (the server's root directory) keeps two servers' notebooks apart."""

    def __init__(self, root: Path, scope: str = "") -> None:
        self.root = root
        self.scope = scope
        self._lock = threading.Lock()

    def _base(self, notebook: str) -> Path:
        return self.root / hashlib.sha256(f"{self.scope}\0{notebook}".encode()).hexdigest()[:32]

    def append(self, notebook: str, event: ServerEvent) -> None:
        if isinstance(event, TRANSIENT_EVENTS):
            return
        line = to_json(event) + "\n"
        with self._lock:
            self.root.mkdir(parents=True, exist_ok=True)
            with self._base(notebook).with_suffix(".jsonl").open("a", encoding="utf-8") as log:
                log.write(line)

    def events(self, notebook: str) -> list[ServerEvent]:
        path = self._base(notebook).with_suffix(".jsonl")
        if not path.exists():
            return []
        events = []
        for line in path.read_text(encoding="utf-8").splitlines():
            with contextlib.suppress(InputError):  # a line cut short by a crash mid-write
                events.append(from_json(line, SERVER_EVENTS))
        return events

    def memory(self, notebook: str) -> list[BaseMessage]:
        path = self._base(notebook).with_suffix(".memory.json")
        try:
            return messages_from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError):
            return []

    def save_memory(self, notebook: str, messages: list[BaseMessage]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        write_atomically(self._base(notebook).with_suffix(".memory.json"), json.dumps(messages_to_dict(messages)))

    def clear(self, notebook: str) -> None:
        with self._lock:
            for suffix in (".jsonl", ".memory.json"):
                self._base(notebook).with_suffix(suffix).unlink(missing_ok=True)
