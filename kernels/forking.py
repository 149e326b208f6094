"""Kernels forked from a warm zygote (``kernels/zygote.py``), plugged into jupyter_client as a provisioner.

jupyter_client's ``KernelManager`` launches, signals, restarts and kills kernels through its provisioner;
``ForkProvisioner`` does the launch by asking the zygote to fork, so everything else (the session, its
timeouts and restarts) works unchanged, and a restart costs a fork instead of a cold start.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import psutil
from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.provisioning.local_provisioner import LocalProvisioner
from traitlets import Any as AnyTrait

from kernels.environment import kernel_environment


class ForkServerError(RuntimeError):
    """The zygote could not start, or died; the message says why."""


class ForkServer:
    """A running zygote; ``spawn`` forks one kernel process from it. Thread-safe."""

    def __init__(self, preload: str = "", env: dict[str, str] | None = None) -> None:
        self.preload = preload
        self.env = kernel_environment() if env is None else env
        self._process: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()

    def start(self) -> ForkServer:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "kernels.zygote", "--preload", self.preload],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=self.env,
            text=True,
        )
        greeting = self._read()
        if not greeting.get("ready"):
            self.stop()
            raise ForkServerError(f"the kernel zygote could not start: {greeting.get('error', 'no reason given')}")
        return self

    def _read(self) -> dict[str, Any]:
        assert self._process is not None and self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            raise ForkServerError(f"the kernel zygote exited (status {self._process.wait()})")
        return json.loads(line)

    def spawn(self, argv: list[str], cwd: str, env: dict[str, str]) -> int:
        """Fork a kernel running ``python -m kernels.launch ARGV`` in ``cwd`` with ``env``; its pid."""
        with self._lock:
            if self._process is None or self._process.poll() is not None:
                raise ForkServerError("the kernel zygote is not running")
            assert self._process.stdin is not None
            try:
                self._process.stdin.write(json.dumps({"argv": argv, "cwd": cwd, "env": env}) + "\n")
                self._process.stdin.flush()
            except BrokenPipeError:
                raise ForkServerError("the kernel zygote exited") from None
            return int(self._read()["pid"])

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def stop(self) -> None:
        """Close the zygote's stdin: it kills every kernel it forked, then exits."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


class _ForkedProcess:
    """The ``Popen`` surface LocalProvisioner uses, for a kernel that is the zygote's child, not ours."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        try:
            self._process: psutil.Process | None = psutil.Process(pid)
        except psutil.NoSuchProcess:
            self._process = None

    def poll(self) -> int | None:
        process = self._process
        if process is None:
            return 0
        try:
            alive = process.is_running() and process.status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            alive = False
        return None if alive else 0

    def wait(self, timeout: float | None = None) -> int:
        if self._process is not None:
            psutil.wait_procs([self._process], timeout=timeout)
        return 0

    def send_signal(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):  # already gone: as Popen, nothing to do
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class ForkProvisioner(LocalProvisioner):
    """Launches by forking the zygote; signals, waits and kills go to the forked process group."""

    fork_server = AnyTrait()

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        # cmd is ``python -m kernels.launch ARGS``: the zygote's child runs ``kernels.launch.main(ARGS)``.
        module_at = cmd.index("-m")
        cwd = str(kwargs.get("cwd") or Path.cwd())
        env = dict(kwargs.get("env") or {})
        pid = self.fork_server.spawn(cmd[module_at + 2 :], cwd, env)
        self.process = _ForkedProcess(pid)
        self.pid = self.pgid = pid
        self.cwd = cwd
        return self.connection_info
