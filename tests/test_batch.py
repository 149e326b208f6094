"""``sciwand batch`` and ``sciwand run`` on real kernels from the pool, with scripted models."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from assistant.cli.main import main
from assistant.runs.batch import uses_llm
from assistant.runs.batch_file import load_batch

from conftest import python_block, read_results, results_by_id


def write_notebook(path: Path, *sources: str, parameters: str | None = None) -> Path:
    cells = [new_code_cell(parameters, metadata={"tags": ["parameters"]})] if parameters else []
    cells += [new_code_cell(source) for source in sources]
    nbformat.write(new_notebook(cells=cells), str(path))
    return path


def cell_text(path: Path, index: int) -> str:
    cell = nbformat.read(str(path), as_version=4).cells[index]
    return "".join(output.get("text", "") for output in cell.outputs)


@pytest.fixture
def workspace(tmp_path) -> Path:
    write_notebook(tmp_path / "square.ipynb", "print(x * x, label)", parameters="x = 2\nlabel = 'default'")
    (tmp_path / "molecules.csv").write_text("name,x\nwater,3\nethanol,4\n")
    (tmp_path / "data.txt").write_text("hello\n")
    script = [python_block("print(open('data.txt').read().strip(), base)"), "Final answer: hello 10"]
    (tmp_path / "replies.json").write_text(json.dumps(script))
    return tmp_path


def test_batch_file_formats_templates_and_problems(workspace):
    (workspace / "tasks.yaml").write_text(
        "tasks:\n"
        "  - {id: 'sq-{name}', notebook: square.ipynb, params: molecules.csv}\n"
        "  - {id: 'mw-{name}', question: 'What is the MW of {name}? {not_a_column}', params: molecules.csv}\n"
        "  - {id: ask, question: hi, files: [data.txt], setup: base = 10, model: 'openai:gpt-4o-mini'}\n"
        "  - {id: broken, files: [missing.txt], question: hi}\n"
        "  - {question: no id}\n"
        "  - {id: t, question: q, params: nowhere.csv}\n"
    )
    suite = load_batch(workspace / "tasks.yaml")
    tasks = {task.id: task for task in suite.tasks}
    assert list(tasks) == ["sq-water", "sq-ethanol", "mw-water", "mw-ethanol", "ask"]
    assert tasks["sq-ethanol"].parameters == {"name": "ethanol", "x": 4}  # CSV values read as literals
    assert tasks["mw-water"].turns == ("What is the MW of water? {not_a_column}",)
    assert tasks["ask"].files == (workspace / "data.txt",) and tasks["ask"].model == "openai:gpt-4o-mini"
    problems = "\n".join(suite.problems)
    assert "entry 4: task 'broken': file 'missing.txt' does not exist" in problems
    assert "entry 5: id must be" in problems
    assert "entry 6: cannot read params 'nowhere.csv'" in problems


def test_batch_runs_notebooks_and_questions_records_each_and_resumes(workspace, capsys):
    (workspace / "tasks.jsonl").write_text(
        '{"id": "sq-{name}", "notebook": "square.ipynb", "params": "molecules.csv", '
        '"parameters": {"label": "{name}"}}\n'
        '{"id": "ask", "question": "read the data", "files": ["data.txt"], "setup": "base = 10"}\n'
        '{"id": "spin", "notebook": "spin.ipynb"}\n'
        "not json\n"
    )
    write_notebook(workspace / "spin.ipynb", "while True:\n    pass")
    out = workspace / "out"
    argv = ["batch", str(workspace / "tasks.jsonl"), "--out", str(out), "--workers", "2", "--timeout", "2"]
    argv += ["-m", f"scripted:{workspace / 'replies.json'}"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "line 4: not valid JSON" in captured.err
    done = results_by_id(out)
    assert set(done) == {"sq-water", "sq-ethanol", "ask", "spin"}
    assert done["sq-ethanol"]["ok"] and done["ask"]["ok"] and done["ask"]["answer"] == "hello 10"
    assert not done["spin"]["ok"] and "timed out" in done["spin"]["error"]  # a hanging task is isolated
    assert cell_text(out / "notebooks" / "sq-ethanol.ipynb", 2) == "16 ethanol\n"  # parameters injected
    assert "hello 10" in (out / "notebooks" / "ask.ipynb").read_text()

    assert main(argv) == 0  # the rerun skips what finished and retries the crashed task only
    assert [record["id"] for record in read_results(out)[4:]] == ["spin"]


def test_run_executes_a_parameterised_notebook_with_ask_cells(workspace):
    script = [python_block("result = x + 1\nprint(result)"), "Final answer: 8"]
    (workspace / "ask.json").write_text(json.dumps(script))
    notebook = write_notebook(
        workspace / "analysis.ipynb",
        "%%ask -o said\nadd one to x",
        "print(said, result, open('data.txt').read())",
        parameters="x = 1",
    )
    output = workspace / "executed" / "analysis.ipynb"
    argv = ["run", str(notebook), "-p", "x", "7", "-o", str(output), "-m", f"scripted:{workspace / 'ask.json'}"]
    assert main(argv) == 0
    executed = nbformat.read(str(output), as_version=4)
    assert executed.cells[1].source == "# Parameters\nx = 7"
    assert executed.cells[1].metadata["tags"] == ["injected-parameters"]
    shown = [output.get("data", {}).get("text/markdown", "") for output in executed.cells[2].outputs]
    assert "**Answer:** 8" in shown
    assert cell_text(output, 3) == "8 8 hello\n\n"  # the kernel ran in the notebook's own directory


def test_a_step_that_kills_the_kernel_gets_the_plain_cells_state_back(workspace):
    script = [
        python_block("import ctypes\nctypes.string_at(0)"),
        python_block("print(dose * 2)"),
        "Final answer: 10",
    ]
    (workspace / "crash.json").write_text(json.dumps(script))
    notebook = write_notebook(workspace / "crash.ipynb", "dose = 5", "%%ask Double the dose", "print(dose)")
    output = workspace / "crash-out.ipynb"
    assert main(["run", str(notebook), "-o", str(output), "-m", f"scripted:{workspace / 'crash.json'}"]) == 0
    executed = nbformat.read(str(output), as_version=4)
    shown = json.dumps(executed.cells[1].outputs)
    assert "killed the kernel" in shown and "**Answer:** 10" in shown
    assert cell_text(output, 2) == "5\n"  # the plain cell's variable was replayed too


def test_run_stops_at_a_failing_cell_and_keeps_the_notebook(workspace):
    notebook = write_notebook(workspace / "fails.ipynb", "print('before')", "1 / 0", "print('never')")
    output = workspace / "fails-out.ipynb"
    assert main(["run", str(notebook), "-o", str(output)]) == 1
    executed = nbformat.read(str(output), as_version=4)
    assert cell_text(output, 0) == "before\n"
    assert executed.cells[1].outputs[0]["ename"] == "ZeroDivisionError"
    assert executed.cells[2].outputs == []


def test_bad_batch_invocations_exit_2(workspace, capsys):
    assert main(["batch", str(workspace / "nowhere.jsonl")]) == 2
    (workspace / "empty.jsonl").write_text("\n")
    assert main(["batch", str(workspace / "empty.jsonl")]) == 2
    assert main(["batch", str(workspace / "empty.jsonl"), "--workers", "0"]) == 2
    assert main(["run", str(workspace / "nowhere.ipynb")]) == 2
    assert capsys.readouterr().err.count("sciwand:") == 4


def test_only_batches_that_ask_the_llm_preload_the_domain_libraries(workspace):
    write_notebook(workspace / "asks.ipynb", "%%ask What is x?", parameters="x = 1")
    (workspace / "plain.jsonl").write_text(
        json.dumps({"id": "sq-{name}", "notebook": "square.ipynb", "params": "molecules.csv"})
    )
    (workspace / "mixed.jsonl").write_text(
        json.dumps({"id": "sq", "notebook": "square.ipynb"}) + "\n" + json.dumps({"id": "a", "notebook": "asks.ipynb"})
    )
    (workspace / "questions.jsonl").write_text(json.dumps({"id": "q", "question": "hi"}))
    assert not uses_llm(load_batch(workspace / "plain.jsonl").tasks)
    assert uses_llm(load_batch(workspace / "mixed.jsonl").tasks)
    assert uses_llm(load_batch(workspace / "questions.jsonl").tasks)
