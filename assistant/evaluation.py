"""``sciwand eval``: run a task suite through the runner, show progress, and score what finished.

The score is computed from ``results.jsonl``, not from memory, so a resumed run reports every task of the
suite that has a record for this model and ablation, including those finished by an earlier, killed run.
"""

from __future__ import annotations

import statistics
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from assistant.runner import ResultsLog, RunOptions, TaskRecord, run_tasks
from assistant.tasks import Task

RESULTS_FILE = "results.jsonl"


@dataclass(frozen=True)
class Row:
    """One line of the score table: a domain, or all tasks."""

    name: str
    tasks: int
    solved: int
    crashed: int
    median_turns: float | None
    median_seconds: float | None
    tokens_in: int
    tokens_out: int
    tokens_cached: int
    turns: int  # LLM replies over all tasks
    with_errors: int  # tasks in which at least one step failed
    recovered: int  # of those, tasks in which a later step succeeded

    @property
    def success(self) -> float:
        return self.solved / self.tasks if self.tasks else 0.0

    @property
    def evaluated_per_turn(self) -> float | None:
        """Prompt tokens the model evaluated per reply: what a prefix cache did not serve."""
        return (self.tokens_in - self.tokens_cached) / self.turns if self.turns else None

    @property
    def recovery_rate(self) -> float | None:
        return self.recovered / self.with_errors if self.with_errors else None


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _row(name: str, records: list[dict[str, Any]]) -> Row:
    return Row(
        name=name,
        tasks=len(records),
        solved=sum(bool(r.get("ok")) for r in records),
        crashed=sum(r.get("error") is not None for r in records),
        median_turns=_median([r.get("turns", 0) for r in records]),
        median_seconds=_median([r.get("seconds", 0.0) for r in records]),
        tokens_in=sum(r.get("tokens_in", 0) for r in records),
        tokens_out=sum(r.get("tokens_out", 0) for r in records),
        tokens_cached=sum(r.get("tokens_cached", 0) for r in records),
        turns=sum(r.get("turns", 0) for r in records),
        with_errors=sum(r.get("errors_seen", 0) > 0 for r in records),
        recovered=sum(bool(r.get("recovered")) and r.get("errors_seen", 0) > 0 for r in records),
    )


def summarize(records: list[dict[str, Any]]) -> list[Row]:
    """A row per domain (alphabetical), then the overall row."""
    domains = sorted({r.get("domain", "general") for r in records})
    rows = [_row(domain, [r for r in records if r.get("domain", "general") == domain]) for domain in domains]
    return [*rows, _row("overall", records)]


def render_table(rows: list[Row], title: str = "") -> Table:
    """Success per domain and overall, median turns and seconds, tokens, and the error-recovery rate."""
    table = Table(title=title or None, title_justify="left", box=box.SIMPLE_HEAD)
    headers = ("domain", "solved", "rate", "turns", "secs", "tok in", "tok out", "eval/turn", "recovered")
    for header in headers:
        table.add_column(header, justify="left" if header == "domain" else "right", no_wrap=True)
    for row in rows:
        rate = row.recovery_rate
        table.add_row(
            row.name,
            f"{row.solved}/{row.tasks}",
            f"{row.success:.0%}",
            "-" if row.median_turns is None else f"{row.median_turns:g}",
            "-" if row.median_seconds is None else f"{row.median_seconds:.1f}",
            str(row.tokens_in),
            str(row.tokens_out),
            "-" if row.evaluated_per_turn is None else f"{row.evaluated_per_turn:.0f}",
            f"{row.recovered}/{row.with_errors}" + ("" if rate is None else f" {rate:.0%}"),
            style="bold" if row.name == "overall" else None,
            end_section=row.name != "overall" and row is rows[-2],
        )
    table.caption = (
        "turns, secs: medians per task. eval/turn: prompt tokens evaluated per LLM reply (not served by the "
        "prefix cache). recovered: tasks in which a failed step was followed by a successful "
        "one / tasks with a failed step"
    )
    table.caption_justify = "left"
    return table


class EvalProgress:
    """A live bar on stderr (done, passed, failed, crashed, running, ETA) and one line per finished task."""

    def __init__(self, total: int, console: Console, label: str = "eval") -> None:
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(
                "[green]{task.fields[passed]} passed[/] [red]{task.fields[failed]} failed[/] "
                "[yellow]{task.fields[crashed]} crashed[/] {task.fields[running]} running"
            ),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
        )
        self._lock = threading.Lock()
        self._counts = {"passed": 0, "failed": 0, "crashed": 0, "running": 0}
        self._bar = self.progress.add_task(label, total=total, **self._counts)

    def __enter__(self) -> EvalProgress:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def started(self, task: Task) -> None:
        with self._lock:
            self._counts["running"] += 1
            self.progress.update(self._bar, **self._counts)

    def finished(self, record: TaskRecord) -> None:
        with self._lock:
            self._counts["running"] -= 1
            outcome = "crashed" if record.error else "passed" if record.ok else "failed"
            self._counts[outcome] += 1
            self.progress.update(self._bar, advance=1, **self._counts)
        mark = {"passed": "[green]✓[/]", "failed": "[red]✗[/]", "crashed": "[yellow]![/]"}[outcome]
        self.progress.console.print(
            f"{mark} {escape(record.id)} [dim]({escape(record.domain)}, {record.turns} turns, "
            f"{record.seconds:.1f} s)[/] {escape(record.detail)}",
            highlight=False,
        )


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
