"""One notebook kernel's conversation on the server: one run at a time, every event fanned out and kept.

The loop runs in a thread of its own (the LLM and the kernel calls block); the kernel I/O runs on the
Jupyter server's event loop, attached to the kernel the server already manages. Events reach the
browser through ``send`` callbacks scheduled on that loop, and the history on disk as they happen.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import asdict

from jupyter_client.manager import AsyncKernelManager

from assistant.config import Settings, replay_policy
from assistant.engine.events import Figures, LoopEvents, Step
from assistant.engine.kernel_context import context_from_kernel
from assistant.engine.loop import ChatSession
from assistant.engine.sessions import follow_settings, kernel_executor, session_for
from assistant.errors import RunStopped, SciwandError
from assistant.lab.history import ChatHistory
from assistant.lab.protocol import (
    AnswerEvent,
    DecisionRequest,
    DoneEvent,
    ErrorEvent,
    FiguresEvent,
    NoticeEvent,
    ProposedEvent,
    QuestionEvent,
    RunningEvent,
    ServerEvent,
    StateEvent,
    StepEvent,
    StopRequest,
    TokenEvent,
)
from assistant.llm.model_cache import ModelCache
from assistant.runs.notebook import cell_outputs
from kernels import KernelSession
from kernels.recovery import RecoveringKernel

Send = Callable[[ServerEvent], None]
log = logging.getLogger(__name__)


_STOP = StopRequest()  # wakes a run waiting for a decision: it ends
_INTERRUPTS, _INTERRUPT_INTERVAL_S = 10, 0.5
# Evaluated silently in the notebook's kernel: starts its cell journal, returns the cells it holds.
_KERNEL_JOURNAL = "__import__('assistant.inkernel.cell_journal', fromlist=['_']).journaled_cells(get_ipython())"


class _Broadcast(LoopEvents):
    """Turns loop events into panel events, and ends the run at the next event after a stop."""

    def __init__(self, chat: KernelChat) -> None:
        self.chat = chat

    def token(self, text: str) -> None:
        self.chat.check_stopped()
        self.chat.emit(TokenEvent(text))

    def running(self, code: str) -> None:
        self.chat.check_stopped()
        self.chat.executing = True
        self.chat.emit(RunningEvent(self.chat.step_number(new=not self.chat.approval), code))

    def step(self, step: Step) -> None:
        self.chat.executing = False
        result, number = step.result, self.chat.step_number()
        status = "ok" if step.ok else "error"
        self.chat.emit(StepEvent(number, step.code, status, cell_outputs(result), result.execution_count, result.note))
        if result.note:  # a timeout or a crash, and what the recovery restored: the panel shows notices
            self.chat.emit(NoticeEvent(result.note))
        self.chat.check_stopped()

    def notice(self, text: str) -> None:
        self.chat.emit(NoticeEvent(text))

    def answer(self, text: str | None) -> None:
        self.chat.emit(AnswerEvent(text))

    def finished(self, figures: Figures) -> None:
        self.chat.emit(FiguresEvent(**asdict(figures)))


class KernelChat:
    """The chat bound to one kernel of the server (by id) and the notebook it belongs to."""

    def __init__(
        self,
        kernel_id: str,
        notebook: str,
        manager: AsyncKernelManager,
        server_loop: asyncio.AbstractEventLoop,
        history: ChatHistory,
        models: ModelCache,
    ) -> None:
        self.kernel_id = kernel_id
        self.notebook = notebook
        self.manager = manager
        self.server_loop = server_loop
        self.history = history
        self.models = models
        self.listeners: set[Send] = set()
        self.approval = True
        self.executing = False  # a step is running in the kernel: Stop interrupts it
        self._session: ChatSession | None = None
        self._kernel: KernelSession | None = None  # attached for the current run only
        self._executor: RecoveringKernel  # journals the steps of every run, for replay after a crash
        self._decisions: queue.Queue[DecisionRequest | StopRequest] = queue.Queue()
        self._stopped = threading.Event()
        self._running = threading.Lock()
        self.idle = threading.Event()  # set while no run is going: lets a caller wait for a stop to land
        self.idle.set()
        self._steps = 0

    # -- the run ------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._running.locked()

    def start(self, question: str, settings: Settings, approval: bool) -> bool:
        """Begin answering ``question`` in a thread; False if a run is already going in this kernel."""
        if not self._running.acquire(blocking=False):
            return False
        self.idle.clear()
        self._stopped.clear()
        self._decisions = queue.Queue()
        self.approval = approval
        self._steps = 0
        threading.Thread(target=self._run, args=(question, settings), name="sciwand-lab-run", daemon=True).start()
        return True

    def _run(self, question: str, settings: Settings) -> None:
        self.emit(StateEvent(running=True))
        self.emit(QuestionEvent(question))
        status = "failed"
        try:
            session = self._prepare(settings)
            resolved, context = context_from_kernel(self._kernel, question)
            result = session.ask(resolved, context)
            status = "answered" if result.ok else "no_answer"
        except RunStopped:
            self.emit(NoticeEvent("stopped"))
            status = "stopped"
        except SciwandError as exc:
            self.emit(ErrorEvent(str(exc)))
        except Exception as exc:  # the run ends, the server and the kernel go on; the panel says why
            log.exception("sciwand run in kernel %s failed", self.kernel_id)
            self.emit(ErrorEvent(f"{type(exc).__name__}: {exc}"))
        finally:
            self.executing = False
            self._disconnect()
            if self._session is not None:
                self.history.save_memory(self.notebook, self._session.memory)
            self.emit(DoneEvent(status))
            self._running.release()
            self.idle.set()
            self.emit(StateEvent(running=False))

    def _prepare(self, settings: Settings) -> ChatSession:
        model, _ = self.models.get(settings)
        # Connected for this run only: no ZeroMQ socket outlives it, whatever happens to the server after.
        self._kernel = KernelSession.attach(self.manager, self.server_loop)
        if self._session is None:
            self._executor = kernel_executor(self._kernel, settings)
            self._session = session_for(settings, self._executor, _Broadcast(self), model=model)
            self._session.memory = self.history.memory(self.notebook)
        self._executor.kernel = self._kernel
        self._executor.policy = replay_policy(settings)
        self._read_kernel_journal()
        session = self._session
        follow_settings(session, settings, model)
        session.review = self._review if self.approval else None
        return session

    def _read_kernel_journal(self) -> None:
        """Take the kernel's own journal (the user's cells and earlier steps) as what a crash would replay.

        A kernel that cannot import sciwand keeps the panel's journal: its steps, carried over from run to run.
        """
        cells = self._kernel.evaluate(_KERNEL_JOURNAL)
        if isinstance(cells, list):
            self._executor.journal.clear()
            for code in cells:
                self._executor.journal.record(code)

    # -- approval and stop ----------------------------------------------------------------------
    def _review(self, code: str) -> str | None:
        """Show the step, wait for Run / Edit / Skip. Runs on the loop's thread."""
        self.check_stopped()
        number = self.step_number(new=True)
        self.emit(ProposedEvent(number, code, needs_approval=True))
        decision = self._decisions.get()
        while isinstance(decision, DecisionRequest) and decision.step != number:
            decision = self._decisions.get()  # meant for an earlier proposal (another tab, a late click)
        if isinstance(decision, StopRequest):
            raise RunStopped
        if decision.action == "skip":
            self.emit(StepEvent(number, code, "skipped"))
            return None
        return decision.code or code

    def decide(self, decision: DecisionRequest) -> None:
        self._decisions.put(decision)

    async def stop(self) -> None:
        """End the run: wake a pending approval, interrupt a running step, stop at the next event."""
        if not self.running:
            return
        self._stopped.set()
        self._decisions.put(_STOP)
        # An interrupt that reaches the kernel just before the step's code starts is lost: repeat it.
        for _ in range(_INTERRUPTS):
            if not self.executing:
                return
            with contextlib.suppress(Exception):  # the kernel may be gone; the flag still ends the run
                await self.manager.interrupt_kernel()
            await asyncio.sleep(_INTERRUPT_INTERVAL_S)

    def check_stopped(self) -> None:
        if self._stopped.is_set():
            raise RunStopped

    def step_number(self, new: bool = False) -> int:
        if new:
            self._steps += 1
        return self._steps

    # -- events -------------------------------------------------------------------------------------
    def emit(self, event: ServerEvent) -> None:
        """Keep ``event`` in the notebook's history and send it to every watching socket."""
        self.history.append(self.notebook, event)
        self.server_loop.call_soon_threadsafe(self._send_all, event)

    def _send_all(self, event: ServerEvent) -> None:
        for send in list(self.listeners):
            send(event)

    def _disconnect(self) -> None:
        """Close this run's connection to the kernel (the kernel stays: the server owns it)."""
        kernel, self._kernel = self._kernel, None
        if kernel is not None:
            with contextlib.suppress(Exception):  # the server's loop may be gone already
                kernel.shutdown()

    async def close(self) -> None:
        """Stop any run; the run's thread then disconnects from the kernel."""
        await self.stop()
