"""Where generated code runs, as the engine sees it: a kernel session, or (for the magics) the user's own
IPython. Some executors can also evaluate an expression silently (no cell, no history), which the harness
uses to look into the kernel; the others simply go without those looks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from kernels import ExecutionResult

# ``evaluate(expression, timeout=...)``: the expression's value, read back from the kernel
Evaluate = Callable[..., Any]


class Executor(Protocol):
    def execute(self, code: str, timeout: float | None = ...) -> ExecutionResult: ...
    def restart(self) -> None: ...


def evaluator(executor: object) -> Evaluate | None:
    """The executor's silent ``evaluate``, or None for one that has none (a scripted executor in tests)."""
    evaluate = getattr(executor, "evaluate", None)
    return evaluate if callable(evaluate) else None
