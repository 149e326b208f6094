"""The harness parts of the loop with scripted replies and a real kernel: literal binding and copy repair,
the install gate, answer checks (grounding, unit, quantity) and votes on executed results."""

from __future__ import annotations

from typing import Any

import pytest
from test_loop import RecordingEvents

from assistant.engine import prompts
from kernels import Status

from conftest import stdout_text

SMILES = "CC(=O)Nc1ccc(cc1)OCC"  # phenacetin


@pytest.fixture
def make_chat(make_chat):
    """The conftest factory with the answer checks on: they are part of what these tests exercise."""

    def make(replies: list[str], **kwargs: Any) -> Any:
        kwargs.setdefault("check_answers", True)
        return make_chat(replies, **kwargs)

    return make


ROWS = (
    "rows = '  average molecular weight (MolWt) : 179.219 g/mol\\n  monoisotopic mass (ExactMolWt) : 179.0946 Da'"
    "\nprint(rows)"
)


def test_quoted_literals_are_bound_before_the_first_step_and_named_to_the_model(make_chat, code_reply):
    chat = make_chat([code_reply("print(smiles_1, dna_1)"), "Final answer: done"])
    result = chat.ask(f"Is {SMILES} related to ATGGCGTTTAAC?")
    assert stdout_text(result.steps[0].result) == f"{SMILES} ATGGCGTTTAAC\n"
    first_prompt = chat.model.calls[0][-1].content
    assert prompts.BOUND_HEADER in first_prompt
    assert f"smiles_1 = '{SMILES}'" in first_prompt and "dna_1 = 'ATGGCGTTTAAC'" in first_prompt


def test_a_follow_up_keeps_the_names_and_numbers_new_values_after_them(make_chat, code_reply):
    chat = make_chat(
        [code_reply("print(smiles_1)"), "Final answer: a", code_reply("print(smiles_1, smiles_2)"), "Final answer: b"]
    )
    chat.ask(f"What is {SMILES}?")
    result = chat.ask(f"Compare {SMILES} with CCOc1ccccc1")
    assert stdout_text(result.steps[0].result) == f"{SMILES} CCOc1ccccc1\n"


def test_a_kernel_that_dies_gets_the_bound_values_back(make_chat, code_reply, make_kernel):
    chat = make_chat(
        [code_reply("import os\nos._exit(1)"), code_reply("print(smiles_1)"), "Final answer: back"],
        executor=make_kernel(),
    )
    result = chat.ask(f"Does {SMILES} survive?")
    assert [step.result.status for step in result.steps] == [Status.DIED, Status.OK]
    assert stdout_text(result.steps[1].result) == f"{SMILES}\n"


def test_a_retyped_copy_is_replaced_by_its_name_before_it_runs(make_chat, code_reply):
    events = RecordingEvents()
    chat = make_chat([code_reply('print("CC(=O)Nc1ccc(cc1)OC")'), "Final answer: ok"], events=events)
    result = chat.ask(f"Check {SMILES}")
    assert result.steps[0].code == "print(smiles_1)"
    assert stdout_text(result.steps[0].result) == f"{SMILES}\n"
    assert any("mistyped copy" in text for name, text in events.calls if name == "notice")


def test_package_installs_are_not_run_without_approval(make_chat, code_reply):
    chat = make_chat([code_reply("!pip install rdkit"), code_reply("print(2 + 2)"), "Final answer: 4"])
    result = chat.ask("What is 2 + 2?")
    assert [step.code for step in result.steps] == ["print(2 + 2)"]
    assert chat.model.calls[1][-1].content == prompts.NO_INSTALLS
    assert result.answer == "4"


def test_with_approval_an_install_is_the_users_call(make_chat, code_reply):
    seen: list[str] = []
    chat = make_chat([code_reply("%pip --version"), "Final answer: shown"], review=lambda code: seen.append(code))
    result = chat.ask("Which pip?")
    assert seen[0] == "%pip --version"  # put to the user, who skipped it (every time)
    assert result.steps == []


def test_an_answer_whose_number_is_in_no_output_goes_back_once(make_chat, code_reply):
    chat = make_chat([code_reply("length = 7.25\nprint(length)"), "Final answer: 7.5 m", "Final answer: 7.5 m"])
    result = chat.ask("How long is it?")
    assert "7.5 in your answer is not in any output" in chat.model.calls[2][-1].content
    assert result.answer == "7.5 m" and result.turns == 3  # sent back once; the model insisted


def test_an_answer_in_another_unit_than_asked_is_converted(make_chat, code_reply):
    step = code_reply("weight = 17170.25\nprint('molecular weight :', weight, 'Da')")
    chat = make_chat([step, "Final answer: 17170.25 Da"])
    result = chat.ask("What is the molecular weight of this protein in kDa?")
    assert result.answer.startswith("17.17025 kDa")
    assert result.turns == 2


