"""A pids cgroup per kernel, so a fork bomb in generated code hits a wall instead of the machine.

RLIMIT_NPROC cannot do this job: root ignores it, and for everyone else it counts all of the user's
processes, not the kernel's. A pids cgroup counts exactly the tasks (processes *and* threads) of the
kernel and its descendants, orphans included, and binds root too. Its ``cgroup.procs`` also lists every
process a kernel left behind, which reparenting hides from a walk of the process tree.

Used where it can be: the cgroup v1 pids hierarchy (``/sys/fs/cgroup/pids``), or a cgroup v2 hierarchy
whose pids controller is enabled for children (``cgroup.subtree_control``), in both cases writable by us
(root, or a delegated subtree: set ``SCIWAND_PIDS_CGROUP`` to its directory). Otherwise ``available()``
is None and ``kernels.launch`` falls back to RLIMIT_NPROC.

The kernel creates and joins its own cgroup (``join``) before ipykernel starts, named after its pid, so
the session can find it from the pid alone (``kernel_cgroup``) and empty and remove it (``remove``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

_V1_ROOT = Path("/sys/fs/cgroup/pids")
_V2_ROOT = Path("/sys/fs/cgroup")
_PREFIX = "sciwand-kernel-"


def _own_path(version: str) -> str:
    """This process's cgroup path within hierarchy ``version`` ("pids" for v1, "" for v2), or "/"."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return "/"
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if (version == "" and controllers == "") or version in controllers.split(","):
            return path or "/"
    return "/"


def _writable_dir(path: Path) -> bool:
    return path.is_dir() and os.access(path, os.W_OK)


def available() -> Path | None:
    """The directory kernels' pids cgroups are made in, or None when no writable pids cgroup exists."""
    explicit = os.environ.get("SCIWAND_PIDS_CGROUP")
    if explicit:
        return Path(explicit) if _writable_dir(Path(explicit)) else None
    if (_V1_ROOT / "cgroup.procs").exists():
        # Nested under our own cgroup, so limits set on us still bind the kernel; the mount root otherwise.
        own = _V1_ROOT / _own_path("pids").lstrip("/")
        for base in (own, _V1_ROOT):
            if _writable_dir(base):
                return base
        return None
    controls = _V2_ROOT / "cgroup.subtree_control"
    with contextlib.suppress(OSError):
        if "pids" in controls.read_text().split() and _writable_dir(_V2_ROOT):
            return _V2_ROOT
    return None


def kernel_cgroup(pid: int, base: Path | None = None) -> Path | None:
    """Where the kernel with ``pid`` keeps its pids cgroup (whether or not it exists yet)."""
    base = base or available()
    return base / f"{_PREFIX}{pid}" if base is not None else None


def join(max_tasks: int) -> Path | None:
    """Put this process in a new pids cgroup allowing ``max_tasks`` tasks; its path, or None if impossible."""
    path = kernel_cgroup(os.getpid())
    if path is None:
        return None
    _sweep(path.parent)
    try:
        path.mkdir(exist_ok=True)  # exists: a stale one of a dead process with our pid; reuse it
        (path / "pids.max").write_text(str(max_tasks))
        (path / "cgroup.procs").write_text(str(os.getpid()))
    except OSError:
        with contextlib.suppress(OSError):
            path.rmdir()
        return None
    return path


def _sweep(base: Path) -> None:
    """Remove the empty cgroups of kernels that are gone without a ``remove`` (killed owners, zygote stops).

    rmdir only succeeds on an empty cgroup, so a live kernel's is never touched.
    """
    with contextlib.suppress(OSError):
        for stale in base.glob(f"{_PREFIX}*"):
            pid = stale.name.removeprefix(_PREFIX)
            if pid.isdigit() and not Path(f"/proc/{pid}").exists():
                with contextlib.suppress(OSError):
                    stale.rmdir()


def members(path: Path) -> list[int]:
    """The pids of the processes in cgroup ``path`` (none if it is gone)."""
    try:
        return [int(pid) for pid in (path / "cgroup.procs").read_text().split()]
    except (OSError, ValueError):
        return []


def remove(path: Path | None, timeout: float = 5.0) -> bool:
    """Kill every process in cgroup ``path``, then remove it; whether it is gone."""
    if path is None or not path.is_dir():
        return True
    deadline = time.monotonic() + timeout
    kill_all_except(path, keep=0, timeout=timeout)
    while True:
        try:
            path.rmdir()
            return True
        except FileNotFoundError:
            return True
        except OSError:  # EBUSY while a killed process is still leaving
            if time.monotonic() > deadline:
                return False
        time.sleep(0.01)


def limit_hits(path: Path | None) -> int:
    """How many times a fork or thread start in cgroup ``path`` failed at pids.max (0 without one)."""
    if path is None:
        return 0
    try:
        for line in (path / "pids.events").read_text().splitlines():
            key, _, value = line.partition(" ")
            if key == "max":
                return int(value)
    except (OSError, ValueError):
        pass
    return 0


def kill_all_except(path: Path, keep: int, timeout: float = 5.0) -> int:
    """SIGKILL every process of cgroup ``path`` but ``keep`` until none is left; how many were killed.

    A fork bomb's processes may fork between our reading the list and our kill, so repeat until empty:
    with pids.max they are finitely many, and a killed process forks no more.
    """
    killed: set[int] = set()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        others = [pid for pid in members(path) if pid != keep]
        if not others:
            break
        for pid in others:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        killed.update(others)
        time.sleep(0.01)
    return len(killed)
