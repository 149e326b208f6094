"""A blocking facade over AsyncKernelSession for scripts, the CLI and tests.

The async session lives on a private event loop in a daemon thread, so the facade also works when the
caller's thread already runs a loop (IPython, Jupyter).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from jupyter_client.manager import AsyncKernelManager

from kernels.result import ExecutionResult
from kernels.session import AsyncKernelSession, KernelConfig

if TYPE_CHECKING:
    from kernels.remote import RemoteKernelManager

T = TypeVar("T")


class KernelSession:
    def __init__(self, config: KernelConfig | None = None, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """Kernel I/O runs on ``loop`` when given (someone else's, such as a Jupyter server's), else on a
        thread of this session's own."""
        self._thread: threading.Thread | None = None
        if loop is None:
            loop = asyncio.new_event_loop()
            self._thread = threading.Thread(target=loop.run_forever, name="sciwand-kernel-io", daemon=True)
            self._thread.start()
        self._loop = loop
        self.session = AsyncKernelSession(config)

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The event loop the kernel's I/O runs on: code on that loop awaits ``self.session`` directly."""
        return self._loop

    @property
    def config(self) -> KernelConfig:
        """What the kernel was started with: its limits, working directory and output cap."""
        return self.session.config

    @classmethod
    def attach(
        cls,
        manager: AsyncKernelManager | RemoteKernelManager,
        loop: asyncio.AbstractEventLoop | None = None,
        config: KernelConfig | None = None,
    ) -> KernelSession:
        """Blocking calls on the kernel of ``manager``: from another thread when it runs on ``loop`` (a Jupyter
        server's own manager), else on this session's I/O thread (a manager bound to no loop: a remote one)."""
        self = cls(config, loop)
        try:
            self._run(self.session.attach(manager))
        except BaseException:
            self.shutdown()  # the manager's restarter back, this session's thread stopped
            raise
        return self

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return future.result()
        except KeyboardInterrupt:
            # Ctrl-C reaches this thread, not the I/O thread: pass it on to the kernel, let the
            # request finish cleanly, then let the caller see the interrupt.
            asyncio.run_coroutine_threadsafe(self.session.interrupt(), self._loop).result()
            future.result()
            raise

    def start(self) -> KernelSession:
        self._run(self.session.start())
        return self

    def execute(self, code: str, timeout: float | None = 60.0) -> ExecutionResult:
        return self._run(self.session.execute(code, timeout))

    def evaluate(self, expression: str, timeout: float = 30.0) -> Any:
        return self._run(self.session.evaluate(expression, timeout))

    def is_alive(self) -> bool:
        return self._run(self.session.is_alive())

    def interrupt(self) -> None:
        self._run(self.session.interrupt())

    def restart(self) -> None:
        self._run(self.session.restart())

    @property
    def pid(self) -> int | None:
        return self.session.pid

    @property
    def restarts(self) -> int:
        return self.session.restarts

    def exit_cause(self) -> str:
        return self.session.exit_cause()

    def shutdown(self) -> None:
        """Stop the kernel and the I/O thread; safe to call twice."""
        if self._loop.is_closed():
            return
        if self._thread is None:  # attached on someone else's loop: disconnect, leave their loop alone
            self._run(self.session.shutdown())
            return
        try:
            self._run(self.session.shutdown())
        finally:
            # A call still pending on another thread (an execute the kernel died under) must end, not hang.
            self._run(_cancel_other_tasks())
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
            self._loop.close()

    def __enter__(self) -> KernelSession:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.shutdown()


async def _cancel_other_tasks() -> None:
    current = asyncio.current_task()
    pending = [task for task in asyncio.all_tasks() if task is not current]
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
