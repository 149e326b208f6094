"""Kernel entry point that applies resource limits before ipykernel starts.

Limits set here bind the kernel and everything it spawns, and cannot be raised by generated code.
Run as ``python -m kernels.launch [--memory-bytes N] -f CONNECTION_FILE``.
"""

from __future__ import annotations

import argparse
import resource
import sys


def apply_memory_limit(limit_bytes: int) -> None:
    """Cap the address space so a runaway allocation raises MemoryError instead of swapping the machine."""
    resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="kernels.launch")
    parser.add_argument("--memory-bytes", type=int, default=0)
    args, kernel_args = parser.parse_known_args(argv)
    if args.memory_bytes > 0:
        apply_memory_limit(args.memory_bytes)
    from ipykernel import kernelapp

    sys.argv = [sys.argv[0], *kernel_args]
    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main()
