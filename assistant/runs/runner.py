"""Runs tasks, each in a fresh kernel and session, and keeps one JSON record per task on disk as it goes.

Shared by ``sciwand eval`` (which adds a score table) and batch runs: ``run_task`` is one task from a fresh
kernel to its record, ``run_tasks`` spreads tasks over worker threads, and ``ResultsLog`` is the
append-only ``results.jsonl`` that survives a killed run and lets a rerun skip what finished.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import nbformat
from langchain_core.language_models.chat_models import BaseChatModel
from nbformat.v4 import new_markdown_cell

from assistant.config import DEFAULTS, Settings, kernel_limits
from assistant.engine.events import Fanout, LoopEvents, Step, tokens_total
from assistant.engine.harness import ABLATIONS, DEFAULT, OVERRIDES
from assistant.engine.loop import AskResult, ChatSession
from assistant.engine.observation import clip, failure_line, outputs_text
from assistant.engine.sessions import kernel_executor, session_for
from assistant.errors import RunStopped
from assistant.llm.backends import describe
from assistant.llm.model_cache import ModelCache
from assistant.runs.notebook import NotebookTranscript, save_notebook
from assistant.runs.notebook_run import NotebookOutcome, execute_notebook, inject_parameters, is_ask_cell
from assistant.runs.tasks import Task, Verdict, check_answer
from kernels import KernelConfig, KernelSession
from kernels.pool import KernelPool

# A single-shot answer is a step's printed output: kept to what a person would read as an answer.
SINGLE_SHOT_ANSWER_CHARS = 2000


@dataclass(frozen=True)
class RunOptions:
    """How every task of a run is set up; the same for all of them, so their records compare."""

    settings: Settings = DEFAULTS  # model, turn limit, cell timeout, kernel limits, crash replay
    ablation: str | None = None
    session_options: dict[str, Any] = field(default_factory=dict)  # further ChatSession keywords (tests)
    notebooks_dir: Path | None = None  # where notebooks go (default OUT/notebooks)
    shared_workdir: Path | None = None  # run in this existing directory, never cleaned (sciwand run: the notebook's)
    clean_notebooks: bool = False  # the notebooks hold only the steps that succeeded (--clean)

    def __post_init__(self) -> None:
        if self.ablation is not None and self.ablation not in ABLATIONS:
            raise ValueError(f"unknown ablation {self.ablation!r} (use one of {', '.join(ABLATIONS)})")

    @property
    def model_name(self) -> str:
        return describe(self.settings)

    @property
    def timeout(self) -> float:
        return self.settings.timeout

    @property
    def kernel_limits(self) -> dict[str, int]:
        return kernel_limits(self.settings)

    def settings_for(self, task: Task) -> Settings:
        """The run's settings, with the model the task names, if any."""
        return replace(self.settings, model=task.model) if task.model else self.settings

    def chat_options(self) -> dict[str, Any]:
        """The ChatSession keywords beyond the settings': any given for the run, with the harness config they
        name (or the full harness) under the ablation's override."""
        options = dict(self.session_options)
        harness = options.pop("harness", DEFAULT)
        if self.ablation:
            harness = replace(harness, **OVERRIDES[self.ablation])
        return {**options, "harness": harness}

    def notebook_path(self, out: Path, task_id: str) -> Path:
        """``OUT/notebooks/<id>.ipynb``; an ablation's notebooks go one folder down so runs do not overwrite."""
        folder = self.notebooks_dir or out / "notebooks"
        folder = folder if self.ablation is None else folder / self.ablation
        return folder / f"{task_id}.ipynb"

    def workdir(self, out: Path, task_id: str) -> Path:
        if self.shared_workdir is not None:
            return self.shared_workdir
        folder = out / "work" if self.ablation is None else out / "work" / self.ablation
        return folder / task_id


@dataclass
class TaskRecord:
    """What one task produced: a line of results.jsonl."""

    id: str
    domain: str
    ok: bool
    answer: str | None
    expected: dict[str, Any] | None  # the check as written in the suite
    detail: str  # why the check passed or failed
    turns: int  # LLM replies over all the task's questions
    steps: int  # executed code cells
    seconds: float  # wall time: kernel start, every turn, the check
    tokens_in: int | None  # None: the provider reported no usage
    tokens_out: int
    errors_seen: int  # executed steps that failed (error, timeout or a dead kernel)
    recovered: bool  # a failed step was followed, later in the same task, by a successful one
    model: str
    ablation: str | None
    error: str | None = None  # the task itself crashed (the LLM failed, the kernel would not start, ...)
    notebook: str | None = None  # relative to the run's output directory
    tokens_cached: int = 0  # of tokens_in, prompt tokens the backend's prefix cache served
    notices: list[str] = field(default_factory=list)  # what the harness did: checks, votes, conversions, repairs

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class RunControl:
    """Lets the main thread stop a run: running cells are interrupted and each task stops at its next event."""

    def __init__(self) -> None:
        self.stopped = threading.Event()
        self._kernels: set[KernelSession] = set()
        self._lock = threading.Lock()

    def cancel(self) -> None:
        self.stopped.set()
        with self._lock:
            kernels = list(self._kernels)
        for kernel in kernels:
            with contextlib.suppress(Exception):  # it may be shutting down as we speak
                kernel.interrupt()

    def raise_if_stopped(self) -> None:
        if self.stopped.is_set():
            raise RunStopped

    @contextlib.contextmanager
    def tracking(self, kernel: KernelSession) -> Iterator[None]:
        with self._lock:
            self._kernels.add(kernel)
        try:
            yield
        finally:
            with self._lock:
                self._kernels.discard(kernel)


