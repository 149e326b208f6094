"""Batch on a real Dask cluster: a LocalCluster with two worker processes, each with its own kernel pool."""

from __future__ import annotations

import json
import os

import nbformat
import pytest
from distributed import Client, LocalCluster

from assistant.cli.main import main
from assistant.config import Settings
from assistant.runs.dask_batch import run_on_dask
from assistant.runs.runner import ResultsLog, RunOptions
from assistant.runs.tasks import Task

from conftest import python_block, read_results, results_by_id

# Prints the pid of the Dask worker that runs the kernel: kernel -> zygote -> worker process.
WORKER_PID = "import os, psutil\nprint(x, psutil.Process(os.getppid()).ppid())"


@pytest.fixture(scope="module")
def client():
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    with cluster, Client(cluster) as client:
        yield client


def test_tasks_spread_over_workers_and_results_stream_back(client, tmp_path):
    notebook = tmp_path / "where.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(WORKER_PID)]), str(notebook))
    replies = tmp_path / "replies.json"
    replies.write_text(json.dumps([python_block("print(6 * 7)"), "Final answer: 42"]))
    settings = Settings(model=f"scripted:{replies}", timeout=30)
    tasks = [
        Task(id=f"nb-{n}", domain="notebook", turns=(), check=None, notebook=notebook, parameters={"x": n})
        for n in range(6)
    ]
    tasks.append(Task(id="question", domain="general", turns=("six times seven?",), check=None))
    out = tmp_path / "out"
    log = ResultsLog(out / "results.jsonl")
    seen = []
    records = run_on_dask(tasks, settings, out, RunOptions(settings), client, log=log, on_record=seen.append)

    assert {record.id for record in records} == {task.id for task in tasks}
    assert [record.id for record in seen] == [record["id"] for record in read_results(out)]
    assert all(record.ok for record in records), [record.error for record in records if not record.ok]
    question = next(record for record in records if record.id == "question")
    assert question.answer == "42"
    workers = set()
    for n in range(6):  # each executed notebook was written here, by the client, from what the worker sent
        cell = nbformat.read(str(out / "notebooks" / f"nb-{n}.ipynb"), as_version=4).cells[-1]
        value, worker_pid = cell.outputs[0]["text"].split()
        assert value == str(n)
        workers.add(int(worker_pid))
    worker_pids = set(client.run(os.getpid).values())
    assert workers == worker_pids  # both worker processes ran tasks, on their own pools


def test_batch_command_sends_tasks_to_the_scheduler(client, tmp_path):
    notebook = tmp_path / "square.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(x * x)")]), str(notebook))
    (tmp_path / "xs.csv").write_text("x\n2\n3\n")
    (tmp_path / "tasks.jsonl").write_text('{"id": "sq-{x}", "notebook": "square.ipynb", "params": "xs.csv"}\n')
    out = tmp_path / "out"
    argv = ["batch", str(tmp_path / "tasks.jsonl"), "--out", str(out), "--scheduler", client.scheduler.address]
    assert main(argv) == 0
    done = results_by_id(out)
    assert set(done) == {"sq-2", "sq-3"} and all(r["ok"] for r in done.values())
    assert "9" in (out / "notebooks" / "sq-3.ipynb").read_text()
