"""The harness parts of the loop with scripted replies and a real kernel: literal binding and copy repair,
the install gate, answer checks (grounding, unit, quantity) and votes on executed results."""

from __future__ import annotations

from test_loop import RecordingEvents, stdout

from assistant import prompts
from kernels import Status

SMILES = "CC(=O)Nc1ccc(cc1)OCC"  # phenacetin
ROWS = "print('  average molecular weight (MolWt) : 179.219 g/mol\\n  monoisotopic mass (ExactMolWt) : 179.0946 Da')"


def test_quoted_literals_are_bound_before_the_first_step_and_named_to_the_model(make_chat, code_reply):
    chat = make_chat([code_reply("print(smiles_1, dna_1)"), "Final answer: done"])
    result = chat.ask(f"Is {SMILES} related to ATGGCGTTTAAC?")
    assert stdout(result.steps[0]) == f"{SMILES} ATGGCGTTTAAC\n"
    first_prompt = chat.model.calls[0][-1].content
    assert prompts.BOUND_HEADER in first_prompt
    assert f"smiles_1 = '{SMILES}'" in first_prompt and "dna_1 = 'ATGGCGTTTAAC'" in first_prompt


def test_a_follow_up_keeps_the_names_and_numbers_new_values_after_them(make_chat, code_reply):
    chat = make_chat([code_reply("print(smiles_1)"), "Final answer: a", code_reply("print(smiles_1, smiles_2)"),
                      "Final answer: b"])
    chat.ask(f"What is {SMILES}?")
    result = chat.ask(f"Compare {SMILES} with CCOc1ccccc1")
    assert stdout(result.steps[0]) == f"{SMILES} CCOc1ccccc1\n"


def test_a_kernel_that_dies_gets_the_bound_values_back(make_chat, code_reply, make_kernel):
    chat = make_chat([code_reply("import os\nos._exit(1)"), code_reply("print(smiles_1)"), "Final answer: back"],
                     executor=make_kernel())
    result = chat.ask(f"Does {SMILES} survive?")
    assert [step.result.status for step in result.steps] == [Status.DIED, Status.OK]
    assert stdout(result.steps[1]) == f"{SMILES}\n"


def test_a_retyped_copy_is_replaced_by_its_name_before_it_runs(make_chat, code_reply):
    events = RecordingEvents()
    chat = make_chat([code_reply('print("CC(=O)Nc1ccc(cc1)OC")'), "Final answer: ok"], events=events)
    result = chat.ask(f"Check {SMILES}")
    assert result.steps[0].code == "print(smiles_1)"
    assert stdout(result.steps[0]) == f"{SMILES}\n"
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
    chat = make_chat([code_reply("print(7.25)"), "Final answer: 7.5 m", "Final answer: 7.5 m"])
    result = chat.ask("How long is it?")
    assert "7.5 in your answer is not in any output" in chat.model.calls[2][-1].content
    assert result.answer == "7.5 m" and result.turns == 3  # sent back once; the model insisted


def test_an_answer_in_another_unit_than_asked_is_converted(make_chat, code_reply):
    chat = make_chat([code_reply("print('molecular weight : 17170.25 Da')"), "Final answer: 17170.25 Da"])
    result = chat.ask("What is the molecular weight of this protein in kDa?")
    assert result.answer.startswith("17.17025 kDa")
    assert result.turns == 2


def test_a_doubted_answer_is_settled_by_a_vote_on_executed_programs(make_chat, code_reply):
    chat = make_chat(
        [
            code_reply(ROWS),
            "Final answer: 179.219 Da",  # the average mass row, for a monoisotopic question: doubted
            code_reply("print(round(179.094629, 4))"),  # sample 1, from the question alone
            code_reply("print('monoisotopic mass :', 179.0946)"),  # sample 2
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
        [code_reply(ROWS), "Final answer: 179.219 Da", code_reply("print(1)"), code_reply("print(2)"),
         "Final answer: 179.0946 Da"],
        vote_samples=2,
    )
    result = chat.ask(f"What is the monoisotopic mass of {SMILES}, in Da?")
    assert "monoisotopic mass" in chat.model.calls[4][-1].content  # the quantity check's words
    assert result.answer == "179.0946 Da"


def test_near_the_turn_limit_a_vote_answers_from_programs_that_run(make_chat, code_reply):
    chat = make_chat(
        [code_reply("print(undefined_a)"), code_reply("print(undefined_b)"), code_reply("print(6 * 7)"),
         code_reply("print(42)")],
        vote_samples=2,
        max_turns=3,
    )
    result = chat.ask("What is six times seven?")
    assert result.answer == "42"
    assert result.turns == 2
