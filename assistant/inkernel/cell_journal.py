"""A notebook kernel's own journal: every successful cell, on disk, as it runs.

When the user's kernel dies, nothing inside it survives, so the magic cannot restore anything by itself.
What it can do: write each successful cell to a file keyed by the kernel's id (Jupyter keeps the id
across restarts), and, when ``%load_ext assistant`` runs in the new kernel process, offer
``%ask_restore``, which replays the cells the previous process ran (skipping those that write files or
reach the network, as ``kernels.journal`` reads them).

The lab panel reads the same journal from the kernel (``journaled_cells``) before each run, so a step
that kills the kernel gets the user's own cells replayed, not only the panel's steps.

Cells typed before the journal started are taken from the kernel's input history, failed ones included:
replaying a cell that failed repeats what it did before failing, which is what the state holds.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path
from typing import Any

# Cells that must never be replayed: they would ask the LLM again or reload the extension.
_NOT_JOURNALED = ("%ask", "%%ask", "%load_ext", "%reload_ext", "%ask_restore", "%ask_config")


KEEP_DAYS = 7  # a journal untouched this long belongs to a kernel that is gone: it is deleted


def journal_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "sciwand" / "journals"


def kernel_key() -> str | None:
    """The Jupyter kernel id this process serves (stable across restarts), or None outside a kernel."""
    try:
        from ipykernel.connect import get_connection_file

        name = Path(get_connection_file()).stem
    except Exception:  # not in an ipykernel (terminal IPython): nothing to restore into later
        return None
    return name.removeprefix("kernel-") or None


class CellJournal:
    """Appends successful cells of this process to ``path``; reads what an earlier process left there."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.pid = os.getpid()
        self.cells: list[str] = []  # what this process recorded, in order

    def record(self, code: str) -> None:
        if not code.strip() or code.lstrip().startswith(_NOT_JOURNALED):
            return
        self.cells.append(code)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as log:
            log.write(json.dumps({"pid": self.pid, "code": code}) + "\n")

    def previous_cells(self) -> list[str]:
        """The cells of the last earlier process of this kernel id, in order."""
        entries = []
        if self.path.exists():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    entries.append(json.loads(line))
                except ValueError:
                    continue  # a line cut short when the process died mid-write
        earlier = [entry for entry in entries if entry.get("pid") != self.pid]
        if not earlier:
            return []
        last_pid = earlier[-1]["pid"]
        return [entry["code"] for entry in earlier if entry["pid"] == last_pid]

    def forget_previous(self) -> None:
        """Keep only this process's cells, so the offer is made once."""
        if not self.path.exists():
            return
        mine = [line for line in self.path.read_text(encoding="utf-8").splitlines() if f'"pid": {self.pid},' in line]
        self.path.write_text("".join(line + "\n" for line in mine), encoding="utf-8")


def watch(shell: Any) -> CellJournal | None:
    """Journal every successful cell of ``shell`` from now on; None outside a Jupyter kernel."""
    existing = getattr(shell, "_sciwand_journal", None)
    if existing is not None:  # %reload_ext: one hook, not two
        return existing
    key = kernel_key()
    if key is None:
        return None
    prune(journal_dir())
    journal = CellJournal(journal_dir() / f"{key}.jsonl")
    shell._sciwand_journal = journal
    for code in shell.history_manager.input_hist_raw[1:]:  # typed before the journal started
        journal.record(code)

    def after_cell(result: Any) -> None:
        if result.success:
            journal.record(result.info.raw_cell)

    shell.events.register("post_run_cell", after_cell)
    return journal


def prune(directory: Path, keep_days: float = KEEP_DAYS) -> None:
    """Delete journals not written for ``keep_days``: every kernel leaves one, and most never restart."""
    cutoff = time.time() - keep_days * 86400
    for path in directory.glob("*.jsonl"):
        with contextlib.suppress(OSError):  # another kernel pruning too, or a file in use: leave it
            if path.stat().st_mtime < cutoff:
                path.unlink()


def journaled_cells(shell: Any) -> list[str]:
    """The cells that built this kernel process's state, starting the journal if it has not started."""
    journal = watch(shell)
    return list(journal.cells) if journal is not None else []
