"""Engine figures in one run: execute overhead against raw jupyter_client, kernel start, embedded model.

    .venv/bin/python -m benchmarks.engine [--repeats 200] [--skip-model]

Prints two tables. The baseline for the overhead is jupyter_client's own blocking client talking to a
plain ipykernel over the same IPC transport, measured in the same run, alternating with sciwand's
session execute by execute so both see the same machine.
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

from assistant.config import load_settings
from assistant.engine.prompts import KERNEL_SETUP
from assistant.llm.backends import describe, make_chat_model
from benchmarks.questions import ENGINE_QUESTIONS
from benchmarks.runner import run_questions
from kernels import KernelSession


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


def model_table(out: Path) -> None:
    settings = load_settings()
    started = time.perf_counter()
    model = make_chat_model(settings)
    print(f"\nEmbedded model: {describe(settings)} (prepared in {time.perf_counter() - started:.1f} s)\n")
    print(f"{'domain':<10} {'ok':<3} {'turns':>5} {'seconds':>8}  answer")
    rows = run_questions(model, ENGINE_QUESTIONS, out, max_turns=settings.max_turns, timeout=settings.timeout)
    for row in rows:
        print(f"{row.domain:<10} {'yes' if row.ok else 'no':<3} {row.turns:>5} {row.seconds:>8.1f}  {row.answer[:70]}")
    print(f"\nsolved {sum(row.ok for row in rows)}/{len(rows)}; notebooks and logs in {out}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--skip-model", action="store_true")
    parser.add_argument("--out", type=Path, default=Path("runs/engine"), help="a notebook and a log per model question")
    args = parser.parse_args()
    raw, ours = execute_overhead_ms(args.repeats)
    start_s, preamble_s = start_seconds()
    print(f"{'measure':<44} {'value':>10}")
    print(f"{'raw jupyter_client execute (median)':<44} {raw:>8.3f} ms")
    print(f"{'sciwand KernelSession.execute (median)':<44} {ours:>8.3f} ms")
    print(f"{'added per execute':<44} {ours - raw:>8.3f} ms")
    print(f"{'KernelSession start (median of 3)':<44} {start_s:>8.3f} s")
    print(f"{'domain preamble import (median of 3)':<44} {preamble_s:>8.3f} s")
    if not args.skip_model:
        model_table(args.out)


if __name__ == "__main__":
    main()
