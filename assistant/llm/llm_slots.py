"""A process-wide cap on LLM calls in flight per model, shared by every session and batch worker thread.

A remote endpoint has a rate limit: eight workers each streaming a reply at once would mostly collect
429s. The semaphore is looked up by model name, so sessions created independently (one per batch task)
still share it; on a Dask cluster each worker process has its own.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

_slots: dict[str, threading.BoundedSemaphore] = {}
_lock = threading.Lock()


@contextlib.contextmanager
def llm_slot(model_name: str, limit: int | None) -> Iterator[None]:
    """Hold one of ``limit`` slots for ``model_name`` while calling it; ``None`` means no cap."""
    if limit is None:
        yield
        return
    with _lock:
        semaphore = _slots.setdefault(model_name, threading.BoundedSemaphore(limit))
    with semaphore:
        yield
