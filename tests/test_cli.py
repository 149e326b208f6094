"""The ``sciwand`` command in a subprocess, with the scripted backend (no LLM needed)."""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from assistant.engine.prompts import KERNEL_SETUP

from conftest import python_block


@pytest.fixture
def run_cli(tmp_path, cli_env):
    """``run_cli(*args, replies=None, stdin=None)``: run sciwand in ``tmp_path`` with no user config."""

    def run(*args: str, replies: list[str] | None = None, stdin: str | None = None, **extra_env: str):
        argv = [sys.executable, "-m", "assistant.cli.main", *args]
        if replies is not None:
            script = tmp_path / "replies.json"
            script.write_text(json.dumps(replies))
            argv += ["--model", f"scripted:{script}", "--workdir", str(tmp_path / "work")]
        return subprocess.run(
            argv,
            input=stdin,
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env={**cli_env, **extra_env},
            timeout=120,
            check=False,
        )

    return run


def assert_one_line_error(completed, *fragments: str) -> None:
    assert completed.returncode == 2, completed.stderr
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1, completed.stderr
    assert lines[0].startswith("sciwand: ")
    assert "Traceback" not in completed.stderr + completed.stdout
    for fragment in fragments:
        assert fragment in lines[0]


def test_ask_json_prints_one_json_object(run_cli):
    completed = run_cli(
        "ask", "What is 6 times 7?", "--json", replies=[python_block("print(6 * 7)"), "Final answer: 42"]
    )
    assert completed.returncode == 0, completed.stderr
    record = json.loads(completed.stdout)  # the whole of stdout is one JSON document
    assert {"answer", "ok", "turns", "steps", "model", "seconds", "tokens_in", "tokens_out"} <= set(record)
    assert record["answer"] == "42"
    assert record["ok"] is True
    assert record["turns"] == 2
    assert record["model"].startswith("scripted:")
    assert record["seconds"] >= 0
    assert record["tokens_out"] > 0 and record["tokens_in"] is None  # a scripted model reports no usage
    [step] = record["steps"]
    assert {"code", "outputs", "status", "error"} <= set(step)
    assert step["code"] == "print(6 * 7)"
    assert step["status"] == "ok"
    assert step["error"] is None
    assert step["outputs"][0]["text"] == "42\n"


def test_ask_writes_a_valid_notebook_that_runs_again(run_cli, tmp_path):
    notebook_path = tmp_path / "out" / "session.ipynb"
    replies = [
        python_block("print('checking')\nraise ValueError('bad input')"),
        python_block("value = 6 * 7\nprint(value)\nvalue"),
        "Final answer: 42",
    ]
    completed = run_cli("ask", "Six times seven?", "--notebook", str(notebook_path), replies=replies)
    assert completed.returncode == 0, completed.stderr
    assert "Traceback" not in completed.stderr

    notebook = nbformat.read(notebook_path, as_version=4)
    nbformat.validate(notebook)
    assert [cell.cell_type for cell in notebook.cells] == ["markdown", "code", "code", "code", "markdown"]
    question, setup, failing, working, answer = notebook.cells
    assert "Six times seven?" in question.source
    assert setup.source == KERNEL_SETUP  # the imports the generated code may rely on, so it re-executes
    assert setup.metadata["sciwand"]["status"] == "ok"
    assert failing.source == "print('checking')\nraise ValueError('bad input')"
    assert [o.output_type for o in failing.outputs] == ["stream", "error"]
    assert failing.outputs[0].text == "checking\n"
    assert failing.outputs[1].ename == "ValueError"
    assert failing.outputs[1].evalue == "bad input"
    assert failing.metadata["sciwand"]["status"] == "error"
    assert failing.metadata["tags"] == ["raises-exception"]  # so "Run All" and nbclient go on past it
    assert "tags" not in working.metadata
    assert [o.output_type for o in working.outputs] == ["stream", "execute_result"]
    assert working.outputs[0].text == "42\n"
    assert working.outputs[1].data["text/plain"] == "42"
    assert working.execution_count == failing.execution_count + 1
    assert "42" in answer.source and "Answer" in answer.source
    assert not list(notebook_path.parent.glob("*.partial"))

    NotebookClient(notebook, timeout=60, kernel_name="python3").execute()  # nbclient's defaults: top to bottom
    assert failing.outputs[-1].ename == "ValueError"
    assert working.outputs[0].text == "42\n"
    assert working.outputs[-1].data["text/plain"] == "42"


