"""``sciwand eval``: run a task suite through the runner, show progress, and score what finished.

The score is computed from ``results.jsonl``, not from memory, so a resumed run reports every task of the
suite that has a record for this model and ablation, including those finished by an earlier, killed run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from rich.console import Console

from assistant.runs.progress import EvalProgress
from assistant.runs.runner import ResultsLog, RunOptions, TaskRecord, run_tasks
from assistant.runs.tasks import Task

RESULTS_FILE = "results.jsonl"


@dataclass
class EvalOutcome:
    records: list[dict[str, Any]]  # this model and ablation's record of every suite task that has one
    ran: int  # tasks run this time
    skipped: int  # tasks with a record already
    interrupted: bool


def evaluate(
    tasks: list[Task],
    model: BaseChatModel,
    out: Path,
    options: RunOptions,
    *,
    workers: int = 1,
    console: Console | None = None,
) -> EvalOutcome:
    """Run the tasks without a record for this model and ablation in ``out``, then gather the suite's records."""
    console = console or Console(stderr=True)
    log = ResultsLog(out / RESULTS_FILE)
    done = log.finished(options.model_name, options.ablation)
    todo = [task for task in tasks if task.id not in done]
    skipped = len(tasks) - len(todo)
    if skipped:
        console.print(f"{skipped} task(s) already have a result in {log.path} for this model and ablation: skipped")
    interrupted = False
    ran: list[TaskRecord] = []

    def finished_one(record: TaskRecord) -> None:
        ran.append(record)
        progress.finished(record)

    if todo:
        with EvalProgress(len(todo), console) as progress:
            try:
                run_tasks(
                    todo,
                    model,
                    out,
                    options,
                    workers=workers,
                    log=log,
                    on_start=progress.started,
                    on_record=finished_one,
                )
            except KeyboardInterrupt:
                interrupted = True
    finished = log.finished(options.model_name, options.ablation)
    records = [finished[task.id] for task in tasks if task.id in finished]
    return EvalOutcome(records=records, ran=len(ran), skipped=skipped, interrupted=interrupted)
