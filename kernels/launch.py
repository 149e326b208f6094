"""Kernel entry point that applies resource limits before ipykernel starts.

Limits set here bind the kernel and everything it spawns, and cannot be raised by generated code.
Run as ``python -m kernels.launch [--memory-bytes N] [--file-bytes N] [--max-processes N]
[--output-limit-chars N] -f CONNECTION_FILE``.
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import sys

from kernels import cgroup, outstream


def apply_memory_limit(limit_bytes: int) -> None:
    """Cap the address space so a runaway allocation raises MemoryError instead of swapping the machine."""
    resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))


def apply_file_size_limit(limit_bytes: int) -> None:
    """Cap the size of any file the kernel writes, so a runaway writer cannot fill the disk.

    Past the limit the OS sends SIGXFSZ, whose default action kills the process; ignored, the write fails
    instead with ``OSError: [Errno 27] File too large`` in the cell, and the kernel lives on. Both the limit
    and the ignored signal are inherited by subprocesses.
    """
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))


def apply_process_limit(max_tasks: int) -> str:
    """Bound the kernel's processes and threads; which mechanism took ("cgroup" or "rlimit").

    Preferred: a pids cgroup of its own (``kernels.cgroup``), exact and binding root. Fallback:
    RLIMIT_NPROC, which only binds non-root users and counts *all* of the user's tasks, so it is set to
    the tasks the user runs now plus ``max_tasks``: a bomb stops there, other work of the user goes on.
    """
    if cgroup.join(max_tasks) is not None:
        return "cgroup"
    limit = _user_tasks(os.getuid()) + max_tasks
    hard = resource.getrlimit(resource.RLIMIT_NPROC)[1]
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_NPROC, (limit, limit))
    return "rlimit"


def _user_tasks(uid: int) -> int:
    """Tasks (threads count, as for RLIMIT_NPROC) of user ``uid`` now."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid == uid:
                total += len(os.listdir(f"/proc/{entry.name}/task"))
        except OSError:
            continue  # ended meanwhile
    return total


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="kernels.launch")
    parser.add_argument("--memory-bytes", type=int, default=0)
    parser.add_argument("--file-bytes", type=int, default=0)
    parser.add_argument("--max-processes", type=int, default=0)
    parser.add_argument("--output-limit-chars", type=int, default=0)
    args, kernel_args = parser.parse_known_args(argv)
    if args.memory_bytes > 0:
        apply_memory_limit(args.memory_bytes)
    if args.file_bytes > 0:
        apply_file_size_limit(args.file_bytes)
    if args.max_processes > 0:
        apply_process_limit(args.max_processes)
    from ipykernel import kernelapp

    # Output past the cap is dropped in the kernel, before it costs memory on either side (kernels/outstream.py).
    outstream.BoundedOutStream.limit_chars = max(args.output_limit_chars, 0)
    sys.argv = [sys.argv[0], "--IPKernelApp.outstream_class=kernels.outstream.BoundedOutStream", *kernel_args]
    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main()
