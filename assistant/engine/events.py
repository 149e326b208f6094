"""What the loop reports as it works, so front-ends can show each step as it happens and record it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kernels import ExecutionResult


@dataclass
class Step:
    """One executed code block and what the LLM was told about it."""

    code: str
    result: ExecutionResult
    observation: str

    @property
    def ok(self) -> bool:
        return self.result.ok

    def to_dict(self) -> dict[str, Any]:
        result = self.result.to_dict()
        return {
            "code": self.code,
            "status": result["status"],
            "outputs": result["outputs"],
            "error": result["error"],
            "execution_count": result["execution_count"],
            "seconds": round(self.result.duration, 3),
            "note": self.result.note,
        }


@dataclass(frozen=True)
class Figures:
    """What answering one question took, for the front-ends to show beside the answer."""

    turns: int
    steps: int
    seconds: float
    tokens_in: int | None  # None: the provider reported no usage (unknown, not 0)
    tokens_out: int  # reported, or the streamed pieces counted when the provider reports none
    context_used: int | None = None  # prompt tokens of the last reply: how full the model's window got
    context_window: int | None = None  # the model's window, when known (the embedded model's n_ctx)

    def summary(self) -> str:
        shown_in = "unknown" if self.tokens_in is None else f"{self.tokens_in:,}"
        tokens = f"{shown_in} tokens in / {self.tokens_out:,} out"
        if self.context_used is not None and self.context_window:
            tokens += f", context {self.context_used:,} of {self.context_window:,}"
        return f"{self.turns} turn(s), {self.steps} step(s), {self.seconds:.1f} s, {tokens}"


def tokens_total(counts: Iterable[int | None]) -> int | None:
    """The sum of token counts; unknown (None) when any of them is."""
    total = 0
    for count in counts:
        if count is None:
            return None
        total += count
    return total


class LoopEvents:
    """Listener with no-op defaults; override what you show."""

    def question(self, text: str) -> None: ...
    def setup(self, step: Step) -> None: ...
    def turn(self, number: int) -> None: ...
    def token(self, text: str) -> None: ...
    def running(self, code: str) -> None: ...
    def step(self, step: Step) -> None: ...
    def notice(self, text: str) -> None: ...
    def answer(self, text: str | None) -> None: ...
    def finished(self, figures: Figures) -> None: ...


class Fanout(LoopEvents):
    """Sends every event to several listeners, e.g. the terminal and the notebook transcript."""

    def __init__(self, *listeners: LoopEvents) -> None:
        self.listeners = listeners

    def _emit(self, event: str, *args: Any) -> None:
        for listener in self.listeners:
            getattr(listener, event)(*args)

    def question(self, text: str) -> None:
        self._emit("question", text)

    def setup(self, step: Step) -> None:
        self._emit("setup", step)

    def turn(self, number: int) -> None:
        self._emit("turn", number)

    def token(self, text: str) -> None:
        self._emit("token", text)

    def running(self, code: str) -> None:
        self._emit("running", code)

    def step(self, step: Step) -> None:
        self._emit("step", step)

    def notice(self, text: str) -> None:
        self._emit("notice", text)

    def answer(self, text: str | None) -> None:
        self._emit("answer", text)

    def finished(self, figures: Figures) -> None:
        self._emit("finished", figures)
