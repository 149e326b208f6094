"""The harness around the LLM as stages behind one interface, built from one declared config.

A question meets the stages in this order:
- prepare the question (``prepare.py``): worked examples, catalog entries and library names, the registry's
  call, the variables a follow-up names, and the answer helper's table as a first step;
- repair the code (``repair.py``): copies retyped wrong or borrowed from an example before a step runs, pitfall
  hints and name repairs after an error, notes on slips the step made;
- review the answer (``review.py``): the registry's checks, the variant, the set and the item asked for;
- settle by vote (``vote.py``): programs sampled afresh, answered with the value most of their outputs agree on.

Each stage overrides only the hooks it is for; the others do nothing. ``build`` makes the stages a
``HarnessConfig`` asks for, so an ablation (one override of the config) is one stage left out.
"""

from __future__ import annotations

from assistant.engine.harness import HarnessConfig
from assistant.engine.stages import prepare, repair, review, vote
from assistant.engine.stages.base import Notice, Repaired, Sampler, Stage, Verdict
from domain_tools.catalog import Catalog

__all__ = ["Notice", "Repaired", "Sampler", "Stage", "Verdict", "build"]


def build(config: HarnessConfig, catalog: Catalog, executor: object) -> list[Stage]:
    """The stages ``config`` asks for, in the order their hooks run; ``executor`` answers silent probes."""
    stages: list[Stage] = []
    if config.examples_per_question:
        stages.append(prepare.WorkedExamples(config.examples_per_question, config.answer_helpers))
    if config.catalog_budget or config.api_names:
        stages.append(prepare.CatalogEntries(catalog, config.catalog_budget, config.api_names, config.answer_helpers))
    stages += [prepare.RegistryCall(), prepare.VariablesPeek(executor)]
    if config.first_helper and config.answer_helpers:
        stages.append(prepare.FirstHelper(config.whole_table))
    stages.append(repair.CopyRepair())
    if config.use_hints:
        stages.append(repair.PitfallHints(catalog))
    if config.name_repair:
        stages.append(repair.NameRepair(executor))
    stages.append(repair.SlipNotes(typed_numbers=config.check_answers))
    if config.check_answers:
        stages.append(review.AnswerChecks(executor))
    if config.vote_samples:
        stages.append(vote.Vote(config.vote_samples))
    return stages