class _TaskEvents(LoopEvents):
    """Tallies the task's steps for its record, and ends the task at the next event once the run stops."""

    def __init__(self, control: RunControl) -> None:
        self.control = control
        self.step_ok: list[bool] = []
        self.notices: list[str] = []

    def notice(self, text: str) -> None:
        self.notices.append(text)

    def turn(self, number: int) -> None:
        self.control.raise_if_stopped()

    def token(self, text: str) -> None:
        self.control.raise_if_stopped()

    def step(self, step: Step) -> None:
        self.step_ok.append(step.ok)
        self.control.raise_if_stopped()

    @property
    def errors_seen(self) -> int:
        return self.step_ok.count(False)

    @property
    def recovered(self) -> bool:
        first_failure = next((i for i, ok in enumerate(self.step_ok) if not ok), None)
        return first_failure is not None and any(self.step_ok[first_failure + 1 :])


def single_shot_answer(result: AskResult) -> str | None:
    """The ``feedback`` ablation's answer: what the first executed step printed, or None."""
    if not result.steps:
        return None
    text = outputs_text(result.steps[0].result).strip()
    return clip(text, SINGLE_SHOT_ANSWER_CHARS) if text else None


def _note(transcript: NotebookTranscript, text: str) -> None:
    transcript.notebook.cells.append(new_markdown_cell(text))
    transcript.save()


def _describe_error(exc: BaseException) -> str:
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _open_kernel(options: RunOptions, workdir: Path, pool: KernelPool | None) -> KernelSession:
    if pool is not None:
        return pool.acquire(cwd=workdir)
    kernel = KernelSession(KernelConfig(cwd=workdir, **options.kernel_limits))
    return kernel.start()


def _prepare(task: Task, kernel: KernelSession, workdir: Path, events: LoopEvents, timeout: float) -> None:
    """Copy the task's files into its working directory and run its setup code; a failed setup ends it."""
    for source in task.files:
        target = workdir / source.name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, target)
    if task.setup is not None:
        result = kernel.execute(task.setup, timeout)
        events.setup(Step(code=task.setup, result=result, observation=""))
        if not result.ok:
            raise RuntimeError(f"the task's setup code failed: {failure_line(result)}")


def run_task(
    task: Task,
    model: BaseChatModel | ModelCache,
    out: Path,
    options: RunOptions,
    control: RunControl | None = None,
    pool: KernelPool | None = None,
) -> TaskRecord | None:
    """Run ``task`` in a kernel of its own (fresh, or from ``pool``), judge its last answer, return its record.

    Never raises for what the task does: an LLM or kernel failure becomes the record's ``error``. Returns
    None only when the run is being stopped, so an interrupted task leaves no record and a rerun redoes it.
    """
    control = control or RunControl()
    started = time.monotonic()
    model_name = describe(options.settings_for(task))
    workdir = options.workdir(out, task.id)
    if options.shared_workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)  # leftovers of an interrupted earlier attempt
    notebook_path = options.notebook_path(out, task.id)
    transcript = NotebookTranscript(notebook_path, model_name, clean=options.clean_notebooks)
    events = _TaskEvents(control)
    listeners = Fanout(transcript, events)
    results: list[AskResult] = []
    answer: str | None = None
    verdict: Verdict | None = None
    error: str | None = None
    kernel: KernelSession | None = None
    executed: NotebookOutcome | None = None
    try:
        control.raise_if_stopped()
        kernel = _open_kernel(options, workdir, pool)
        with control.tracking(kernel):
            _prepare(task, kernel, workdir, listeners, options.timeout)
            notebook = _read_notebook(task)
            session = None
            if notebook is None or any(is_ask_cell(cell) for cell in notebook.cells):  # else: no model needed
                chat_model = model if isinstance(model, BaseChatModel) else model.get(options.settings_for(task))[0]
                executor = kernel_executor(kernel, options.settings_for(task))
                session = session_for(
                    options.settings_for(task), executor, listeners, model=chat_model, **options.chat_options()
                )
            if notebook is not None:
                executed = _run_notebook(notebook, kernel, session, notebook_path, options)
                error = executed.error
            for question in task.turns if session is not None and notebook is None else ():
                results.append(session.ask(question))
            answer = results[-1].answer if results else None
            if options.ablation == "feedback":
                answer = single_shot_answer(results[-1])
                _note(transcript, f"**Single-shot answer (the first step's output):** {answer}")
            if task.check is not None and error is None:
                verdict = check_answer(task.check, answer, task.question_text, kernel, options.timeout)
                control.raise_if_stopped()  # a check cut short by the stop is no verdict
                outcome = "passed" if verdict.ok else "failed"
                _note(transcript, f"**Check ({task.check.type}):** {outcome}: {verdict.detail}")
    except RunStopped:
        return None
    except Exception as exc:  # the LLM, the kernel or the check failed: the task's record says so
        error = _describe_error(exc)
        if executed is None:
            with contextlib.suppress(Exception):
                _note(transcript, f"**The task failed:** {error}")
    finally:
        if kernel is not None:
            with contextlib.suppress(Exception):
                if pool is not None:
                    pool.release(kernel)
                else:
                    kernel.shutdown()
    answered = verdict.ok if verdict is not None else (answer is not None or executed is not None)
    return TaskRecord(
        id=task.id,
        domain=task.domain,
        ok=error is None and answered,
        answer=answer,
        expected=task.check.to_dict() if task.check is not None else None,
        detail=verdict.detail if verdict is not None else (error or ""),
        turns=sum(result.turns for result in results) + (executed.turns if executed else 0),
        steps=len(events.step_ok) + (executed.cells_run if executed else 0),
        seconds=round(time.monotonic() - started, 3),
        tokens_in=tokens_total([*(result.tokens_in for result in results), executed.tokens_in if executed else 0]),
        tokens_out=sum(result.tokens_out for result in results) + (executed.tokens_out if executed else 0),
        errors_seen=events.errors_seen,
        recovered=events.recovered,
        model=model_name,
        ablation=options.ablation,
        error=error,
        notebook=os.path.relpath(notebook_path, out) if notebook_path.exists() else None,
        tokens_cached=sum(result.tokens_cached for result in results) + (executed.tokens_cached if executed else 0),
        notices=events.notices,
    )


