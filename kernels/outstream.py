"""The kernel's stdout/stderr, dropping what a cell prints past the output cap in the kernel itself.

ipykernel buffers what a cell prints and sends each buffer as one message, so ``print('x' * 200_000_000)``
becomes one 200 MB message: its JSON and bytes copies push the kernel past a 2 GiB address-space limit
(orjson segfaults when an allocation fails), and the client holds ~3x the message at once before its own
cap (``kernels.output_collector``) can drop any of it. Here each stream of a cell sends at most
``limit_chars``; what is dropped is counted and reported in a ``stream`` message with empty text and the
extra content field ``DROPPED_KEY`` (other Jupyter clients ignore it), so the client's "[... N characters
of output dropped ...]" count stays exact. Installed, with the limit, by ``kernels.launch``.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import Any

from ipykernel.iostream import OutStream

from kernels.output_collector import DROPPED_KEY


class BoundedOutStream(OutStream):
    limit_chars = 0  # per cell and stream; 0: no limit. A class attribute: ipykernel makes the instances.

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._count_lock = threading.Lock()
        self._cell: str | None = None
        self._written = 0
        self._dropped: defaultdict[frozenset[tuple[str, Any]], int] = defaultdict(int)

    def write(self, string: str) -> int | None:
        if not self.limit_chars or not isinstance(string, str):
            return super().write(string)
        parent = self.parent_header
        with self._count_lock:
            if parent.get("msg_id") != self._cell:
                self._cell, self._written = parent.get("msg_id"), 0
            keep = max(0, min(len(string), self.limit_chars - self._written))
            self._written += keep
            if keep < len(string):
                self._dropped[frozenset(parent.items())] += len(string) - keep
        if keep:
            super().write(string[:keep] if keep < len(string) else string)
        elif self.pub_thread is not None:
            self._schedule_flush()  # nothing to send but the count
        return len(string)

    def _flush(self) -> None:
        super()._flush()
        with self._count_lock:
            dropped, self._dropped = self._dropped, defaultdict(int)
        for parent, count in dropped.items():
            content = {"name": self.name, "text": "", DROPPED_KEY: count}
            self.session.send(
                self.pub_thread, self.session.msg("stream", content, parent=dict(parent)), ident=self.topic
            )
