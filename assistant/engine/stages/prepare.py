"""Prepare the question: what the user turn shows beside the user's words, and the helper's table run first.

Everything here reads ``QuestionFacts`` (the question read once) and goes in the user turn, not the system
prompt, so the system prompt stays byte-identical across questions and its cached state
(assistant/llm/prompt_cache.py) stays valid.
"""

from __future__ import annotations

from assistant.engine import api_lookup, examples, prompts
from assistant.engine.attempt import Attempt
from assistant.engine.executor import evaluator
from assistant.engine.literals import helper_call
from assistant.engine.question import QuestionFacts
from assistant.engine.stages.base import Stage
from domain_tools.catalog import ANSWER_HELPERS, Catalog, select, uses_answer_helper

# At most this many catalog entries: past the best few, a 1.5B model copies an example that does not fit.
CATALOG_ENTRIES = 3


class WorkedExamples(Stage):
    """The worked examples closest to the question: the call to make and the line to read."""

    def __init__(self, count: int, answer_helpers: bool = True) -> None:
        self.count = count
        self.answer_helpers = answer_helpers  # False: examples that call chem.profile & co. are left out

    def guide(self, facts: QuestionFacts) -> str:
        found = examples.retrieve(facts.text, self.count, list(facts.literals))
        if not self.answer_helpers:
            found = [example for example in found if not uses_answer_helper(example.code)]
        return examples.render(found) if found else ""


class CatalogEntries(Stage):
    """The catalog entries that fit the question and, for the long tail, names from the installed libraries."""

    def __init__(self, catalog: Catalog, budget: int, api_names: int, answer_helpers: bool = True) -> None:
        self.catalog = catalog
        self.budget = budget  # characters of catalog entries; 0 sends none
        self.api_names = api_names  # installed-library names; 0 sends none
        self.answer_helpers = answer_helpers
        if api_names:
            api_lookup.prefetch()  # read (or, once per install, build) the index while the model loads

    def guide(self, facts: QuestionFacts) -> str:
        question, domain = facts.text, facts.domain  # a SMILES asks for chemistry, whatever else the words say
        entries = [
            entry
            for entry in self.catalog.entries
            if (self.answer_helpers or entry.name not in ANSWER_HELPERS) and domain in (None, entry.domain)
        ]
        chosen = select(entries, question, self.budget)[:CATALOG_ENTRIES] if self.budget else []
        parts = [f"{prompts.CATALOG_HEADER}\n" + "\n".join(entry.render() for entry in chosen)] if chosen else []
        # The long tail only: beside a catalog entry that fits, a 1.5B model takes any near name it is shown
        # (EcoRI.is_isoschizomer for "how many EcoRI sites"), so library names come when no helper fits.
        wanted = self.api_names if not any(entry.name in ANSWER_HELPERS for entry in chosen) else 0
        names = api_lookup.lookup(question, wanted, domain=domain) if wanted else []
        if names:
            parts.append(f"{prompts.LOOKUP_HEADER}\n" + "\n".join(names))
        return "\n\n".join(parts)


class RegistryCall(Stage):
    """What the registry says of the quantity asked when no table holds it: a call that computes it; and for
    a question over a set, that the answer is the item, found over all of them."""

    def guide(self, facts: QuestionFacts) -> str:
        lines = []
        quantity = facts.quantity
        if quantity is not None and quantity.call and facts.helper is None:
            lines.append(prompts.QUANTITY_HOW.format(name=quantity.name, call=quantity.call))
        if facts.collection and facts.cue_kind == "name":
            lines.append(prompts.OVER_A_SET)
        return "\n".join(lines)


class VariablesPeek(Stage):
    """Type, size and first items of the kernel variables a follow-up refers to (by name, or as "these": the
    variables the previous question made), so it is answered over the whole collection."""

    def __init__(self, executor: object) -> None:
        self.evaluate = evaluator(executor)

    def note(self, facts: QuestionFacts) -> str:
        names = list(facts.variables)
        if self.evaluate is None or not names:
            return ""
        probe = f"__import__('assistant.inkernel.namespace', fromlist=['_']).peek_variables(get_ipython(), {names!r})"
        try:
            note = self.evaluate(probe)
        except Exception:  # no sciwand in the kernel's environment: ask without
            return ""
        return note if isinstance(note, str) else ""


class FirstHelper(Stage):
    """The answer helper the question's value calls for (``print(chem.profile(smiles_1))``), run as the first
    step: a 1.5B model picks the wrong call more often than it misreads a labelled row. Only when the quantity
    asked is one of the helper's rows: off the table, its nearest row answers a neighbouring question."""

    def __init__(self, whole_table: bool = True) -> None:
        self.whole_table = whole_table  # False: print only the row asked for, a few tokens instead of hundreds

    def first_step(self, attempt: Attempt) -> str | None:
        call = helper_call(attempt.literals)
        if call is None or not call.startswith(f"{attempt.facts.helper}("):
            return None
        label = attempt.facts.matches[0].quantity.label  # the helper is chosen for this row
        return f"print({call})" if self.whole_table else f"print({call}.only({label!r}))"
