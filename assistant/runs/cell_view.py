"""Shows the loop in the output of the cell that asked: each step's code, the answer, a live status line.

The step's own outputs need nothing from here: the step runs through IPython, so its prints, tables,
plots and tracebacks appear in the cell as they happen. Every bundle carries ``text/plain``, so the IPython
terminal gets readable text where a notebook renders Markdown.
"""

from __future__ import annotations

from typing import Any

from IPython.display import display

from assistant.engine.events import Figures, LoopEvents, Step

# Tokens between two updates of the status line: often enough to show life, rarely enough to be cheap.
_TOKENS_PER_UPDATE = 8


def _bundle(markdown: str, plain: str) -> dict[str, str]:
    return {"text/markdown": markdown, "text/plain": plain}


def code_bundle(title: str, code: str) -> dict[str, str]:
    """A step's code as shown in a cell: highlighted Markdown, or plain text in a terminal."""
    return _bundle(f"**{title}**\n```python\n{code}\n```", f"── {title} ──\n{code}")


def answer_bundle(text: str | None, max_turns: int) -> dict[str, str]:
    if text:
        return _bundle(f"**Answer:** {text}", f"Answer: {text}")
    message = f"No answer within {max_turns} turns; the steps above show how far it got."
    return _bundle(f"**{message}**", message)


class CellView(LoopEvents):
    """``live``: the front-end can update a display in place (a notebook), so a status line shows progress."""

    def __init__(self, live: bool, max_turns: int) -> None:
        self.live = live
        self.max_turns = max_turns
        self.steps = 0
        self.turn_number = 0
        self.tokens = 0
        self._status: Any = None

    def set_status(self, text: str) -> None:
        if not self.live:
            return
        if self._status is None:
            self._status = display(_bundle(f"*{text}*", text), raw=True, display_id=True)
        else:
            self._status.update(_bundle(f"*{text}*", text), raw=True)

    def turn(self, number: int) -> None:
        self.turn_number, self.tokens = number, 0
        self.set_status(f"sciwand · turn {number}/{self.max_turns} · thinking")

    def token(self, text: str) -> None:
        self.tokens += 1
        if self.tokens % _TOKENS_PER_UPDATE == 0:
            self.set_status(f"sciwand · turn {self.turn_number}/{self.max_turns} · writing ({self.tokens} tokens)")

    def running(self, code: str) -> None:
        self.steps += 1
        self.set_status(f"sciwand · turn {self.turn_number}/{self.max_turns} · running step {self.steps}")
        display(code_bundle(f"step {self.steps}", code), raw=True)

    def step(self, step: Step) -> None:
        if step.result.note:
            self.notice(step.result.note)

    def proposed(self, code: str | None, text: str) -> None:
        """A dry run's result: the code the LLM would run first, or its reply when it wrote none."""
        if code is None:
            display(_bundle(text, text), raw=True)
        else:
            display(code_bundle("proposed code (dry run, not executed)", code), raw=True)

    def notice(self, text: str) -> None:
        display(_bundle(f"*⚠ {text}*", f"! {text}"), raw=True)

    def answer(self, text: str | None) -> None:
        display(answer_bundle(text, self.max_turns), raw=True)

    def finished(self, figures: Figures) -> None:
        self.set_status(f"sciwand · {figures.summary()}")

    def error(self, text: str) -> None:
        """A failure of the assistant itself (LLM unreachable, bad setting): one line, never a traceback."""
        display(_bundle(f"**sciwand:** {text}", f"sciwand: {text}"), raw=True)
