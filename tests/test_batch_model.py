"""``sciwand batch`` end to end with the real embedded model: two workers on the pool, one shared model."""

from __future__ import annotations

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from assistant.cli.main import main

from conftest import results_by_id

pytestmark = pytest.mark.model


def test_batch_answers_a_question_and_runs_an_ask_notebook(tmp_path):
    notebook = tmp_path / "ethanol.ipynb"
    cells = [
        new_code_cell("smiles = 'CCO'", metadata={"tags": ["parameters"]}),
        new_code_cell("%%ask -o mw\nWhat is the molecular weight of `smiles`?"),
    ]
    nbformat.write(new_notebook(cells=cells), str(notebook))
    (tmp_path / "tasks.jsonl").write_text(
        json.dumps(
            {
                "id": "caffeine-mw",
                "question": "What is the molecular weight of caffeine, SMILES Cn1cnc2c1c(=O)n(C)c(=O)n2C?",
                "check": {"type": "number", "value": 194.19, "tol": 0.01},
            }
        )
        + "\n"
        + json.dumps({"id": "benzene-nb", "notebook": "ethanol.ipynb", "parameters": {"smiles": "c1ccccc1"}})
        + "\n"
    )
    out = tmp_path / "out"
    assert main(["batch", str(tmp_path / "tasks.jsonl"), "--out", str(out), "--workers", "2"]) == 0
    records = results_by_id(out)
    assert records["caffeine-mw"]["ok"], records["caffeine-mw"]
    assert records["benzene-nb"]["ok"], records["benzene-nb"]
    executed = nbformat.read(str(out / "notebooks" / "benzene-nb.ipynb"), as_version=4)
    answer = [o["data"]["text/markdown"] for o in executed.cells[-1].outputs if "text/markdown" in o.get("data", {})]
    assert any(text.startswith("**Answer:**") and "78.1" in text for text in answer), answer
