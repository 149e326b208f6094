"""Repair the code: before a step runs, the question's values it retyped wrong or borrowed from an example;
after it runs, how to fix what failed and what slips it made.
"""

from __future__ import annotations

from assistant.engine import checks, prompts
from assistant.engine.attempt import Attempt
from assistant.engine.copycheck import copy_slips, describe_slips
from assistant.engine.hints import hints_for
from assistant.engine.literals import dropped_units, repair_borrowed, repair_copies
from assistant.engine.repair import name_repairs
from assistant.engine.stages.base import Repaired, Stage
from domain_tools.catalog import Catalog
from kernels import ExecutionResult


class CopyRepair(Stage):
    """A bound value the code retyped with a slip, or a value copied from a worked example in place of the
    question's own, becomes the variable that holds the right one."""

    def repair(self, code: str, attempt: Attempt) -> Repaired:
        code, copies = repair_copies(code, attempt.bound)
        notices = [f"replaced a mistyped copy {retyped!r} with {name}" for retyped, name in copies]
        code, borrowed = repair_borrowed(code, attempt.asked, attempt.question, attempt.literals)
        notices += [
            f"replaced {value!r}, copied from an example, with the question's {name}" for value, name in borrowed
        ]
        return Repaired(code, tuple(notices))


class PitfallHints(Stage):
    """Known pitfalls of the installed libraries, and catalog names reached for under the wrong module."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def hints(self, result: ExecutionResult, code: str) -> list[str]:
        return hints_for(result, code, self.catalog)


class NameRepair(Stage):
    """A failed name gets the closest real names, found in the kernel."""

    def __init__(self, executor: object) -> None:
        self.executor = executor

    def hints(self, result: ExecutionResult, code: str) -> list[str]:
        return name_repairs(self.executor, result, code)


class SlipNotes(Stage):
    """Slips a step can make while running fine: data retyped wrong, a bound quantity used without its unit,
    and (with the answer checks) an answer printed from typed numbers rather than computed."""

    def __init__(self, typed_numbers: bool = True) -> None:
        self.typed_numbers = typed_numbers

    def notes(self, code: str, result: ExecutionResult, attempt: Attempt) -> tuple[list[str], bool]:
        lines = []
        slips = copy_slips(attempt.asked, code)
        if slips:
            lines.append(describe_slips(slips))
        for literal in dropped_units(code, attempt.literals):
            lines.append(prompts.UNIT_DROPPED.format(name=literal.name, text=literal.text, kind=literal.kind))
        guessed = self.typed_numbers and result.ok and checks.prints_only_typed_numbers(code)
        if guessed:
            lines.append(prompts.TYPED_NUMBERS)
        return lines, not (slips or guessed)  # no answer may rest on a slip
