"""A pool of ready kernels: forked from a warm zygote, started ahead of need, each used by one task only.

``acquire`` hands out a kernel that is already running with the preloaded modules in memory, so a task's
first cell runs in milliseconds. A kernel is never handed out twice: ``release`` shuts it down and the pool
forks a replacement in the background, so no task ever sees another's variables, files or imports.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import queue
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from kernels.forking import ForkServer
from kernels.session import KernelConfig
from kernels.sync import KernelSession

# Ready kernels to keep per worker. A kernel's start is ~0.1 s of CPU in ~0.2 s of wall time, so with one
# per worker a stream of short tasks waits on starts; with two, the starts overlap the tasks.
READY_PER_WORKER = 2


class PoolClosed(RuntimeError):
    """The pool was shut down while a kernel was being asked for."""


class KernelPool:
    """``size`` kernels kept ready; ``config`` bounds each (memory, output, cwd for idle kernels).

    ``preload`` runs once in the zygote (typically imports), so every kernel starts with those modules
    loaded; the names still have to be imported in the kernel, which then costs microseconds.
    """

    def __init__(self, size: int = 2, config: KernelConfig | None = None, preload: str = "") -> None:
        if size < 1:
            raise ValueError(f"a kernel pool needs at least one kernel, got {size}")
        self.size = size
        self.preload = preload
        self.config = config or KernelConfig()
        self._ready: queue.Queue[KernelSession | Future[KernelSession]] = queue.Queue()
        # Forks and shutdowns on separate threads, so a kernel being torn down never delays the next one.
        self._starter = ThreadPoolExecutor(max_workers=size, thread_name_prefix="sciwand-pool-start")
        self._stopper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sciwand-pool-stop")
        self._fork_server: ForkServer | None = None
        self._closed = threading.Event()
        self._lock = threading.Lock()
        self._live: set[KernelSession] = set()  # every kernel the pool started and has not shut down

    def start(self) -> KernelPool:
        """Start the zygote (seconds: it runs ``preload``) and begin forking ``size`` kernels."""
        self._fork_server = ForkServer(self.preload, env=self.config.env).start()
        for _ in range(self.size):
            self._refill()
        atexit.register(self.shutdown)
        return self

    def _refill(self) -> None:
        if not self._closed.is_set():
            self._ready.put(self._starter.submit(self._start_kernel))

    def _start_kernel(self) -> KernelSession:
        config = replace(self.config, fork_server=self._fork_server)
        config.cwd.mkdir(parents=True, exist_ok=True)
        kernel = KernelSession(config)
        with self._lock:
            self._live.add(kernel)
        try:
            return kernel.start()
        except BaseException:
            self._discard(kernel)
            raise

    def acquire(self, cwd: Path | None = None, timeout: float | None = 120.0) -> KernelSession:
        """A ready kernel of its own for the caller, working in ``cwd``; a replacement starts at once."""
        while True:
            if self._closed.is_set():
                raise PoolClosed("the kernel pool is shut down")
            try:
                item = self._ready.get(timeout=timeout)
            except queue.Empty:
                raise TimeoutError(f"no kernel became ready within {timeout} s") from None
            self._refill()
            try:
                kernel = item.result(timeout=timeout) if isinstance(item, Future) else item
            except Exception:
                if self._closed.is_set():
                    raise PoolClosed("the kernel pool is shut down") from None
                raise
            if kernel.is_alive():
                break
            self._discard(kernel)  # died while waiting (killed from outside, out of memory): take the next
        if cwd is not None:
            cwd.mkdir(parents=True, exist_ok=True)
            kernel.execute(f"import os as _os; _os.chdir({os.fspath(cwd)!r}); del _os", timeout=30)
        return kernel

    def release(self, kernel: KernelSession) -> None:
        """Give back a kernel: it is shut down (never reused), in the background."""
        try:
            self._stopper.submit(self._discard, kernel)
        except RuntimeError:  # the pool is shutting down: do it here
            self._discard(kernel)

    def _discard(self, kernel: KernelSession) -> None:
        with contextlib.suppress(Exception):
            kernel.shutdown()
        with self._lock:
            self._live.discard(kernel)

    def wait_until_full(self, timeout: float | None = 120.0) -> None:
        """Block until every kernel the pool is starting is ready (benchmarks; tests of a warm pool)."""
        with self._ready.mutex:
            starting = [item for item in self._ready.queue if isinstance(item, Future)]
        for item in starting:
            item.exception(timeout=timeout)

    @property
    def fork_server_pid(self) -> int | None:
        return self._fork_server.pid if self._fork_server is not None else None

    def shutdown(self) -> None:
        """Stop every kernel and the zygote; idempotent, also run at interpreter exit."""
        if self._closed.is_set():
            return
        self._closed.set()
        self._starter.shutdown(wait=True, cancel_futures=True)
        self._stopper.shutdown(wait=True)
        with self._lock:
            kernels = list(self._live)
        for kernel in kernels:
            self._discard(kernel)
        if self._fork_server is not None:
            self._fork_server.stop()  # also kills any kernel forked but never connected
        atexit.unregister(self.shutdown)

    def __enter__(self) -> KernelPool:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
