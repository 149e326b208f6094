"""A persistent ipykernel over jupyter_client's async API: execute with a deadline, survive hangs and deaths."""

from __future__ import annotations

import ast
import asyncio
import contextlib
import json
import os
import queue
import shutil
import signal
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psutil
from jupyter_client.asynchronous.client import AsyncKernelClient
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager

from kernels import cgroup
from kernels.environment import kernel_environment
from kernels.forking import ForkProvisioner, ForkServer
from kernels.output_collector import OUTPUT_LIMIT_CHARS, OutputCollector
from kernels.result import ExecutionResult, Status

if TYPE_CHECKING:
    from kernels.remote import RemoteKernelClient, RemoteKernelManager

# How often a waiting execute checks that the kernel process still lives.
_LIVENESS_POLL_S = 0.25
_DIED_BEFORE = "The kernel process had died before this code ran; its state is lost until it is restarted."

# Run silently in the kernel: wait for its killed children {pids} (2 s at most), so they free their pids.
_REAP_CHILDREN = """
def _sciwand_reap(pids, deadline):
    import os, time
    while pids and time.monotonic() < deadline:
        for pid in list(pids):
            try:
                if os.waitpid(pid, os.WNOHANG)[0]:
                    pids.remove(pid)
            except ChildProcessError:
                pids.remove(pid)
        time.sleep(0.01)
_sciwand_reap(set({pids!r}), __import__("time").monotonic() + 2)
del _sciwand_reap
"""


@dataclass
class KernelConfig:
    """How a kernel is started and bounded."""

    cwd: Path = field(default_factory=Path.cwd)
    env: dict[str, str] | None = None  # None: the filtered parent environment
    # Limits on what generated code can do; 0 turns one off. They bound accidents, they are no sandbox:
    # docs/limits.md. Defaults suit a 2-core 24 GiB machine running a few kernels.
    # Address space (RLIMIT_AS): a bigger allocation raises MemoryError in the cell; the kernel lives.
    memory_limit_bytes: int = 8 * 1024**3
    # Size of any one file written (RLIMIT_FSIZE): a write past it raises OSError [Errno 27] File too large.
    max_file_bytes: int = 4 * 1024**3
    # Tasks (processes and threads) of the kernel and its descendants, in a pids cgroup of its own when one
    # is writable (kernels/cgroup.py), else RLIMIT_NPROC (binds non-root users only): fork, thread start or
    # subprocess past it raises BlockingIOError / OSError [Errno 11] Resource temporarily unavailable.
    max_processes: int = 256
    # Output kept per cell; the rest is counted, dropped, and reported by a "[... N characters of output
    # dropped ...]" line. Printed text past it is dropped in the kernel (kernels/outstream.py), so even a
    # 200 MB print costs neither process memory; a rich display past it passes the client once, then is dropped.
    output_limit_chars: int = OUTPUT_LIMIT_CHARS
    interrupt_grace_s: float = 2.0  # after a timeout, how long an interrupt gets before a restart
    startup_timeout_s: float = 60.0
    fork_server: ForkServer | None = None  # fork kernels from this warm zygote instead of starting them cold


