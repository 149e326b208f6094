"""Engine figures in one run: execute overhead against raw jupyter_client, kernel start, embedded model.

    .venv/bin/python -m benchmarks.engine [--repeats 200] [--skip-model] [--out runs/engine] [--model M]

Prints two tables. The baseline for the overhead is jupyter_client's own blocking client talking to a
plain ipykernel over the same IPC transport, measured in the same run, alternating with sciwand's
session execute by execute so both see the same machine. The model table is five tasks of
``benchmarks/tasks/quick.jsonl`` run as ``sciwand eval`` runs them (same runner, same check); a rerun in the
same ``--out`` resumes, so use a new one for new timings.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jupyter_client.manager import KernelManager
from rich.console import Console

from assistant.config import Settings, add_settings_arguments, flag_overrides, load_settings
from assistant.engine.prompts import KERNEL_SETUP
from assistant.llm.backends import describe, make_chat_model
from assistant.runs.evaluation import evaluate
from assistant.runs.runner import RunOptions
from assistant.runs.tasks import load_suite
from benchmarks.harness import QUICK_SUITE
from kernels import KernelSession

# One or two per domain: ibuprofen MW, paracetamol HBD, GC %, translation, Planck18 D_L.
ENGINE_TASKS = (
    "quick-chem-ibuprofen-mw",
    "quick-chem-paracetamol-hbd",
    "quick-bio-gc-percent",
    "quick-bio-translate",
    "quick-astro-planck18-dl",
)


def _raw_execute(client: Any) -> None:
    """The baseline: execute, read iopub until idle, read the shell reply, with jupyter_client alone."""
    msg_id = client.execute("pass", allow_stdin=False)
    while True:
        msg = client.get_iopub_msg(timeout=10)
        if (
            msg["parent_header"].get("msg_id") == msg_id
            and msg["header"]["msg_type"] == "status"
            and msg["content"]["execution_state"] == "idle"
        ):
            break
    while client.get_shell_msg(timeout=10)["parent_header"].get("msg_id") != msg_id:
        pass


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def execute_overhead_ms(repeats: int) -> tuple[float, float]:
    """Median ms per trivial execute: (raw jupyter_client, sciwand), alternating so both see the same machine."""
    with tempfile.TemporaryDirectory() as ipc:
        manager = KernelManager(transport="ipc", ip=str(Path(ipc) / "kernel"))
        manager.start_kernel()
        client = manager.client()
        client.start_channels()
        client.wait_for_ready(timeout=60)
        try:
            with KernelSession() as session:
                raw, ours = [], []
                for _ in range(repeats + 1):
                    raw.append(_timed(lambda: _raw_execute(client)))
                    ours.append(_timed(lambda: session.execute("pass")))
        finally:
            client.stop_channels()
            manager.shutdown_kernel(now=True)
    # the first round warms both up
    return statistics.median(raw[1:]) * 1000, statistics.median(ours[1:]) * 1000


def start_seconds() -> tuple[float, float]:
    """Medians of 3: KernelSession start, and the domain preamble's import in the fresh kernel."""
    starts, preambles = [], []
    for _ in range(3):
        started = time.perf_counter()
        session = KernelSession().start()
        starts.append(time.perf_counter() - started)
        preambles.append(session.execute(KERNEL_SETUP).duration)
        session.shutdown()
    return statistics.median(starts), statistics.median(preambles)


def model_table(settings: Settings, out: Path) -> None:
    tasks = [task for task in load_suite(QUICK_SUITE).tasks if task.id in ENGINE_TASKS]
    started = time.perf_counter()
    model = make_chat_model(settings)
    print(f"\nModel: {describe(settings)} (prepared in {time.perf_counter() - started:.1f} s)\n")
    print(f"{'domain':<10} {'ok':<3} {'turns':>5} {'seconds':>8}  answer")
    outcome = evaluate(tasks, model, out, RunOptions(settings), console=Console(stderr=True))
    for record in outcome.records:
        answer = (record["answer"] or "(none)").replace("\n", " ")
        ok = "yes" if record["ok"] else "no"
        print(f"{record['domain']:<10} {ok:<3} {record['turns']:>5} {record['seconds']:>8.1f}  {answer[:70]}")
    solved = sum(bool(record["ok"]) for record in outcome.records)
    print(f"\nsolved {solved}/{len(outcome.records)}; records and notebooks in {out}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--skip-model", action="store_true")
    parser.add_argument("--out", type=Path, default=Path("runs/engine"), help="the model tasks' records")
    add_settings_arguments(parser)
    args = parser.parse_args(argv)
    raw, ours = execute_overhead_ms(args.repeats)
    start_s, preamble_s = start_seconds()
    print(f"{'measure':<44} {'value':>10}")
    print(f"{'raw jupyter_client execute (median)':<44} {raw:>8.3f} ms")
    print(f"{'sciwand KernelSession.execute (median)':<44} {ours:>8.3f} ms")
    print(f"{'added per execute':<44} {ours - raw:>8.3f} ms")
    print(f"{'KernelSession start (median of 3)':<44} {start_s:>8.3f} s")
    print(f"{'domain preamble import (median of 3)':<44} {preamble_s:>8.3f} s")
    if not args.skip_model:
        model_table(load_settings(flag_overrides(args)), args.out)


if __name__ == "__main__":
    main()