def test_a_clean_notebook_holds_only_the_steps_that_succeeded(run_cli, tmp_path):
    notebook_path = tmp_path / "clean.ipynb"
    replies = [
        python_block("raise ValueError('bad input')"),
        python_block("value = 6 * 7\nprint(value)"),
        "Final answer: 42",
    ]
    completed = run_cli("ask", "Six times seven?", "--notebook", str(notebook_path), "--clean", replies=replies)
    assert completed.returncode == 0, completed.stderr
    notebook = nbformat.read(notebook_path, as_version=4)
    assert [cell.cell_type for cell in notebook.cells] == ["markdown", "code", "code", "markdown"]
    assert not any("ValueError" in cell.source for cell in notebook.cells)
    NotebookClient(notebook, timeout=60, kernel_name="python3").execute()
    assert notebook.cells[2].outputs[0].text == "42\n"


def test_no_answer_within_the_turn_limit_exits_1(run_cli, tmp_path):
    notebook_path = tmp_path / "unanswered.ipynb"
    replies = [
        python_block("raise RuntimeError('one')"),
        python_block("raise RuntimeError('two')"),
        "Final answer: too late",
    ]
    completed = run_cli(
        "ask", "Unanswerable?", "--json", "--max-turns", "2", "--notebook", str(notebook_path), replies=replies
    )
    assert completed.returncode == 1, completed.stderr
    record = json.loads(completed.stdout)
    assert record["answer"] is None
    assert record["ok"] is False
    assert record["turns"] == 2
    assert [step["status"] for step in record["steps"]] == ["error", "error"]
    notebook = nbformat.read(notebook_path, as_version=4)
    assert "No answer" in notebook.cells[-1].source


def test_unreachable_endpoint_exits_2_with_one_line_and_no_notebook(run_cli, tmp_path):
    notebook_path = tmp_path / "never.ipynb"
    completed = run_cli(
        "ask",
        "Anything?",
        "--model",
        "openai:gpt-4o-mini",
        "--base-url",
        "http://127.0.0.1:9/v1",
        "--notebook",
        str(notebook_path),
        "--workdir",
        str(tmp_path / "work"),
    )
    assert_one_line_error(completed, "LLM call failed")
    assert not notebook_path.exists()
    assert not list(tmp_path.glob("*.ipynb*")) and not list(tmp_path.glob(".*partial"))


def test_bad_model_value_exits_2(run_cli):
    completed = run_cli("ask", "Q?", "--model", "nonsense")
    assert_one_line_error(completed, "nonsense", "PROVIDER:NAME")


def test_missing_script_file_exits_2(run_cli, tmp_path):
    completed = run_cli("ask", "Q?", "--model", f"scripted:{tmp_path / 'missing.json'}")
    assert_one_line_error(completed, "missing.json")


def test_config_file_with_api_key_is_refused(run_cli, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[sciwand]\nmodel = "openai:gpt-4o-mini"\napi_key = "sk-do-not-store"\n')
    completed = run_cli("ask", "Q?", "--json", SCIWAND_CONFIG=str(config))
    assert_one_line_error(completed, "api_key", "environment variable")
    assert "sk-do-not-store" not in completed.stderr


def test_chat_answers_follow_ups_on_one_kernel(run_cli, tmp_path):
    notebook_path = tmp_path / "chat.ipynb"
    replies = [
        python_block("shared_x = 6 * 7\nprint(shared_x)"),
        "Final answer: forty-two",
        python_block("print(shared_x * 1000 + 1)"),
        "Final answer: the second result",
    ]
    completed = run_cli(
        "chat", "--notebook", str(notebook_path), replies=replies, stdin="first question\nsecond question\n"
    )
    assert completed.returncode == 0, completed.stderr
    assert "Traceback" not in completed.stdout + completed.stderr
    assert "forty-two" in completed.stdout
    assert "the second result" in completed.stdout
    assert "42001" in completed.stdout  # the second step's output, computed from the first step's variable
    notebook = nbformat.read(notebook_path, as_version=4)
    nbformat.validate(notebook)
    sources = [cell.source for cell in notebook.cells]
    assert sum("**Question:**" in source for source in sources) == 2
    assert sum("**Answer:**" in source for source in sources) == 2
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code" and cell.source != KERNEL_SETUP]
    assert sum(cell.source == KERNEL_SETUP for cell in notebook.cells) == 1  # one kernel, set up once
    assert [cell.outputs[0].text for cell in code_cells] == ["42\n", "42001\n"]
