"""A variable the question names, by ``@name``, ``{name}`` or plainly, goes with the question with what code
over it needs: a DataFrame's columns, dtypes and first rows, a sequence's length and start, a molecule's SMILES."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
from Bio.Seq import Seq
from Bio.SeqRecord import SeqRecord
from rdkit import Chem

from assistant.inkernel.namespace import describe_mention, question_with_context, resolve_mentions

GENE = "ATGGCCATTGTAATGGGCCGCTGAAAGGGTGCCCGATAGGCTAGCTAGGATCC"  # 53 letters


def shell(**namespace: object) -> SimpleNamespace:
    return SimpleNamespace(user_ns=dict(namespace), user_ns_hidden={})


def test_a_dataframe_shows_its_columns_dtypes_and_first_rows():
    frame = pd.DataFrame({"name": ["aspirin", "caffeine", "ethanol", "urea"], "mw": [180.16, 194.19, 46.07, 60.06]})
    text = describe_mention(frame)
    strings = frame.dtypes["name"]  # object before pandas 3, str since
    assert text.startswith(f"DataFrame 4 rows; columns: name ({strings}), mw (float64); first rows: ")
    assert "'caffeine'" in text and "'ethanol'" in text and "urea" not in text  # three rows, not four


def test_a_molecule_shows_its_smiles_and_a_sequence_its_length_and_start():
    assert describe_mention(Chem.MolFromSmiles("OCC")) == "Mol, SMILES CCO"
    assert describe_mention(Seq(GENE)) == f"Seq, 53 letters: {GENE}"
    record = SeqRecord(Seq(GENE * 2), id="pUC_frag")
    assert describe_mention(record) == f"SeqRecord, 'pUC_frag', 106 letters: {(GENE * 2)[:60]}…"
    assert describe_mention(GENE) == f"str, 53 letters: {GENE}"
    assert describe_mention([1, 2, 3, 4, 5]) == "list of 5 int: 1, 2, 3, 4, … (1 more)"


def test_at_mentions_become_names_and_anything_else_stays_as_written():
    question, names = resolve_mentions("mean of @mw for @nobody, mail me@lab.org", {"mw": [1.0], "lab": 1})
    assert question == "mean of `mw` for @nobody, mail me@lab.org"
    assert names == ["mw"]


def test_the_question_carries_the_summary_of_what_it_names_and_only_that():
    frame = pd.DataFrame({"smiles": ["CCO", "c1ccccc1"], "logp": [-0.0014, 1.6866]})
    kernel = shell(df=frame, insulin=Seq(GENE), other=list(range(100)))
    question, context = question_with_context(kernel, "Which row of @df has the highest logp?")
    assert question == "Which row of `df` has the highest logp?"
    named = context.split("The question names these variables:\n", 1)[1]
    assert named.startswith(f"- df: DataFrame 2 rows; columns: smiles ({frame.dtypes['smiles']}), logp (float64)")
    assert "c1ccccc1" in named and "insulin" not in named and "other" not in named
    assert "- other: list of 100 int" in context  # the one-line summary still lists every variable

    _, plain = question_with_context(kernel, "How long is insulin?")
    assert f"- insulin: Seq, 53 letters: {GENE}" in plain
    _, unnamed = question_with_context(kernel, "What is 2 + 2?")
    assert "The question names" not in unnamed
