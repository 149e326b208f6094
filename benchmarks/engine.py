"""Engine figures in one run: execute overhead against raw jupyter_client, kernel start, embedded model.

    .venv/bin/python -m benchmarks.engine [--repeats 200] [--skip-model]

Prints three tables. The baseline for the overhead is jupyter_client's own blocking client talking to a
plain ipykernel over the same IPC transport, measured in the same run on the same machine.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from jupyter_client.manager import KernelManager

from assistant.backends import describe, make_chat_model
from assistant.config import load_settings
from benchmarks.questions import ENGINE_QUESTIONS
from benchmarks.runner import run_questions
from kernels import KernelSession


def median_ms(action: Callable[[], object], repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


def raw_execute_ms(repeats: int) -> float:
    """The baseline: execute, read iopub until idle, read the shell reply, with jupyter_client alone."""
    with tempfile.TemporaryDirectory() as ipc:
        manager = KernelManager(transport="ipc", ip=str(Path(ipc) / "kernel"))
        manager.start_kernel()
        client = manager.client()
        client.start_channels()
        client.wait_for_ready(timeout=60)

        def run() -> None:
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

        try:
            run()  # warm up
            return median_ms(run, repeats)
        finally:
            client.stop_channels()
            manager.shutdown_kernel(now=True)


def session_execute_ms(repeats: int) -> tuple[float, float]:
    """(median start seconds over 3 starts, median execute ms) for sciwand's KernelSession."""
    starts = []
    for _ in range(3):
        started = time.perf_counter()
        session = KernelSession().start()
        starts.append(time.perf_counter() - started)
        session.shutdown()
    with KernelSession() as session:
        session.execute("pass")
        return statistics.median(starts), median_ms(lambda: session.execute("pass"), repeats)


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
    raw = raw_execute_ms(args.repeats)
    start_s, ours = session_execute_ms(args.repeats)
    print(f"{'measure':<44} {'value':>10}")
    print(f"{'raw jupyter_client execute (median)':<44} {raw:>8.3f} ms")
    print(f"{'sciwand KernelSession.execute (median)':<44} {ours:>8.3f} ms")
    print(f"{'added per execute':<44} {ours - raw:>8.3f} ms")
    print(f"{'KernelSession start (median of 3)':<44} {start_s:>8.3f} s")
    if not args.skip_model:
        model_table(args.out)


if __name__ == "__main__":
    main()
