"""End to end with the real embedded model: the README's first command (docs/install.md), through the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import nbformat
import pytest

pytestmark = pytest.mark.model

# Below pytest-timeout's 600 s for the whole test, so a slow run fails here with the CLI's stderr. On 2 cores a
# question takes 11 s (median) to 117 s (slowest) of 138 suite tasks (runs/dev-v6, runs/test-final).
ASK_SECONDS = 480


def test_ask_answers_ibuprofen_weight_with_executed_code(tmp_path):
    notebook = tmp_path / "session.ipynb"
    env = {**os.environ, "SCIWAND_CONFIG": str(tmp_path / "none.toml")}
    question = "What is the average molecular weight of ibuprofen, SMILES CC(C)Cc1ccc(cc1)C(C)C(=O)O?"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "assistant.cli.main",
            "ask",
            question,
            "--json",
            "--notebook",
            str(notebook),
            "--workdir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=ASK_SECONDS,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    result = json.loads(completed.stdout)
    assert result["ok"] and result["model"].startswith("local:")
    assert "206.2" in result["answer"] or "206.3" in result["answer"]
    assert any(step["status"] == "ok" for step in result["steps"])
    assert result["tokens_out"] > 0
    nbformat.validate(nbformat.read(notebook, as_version=4))


def _greedy_continuation(llama, prompt_tokens: list[int], count: int = 8) -> list[int]:
    produced = []
    for token in llama.generate(prompt_tokens, temp=0.0):  # reuses the longest evaluated prefix
        produced.append(token)
        if len(produced) == count:
            break
    return produced


def test_prompt_cache_restores_the_same_state_in_a_new_process_model(tmp_path, monkeypatch):
    from llama_cpp import Llama

    from assistant.engine.prompts import SYSTEM_PROMPT
    from assistant.llm.prompt_cache import prime, system_prefix_tokens
    from assistant.llm.weights import ensure_model_file

    model_path = str(ensure_model_file())
    monkeypatch.setenv("SCIWAND_CACHE_DIR", str(tmp_path))
    first = Llama(model_path=model_path, n_ctx=2048, n_threads=2, verbose=False)
    prefix = system_prefix_tokens(first, SYSTEM_PROMPT)
    assert prefix and len(prefix) > 100
    prime(first, model_path, prefix)  # computes the state and saves it
    [saved] = (tmp_path / "prompt-cache").glob("*.kv")
    user_turn = first.tokenize(
        b"<|im_start|>user\nSay hi<|im_end|>\n<|im_start|>assistant\n", add_bos=False, special=True
    )
    expected = _greedy_continuation(first, prefix + user_turn)
    del first

    second = Llama(model_path=model_path, n_ctx=2048, n_threads=2, verbose=False)
    prime(second, model_path, prefix)  # loads the saved state instead of reading the prompt
    assert second.n_tokens == len(prefix)
    assert _greedy_continuation(second, prefix + user_turn) == expected
    assert list((tmp_path / "prompt-cache").glob("*.kv")) == [saved]
