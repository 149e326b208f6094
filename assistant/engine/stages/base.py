"""The one interface every harness stage implements, and what its hooks return."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from assistant.engine.attempt import Attempt
from assistant.engine.events import Step
from assistant.engine.question import QuestionFacts
from assistant.engine.vote import Candidate
from kernels import ExecutionResult

# Runs one program sampled afresh at a temperature; the executed step, or None when it wrote no code or was skipped.
Sampler = Callable[[float], Step | None]
Notice = Callable[[str], None]  # tells the user what a stage did


@dataclass(frozen=True)
class Verdict:
    """A review's outcome: the answer as it may stand, or the problem it goes back with."""

    answer: str
    problem: str | None = None  # what to tell the model
    kind: str | None = None  # which check: each sends an answer back once per question
    failure: str = ""  # the one line the context keeps of the exchange
    vote: bool = False  # whether sampled programs could settle the doubt
    note: str | None = None  # what the check changed, for the user
    current: Candidate | None = None  # the answer's own value, a vote's first candidate


@dataclass(frozen=True)
class Repaired:
    """Code as it will run, and what was changed in it (one notice each)."""

    code: str
    notices: tuple[str, ...] = ()


class Stage:
    """One part of the harness. Every hook does nothing by default; a stage overrides the ones it is for."""

    def guide(self, facts: QuestionFacts) -> str:
        """Text shown before the question in the user turn: what to call, how others did it."""
        return ""

    def note(self, facts: QuestionFacts) -> str:
        """Text shown after the question and its bound names: what the kernel already holds."""
        return ""

    def first_step(self, attempt: Attempt) -> str | None:
        """Code to run before the model's first reply, shown to it as its own step."""
        return None

    def repair(self, code: str, attempt: Attempt) -> Repaired:
        """The code a reply wrote, as it should run."""
        return Repaired(code)

    def hints(self, result: ExecutionResult, code: str) -> list[str]:
        """Lines on how to fix a step that failed."""
        return []

    def notes(self, code: str, result: ExecutionResult, attempt: Attempt) -> tuple[list[str], bool]:
        """Lines on a slip the step made, and whether an answer may still rest on it."""
        return [], True

    def review(self, answer: str, attempt: Attempt) -> Verdict | None:
        """The answer checked, maybe rewritten; None when this stage has nothing to say about it."""
        return None

    def settle(self, attempt: Attempt, current: Candidate | None, sample: Sampler, notice: Notice) -> str | None:
        """An answer for a question in doubt, from fresh programs; None when they do not agree."""
        return None
