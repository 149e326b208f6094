"""The copy check: a SMILES or sequence from the question retyped wrong is pointed out, a faithful copy is not."""

from __future__ import annotations

from assistant.engine.copycheck import copy_slips, describe_slips

CAFFEINE_Q = "What is the molecular formula of caffeine, SMILES Cn1cnc2c1c(=O)n(C)c(=O)n2C?"


def test_a_mistyped_smiles_is_caught_and_named():
    slips = copy_slips(CAFFEINE_Q, 'mol = Chem.MolFromSmiles("CCn1cnc2c1c(=O)n(C)c(=O)n2C")')
    assert slips == [("CCn1cnc2c1c(=O)n(C)c(=O)n2C", "Cn1cnc2c1c(=O)n(C)c(=O)n2C")]
    assert "copy it exactly" in describe_slips(slips)


def test_exact_copies_prose_and_unrelated_strings_pass():
    assert copy_slips(CAFFEINE_Q, 'mol = Chem.MolFromSmiles("Cn1cnc2c1c(=O)n(C)c(=O)n2C")') == []
    assert copy_slips(CAFFEINE_Q, 'print("molecular formula:", f)') == []
    assert copy_slips(CAFFEINE_Q, 'path = "molecules.sdf"') == []


def test_brackets_around_a_token_in_the_question_are_not_part_of_it():
    question = "How many donors does paracetamol (SMILES CC(=O)Nc1ccc(O)cc1) have?"
    assert copy_slips(question, "m = Chem.MolFromSmiles('CC(=O)Nc1ccc(O)cc1')") == []
    assert copy_slips("Aspirin (CC(=O)Oc1ccccc1C(=O)O) logP?", "s = 'CC(=O)Oc1ccccc1C(=O)O'") == []


def test_a_dropped_base_in_a_sequence_is_caught(make_chat, code_reply):
    question = "Translate ATGGCCATTGTAATGGGCCGCTGA into protein."
    # Without binding (its repair would fix the slip before it runs), the copy check reports it.
    session = make_chat([code_reply("print(Seq('ATGGCCATTGTATGGGCCGCTGA'))"), "Final answer: x"], bind_literals=False)
    result = session.ask(question)
    assert "question gives 'ATGGCCATTGTAATGGGCCGCTGA'" in result.steps[0].observation


def test_an_answer_resting_only_on_miscopied_data_is_not_taken_as_grounded(make_chat, code_reply):
    session = make_chat(
        [
            code_reply("print(rdMolDescriptors.CalcMolFormula(Chem.MolFromSmiles('CCn1cnc2c1c(=O)n(C)c(=O)n2C')))"),
            "Final answer: C9H12N4O2",
            code_reply("print(rdMolDescriptors.CalcMolFormula(Chem.MolFromSmiles('Cn1cnc2c1c(=O)n(C)c(=O)n2C')))"),
            "Final answer: C8H10N4O2",
        ],
        setup_code="from rdkit import Chem\nfrom rdkit.Chem import rdMolDescriptors",
        bind_literals=False,  # with binding, the slip is repaired before it runs (tests/test_loop_harness.py)
    )
    result = session.ask(CAFFEINE_Q)
    assert result.answer == "C8H10N4O2" and result.grounded
    assert [step.result.outputs[0].text.strip() for step in result.steps] == ["C9H12N4O2", "C8H10N4O2"]
