"""A process that imports ipykernel and the heavy libraries once, then forks a fresh kernel per request.

Starting a kernel from scratch costs ~0.8 s of interpreter and ipykernel start plus seconds of RDKit and
astropy imports. A fork of this process costs milliseconds and starts with all of that already in memory,
shared copy-on-write, yet every kernel is a new process: nothing of one task reaches the next.

Run as ``python -m kernels.zygote [--preload CODE]`` by ``kernels.forking.ForkServer``. Protocol, one JSON
object per line: the first line out is ``{"ready": true}`` (or ``{"ready": false, "error": ...}``); then
each request ``{"argv": [...], "cwd": ..., "env": {...}}`` (argv as for ``python -m kernels.launch``) is
answered with ``{"pid": N}``. When stdin closes (the client exited, however it died) every kernel forked
here is killed with its process group, so no kernel outlives the program that asked for it.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import signal
import sys
import traceback
from typing import Any

# Before anything imports matplotlib: the backend ipykernel would choose, read by matplotlib at import.
os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")


# ipykernel's modules, imported lazily by a starting kernel (the debugger alone is 0.2 s): import them here.
_KERNEL_MODULES = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.debugger",
    "ipykernel.heartbeat",
    "ipykernel.iostream",
    "ipykernel.comm",
    "ipykernel.displayhook",
    "jupyter_client.session",
    # ... and the modules its initialisation imports: a kernel's start is then mostly traitlets config.
    "faulthandler",
    "sqlite3",
    "pdb",
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.core.oinspect",
    "IPython.extensions.storemagic",
    "IPython.utils.wildcard",
    "tornado.platform.asyncio",
)


def _reply(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def _run_kernel(request: dict[str, Any]) -> None:
    """In the forked child: become an independent kernel process. Never returns."""
    code = 1
    try:
        os.setpgid(0, 0)  # its own process group: interrupts and kills reach it and its children only
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the kernel's own subprocesses must be waitable
        signal.signal(signal.SIGINT, signal.default_int_handler)
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        from kernels import launch

        launch.main(request["argv"])
        code = 0
    except BaseException:
        with contextlib.suppress(Exception), open(os.path.join(request["cwd"], ".kernel-crash.log"), "a") as log:
            log.write(traceback.format_exc())
    finally:
        os._exit(code)


def _kill_groups(pids: set[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="kernels.zygote")
    parser.add_argument("--preload", default="", help="Python run once here, e.g. imports every kernel needs")
    args = parser.parse_args(argv)
    try:
        for module in _KERNEL_MODULES:
            importlib.import_module(module)
        exec(compile(args.preload, "<preload>", "exec"), {"__name__": "__preload__"})
    except BaseException as exc:
        _reply({"ready": False, "error": f"{type(exc).__name__}: {exc}"})
        return
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the system reaps dead kernels: no zombies
    _reply({"ready": True})
    children: set[int] = set()
    try:
        for line in sys.stdin:
            request = json.loads(line)
            pid = os.fork()
            if pid == 0:
                _run_kernel(request)
            children.add(pid)
            _reply({"pid": pid})
    finally:
        _kill_groups(children)
        sys.stdout.flush()
        os._exit(0)  # not the interpreter's teardown of every preloaded library: a second, for nothing


if __name__ == "__main__":
    main()
