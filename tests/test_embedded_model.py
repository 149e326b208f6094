"""End to end with the real embedded model: the README's first command, through the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import nbformat
import pytest

pytestmark = pytest.mark.model


def test_ask_answers_ibuprofen_weight_with_executed_code(tmp_path):
    notebook = tmp_path / "session.ipynb"
    env = {**os.environ, "SCIWAND_CONFIG": str(tmp_path / "none.toml")}
    question = "What is the average molecular weight of ibuprofen, SMILES CC(C)Cc1ccc(cc1)C(C)C(=O)O?"
    completed = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "ask", question, "--json", "--notebook", str(notebook),
         "--workdir", str(tmp_path)],
        capture_output=True, text=True, env=env, timeout=900, check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    result = json.loads(completed.stdout)
    assert result["ok"] and result["model"].startswith("local:")
    assert "206.2" in result["answer"] or "206.3" in result["answer"]
    assert any(step["status"] == "ok" for step in result["steps"])
    assert result["tokens_out"] > 0
    nbformat.validate(nbformat.read(notebook, as_version=4))
