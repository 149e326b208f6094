"""The harness as stages behind one interface: a config builds them, an ablation leaves one out, and the loop
calls every hook of whatever stages a session holds."""

from __future__ import annotations

import pytest

from assistant.engine import stages
from assistant.engine.attempt import Attempt
from assistant.engine.harness import ABLATIONS, DEFAULT, HarnessConfig, configured
from assistant.engine.question import QuestionFacts
from assistant.engine.stages import Repaired, Stage, Verdict, prepare, repair, review, vote
from domain_tools.catalog import Catalog
from kernels import ExecutionResult

# The stage each ablation leaves out ("feedback" is the turn cycle's: one reply per question).
LEFT_OUT = {
    "catalog": None,  # the library names still come: the catalog stage stays, with no entries
    "hints": repair.PitfallHints,
    "helpers": prepare.FirstHelper,
    "examples": prepare.WorkedExamples,
    "repair": repair.NameRepair,
    "lookup": None,  # the catalog entries still come
    "binding": None,  # binding is the session's: its kernel holds the values
    "checks": review.AnswerChecks,
    "voting": vote.Vote,
}


def kinds(config: HarnessConfig) -> list[type]:
    return [type(stage) for stage in stages.build(config, Catalog(), object())]


def test_the_full_harness_builds_every_stage_once_in_hook_order():
    assert kinds(DEFAULT) == [
        prepare.WorkedExamples,
        prepare.CatalogEntries,
        prepare.RegistryCall,
        prepare.VariablesPeek,
        prepare.FirstHelper,
        repair.CopyRepair,
        repair.PitfallHints,
        repair.NameRepair,
        repair.SlipNotes,
        review.AnswerChecks,
        vote.Vote,
    ]


@pytest.mark.parametrize("name", [name for name in ABLATIONS if name != "feedback"])
def test_an_ablation_is_one_override_that_leaves_its_stage_out(name):
    full, ablated = kinds(DEFAULT), kinds(configured(name))
    left_out = LEFT_OUT[name]
    if left_out is None:
        assert ablated == full
    else:
        assert left_out not in ablated and [kind for kind in full if kind is not left_out] == ablated


def test_without_both_catalog_and_lookup_no_catalog_stage_runs():
    assert prepare.CatalogEntries not in kinds(HarnessConfig(catalog_budget=0, api_names=0))


def test_the_feedback_ablation_leaves_one_reply_per_question(make_chat, code_reply):
    chat = make_chat([code_reply("print(6 * 7)"), "Final answer: 42"], feedback=False)
    assert chat.turn_limit == 1
    result = chat.ask("What is six times seven?")
    assert result.turns == 1 and len(chat.model.calls) == 1


class Marking(Stage):
    """A stage of every hook, each leaving a mark the test can see."""

    def __init__(self) -> None:
        self.reviewed: list[str] = []

    def guide(self, facts: QuestionFacts) -> str:
        return "GUIDE-MARK"

    def note(self, facts: QuestionFacts) -> str:
        return "NOTE-MARK"

    def repair(self, code: str, attempt: Attempt) -> Repaired:
        return Repaired(code.replace("6 * 7", "6 * 8"), ("six sevens became six eights",))

    def hints(self, result: ExecutionResult, code: str) -> list[str]:
        return ["HINT-MARK"]

    def review(self, answer: str, attempt: Attempt) -> Verdict:
        self.reviewed.append(answer)
        if len(self.reviewed) == 1:
            return Verdict(answer, "REVIEW-MARK: say it again", "marking", "an answer the marking stage sent back")
        return Verdict(f"{answer} [marked]")


def test_the_loop_calls_every_hook_of_the_stages_it_holds(make_chat, code_reply):
    chat = make_chat([code_reply("print(6 * 7)"), "Final answer: 48", "Final answer: 48"])
    marking = Marking()
    chat.stages.append(marking)
    result = chat.ask("What is six times seven?")

    first_prompt = chat.model.calls[0][-1].content
    assert first_prompt.index("GUIDE-MARK") < first_prompt.index("six times seven") < first_prompt.index("NOTE-MARK")
    assert result.steps[0].code == "print(6 * 8)" and result.steps[0].result.ok  # repaired before it ran
    assert "REVIEW-MARK" in chat.model.calls[2][-1].content  # sent back once, with the stage's problem
    assert marking.reviewed == ["48", "48"]
    assert result.answer == "48 [marked]"


def test_hints_from_every_stage_reach_a_failed_steps_observation(make_chat, code_reply):
    chat = make_chat([code_reply("1/0"), "Final answer: none", "Final answer: none"])
    chat.stages.append(Marking())
    chat.ask("Divide one by zero.")
    assert "Hint: HINT-MARK" in chat.model.calls[1][-1].content


def test_the_first_step_prints_the_helpers_table_or_only_the_row_asked():
    from assistant.engine.question import read_question
    from domain_tools import chemistry as chem

    facts = read_question("What is the average molecular weight of CC(=O)Oc1ccccc1C(=O)O?")
    attempt = Attempt(head=[], asked=facts.text, question=facts.text, facts=facts, literals=list(facts.literals))
    assert prepare.FirstHelper().first_step(attempt) == "print(chem.profile(smiles_1))"
    only = prepare.FirstHelper(whole_table=False).first_step(attempt)
    assert only == "print(chem.profile(smiles_1).only('average molecular weight (MolWt)'))"
    printed = str(eval(only.removeprefix("print"), {"chem": chem, "smiles_1": "CC(=O)Oc1ccccc1C(=O)O"}))
    assert printed.splitlines()[1:] == ["  average molecular weight (MolWt) : 180.1590 g/mol"]
    with pytest.raises(KeyError, match="no row weight"):
        chem.profile("CCO").only("weight")


def test_the_no_preamble_variant_runs_no_imports_and_lists_none(make_chat):
    from assistant.engine import prompts

    full = make_chat([], setup_code=prompts.KERNEL_SETUP, system_prompt=prompts.SYSTEM_PROMPT)
    bare = make_chat([], setup_code=prompts.KERNEL_SETUP, system_prompt=prompts.SYSTEM_PROMPT, preamble=False)
    assert full.setup_code == prompts.KERNEL_SETUP and "Already imported" in full.system_prompt
    assert bare.setup_code is None and "Already imported" not in bare.system_prompt
    assert bare.system_prompt.startswith("You are sciwand") and "Rules:" in bare.system_prompt
