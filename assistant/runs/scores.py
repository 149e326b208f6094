"""The score table of a run: solved, turns, seconds, tokens and recovery per domain, from task records."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from rich import box
from rich.table import Table

from assistant.engine.events import tokens_total


@dataclass(frozen=True)
class Row:
    """One line of the score table: a domain, or all tasks."""

    name: str
    tasks: int
    solved: int
    crashed: int
    median_turns: float | None
    median_seconds: float | None
    tokens_in: int | None  # None when a task's provider reported no usage
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
        if self.tokens_in is None or not self.turns:
            return None
        return (self.tokens_in - self.tokens_cached) / self.turns

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
        tokens_in=tokens_total(r.get("tokens_in", 0) for r in records),
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
            "unknown" if row.tokens_in is None else str(row.tokens_in),
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