class _LimitedKernelManager(AsyncKernelManager):
    """A kernel manager whose spec starts ipykernel through ``kernels.launch`` with our limits."""

    def __init__(self, spec: KernelSpec, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._limited_spec = spec

    @property
    def kernel_spec(self) -> KernelSpec:
        return self._limited_spec


def _kernel_spec(config: KernelConfig) -> KernelSpec:
    argv = [sys.executable, "-m", "kernels.launch"]
    if config.memory_limit_bytes:
        argv += ["--memory-bytes", str(config.memory_limit_bytes)]
    if config.max_file_bytes:
        argv += ["--file-bytes", str(config.max_file_bytes)]
    if config.max_processes:
        argv += ["--max-processes", str(config.max_processes)]
    if config.output_limit_chars:
        argv += ["--output-limit-chars", str(config.output_limit_chars)]
    # History in memory: concurrent kernels would contend for one sqlite file, and the transcript is the record.
    argv += ["--HistoryManager.hist_file=:memory:", "-f", "{connection_file}"]
    return KernelSpec(argv=argv, display_name="sciwand (limited python)", language="python")


class AsyncKernelSession:
    """One ipykernel process and a client to it. Not safe for concurrent ``execute`` calls.

    Either it starts and owns its kernel (``start``), or it attaches to a kernel someone else manages,
    such as a Jupyter server's (``attach``): then ``shutdown`` only disconnects, and the kernel lives on.
    """

    def __init__(self, config: KernelConfig | None = None) -> None:
        self.config = config or KernelConfig()
        self._manager: AsyncKernelManager | RemoteKernelManager | None = None
        self._client: AsyncKernelClient | RemoteKernelClient | None = None
        self._ipc_dir: Path | None = None
        self._owned = True
        self._lent_autorestart = False  # an attached kernel's manager restarts it on death; we do, meanwhile
        self.restarts = 0  # how many times the kernel was replaced: its state is gone each time
        # Called with each iopub message of a running ``execute`` as it arrives (on the I/O loop): live outputs.
        self.on_message: Callable[[dict[str, Any]], None] | None = None

    async def attach(self, manager: AsyncKernelManager | RemoteKernelManager) -> None:
        """Use the running kernel of ``manager``: the server's kernel manager for one kernel id, in the server's
        process, or (kernels/remote.py) a kernel of a server reached over HTTP."""
        self._manager, self._owned = manager, False
        if manager.autorestart:
            # The manager's restarter would race this session to a crash: its restart leaves a pending
            # execute waiting for a reply from a kernel that never saw the request. While attached, a death
            # is this session's to report and recover; the restarter is back on detach.
            manager.stop_restarter()
            manager.autorestart, self._lent_autorestart = False, True
        await self._connect()

    # -- lifecycle -------------------------------------------------------------------------
    async def start(self) -> None:
        config = self.config
        config.cwd.mkdir(parents=True, exist_ok=True)
        env = kernel_environment() if config.env is None else dict(config.env)
        # IPC sockets: no TCP port is open to other users of the machine, and latency is lower.
        self._ipc_dir = Path(tempfile.mkdtemp(prefix="sciwand-kernel-"))
        spec = _kernel_spec(config)
        self._manager = _LimitedKernelManager(spec, transport="ipc", ip=str(self._ipc_dir / "kernel"))
        if config.fork_server is not None:
            self._manager.kernel_id = str(uuid.uuid4())
            self._manager.provisioner = ForkProvisioner(
                kernel_id=self._manager.kernel_id,
                kernel_spec=spec,
                parent=self._manager,
                fork_server=config.fork_server,
            )
        await self._manager.start_kernel(cwd=str(config.cwd), env=env)
        await self._connect()

    async def _connect(self) -> None:
        assert self._manager is not None
        if self._client is not None:
            self._client.stop_channels()
        if isinstance(self._manager, AsyncKernelManager) and not self._owned:
            # Another client in this process (the panel, the Jupyter AI persona) may be attached to the same
            # kernel: with the manager's Session both have one ZeroMQ identity, and the kernel's replies reach
            # only one of them. A Session of our own (same key, new id) is a socket identity of our own.
            session = self._manager.session.clone()
            session.session = str(uuid.uuid4())
            self._client = self._manager.client(session=session)
        else:
            self._client = self._manager.client()
        self._client.start_channels(hb=False)  # liveness is the process's (is_alive), not a heartbeat thread
        await self._wait_until_ready()

    async def _wait_until_ready(self) -> None:
        """Until a kernel_info request is answered on shell and its status seen on iopub.

        jupyter_client's ``wait_for_ready`` does the same, then waits for 0.2 s of silence on iopub, which is
        most of a forked kernel's start. Stray iopub messages are harmless here: ``execute`` filters by parent.
        """
        client = self._client
        assert client is not None and self._manager is not None
        deadline = time.monotonic() + self.config.startup_timeout_s
        msg_id = client.kernel_info()
        while True:
            reply = await self._read_reply(msg_id)
            if reply is not None and await self._iopub_answers(msg_id):
                return
            if not await self._manager.is_alive():
                raise RuntimeError("the kernel died while starting")
            if reply is None and self._busy_elsewhere():
                continue  # the request waits behind another client's cell, however long that runs
            if time.monotonic() >= deadline:
                raise RuntimeError(f"the kernel did not answer within {self.config.startup_timeout_s:g} s")
            msg_id = client.kernel_info()

    def _busy_elsewhere(self) -> bool:
        """Whether an attached kernel runs another client's request (a notebook cell), as its manager last heard:
        a jupyter_server kernel manager follows the kernel's status."""
        return not self._owned and getattr(self._manager, "execution_state", None) == "busy"

    async def _iopub_answers(self, msg_id: str) -> bool:
        """Whether iopub is subscribed: it carries a message of request ``msg_id``, or the kernel's welcome."""
        assert self._client is not None
        while True:
            try:
                msg = await self._client.get_iopub_msg(timeout=0.25)
            except queue.Empty:
                return False  # not subscribed yet: ask again
            if msg["parent_header"].get("msg_id") == msg_id or msg["msg_type"] == "iopub_welcome":
                return True

    @property
    def pid(self) -> int | None:
        provisioner = self._manager.provisioner if self._manager else None
        process = getattr(provisioner, "process", None)
        return process.pid if process is not None else None

    def exit_cause(self) -> str:
        """How the kernel process ended, when the OS told us ("killed by SIGSEGV", "exit status 3"), else ""."""
        provisioner = self._manager.provisioner if self._manager else None
        code = getattr(getattr(provisioner, "process", None), "returncode", None)
        if not isinstance(code, int):
            return ""
        if code < 0:
            with contextlib.suppress(ValueError):
                return f"killed by {signal.Signals(-code).name}"
            return f"killed by signal {-code}"
        return f"exit status {code}"

    async def is_alive(self) -> bool:
        return self._manager is not None and await self._manager.is_alive()

    async def interrupt(self) -> None:
        if self._manager is not None:
            await self._manager.interrupt_kernel()

    async def restart(self) -> None:
        """A fresh kernel in the same place; all state is lost."""
        assert self._manager is not None, "session not started"
        survivors, old_cgroup = self._descendants(), self._cgroup()
        await self._manager.restart_kernel(now=True)
        self.restarts += 1
        _kill(survivors)
        await asyncio.to_thread(cgroup.remove, old_cgroup)  # what reparenting hid from _descendants
        await self._connect()

    async def shutdown(self) -> None:
        """Stop the kernel and everything it started (an attached one: only disconnect from it)."""
        if self._manager is None:
            return
        if not self._owned:
            manager, client, self._manager, self._client = self._manager, self._client, None, None
            if client is not None:
                client.stop_channels()
            if self._lent_autorestart:
                manager.autorestart = True
                manager.start_restarter()
            return
        survivors, kernel_cgroup = self._descendants(), self._cgroup()
        client, self._client = self._client, None  # a pending execute sees this and reports the kernel gone
        if client is not None:
            client.stop_channels()
        try:
            await self._manager.shutdown_kernel(now=True)
        finally:
            _kill(survivors)
            await asyncio.to_thread(cgroup.remove, kernel_cgroup)
            if self._ipc_dir is not None:
                shutil.rmtree(self._ipc_dir, ignore_errors=True)
            self._manager = self._client = self._ipc_dir = None

    def _cgroup(self) -> Path | None:
        """The kernel's own pids cgroup (kernels/cgroup.py), if it made one."""
        pid = self.pid
        if pid is None or not self.config.max_processes:
            return None
        return cgroup.kernel_cgroup(pid)

    def _descendants(self) -> list[psutil.Process]:
        pid = self.pid
        if pid is None:
            return []
        try:
            parent = psutil.Process(pid)
            return [parent, *parent.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    # -- execution -------------------------------------------------------------------------
    async def execute(self, code: str, timeout: float | None = 60.0) -> ExecutionResult:
        """Run ``code``; never raises for what the code does, only reports it."""
        client = self._client
        assert client is not None, "session not started"
        if not await self.is_alive():
            # Dead since the last request. A Jupyter server may have replaced it with an empty kernel already
            # (kernels/remote.py), where the code would run without the state it relies on: report the death.
            return ExecutionResult(Status.DIED, note=_DIED_BEFORE)
        started = time.monotonic()
        deadline = None if timeout is None else started + timeout
        limit_hits = cgroup.limit_hits(self._cgroup())
        msg_id = client.execute(code, store_history=True, allow_stdin=False, stop_on_error=False)
        collector = OutputCollector(self.config.output_limit_chars)

        status = await self._collect_until_idle(msg_id, collector, deadline)
        note = ""
        if status is Status.TIMEOUT:
            note = await self._recover_from_timeout(msg_id, collector, timeout or 0.0)
        elif status is Status.DIED:
            note = "The kernel process died while running this code; its state is lost until it is restarted."
        elif status is Status.OK:
            await self._read_reply(msg_id)
            if collector.error is not None:
                status = Status.ERROR
        if status is not Status.DIED and cgroup.limit_hits(self._cgroup()) > limit_hits:
            note = " ".join(filter(None, [note, await self._free_process_slots()]))
        return collector.result(status, time.monotonic() - started, note)

    async def evaluate(self, expression: str, timeout: float = 30.0) -> Any:
        """The value of ``expression`` (JSON-able) in the kernel; None if it raised. Silent: nothing enters
        the kernel's history, its outputs or its cell hooks, so the notebook's counters do not move."""
        client = self._client
        assert client is not None, "session not started"
        wrapped = f"__import__('json').dumps({expression})"
        msg_id = client.execute("", silent=True, store_history=False, user_expressions={"value": wrapped})
        reply = await self._read_reply(msg_id, timeout)
        value = reply["content"].get("user_expressions", {}).get("value", {}) if reply else {}
        if value.get("status") != "ok":
            return None
        return json.loads(ast.literal_eval(value["data"]["text/plain"]))

    async def _free_process_slots(self) -> str:
        """After a cell hit the process limit: kill what it left running (a fork bomb's copies of the kernel
        would hold every slot for good), and reap the kernel's dead children, which hold slots until waited."""
        path, pid = self._cgroup(), self.pid
        assert path is not None and pid is not None
        killed = await asyncio.to_thread(cgroup.kill_all_except, path, pid)
        try:
            dead = [child.pid for child in psutil.Process(pid).children()]
        except psutil.NoSuchProcess:
            dead = []
        if dead and self._client is not None:
            reap = _REAP_CHILDREN.format(pids=dead)
            await self._read_reply(self._client.execute(reap, silent=True, store_history=False))
        return (
            f"The code reached the limit of {self.config.max_processes} processes and threads; the {killed} "
            "processes it left were killed. The kernel and its variables are intact."
        )

    async def _collect_until_idle(self, msg_id: str, collector: OutputCollector, deadline: float | None) -> Status:
        """Route this request's iopub messages into ``collector`` until the kernel goes idle."""
        client, manager = self._client, self._manager
        assert client is not None and manager is not None
        while True:
            wait = _LIVENESS_POLL_S
            if deadline is not None:
                wait = min(wait, deadline - time.monotonic())
                if wait <= 0:
                    return Status.TIMEOUT
            try:
                msg = await client.get_iopub_msg(timeout=wait)
            except queue.Empty:
                if not await manager.is_alive():
                    return Status.DIED
                continue
            except Exception:
                if self._client is client:
                    raise
                return Status.DIED  # shut down from another thread: its channels closed under this wait
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if self.on_message is not None:
                self.on_message(msg)
            if collector.add(msg):
                return Status.OK

    async def _recover_from_timeout(self, msg_id: str, collector: OutputCollector, timeout: float) -> str:
        await self.interrupt()
        grace = time.monotonic() + self.config.interrupt_grace_s
        if await self._collect_until_idle(msg_id, collector, grace) is Status.OK:
            await self._read_reply(msg_id)
            return f"Stopped after the {timeout:g} s time limit; the kernel and its variables are intact."
        await self.restart()
        return (
            f"Stopped after the {timeout:g} s time limit; the interrupt did not take, so the kernel was "
            "restarted and its variables are lost."
        )

    async def _read_reply(self, msg_id: str, timeout: float = 1.0) -> dict[str, Any] | None:
        """Consume the shell reply of ``msg_id`` (it precedes idle in practice), dropping stale ones."""
        client = self._client
        assert client is not None
        while True:
            try:
                reply = await client.get_shell_msg(timeout=timeout)
            except queue.Empty:
                return None
            if reply["parent_header"].get("msg_id") == msg_id:
                return reply


def _kill(processes: list[psutil.Process]) -> None:
    for process in processes:
        try:
            if process.is_running() and process.pid != os.getpid():
                process.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(processes, timeout=3)
