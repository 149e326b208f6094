"""``sciwand batch`` and ``sciwand run``: many tasks on a warm kernel pool, one record and notebook each.

The tasks go through the same runner as ``sciwand eval`` (``assistant/runs/runner.py``); what batch adds is the
kernel pool, a model per task when a task names one (loaded once, and only when a task needs an LLM), and
resuming: a task with a record that did not crash is not run again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from rich.console import Console

from assistant.config import Settings
from assistant.engine.prompts import KERNEL_SETUP
from assistant.llm.model_cache import ModelCache
from assistant.runs.evaluation import RESULTS_FILE
from assistant.runs.notebook_run import is_ask_cell
from assistant.runs.progress import ByteProgress, EvalProgress
from assistant.runs.runner import ResultsLog, RunOptions, TaskRecord, run_tasks
from assistant.runs.tasks import Task
from kernels import KernelConfig
from kernels.pool import READY_PER_WORKER, KernelPool


def uses_llm(tasks: list[Task]) -> bool:
    """Whether any task asks the LLM: a question, or a notebook with ``%%ask`` cells."""
    if any(task.notebook is None for task in tasks):
        return True
    notebooks = {task.notebook for task in tasks}
    return any(any(is_ask_cell(cell) for cell in nbformat.read(path, as_version=4).cells) for path in notebooks)


def pending(tasks: list[Task], log: ResultsLog) -> list[Task]:
    """Tasks without a record, or whose record is a crash (worth another try); a rerun skips the rest."""
    finished = {record["id"] for record in log.records() if record.get("error") is None}
    return [task for task in tasks if task.id not in finished]


@dataclass
class BatchOutcome:
    records: list[dict[str, Any]]  # the latest record of every task of the file
    ran: int
    skipped: int
    interrupted: bool


def run_batch(
    tasks: list[Task],
    settings: Settings,
    out: Path,
    *,
    workers: int = 1,
    console: Console | None = None,
    scheduler: str | None = None,
    clean: bool = False,
) -> BatchOutcome:
    """Run the pending tasks, ``workers`` at a time, locally on a kernel pool or on a Dask cluster.

    ``clean``: the tasks' notebooks hold only their successful steps.
    """
    console = console or Console(stderr=True)
    log = ResultsLog(out / RESULTS_FILE)
    todo = pending(tasks, log)
    skipped = len(tasks) - len(todo)
    if skipped:
        console.print(f"{skipped} task(s) already finished in {log.path}: skipped")
    options = RunOptions(settings, clean_notebooks=clean)
    ran: list[TaskRecord] = []
    interrupted = False
    if todo:
        with EvalProgress(len(todo), console, label="batch") as progress:

            def finished(record: TaskRecord) -> None:
                ran.append(record)
                progress.finished(record)

            try:
                if scheduler:
                    from assistant.runs.dask_batch import run_on_dask

                    for task in todo:  # on a cluster, every submitted task counts as running
                        progress.started(task)
                    run_on_dask(todo, settings, out, options, scheduler, log=log, on_record=finished)
                else:
                    _run_local(todo, settings, out, options, workers, log, progress.started, finished, console)
            except KeyboardInterrupt:
                interrupted = True
    latest = {record["id"]: record for record in log.records()}
    records = [latest[task.id] for task in tasks if task.id in latest]
    return BatchOutcome(records=records, ran=len(ran), skipped=skipped, interrupted=interrupted)


def _run_local(
    tasks: list[Task],
    settings: Settings,
    out: Path,
    options: RunOptions,
    workers: int,
    log: ResultsLog,
    on_start: Callable[[Task], None],
    on_record: Callable[[TaskRecord], None],
    console: Console,
) -> None:

    models = ModelCache(settings, progress=ByteProgress("preparing the embedded model", console))
    config = KernelConfig(cwd=out / "work" / ".idle", **options.kernel_limits)
    # Kernels of a batch that never asks the LLM skip the domain imports: seconds the notebooks did not ask for.
    preload = KERNEL_SETUP if uses_llm(tasks) else ""
    with KernelPool(READY_PER_WORKER * workers, config, preload=preload) as pool:
        run_tasks(
            tasks, models, out, options, workers=workers, log=log, on_start=on_start, on_record=on_record, pool=pool
        )