def test_a_doubted_answer_is_settled_by_a_vote_on_executed_programs(make_chat, code_reply):
    chat = make_chat(
        [
            code_reply(ROWS),
            "Final answer: 179.219 Da",  # the average mass row, for a monoisotopic question: doubted
            code_reply("print(round(179.094629, 4))"),  # sample 1, from the question alone
            code_reply("mass = 179.0946\nprint('monoisotopic mass :', mass)"),  # sample 2
        ],
        vote_samples=2,
    )
    result = chat.ask(f"What is the monoisotopic mass of {SMILES}, in Da?")
    assert result.answer.startswith("179.0946")
    assert [step.result.status for step in result.steps] == [Status.OK] * 3
    sampled = chat.model.calls[2:]
    assert [call[-1].content for call in sampled] == [chat.model.calls[0][-1].content] * 2  # the question alone
    assert [kwargs["temperature"] for kwargs in chat.model.call_kwargs[2:]] == [0.7, 1.0]


def test_without_a_majority_the_doubt_goes_back_to_the_model(make_chat, code_reply):
    chat = make_chat(
        [
            code_reply(ROWS),
            "Final answer: 179.219 Da",
            code_reply("print(len('a'))"),
            code_reply("print(len('ab'))"),
            "Final answer: 179.0946 Da",
        ],
        vote_samples=2,
    )
    result = chat.ask(f"What is the monoisotopic mass of {SMILES}, in Da?")
    assert "monoisotopic mass" in chat.model.calls[4][-1].content  # the quantity check's words
    assert result.answer == "179.0946 Da [monoisotopic mass]"  # restated: what the number is


def test_near_the_turn_limit_a_vote_answers_from_programs_that_run(make_chat, code_reply):
    chat = make_chat(
        [
            code_reply("print(undefined_a)"),
            code_reply("print(undefined_b)"),
            code_reply("print(int('6') * 7)"),
            code_reply("print(int('42'))"),
        ],
        vote_samples=2,
        max_turns=3,
    )
    result = chat.ask("What is six times seven?")
    assert result.answer == "42"
    assert result.turns == 2


def test_the_user_turn_holds_examples_helpers_and_names_then_the_question_and_bindings(make_chat, code_reply):
    from domain_tools.catalog import load

    chat = make_chat(
        [code_reply("print(1)"), "Final answer: 1"] * 2, examples_per_question=2, api_names=3, catalog=load()
    )
    chat.ask(f"What is the Murcko scaffold of {SMILES}?")
    system, user = chat.model.calls[0][0].content, chat.model.calls[0][1].content
    assert system == prompts.SYSTEM_PROMPT  # unchanged by the question: its cached state stays valid
    guidance, question = user.split(f"\n\n{prompts.QUESTION_HEADER} ", 1)
    assert guidance.startswith("Worked example") and "```python" in guidance and "Final answer:" in guidance
    assert "MurckoScaffold" in guidance[guidance.index(prompts.LOOKUP_HEADER) :]  # the long tail: no helper row
    assert question.startswith(f"What is the Murcko scaffold of {SMILES}?")  # last, nearest the reply
    assert question.index(prompts.BOUND_HEADER) > 0 and user.endswith(f"smiles_1 = '{SMILES}'  # smiles")
    before = len(chat.model.calls)
    chat.ask(f"What is the molecular weight of {SMILES}?")
    user = chat.model.calls[before][-1].content
    helpers = user.index(prompts.CATALOG_HEADER)
    assert "chem.profile" in user[helpers:] and "astro." not in user[helpers:]  # chemistry's only
    assert prompts.LOOKUP_HEADER not in user  # beside a helper that fits, no near names to stray to
    assert user.count("\n- ") <= 3  # at most CATALOG_ENTRIES entries


def test_the_answer_helpers_ablation_hides_them_everywhere(make_chat, code_reply):
    from domain_tools.catalog import ANSWER_HELPERS, load

    chat = make_chat(
        [code_reply("print(1)"), "Final answer: 1"], examples_per_question=2, catalog=load(), answer_helpers=False
    )
    chat.ask(f"What is the monoisotopic mass of {SMILES}?")
    system, user = chat.model.calls[0][0].content, chat.model.calls[0][1].content
    assert not any(f"{name}(" in text for name in ANSWER_HELPERS for text in (system, user))


def test_edits_to_the_context_stay_at_its_end(make_chat, code_reply):
    chat = make_chat(
        [
            code_reply("raise ValueError('a')"),
            code_reply("raise ValueError('b')"),
            code_reply("raise ValueError('c')"),
            code_reply("print(3)"),
            "Final answer: 3",
        ],
    )
    chat.ask("Three?")
    before, after = chat.model.calls[2], chat.model.calls[3]  # the first failed exchange shrinks here
    assert after[1].content == before[1].content == "Three?"  # the question is not rewritten
    assert prompts.EARLIER_FAILURES in after[-1].content and "ValueError: a" in after[-1].content


