"""The MCP server's kernels: named sessions, each a limited kernel with crash replay and a live transcript.

An agent client names a session (``default`` when it does not care) and the kernel behind it keeps its
variables across calls. Each session is a ``KernelSession`` started with the settings' limits, wrapped by
``RecoveringKernel`` (a segfault or an out-of-memory kill is replayed from the journal), and recorded as a
notebook as it runs, so ``export_notebook`` hands over a file that re-runs. With ``--notebook``, the
``default`` session is instead the kernel of a notebook on a running Jupyter server (``attach.py``).

Calls may arrive concurrently for different sessions; one session runs one request at a time (its lock).
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from assistant.config import Settings, kernel_limits
from assistant.engine.events import Fanout, LoopEvents, Step
from assistant.engine.kernel_context import adopt_kernel_journal
from assistant.engine.loop import ChatSession
from assistant.engine.prompts import KERNEL_SETUP
from assistant.engine.sessions import kernel_executor
from assistant.errors import InputError
from assistant.mcp_server.transcript import LiveTranscript
from assistant.runs.notebook import save_notebook
from kernels import ExecutionResult, KernelConfig, KernelSession, Status
from kernels.recovery import RecoveringKernel

DEFAULT_SESSION = "default"
MAX_SESSIONS = 8  # kernels at once: each holds a Python with RDKit, Biopython and astropy (~300 MB)
_SESSION_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


@dataclass
class KernelEntry:
    """One named session: its kernel, the executor that recovers it, and the notebook it is recorded into."""

    name: str
    kernel: KernelSession
    executor: RecoveringKernel
    transcript: LiveTranscript
    release: Callable[[], None]  # shuts an owned kernel down; only detaches from a Jupyter server's
    # An attached notebook: the cell shown there; a notice when it could not be, and where it went instead.
    mirror: Callable[[str, ExecutionResult], str | None] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    chat: ChatSession | None = None  # ``ask``'s conversation, made on first use
    notices: list[str] = field(default_factory=list)  # the mirror's during an ``ask``, for its result

    def run(self, code: str, timeout: float | None) -> ExecutionResult:
        """Execute ``code`` (the caller holds ``lock``), record it, and show it in an attached notebook."""
        self.before_run()
        result = self.executor.execute(code, timeout)
        self.record(Step(code=code, result=result, observation=""))
        return result

    async def run_on_loop(self, code: str, timeout: float | None) -> ExecutionResult:
        """``run`` awaited on the loop the kernel's I/O runs on (the caller holds ``lock``): no thread hand-off
        on the common path; a death or a forced restart is recovered in a worker thread (it blocks)."""
        session, restarts = self.kernel.session, self.kernel.restarts
        try:
            result = await session.execute(code, timeout)
        except asyncio.CancelledError:  # the client's stop: the cell must not run on unseen
            await asyncio.shield(session.interrupt())
            raise
        if result.status is Status.DIED or self.kernel.restarts != restarts:
            result = await asyncio.to_thread(self.executor.settle, code, result, restarts)
        else:
            result = self.executor.settle(code, result, restarts)
        self.record(Step(code=code, result=result, observation=""))
        return result

    def on_this_loop(self) -> bool:
        """Whether the kernel's I/O runs on the running loop and nothing on the path blocks (no notebook)."""
        return self.mirror is None and self.kernel.loop is asyncio.get_running_loop()

    def record(self, step: Step) -> None:
        self.transcript.step(step)
        self.show(step)

    def show(self, step: Step) -> str | None:
        """The step in the attached notebook; a notice, when it could not go there, joins the result's note,
        which the agent reads."""
        notice = self.mirror(step.code, step.result) if self.mirror is not None else None
        if notice:
            step.result.note = " ".join(filter(None, [step.result.note, f"Notebook: {notice}."]))
        return notice

    def close(self) -> None:
        self.transcript.close()
        self.release()

    def before_run(self) -> None:
        """A notebook's kernel is shared with its user: what a crash replays is their cells and ours, as the
        kernel's own journal holds them, so it is read before each run (as the panel does)."""
        if self.mirror is not None:
            adopt_kernel_journal(self.kernel, self.executor)

    def ask_events(self, *more: LoopEvents) -> LoopEvents:
        """Where ``ask``'s events go: this session's transcript, its attached notebook, and ``more``."""
        return Fanout(self.transcript, _Mirror(self), *more)


class _Mirror(LoopEvents):
    """``ask``'s steps, shown in the attached notebook like ``execute``'s."""

    def __init__(self, entry: KernelEntry) -> None:
        self.entry = entry

    def step(self, step: Step) -> None:
        notice = self.entry.show(step)
        if notice:
            self.entry.notices.append(notice)


