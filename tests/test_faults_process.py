"""SIGKILL of the assistant mid-run: what was recorded stays readable, no kernel outlives its owner, reruns resume.

The CLI runs as a real subprocess on scripted replies; the test waits on conditions (a line of the live
view, a file a step writes, a record in results.jsonl), never on a fixed sleep, then kills it with SIGKILL.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import nbformat
import psutil
import pytest

from conftest import cli_environment, python_block, read_results, wait_for

ROOT = Path(__file__).resolve().parent.parent
STEP_ONE = "print('marker-step-one', 6 * 7)"
# Step 2 marks its working directory (so the test knows it runs in the kernel), then hangs.
HANG = (
    "import pathlib, time\npathlib.Path('started').touch()\nprint('second step started', flush=True)\ntime.sleep(600)"
)


def start(argv: list[str], cwd: Path) -> subprocess.Popen:
    env = {**cli_environment(cwd), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "assistant.cli.main", *argv],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def read_until(process: subprocess.Popen, needle: str, limit: int = 10_000) -> str:
    """The live view up to and including the line holding ``needle``."""
    seen: list[str] = []
    assert process.stdout is not None
    for _ in range(limit):
        line = process.stdout.readline()
        if not line:
            stderr = process.stderr.read() if process.stderr else ""
            raise AssertionError(f"exited before {needle!r}; stdout:\n{''.join(seen)}\nstderr:\n{stderr}")
        seen.append(line)
        if needle in line:
            return "".join(seen)
    raise AssertionError(f"no {needle!r} in {limit} lines")


def kill_and_check_no_orphans(process: subprocess.Popen, grace: float = 15.0) -> list[psutil.Process]:
    """SIGKILL ``process``; return its descendants (kernels, zygote) still alive ``grace`` s later."""
    descendants = psutil.Process(process.pid).children(recursive=True)
    assert descendants, "the assistant should have started a kernel"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    _, alive = psutil.wait_procs(descendants, timeout=grace)
    for survivor in alive:  # clean up before failing, so no test leaves a kernel behind
        survivor.kill()
    return alive


def valid_notebook(path: Path) -> nbformat.NotebookNode:
    notebook = nbformat.read(str(path), as_version=4)
    nbformat.validate(notebook)
    return notebook


def stream_text(cell: nbformat.NotebookNode) -> str:
    return "".join(output.get("text", "") for output in cell.get("outputs", []))


def test_sigkill_during_ask_keeps_the_notebook_and_leaves_no_kernel(tmp_path):
    replies = tmp_path / "replies.json"
    replies.write_text(json.dumps([python_block(STEP_ONE), python_block(HANG), "Final answer: never"]))
    workdir, notebook = tmp_path / "work", tmp_path / "out.ipynb"
    workdir.mkdir()
    argv = ["ask", "What is six times seven?", "--model", f"scripted:{replies}", "--notebook", str(notebook)]
    process = start([*argv, "--workdir", str(workdir)], tmp_path)
    try:
        # The live view shows step 1's output, then turn 2 streams the hanging code, which then runs.
        view = read_until(process, "turn 2")
        assert "marker-step-one 42" in view
        wait_for((workdir / "started").exists, 60, "the second step to start in the kernel")
    finally:
        survivors = kill_and_check_no_orphans(process)

    cells = valid_notebook(notebook).cells
    assert cells[0].cell_type == "markdown" and "What is six times seven?" in cells[0].source
    steps = [cell for cell in cells if cell.cell_type == "code" and cell.source == STEP_ONE]
    assert len(steps) == 1 and "marker-step-one 42" in stream_text(steps[0])
    assert not any("time.sleep(600)" in cell.source for cell in cells)  # the step in flight was never recorded
    assert not list(tmp_path.glob(".*.partial")), "an atomic write left its temporary file"
    assert survivors == [], f"kernel processes outlived the killed assistant: {survivors}"


def test_sigkill_during_batch_keeps_records_and_a_rerun_finishes_the_rest(tmp_path):
    replies = tmp_path / "replies.json"
    # One scripted model serves the tasks in order (one worker): 'first' runs and answers, 'second' hangs.
    replies.write_text(json.dumps([python_block(STEP_ONE), "Final answer: 42", python_block(HANG), "Final answer: x"]))
    tasks = tmp_path / "tasks.jsonl"
    tasks.write_text(
        json.dumps({"id": "first", "question": "What is six times seven?"})
        + "\n"
        + json.dumps({"id": "second", "question": "What is one plus one?"})
        + "\n"
    )
    out = tmp_path / "out"
    argv = ["batch", str(tasks), "--out", str(out), "--workers", "1", "--model", f"scripted:{replies}"]
    results = out / "results.jsonl"
    process = start(argv, tmp_path)
    try:
        wait_for(lambda: results.exists() and results.read_text().count("\n") >= 1, 120, "the first record")
        wait_for((out / "work" / "second" / "started").exists, 60, "the second task's hanging step")
    finally:
        survivors = kill_and_check_no_orphans(process)

    records = read_results(out)  # every line parses
    assert [record["id"] for record in records] == ["first"]
    assert records[0]["ok"] is not None and records[0]["answer"] == "42" and records[0]["error"] is None
    notebook = valid_notebook(out / records[0]["notebook"])
    assert any("marker-step-one 42" in stream_text(cell) for cell in notebook.cells)
    assert survivors == [], f"kernel processes outlived the killed batch: {survivors}"

    # The hang removed, the same command resumes: 'first' is skipped, 'second' runs to its answer.
    replies.write_text(json.dumps([python_block("print(1 + 1)"), "Final answer: 2"]))
    rerun = start(argv, tmp_path)
    _, stderr = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, stderr
    assert "1 task(s) already finished" in stderr
    records = read_results(out)
    assert [record["id"] for record in records] == ["first", "second"]  # 'first' is not duplicated
    assert records[1]["answer"] == "2" and records[1]["error"] is None
    valid_notebook(out / records[1]["notebook"])


@pytest.fixture(autouse=True)
def _in_repo_root(monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
