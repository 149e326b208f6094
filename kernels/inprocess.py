"""Running code in the IPython shell that hosts the caller: the user's own kernel, for the notebook magics.

Code goes through ``shell.run_cell`` so ``_``, ``Out``, history, display hooks and the inline matplotlib
backend behave as in a cell the user typed. Everything the cell shows still reaches the user live; a copy
of it, capped like a kernel session's, comes back as an ``ExecutionResult``.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kernels.output_collector import OUTPUT_LIMIT_CHARS, OutputCollector
from kernels.result import ExecutionResult, Status


class StepTimeout(KeyboardInterrupt):
    """Raised in a step that ran past its time limit; a KeyboardInterrupt, as a kernel interrupt would be."""


class _Tee:
    """A stream that writes through to the real one and keeps a copy for the collector."""

    def __init__(self, stream: Any, name: str, collector: OutputCollector) -> None:
        self._stream = stream
        self._name = name
        self._collector = collector

    def write(self, text: str) -> int:
        if text:
            self._collector.add(_message("stream", name=self._name, text=text))
        return self._stream.write(text)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._stream, attribute)


def _message(kind: str, **content: Any) -> dict[str, Any]:
    return {"header": {"msg_type": kind}, "content": content}


class IPythonExecutor:
    """Executes code in ``shell`` (an ``InteractiveShell``), with a per-step time limit.

    A step the user stops (the notebook's stop button, Ctrl-C) raises ``KeyboardInterrupt`` after its
    output is shown, like ``KernelSession.execute``: the caller ends its loop.
    """

    def __init__(self, shell: Any, output_limit_chars: int = OUTPUT_LIMIT_CHARS) -> None:
        self.shell = shell
        self.output_limit_chars = output_limit_chars

    def execute(self, code: str, timeout: float | None = None) -> ExecutionResult:
        collector = OutputCollector(self.output_limit_chars)
        started = time.monotonic()
        with self._captured(collector), _time_limit(timeout):
            outcome = self.shell.run_cell(code, store_history=True)
        duration = time.monotonic() - started
        collector.execution_count = self.shell.execution_count - 1
        if outcome.result is not None:
            data, metadata = self.shell.display_formatter.format(outcome.result)
            collector.add(_message("execute_result", data=data, metadata=metadata))
        error = outcome.error_before_exec or outcome.error_in_exec
        if error is None:
            return collector.result(Status.OK, duration, "")
        if isinstance(error, StepTimeout):
            return collector.result(Status.TIMEOUT, duration, f"interrupted after the {timeout:g} s time limit")
        if isinstance(error, KeyboardInterrupt):
            raise KeyboardInterrupt from error
        return collector.result(Status.ERROR, duration, "")

    def evaluate(self, expression: str, timeout: float = 30.0) -> Any:
        """The value of ``expression`` in the user's namespace, as ``KernelSession.evaluate`` gives it: passed
        through JSON (so callers see the same types whichever executor they have), None if it raised, was
        not JSON-able or ran past ``timeout``. Silent: no history, no output, no display hooks."""
        try:
            with _time_limit(timeout):
                value = eval(expression, self.shell.user_global_ns, self.shell.user_ns)
            return json.loads(json.dumps(value))
        except (Exception, StepTimeout):
            return None

    def restart(self) -> None:
        """Nothing to do: the host kernel cannot restart itself, and a step never kills it and goes on."""

    @contextmanager
    def _captured(self, collector: OutputCollector) -> Iterator[None]:
        """Copy streams, displays and tracebacks into ``collector`` while they still reach the user."""
        shell = self.shell
        publish, show_traceback = shell.display_pub.publish, shell._showtraceback
        stdout, stderr = sys.stdout, sys.stderr

        def publish_copy(data: dict[str, Any], metadata: dict[str, Any] | None = None, **kwargs: Any) -> None:
            if not kwargs.get("update"):
                collector.add(_message("display_data", data=data, metadata=metadata or {}))
            publish(data, metadata, **kwargs)

        def show_traceback_copy(etype: type, evalue: BaseException, stb: list[str]) -> None:
            collector.add(_message("error", ename=etype.__name__, evalue=str(evalue), traceback=stb))
            show_traceback(etype, evalue, stb)

        shell.display_pub.publish, shell._showtraceback = publish_copy, show_traceback_copy
        sys.stdout, sys.stderr = _Tee(stdout, "stdout", collector), _Tee(stderr, "stderr", collector)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            sys.stdout, sys.stderr = stdout, stderr
            shell.display_pub.publish, shell._showtraceback = publish, show_traceback


@contextmanager
def _time_limit(timeout: float | None) -> Iterator[None]:
    """Raise ``StepTimeout`` in this thread after ``timeout`` seconds (POSIX main thread; else no limit)."""
    usable = timeout and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return
    armed = True

    def expire(signum: int, frame: Any) -> None:
        if armed:
            raise StepTimeout(f"the step ran past its {timeout:g} s limit")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        yield
    finally:
        armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
