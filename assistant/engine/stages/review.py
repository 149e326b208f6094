"""Review the answer: the checks an answer must pass before the loop accepts it, each sending it back once.

In order: the variables the question asked to create exist; the variant it names (time scale, genetic code,
topology, cosmology) is in the code; a question over a set used the set and names an item of it; and the
registry's checks of kind, unit, row, range and digits (``checks.review``). An answer that passes is restated
with what it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.engine import checks, prompts
from assistant.engine.attempt import Attempt
from assistant.engine.executor import evaluator
from assistant.engine.literals import collection_keys, requested_variables
from assistant.engine.question import QuestionFacts
from assistant.engine.stages.base import Stage, Verdict
from assistant.engine.vote import Candidate


class AnswerChecks(Stage):
    def __init__(self, executor: object) -> None:
        self.evaluate = evaluator(executor)

    def review(self, answer: str, attempt: Attempt) -> Verdict:
        for verdict in self._problems(answer, attempt):
            if verdict.kind not in attempt.sent_back:
                return verdict
        checked = checks.review(attempt.facts, answer, attempt.outputs())
        if checked.problem is None or checked.kind in attempt.sent_back:
            return Verdict(checks.restate(checked.answer, attempt.facts), note=checked.note)
        number = checks.first_number(answer, attempt.asked)
        current = Candidate(number[0], number[1], number[2], "the model's answer") if number else None
        failure = f"an answer that failed the {checked.kind} check"
        return Verdict(answer, checked.problem, checked.kind, failure, checked.vote, checked.note, current)

    def _problems(self, answer: str, attempt: Attempt) -> Iterator[Verdict]:
        """The checks beyond the registry's, lazily: a kernel probe runs only when the checks before it pass."""
        missing = [name for name in requested_variables(attempt.asked) if not self._defined(name)]
        if missing:
            names = ", ".join(missing)
            problem = prompts.MISSING_VARIABLES.format(names=names)
            yield Verdict(answer, problem, "variable", f"an answer without the variable(s) {names}")
        code = attempt.code()
        variant = checks.variant_problem(attempt.asked, code, attempt.outputs())
        if variant:
            yield Verdict(answer, variant, "variant", "an answer for another variant")
        names = attempt.facts.set_names
        if code and names and not any(re.search(rf"\b{name}\b", code) for name in names):
            problem = prompts.OVER_THE_SET.format(name=" or ".join(names))
            yield Verdict(answer, problem, "set", "an answer about one item of the set")
        items = self._items(attempt.facts) if attempt.facts.cue_kind == "name" else []
        if items and not any(item.lower() in answer.lower() for item in items):
            problem = prompts.NAME_THE_ITEM.format(items=", ".join(items[:8]))
            yield Verdict(answer, problem, "item", "an answer that names no item of the set")

    def _items(self, facts: QuestionFacts) -> list[str]:
        """The names of the items of the set a question is about: a listed collection's, or the keys of a
        dict (or the index of a DataFrame) the question names."""
        items = [key for literal in facts.literals for key in collection_keys(literal)]
        for name in facts.variables if self.evaluate is not None else ():
            keys = f"({name}.index if hasattr({name}, 'index') else {name})"
            probe = f"[str(k) for k in {keys}] if hasattr({name}, 'keys') else None"
            try:
                keys = self.evaluate(probe)
            except Exception:  # not a mapping, or the kernel cannot say: no item names to hold the answer to
                continue
            items += keys if isinstance(keys, list) else []
        return items

    def _defined(self, name: str) -> bool:
        """Whether the kernel has ``name``; True when the executor cannot be asked silently."""
        if self.evaluate is None:
            return True
        try:
            return self.evaluate(f"{name!r} in globals()") is not False
        except Exception:  # a kernel that cannot answer is no reason to refuse an answer
            return True