def test_a_variable_the_question_asks_for_must_exist_before_the_answer_counts(make_chat, code_reply):
    chat = make_chat(
        [
            code_reply("print(sum([2, 2]))"),
            "Final answer: 4",
            code_reply("total = 2 + 2\nprint(total)"),
            "Final answer: 4",
        ]
    )
    result = chat.ask("Store two plus two in a variable called total.")
    assert chat.model.calls[2][-1].content == prompts.MISSING_VARIABLES.format(names="total")
    assert result.answer == "4" and [step.code for step in result.steps][-1].startswith("total = ")


def test_a_sequence_answer_must_be_copied_from_the_output(make_chat, code_reply):
    step = code_reply("protein = 'MAIVMGR*KGAR*'\nprint(protein)")
    chat = make_chat([step, "Final answer: MAIVMGRKGAR", "Final answer: MAIVMGR"])
    result = chat.ask("Translate ATGGCCATTGTAATGGGCCGCTGAAAGGGTGCCCGATAG, stopping at the first stop codon.")
    assert "MAIVMGRKGAR in your answer is not in any output" in chat.model.calls[2][-1].content
    assert result.answer.split(" [")[0] == "MAIVMGR"  # maybe restated with what it is


def test_a_step_that_only_prints_typed_numbers_grounds_nothing(make_chat, code_reply):
    chat = make_chat(
        [
            code_reply("print(30.0000)"),
            "Final answer: 30 deg",
            code_reply("print(abs(-30.5))"),
            "Final answer: 30.5 deg",
        ]
    )
    result = chat.ask("What is the galactic longitude of this star?")
    assert prompts.TYPED_NUMBERS in chat.model.calls[1][-1].content
    assert result.answer == "30.5 deg [galactic longitude]" and result.turns == 4  # the first answer rested on nothing


def test_an_answer_the_model_insists_on_without_computing_is_put_to_a_vote(make_chat, code_reply):
    chat = make_chat(
        ["Final answer: 41", "Final answer: 41", code_reply("print(int('42'))"), code_reply("print(6 * 7)")],
        vote_samples=2,
    )
    result = chat.ask("What is six times seven?")
    assert result.answer == "42"  # the two programs that ran agree; the model's guess did not count


def test_the_helper_a_quoted_value_calls_for_runs_first_and_the_model_reads_its_row(make_chat):
    chat = make_chat(["Final answer: 179.0946 Da"], first_helper=True, setup_code="from domain_tools.preamble import *")
    result = chat.ask(f"What is the monoisotopic mass of {SMILES}?")
    assert [step.code for step in result.steps] == ["print(chem.profile(smiles_1))"]
    assert "monoisotopic mass (ExactMolWt)" in chat.model.calls[0][-1].content  # shown as the first step's output
    assert result.answer == "179.0946 Da [monoisotopic mass]" and result.turns == 1  # one LLM reply: reading the row


def test_a_variable_the_question_points_at_calls_for_its_helper_too(make_chat, kernel):
    assert kernel.execute("salt = 'CC(=O)Nc1ccccc1'").ok
    preamble = "from domain_tools.preamble import *"
    chat = make_chat(["Final answer: 135.1660 g/mol"], first_helper=True, setup_code=preamble)
    result = chat.ask("What is the molecular weight of `salt`?")
    assert [step.code for step in result.steps] == ["print(chem.profile(salt))"]
    assert "salt  # smiles, your variable" in chat.model.calls[0][1].content  # the question turn
    assert result.answer.startswith("135.166")


def test_a_follow_up_over_a_set_must_use_the_set_and_any_of_its_variables_will_do(make_chat, code_reply):
    chat = make_chat(
        [
            code_reply("z = [0.5, 1.0, 2.0]\ndl = [2.9, 6.8, 15.9]\nprint(dl)"),
            "Final answer: done",
            code_reply("print(15.9 * 1)"),  # one item, typed: not the set
            "Final answer: 15.9",
            code_reply("print(max(dl))"),  # uses dl, not z: the set all the same
            "Final answer: 15.9",
        ],
        check_answers=True,
    )
    chat.ask("Put the redshifts in z and their distances in dl.")
    result = chat.ask("Which of these is the largest distance?")
    assert "The question refers to these variables of the kernel:\n- z: list of 3" in chat.model.calls[2][-1].content
    assert prompts.OVER_THE_SET.format(name="z or dl") == chat.model.calls[4][-1].content
    assert result.answer == "15.9" and [step.code for step in result.steps][-1] == "print(max(dl))"
