"""Engine figures in one run: execute overhead against raw jupyter_client, kernel start, embedded model.

    .venv/bin/python benchmarks/engine.py [--repeats 200] [--skip-model]

Prints three tables. The baseline for the overhead is jupyter_client's own blocking client talking to a
plain ipykernel over the same IPC transport, measured in the same run on the same machine.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from jupyter_client.manager import KernelManager
from rich.console import Console

from assistant.backends import describe, make_chat_model
from assistant.config import load_settings
from assistant.events import Fanout
from assistant.loop import ChatSession
from assistant.notebook import NotebookTranscript
from assistant.terminal import TerminalView
from kernels import KernelConfig, KernelSession

# (domain, question, expected number or text found in the answer)
MODEL_QUESTIONS = [
    ("chemistry", "What is the average molecular weight of ibuprofen, SMILES CC(C)Cc1ccc(cc1)C(C)C(=O)O?", 206.28),
    ("chemistry", "How many hydrogen bond donors does paracetamol (SMILES CC(=O)Nc1ccc(O)cc1) have?", 2),
    ("biology", "What is the GC content of the DNA sequence ATGCGCGTTAGC, as a percentage?", 58.33),
    ("biology", "Translate the DNA sequence ATGGCCATTGTAATGGGCCGCTGA into protein.", "MAIVMGR"),
    ("astronomy", "What is the luminosity distance at redshift 1 in the Planck18 cosmology, in Mpc?", 6791.3),
]


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


def answer_matches(answer: str | None, expected: float | str) -> bool:
    if answer is None:
        return False
    if isinstance(expected, str):
        return expected in answer
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", answer.replace(",", ""))]
    return any(abs(n - expected) <= max(2e-4 * abs(expected), 0.01) for n in numbers)


def model_table(out: Path) -> None:
    settings = load_settings()
    started = time.perf_counter()
    model = make_chat_model(settings)
    print(f"\nEmbedded model: {describe(settings)} (prepared in {time.perf_counter() - started:.1f} s)\n")
    print(f"{'domain':<10} {'ok':<3} {'turns':>5} {'seconds':>8}  answer")
    solved = 0
    for number, (domain, question, expected) in enumerate(MODEL_QUESTIONS, 1):
        out.mkdir(parents=True, exist_ok=True)
        stem = out / f"q{number}-{domain}"
        log = stem.with_suffix(".log").open("w")
        events = Fanout(
            NotebookTranscript(stem.with_suffix(".ipynb"), describe(settings)),
            TerminalView(Console(file=log, width=110)),
        )
        with KernelSession(KernelConfig(cwd=Path(tempfile.mkdtemp()))) as kernel:
            session = ChatSession(
                model, kernel, max_turns=settings.max_turns, timeout=settings.timeout, events=events
            )
            result = session.ask(question)
        log.close()
        ok = answer_matches(result.answer, expected)
        solved += ok
        answer = (result.answer or "(none)").replace("\n", " ")[:70]
        print(f"{domain:<10} {'yes' if ok else 'no':<3} {result.turns:>5} {result.seconds:>8.1f}  {answer}")
    print(f"\nsolved {solved}/{len(MODEL_QUESTIONS)}; notebooks in {out}")


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
