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
from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Any

from jupyter_client.manager import AsyncKernelManager

from assistant.config import Settings, replay_policy
from assistant.engine.events import Figures, LoopEvents, Step
from assistant.engine.kernel_context import adopt_kernel_journal, context_from_kernel
from assistant.engine.loop import ChatSession
from assistant.engine.replies import prose
from assistant.engine.sessions import follow_settings, kernel_executor, session_for
from assistant.errors import RunStopped, SciwandError
from assistant.lab.cell_context import cells_prompt
from assistant.lab.history import ChatHistory
from assistant.lab.invented import KnownValues, made_up_caveat, output_texts
from assistant.lab.live_outputs import iopub_output
from assistant.lab.protocol import (
    AnswerEvent,
    CellContext,
    ContextEvent,
    DecisionRequest,
    DoneEvent,
    ErrorEvent,
    FiguresEvent,
    KernelEvent,
    NoticeEvent,
    OutputEvent,
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
_BUSY_GRACE_S = 0.5  # a request to the kernel not started by then waits for a notebook cell


class _Broadcast(LoopEvents):
    """Turns loop events into panel events, and ends the run at the next event after a stop."""

    def __init__(self, chat: KernelChat) -> None:
        self.chat = chat

    def turn(self, number: int) -> None:
        self.chat.reply = ""

    def token(self, text: str) -> None:
        self.chat.check_stopped()
        self.chat.reply += text
        self.chat.emit(TokenEvent(text))

    def running(self, code: str) -> None:
        self.chat.check_stopped()
        self.chat.executing = True
        number = self.chat.step_number(new=not self.chat.approval)
        self.chat.emit(RunningEvent(number, code, prose(self.chat.reply)))
        self.chat.watch_kernel()  # a notebook cell may be running: the step queues behind it

    def step(self, step: Step) -> None:
        self.chat.executing = False
        self.chat.kernel_started()
        result, number = step.result, self.chat.step_number()
        status = "ok" if step.ok else "error"
        outputs = cell_outputs(result)
        invented = self.chat.known.invented(step.code)
        if step.ok:
            self.chat.made_up += [name for name in invented if name not in self.chat.made_up]
        self.chat.emit(
            StepEvent(number, step.code, status, outputs, result.execution_count, result.note, invented=invented)
        )
        for text in output_texts(outputs):  # what a step printed is the kernel's data: later steps may use it
            self.chat.known.add(text)
        if result.note:  # a timeout or a crash, and what the recovery restored: the panel shows notices
            self.chat.emit(NoticeEvent(result.note))
        self.chat.check_stopped()

    def notice(self, text: str) -> None:
        self.chat.emit(NoticeEvent(text))

    def answer(self, text: str | None) -> None:
        if self.chat.fixing and self.chat.made_up:  # a number from made-up data must not pass for the user's
            caveat = made_up_caveat(self.chat.made_up)
            text = f"{text}\n\n{caveat}" if text else caveat
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
        self._pending: int | None = None  # the step waiting for a decision: the only one a decision may name
        self._pending_lock = threading.Lock()
        self.reply = ""  # the model's reply so far this turn: its words are the explanation of the step
        self.waiting = False  # the run waits for the kernel, busy with a notebook cell
        self._ask_id = ""
        self._requests = 0  # numbers the kernel requests watched for a busy kernel: a stale check does nothing
        self._watched: int | None = None  # the request watched until it starts (None: none, or it started)
        self._watch_lock = threading.Lock()  # watch_kernel runs on the loop's thread, kernel_started on the server's
        self._stopped = threading.Event()
        self._running = threading.Lock()
        self.idle = threading.Event()  # set while no run is going: lets a caller wait for a stop to land
        self.idle.set()
        self._steps = 0
        self.known = KnownValues()  # the data the user gave this run: the question, the notebook, the outputs
        self.fixing = False  # the run fixes a failing cell (its context carries an error)
        self.made_up: list[str] = []  # names this run's steps that ran set to data the user never gave

    # -- the run ------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._running.locked()

    def start(
        self,
        question: str,
        settings: Settings,
        approval: bool,
        cells: Sequence[CellContext] = (),
        ask_id: str = "",
        notebook_code: Sequence[str] = (),
    ) -> bool:
        """Begin answering ``question`` (about ``cells``) in a thread; False if a run is already going here.

        ``ask_id`` comes back with the question's event: the tab that asked knows the run is its own. The
        question, the cells and ``notebook_code`` are the data the user gave: a step that assigns other typed-out
        values is told apart (``StepEvent.invented``)."""
        if not self._running.acquire(blocking=False):
            return False
        self.idle.clear()
        self._stopped.clear()
        self._decisions = queue.Queue()
        self._pending = None
        self._ask_id = ask_id
        self.approval = approval
        self._steps = 0
        given = [question, *notebook_code]
        for cell in cells:
            given += [cell.code, cell.outputs, cell.error]
        self.known = KnownValues(given)
        self.fixing = any(cell.error for cell in cells)
        self.made_up = []
        arguments = (question, settings, tuple(cells))
        threading.Thread(target=self._run, args=arguments, name="sciwand-lab-run", daemon=True).start()
        return True

    def _run(self, question: str, settings: Settings, cells: tuple[CellContext, ...]) -> None:
        self.emit(StateEvent(running=True))
        self.emit(QuestionEvent(question, self._ask_id))
        if cells:
            self.emit(ContextEvent(list(cells)))
        status = "failed"
        try:
            session = self._prepare(settings)
            resolved, variables = context_from_kernel(self._kernel, question)
            result = session.ask(resolved, "\n\n".join(part for part in (cells_prompt(cells), variables) if part))
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
            self.kernel_started()
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
        self.watch_kernel()  # attaching and reading the journal queue behind a running notebook cell
        self._kernel = KernelSession.attach(self.manager, self.server_loop)
        if self._session is None:
            self._executor = kernel_executor(self._kernel, settings)
            self._session = session_for(settings, self._executor, _Broadcast(self), model=model)
            self._session.memory = self.history.memory(self.notebook)
        self._executor.kernel = self._kernel
        self._executor.policy = replay_policy(settings)
        self._kernel.session.on_message = self._kernel_message
        adopt_kernel_journal(self._kernel, self._executor)
        self.kernel_started()
        session = self._session
        follow_settings(session, settings, model)
        session.review = self._review if self.approval else None
        return session

    # -- approval and stop ----------------------------------------------------------------------
    def _review(self, code: str) -> str | None:
        """Show the step, wait for Run / Edit / Skip. Runs on the loop's thread."""
        self.check_stopped()
        number = self.step_number(new=True)
        with self._pending_lock:
            self._pending = number
        self.emit(ProposedEvent(number, code, needs_approval=True, explanation=prose(self.reply)))
        decision = self._decisions.get()
        if isinstance(decision, StopRequest):
            raise RunStopped
        if decision.action == "skip":
            self.emit(StepEvent(number, code, "skipped"))
            return None
        return decision.code or code

    def decide(self, decision: DecisionRequest) -> str | None:
        """Take ``decision`` if it names the step waiting for one; else say why not. Never queued for later:
        the first decision on a step wins, and a late, stale or early one cannot approve another step."""
        with self._pending_lock:
            if decision.step != self._pending:
                return f"step {decision.step} is not waiting for a decision: it was decided already, or has ended"
            self._pending = None
            self._decisions.put(decision)
        return None

    async def stop(self) -> None:
        """End the run: wake a pending approval, interrupt a running step, stop at the next event."""
        if not self.running:
            return
        self._stopped.set()
        with self._pending_lock:
            self._pending = None
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

    def watch_kernel(self) -> None:
        """After a request to the kernel: if it has not started within a moment while the kernel is busy (as
        the server's kernel manager last heard), a notebook cell holds the kernel: say the run waits for it.
        The moment lets the end of the run's own previous request reach the manager."""
        with self._watch_lock:
            self._requests += 1
            request = self._watched = self._requests

        def check() -> None:
            with self._watch_lock:
                unstarted = self._watched == request
            if unstarted and getattr(self.manager, "execution_state", "idle") == "busy":
                self.wait_for_kernel(True)

        self.server_loop.call_soon_threadsafe(self.server_loop.call_later, _BUSY_GRACE_S, check)

    def kernel_started(self) -> None:
        """The request being watched has started (or ended): the run no longer waits for the kernel. Called for
        every message of a running step, it acts on the first only."""
        with self._watch_lock:
            if self._watched is None and not self.waiting:
                return
            self._watched = None
        self.wait_for_kernel(False)

    def wait_for_kernel(self, waiting: bool) -> None:
        """Tell the panels when the run starts or stops waiting for a kernel busy with a notebook cell."""
        if waiting != self.waiting:
            self.waiting = waiting
            self.emit(KernelEvent(waiting))

    def _kernel_message(self, message: dict[str, Any]) -> None:
        """A message of the running request, on the server's loop: the step has started; pass on its outputs."""
        if not self.executing:
            return
        self.kernel_started()
        output = iopub_output(message)
        if output is not None:
            self.emit(OutputEvent(self._steps, output))

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