def _read_notebook(task: Task) -> nbformat.NotebookNode | None:
    """The task's notebook with its parameters injected, or None for a task of questions."""
    if task.notebook is None:
        return None
    notebook = nbformat.read(task.notebook, as_version=4)
    inject_parameters(notebook, task.parameters)
    return notebook


def _run_notebook(
    notebook: nbformat.NotebookNode, kernel: KernelSession, session: ChatSession | None, path: Path, options: RunOptions
) -> NotebookOutcome:
    """Execute the notebook; the executed copy, saved after every cell, is the task's notebook."""
    return execute_notebook(
        notebook, kernel, session, timeout=options.timeout, save=lambda: save_notebook(notebook, path)
    )


class ResultsLog:
    """``results.jsonl``: one record per line, each flushed and fsynced, so a killed run keeps what finished."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def records(self) -> list[dict[str, Any]]:
        """Every complete record; a line cut short by a kill is ignored."""
        if not self.path.exists():
            return []
        records = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict) and "id" in record:
                records.append(record)
        return records

    def finished(self, model: str, ablation: str | None) -> dict[str, dict[str, Any]]:
        """The records of this model and ablation by task id (the last one wins)."""
        return {r["id"]: r for r in self.records() if r.get("model") == model and r.get("ablation") == ablation}

    def append(self, record: TaskRecord) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a+b") as handle:
            handle.seek(0, os.SEEK_END)
            if handle.tell():
                handle.seek(-1, os.SEEK_END)
                if handle.read(1) != b"\n":  # a line cut short by a kill: start ours on a fresh line
                    handle.write(b"\n")
            handle.write(json.dumps(record.to_dict(), ensure_ascii=False).encode("utf-8") + b"\n")
            handle.flush()
            os.fsync(handle.fileno())


def run_tasks(
    tasks: Iterable[Task],
    model: BaseChatModel | ModelCache,
    out: Path,
    options: RunOptions,
    *,
    workers: int = 1,
    log: ResultsLog | None = None,
    control: RunControl | None = None,
    on_start: Callable[[Task], None] | None = None,
    on_record: Callable[[TaskRecord], None] | None = None,
    pool: KernelPool | None = None,
) -> list[TaskRecord]:
    """Run ``tasks`` on ``workers`` threads (each task owns its kernel; the model is shared) and log each record.

    Records are written by the calling thread as tasks finish. On KeyboardInterrupt the running tasks are
    stopped (their kernels interrupted and shut down), what finished is kept, and the interrupt re-raised.
    """
    control = control or RunControl()
    records: list[TaskRecord] = []

    def work(task: Task) -> TaskRecord | None:
        if control.stopped.is_set():
            return None
        if on_start is not None:
            on_start(task)
        return run_task(task, model, out, options, control, pool)

    def collect(future: Future[TaskRecord | None]) -> None:
        if future.cancelled():
            return
        record = future.result()
        if record is None:
            return
        if log is not None:
            log.append(record)
        records.append(record)
        if on_record is not None:
            on_record(record)

    threads = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="sciwand-task")
    pending = {threads.submit(work, task) for task in tasks}
    try:
        while pending:
            done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            for future in done:
                collect(future)
    except KeyboardInterrupt:
        control.cancel()
        threads.shutdown(wait=True, cancel_futures=True)
        for future in pending:  # tasks that finished while the others were stopping still count
            if future.done():
                collect(future)
        raise
    finally:
        threads.shutdown(wait=True, cancel_futures=True)
    return records
