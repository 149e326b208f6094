"""The harness around the LLM, declared in one place: each stage's settings with their defaults, and the named
overrides that measure a stage by switching it off.

The stages (``assistant/engine/stages``), in the order a question meets them:
- prepare the question: worked examples, catalog entries and library names, the registry's call, the
  variables a follow-up names, the answer helper whose row it asks for (the session binds the literals
  ``question.read_question`` found, since its kernel holds them);
- repair the code: copies repaired before a step runs, pitfall hints and name repair after an error, slips;
- review the answer: the registry's checks (``checks.review``), the variant, the set and the item asked for;
- settle by vote: sample programs and answer with the value most of their outputs agree on.

``ChatSession`` keeps the turn cycle; ``stages.build`` makes the stages this config asks for. An ablation
(``sciwand eval --ablate PART``) or a benchmark variant (``benchmarks/harness.py``) is one entry of
``OVERRIDES``, applied with ``configured``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from domain_tools.catalog import BUDGET_CHARS as CATALOG_BUDGET_CHARS


@dataclass(frozen=True)
class HarnessConfig:
    """Every stage's settings; the defaults are the full harness."""

    # prepare the question
    bind_literals: bool = True  # quoted SMILES, sequences, coordinates... become kernel variables
    examples_per_question: int = 2  # worked examples retrieved into each question; 0: none
    catalog_budget: int = CATALOG_BUDGET_CHARS  # characters of catalog entries per question; 0 sends none
    api_names: int = 3  # installed-library names retrieved into each question; 0: none
    answer_helpers: bool = True  # False hides chem.profile & co. from the prompt
    first_helper: bool = True  # run the helper whose row the question asks for, first
    whole_table: bool = True  # ... printing its whole table; False: only the row asked for (fewer tokens)
    # repair the code
    use_hints: bool = True  # known pitfalls of the installed libraries, after an error
    name_repair: bool = True  # a failed name gets the closest real names, found in the kernel
    # review the answer
    check_answers: bool = True  # answers are checked against the registry, the outputs and the question
    # settle by vote
    vote_samples: int = 2  # programs sampled and voted on when an answer is in doubt; 0: none
    # the kernel
    preamble: bool = True  # the domain imports run in the kernel first and are listed in the system prompt
    # the turn cycle
    feedback: bool = True  # outputs go back to the model; False: one reply per question, its first step answers
    context_window: int = 2  # exchanges kept in full however they went
    repeat_temperatures: tuple[float, ...] = (0.7, 1.0)  # sampling after the model repeats itself


DEFAULT = HarnessConfig()

# One override per measurement. The first ten are the parts `sciwand eval --ablate PART` switches off;
# the rest are the variants benchmarks/harness.py compares (any of them: `--variants full,NAME,...`).
OVERRIDES: dict[str, dict[str, Any]] = {
    "feedback": {"feedback": False},
    "catalog": {"catalog_budget": 0},
    "hints": {"use_hints": False},
    "helpers": {"answer_helpers": False},
    "examples": {"examples_per_question": 0},
    "repair": {"name_repair": False},
    "lookup": {"api_names": 0},
    "binding": {"bind_literals": False},
    "checks": {"check_answers": False},
    "voting": {"vote_samples": 0},
    "no-catalog-no-hints": {"catalog_budget": 0, "use_hints": False},
    "no-window": {"context_window": 1000},
    "no-resample": {"repeat_temperatures": ()},
    "asked-row": {"whole_table": False},
    "no-preamble": {"preamble": False},
}
ABLATIONS = tuple(list(OVERRIDES)[:10])


def configured(name: str | None) -> HarnessConfig:
    """The full harness with the override ``name`` applied (None: the full harness)."""
    return replace(DEFAULT, **OVERRIDES[name]) if name else DEFAULT
