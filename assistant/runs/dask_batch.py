"""Batch tasks on a Dask distributed cluster: each worker keeps its own kernel pool and model.

The client sends tasks and receives, for each, its record and executed notebook, which it writes to the
run's directory as they arrive: the same ``results.jsonl`` and notebooks as a local run, and the workers
need no shared filesystem for the results (input files and notebooks named by tasks must be readable on
the workers). A worker's pool and model are set up once by a worker plugin, not per task.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from distributed import Client, WorkerPlugin, as_completed, get_worker

from assistant.config import Settings
from assistant.engine.prompts import KERNEL_SETUP
from assistant.runs.notebook import write_atomically
from assistant.runs.runner import ResultsLog, RunOptions, TaskRecord, run_task
from assistant.runs.tasks import Task
from kernels import KernelConfig
from kernels.pool import READY_PER_WORKER, KernelPool

PLUGIN_NAME = "sciwand"


class SciwandWorker(WorkerPlugin):
    """On each worker: a kernel pool as large as its thread count, and the models its tasks use."""

    def __init__(self, settings: Settings, kernel_limits: dict[str, int]) -> None:
        self.settings = settings
        self.kernel_limits = kernel_limits
        self.pool: KernelPool | None = None
        self.models: Any = None
        self.out: Path | None = None

    def setup(self, worker: Any) -> None:
        from assistant.llm.model_cache import ModelCache

        self.out = Path(worker.local_directory) / "sciwand"
        config = KernelConfig(cwd=self.out / "idle", **self.kernel_limits)
        self.pool = KernelPool(READY_PER_WORKER * max(1, worker.state.nthreads), config, preload=KERNEL_SETUP).start()
        self.models = ModelCache(self.settings)

    def teardown(self, worker: Any) -> None:
        if self.pool is not None:
            self.pool.shutdown()


def run_remote(task: Task, options: RunOptions) -> tuple[dict[str, Any], str | None]:
    """On a worker: run one task; its record, and its notebook's text for the client to write."""
    plugin: SciwandWorker = get_worker().plugins[PLUGIN_NAME]
    assert plugin.out is not None
    record = run_task(task, plugin.models, plugin.out, options, pool=plugin.pool)
    assert record is not None  # no RunControl is stopped on a worker
    notebook = (plugin.out / record.notebook).read_text(encoding="utf-8") if record.notebook else None
    return record.to_dict(), notebook


def run_on_dask(
    tasks: list[Task],
    settings: Settings,
    out: Path,
    options: RunOptions,
    scheduler: str | Client,
    *,
    log: ResultsLog,
    on_record: Callable[[TaskRecord], None] | None = None,
) -> list[TaskRecord]:
    """Submit every task to the cluster at ``scheduler``; write each record and notebook as it comes back."""
    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    try:
        client.register_plugin(SciwandWorker(settings, options.kernel_limits), name=PLUGIN_NAME)
        futures = [client.submit(run_remote, task, options, pure=False, key=f"sciwand-{task.id}") for task in tasks]
        records = []
        for future in as_completed(futures):
            try:
                raw, notebook = future.result()
            except Exception as exc:  # the worker itself failed (lost, killed): the task is recorded as crashed
                task = tasks[futures.index(future)]
                raw, notebook = _crash_record(task, options, exc), None
            record = TaskRecord(**raw)
            if notebook is not None and record.notebook:
                write_atomically(out / record.notebook, notebook)
            log.append(record)
            records.append(record)
            if on_record is not None:
                on_record(record)
        return records
    finally:
        if not isinstance(scheduler, Client):
            client.close()


def _crash_record(task: Task, options: RunOptions, exc: BaseException) -> dict[str, Any]:
    return TaskRecord(
        id=task.id,
        domain=task.domain,
        ok=False,
        answer=None,
        expected=task.check.to_dict() if task.check is not None else None,
        detail=f"{type(exc).__name__}: {exc}",
        turns=0,
        steps=0,
        seconds=0.0,
        tokens_in=0,
        tokens_out=0,
        errors_seen=0,
        recovered=False,
        model=task.model or options.model_name,
        ablation=options.ablation,
        error=f"the Dask worker failed: {type(exc).__name__}: {exc}",
    ).to_dict()