class KernelRegistry:
    """Named kernel sessions, created on first use and all shut down by ``close``."""

    def __init__(
        self,
        settings: Settings,
        workdir: Path,
        transcripts: Path,
        attach: Callable[[], tuple[KernelSession, Callable[[str, ExecutionResult], str | None], Callable[[], None]]]
        | None = None,
        max_sessions: int = MAX_SESSIONS,
    ) -> None:
        """``attach`` (``--notebook``) returns the notebook's kernel, how to show a cell there, how to detach."""
        self.settings = settings
        self.workdir = workdir
        self.transcripts = transcripts
        self.max_sessions = max_sessions
        self._attach = attach
        self._entries: dict[str, KernelEntry] = {}
        self._lock = threading.Lock()  # guards _entries; never held while a kernel starts or runs
        self._starting: dict[str, threading.Event] = {}
        self._closed = False
        # The server's event loop, once it runs: kernels started then do their I/O on it, so `execute` awaits
        # them there (kernels.KernelSession's own thread otherwise). ``close`` must then run while it runs.
        self.loop: asyncio.AbstractEventLoop | None = None

    def get(self, name: str) -> KernelEntry:
        """An existing session, or a clear error naming the ones that exist."""
        with self._lock:
            entry = self._entries.get(name)
            if entry is not None:
                return entry
            known = ", ".join(sorted(self._entries)) or "none yet"
        raise InputError(f"no session {name!r} (sessions: {known}); `execute` or `ask` starts one")

    def open(self, name: str) -> KernelEntry:
        """The session ``name``, started (kernel, domain preamble) if it does not exist yet."""
        check_name(name)
        while True:
            with self._lock:
                if self._closed:
                    raise InputError("the server is shutting down")
                if name in self._entries:
                    return self._entries[name]
                starting = self._starting.get(name)
                if starting is None:
                    if len(self._entries) + len(self._starting) >= self.max_sessions:
                        raise InputError(
                            f"{self.max_sessions} sessions are open ({', '.join(sorted(self._entries))}); "
                            "`shutdown` one first"
                        )
                    self._starting[name] = threading.Event()
                    break
            starting.wait()  # another call is starting this session; then take it (or fail as it did)
        try:
            entry = self._start(name)
            with self._lock:
                closed = self._closed
                if not closed:
                    self._entries[name] = entry
            if closed:  # close() ran while this kernel started: it must not outlive the server
                entry.close()
                raise InputError("the server is shutting down")
            return entry
        finally:
            with self._lock:
                self._starting.pop(name).set()

    def _start(self, name: str) -> KernelEntry:
        transcript = LiveTranscript(self.transcripts / f"{name}.ipynb")
        if name == DEFAULT_SESSION and self._attach is not None:
            kernel, mirror, detach = self._attach()
            entry = KernelEntry(name, kernel, kernel_executor(kernel, self.settings), transcript, detach, mirror)
        else:
            config = KernelConfig(cwd=self.workdir, **kernel_limits(self.settings))
            kernel = KernelSession(config, self.loop).start()
            entry = KernelEntry(name, kernel, kernel_executor(kernel, self.settings), transcript, kernel.shutdown)
        # The domain helpers (chem, bio, astro, u, SkyCoord, ...) the catalog describes, as the loop has them.
        setup = entry.executor.execute(KERNEL_SETUP, self.settings.timeout)
        transcript.setup(Step(code=KERNEL_SETUP, result=setup, observation=""))
        return entry

    async def interrupt(self, name: str) -> None:
        """Stop the cell running in ``name`` (a cancelled call); the kernel and its variables stay."""
        with self._lock:
            entry = self._entries.get(name)
        if entry is None:
            return
        if entry.kernel.loop is asyncio.get_running_loop():
            await entry.kernel.session.interrupt()
        else:
            await asyncio.to_thread(entry.kernel.interrupt)

    def find(self, name: str) -> KernelEntry | None:
        with self._lock:
            return self._entries.get(name)

    def restart(self, name: str) -> KernelEntry:
        """A fresh kernel for ``name``: every variable and the replay journal go; the preamble is re-run."""
        entry = self.get(name)
        with entry.lock:
            entry.executor.restart()
            entry.chat = None  # its memory describes variables that are gone
            entry.transcript.note("*The kernel was restarted here.*")
            entry.run(KERNEL_SETUP, self.settings.timeout)
        return entry

    def shutdown(self, name: str) -> None:
        entry = self.get(name)
        with self._lock:
            self._entries.pop(name, None)
        with entry.lock:  # after a running call on it ends
            entry.close()

    def export(self, name: str, path: Path) -> Path:
        """The session so far as a notebook at ``path`` (relative: under the working directory)."""
        entry = self.get(name)
        target = path if path.is_absolute() else self.workdir / path
        if target.suffix != ".ipynb":
            raise InputError(f"{path}: a notebook path must end in .ipynb")
        with entry.lock:
            try:
                save_notebook(entry.transcript.current(), target)
            except OSError as exc:
                raise InputError(f"cannot write {target}: {exc.strerror or exc}") from None
        return target

    def close(self) -> None:
        """Shut every kernel down (detach from an attached one); later calls get a clear error."""
        with self._lock:
            self._closed = True
            entries, self._entries = list(self._entries.values()), {}
        for entry in entries:
            entry.close()


def check_name(name: str) -> None:
    if not _SESSION_NAME.fullmatch(name):
        raise InputError(
            f"session name {name!r}: use 1-64 letters, digits, '_', '-' or '.', starting with a letter or digit"
        )
