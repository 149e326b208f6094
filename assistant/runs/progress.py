"""Progress bars on stderr for long operations: a suite's tasks, and the bytes of the model file."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

if TYPE_CHECKING:
    from assistant.runs.runner import TaskRecord
    from assistant.runs.tasks import Task


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


class ByteProgress:
    """A progress bar for byte counts (assembling and verifying the model file)."""

    def __init__(self, description: str, console: Console) -> None:
        self.progress = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        )
        self.task = self.progress.add_task(description, total=None)

    def __call__(self, done: int, total: int) -> None:
        if not self.progress.live.is_started:
            self.progress.start()
        self.progress.update(self.task, completed=done, total=total)
        if done >= total:
            self.progress.stop()
