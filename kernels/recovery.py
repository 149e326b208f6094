"""Survive a kernel crash with its state: restart it and replay the journal of successful cells.

``RecoveringKernel`` wraps a kernel session as the loop's executor. Every successful cell is journaled;
when a cell kills the kernel (a segfault in a C extension, the memory limit, ``os._exit``, a kill from
outside), or a timeout forces a restart, the kernel is restarted and the journal replayed, within a time
and cell budget, skipping cells that reach outside the kernel (files, network, programs). The result of
the fatal cell then says exactly what happened, for the LLM and the user alike.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from kernels.journal import Journal
from kernels.result import ExecutionResult, Status


class Replayable(Protocol):
    """Where a journal can be replayed: a kernel session, or (``%ask_restore``) the user's own IPython."""

    def execute(self, code: str, timeout: float | None = ...) -> ExecutionResult: ...
    def restart(self) -> None: ...


class Kernel(Replayable, Protocol):
    restarts: int

    def exit_cause(self) -> str: ...
    def evaluate(self, expression: str, timeout: float = ...) -> Any: ...


@dataclass(frozen=True)
class ReplayPolicy:
    """Bounds on rebuilding state; ``enabled=False`` restarts clean (the old behaviour)."""

    enabled: bool = True
    max_cells: int = 200
    max_seconds: float = 120.0
    replay_side_effects: bool = False  # replay cells that write files, call the network or run programs


@dataclass
class RecoveryReport:
    cause: str  # "This cell killed the kernel (killed by SIGSEGV)", or a timeout's restart
    journaled: int = 0
    replayed: int = 0
    seconds: float = 0.0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (first line, why)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (first line, error)
    not_reached: int = 0  # cells left when the time or cell budget ran out, or replay died too
    lost_before: int = 0  # cells older than the journal keeps
    disabled: bool = False

    @property
    def complete(self) -> bool:
        return not (self.skipped or self.failed or self.not_reached or self.lost_before or self.disabled)

    def describe(self) -> str:
        """One paragraph for the observation and the user: what died, what came back, what did not."""
        if self.disabled:
            return f"{self.cause}; the kernel was restarted empty (replay is turned off): all variables are lost."
        text = (
            f"{self.cause}; the kernel was restarted and {self.replayed} of {self.journaled} earlier "
            f"successful cells were replayed in {self.seconds:.1f} s"
        )
        if self.complete:
            return text + ": the variables from before this cell are back."
        gaps = []
        if self.skipped:
            gaps.append(f"{len(self.skipped)} skipped because they reach outside the kernel ({_lines(self.skipped)})")
        if self.failed:
            gaps.append(f"{len(self.failed)} failed on replay ({_lines(self.failed)})")
        if self.not_reached:
            gaps.append(f"{self.not_reached} not replayed: the replay budget ran out")
        if self.lost_before:
            gaps.append(f"{self.lost_before} older cells were no longer journaled")
        return text + ". Not restored: " + "; ".join(gaps) + ". Re-create what those cells made if you need it."


def _lines(items: list[tuple[str, str]]) -> str:
    shown = [f"`{line}`: {why}" for line, why in items[:3]]
    return ", ".join(shown) + (f", and {len(items) - 3} more" if len(items) > 3 else "")


def _first_line(code: str) -> str:
    line = next((line.strip() for line in code.splitlines() if line.strip()), "")
    return line[:60] + ("…" if len(line) > 60 else "")


class RecoveringKernel:
    """An executor over ``kernel`` that journals successful cells and rebuilds state after a restart."""

    def __init__(self, kernel: Kernel, policy: ReplayPolicy | None = None) -> None:
        self.kernel = kernel
        self.policy = policy or ReplayPolicy()
        self.journal = Journal()

    def execute(self, code: str, timeout: float | None = 60.0) -> ExecutionResult:
        restarts = self.kernel.restarts
        return self.settle(code, self.kernel.execute(code, timeout), restarts)

    def settle(self, code: str, result: ExecutionResult, restarts: int) -> ExecutionResult:
        """What follows running ``code`` (``restarts``: the kernel's count before it ran): a success is
        journaled; a death or a forced restart rebuilds the state, blocking on the kernel. Callers that ran
        the code themselves (``sciwand mcp``, on its event loop) hand the result over here."""
        if result.status is Status.DIED:
            cause = self.kernel.exit_cause()
            self.kernel.restart()
            report = replay(
                self.kernel, self.journal, self.policy, f"This cell killed the kernel{f' ({cause})' if cause else ''}"
            )
        elif self.kernel.restarts != restarts:  # a timeout the interrupt could not stop: restarted empty
            report = replay(
                self.kernel,
                self.journal,
                self.policy,
                "The time limit stopped this cell and the interrupt did not take, so the kernel was restarted",
            )
        else:
            if result.ok:
                self.journal.record(code)
            return result
        result.note = report.describe()
        result.restarted, result.restored = True, report.complete
        return result

    def evaluate(self, expression: str, timeout: float = 30.0) -> Any:
        """A silent look into the kernel (``KernelSession.evaluate``): not journaled, nothing to replay."""
        return self.kernel.evaluate(expression, timeout)

    def restart(self) -> None:
        """A deliberate fresh start: the journal goes too."""
        self.kernel.restart()
        self.journal.clear()


def replay(target: Replayable, journal: Journal, policy: ReplayPolicy, cause: str) -> RecoveryReport:
    """Rebuild state by running ``journal`` in ``target`` (fresh) within ``policy``'s budget; ``journal`` then
    holds what ran. A cell that kills the kernel or times out again ends the replay with a clean restart."""
    report = RecoveryReport(cause, journaled=len(journal), lost_before=journal.dropped)
    entries = list(journal.entries)
    journal.clear()
    if not policy.enabled:
        report.disabled = True
        return report
    started = time.monotonic()
    for index, entry in enumerate(entries):
        left = policy.max_seconds - (time.monotonic() - started)
        if index >= policy.max_cells or left <= 0:
            report.not_reached = len(entries) - index
            break
        if entry.effects and not policy.replay_side_effects:
            report.skipped.append((_first_line(entry.code), ", ".join(entry.effects)))
            continue
        result = target.execute(entry.code, left)
        if result.ok:
            report.replayed += 1
            journal.record(entry.code)
        elif result.status is Status.DIED or result.status is Status.TIMEOUT:
            report.not_reached = len(entries) - index  # this cell and the rest: start clean, say so
            target.restart()
            journal.clear()
            report.replayed = 0
            break
        else:
            error = result.error
            report.failed.append((_first_line(entry.code), f"{error.ename}" if error else result.status.value))
    report.seconds = time.monotonic() - started
    return report
