"""Batch figures in one run: pool throughput against papermill, kernel hand-out latency, memory per worker count.

    .venv/bin/python -m benchmarks.batch [--notebooks 100] [--skip-papermill] [--skip-model]

1. ``--notebooks`` small parameterised notebooks (no LLM) through ``run_batch`` on the kernel pool, then the
   same notebooks through ``papermill.execute_notebook`` one after another (the baseline; needs the
   ``bench`` extra). Both write an executed notebook per parameter set.
2. From asking the pool for a kernel to the end of the first executed cell (which imports the domain
   preamble), against starting a kernel cold and running the same cell.
3. Peak memory of ``sciwand batch`` with 1, 2 and 4 workers answering the same questions on the embedded
   model: the process holding the model (RSS) and its kernels (PSS, so pages shared copy-on-write with
   the zygote count once).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import psutil
from nbformat.v4 import new_code_cell, new_notebook
from rich.console import Console
from rich.table import Table

from assistant.config import Settings
from assistant.engine.prompts import KERNEL_SETUP
from assistant.runs.batch import run_batch
from assistant.runs.batch_file import load_batch
from kernels import KernelConfig, KernelSession
from kernels.pool import KernelPool

FIRST_CELL = "from domain_tools.preamble import *\nprint(Chem.MolToSmiles(Chem.MolFromSmiles('OCC')))"
QUESTIONS = [
    "What is the molecular weight of caffeine, SMILES Cn1cnc2c1c(=O)n(C)c(=O)n2C?",
    "What is the GC content in percent of ATGCGCGATATTGCGC?",
    "Convert 5 parsec to light years.",
    "How many rotatable bonds does ibuprofen (CC(C)Cc1ccc(cc1)C(C)C(=O)O) have?",
]


def _small_notebook(path: Path) -> Path:
    cells = [
        new_code_cell("x = 0", metadata={"tags": ["parameters"]}),
        new_code_cell("import math\nvalue = math.factorial(x + 20) % 1_000_003"),
        new_code_cell("print(x, value)"),
    ]
    nbformat.write(
        new_notebook(
            cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
        ),
        str(path),
    )
    return path


def throughput(count: int, workers: int, skip_papermill: bool, root: Path) -> list[tuple[str, float]]:
    notebook = _small_notebook(root / "small.ipynb")
    (root / "params.csv").write_text("x\n" + "\n".join(str(n) for n in range(count)) + "\n")
    (root / "tasks.jsonl").write_text(json.dumps({"id": "n-{x}", "notebook": "small.ipynb", "params": "params.csv"}))
    started = time.perf_counter()
    outcome = run_batch(load_batch(root / "tasks.jsonl").tasks, Settings(), root / "sciwand", workers=workers)
    sciwand_s = time.perf_counter() - started
    assert sum(record["ok"] for record in outcome.records) == count, "some notebooks failed"
    rows = [(f"sciwand batch, {workers} workers", sciwand_s)]
    if not skip_papermill:
        import papermill

        started = time.perf_counter()
        for n in range(count):
            out = root / "papermill" / f"n-{n}.ipynb"
            out.parent.mkdir(exist_ok=True)
            papermill.execute_notebook(
                str(notebook), str(out), parameters={"x": n}, progress_bar=False, log_output=False
            )
        rows.append(("papermill, one after another", time.perf_counter() - started))
    return rows


def handout_latency(repeats: int, root: Path) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {"pool": [], "cold": []}
    with KernelPool(2, KernelConfig(cwd=root / "idle"), preload=KERNEL_SETUP) as pool:
        for n in range(repeats):
            pool.wait_until_full()  # a kernel is waiting, as in a batch whose tasks outlast a fork
            started = time.perf_counter()
            kernel = pool.acquire(cwd=root / f"task-{n}")
            assert kernel.execute(FIRST_CELL).ok
            timings["pool"].append(time.perf_counter() - started)
            pool.release(kernel)
    for n in range(max(3, repeats // 5)):
        started = time.perf_counter()
        with KernelSession(KernelConfig(cwd=root / f"cold-{n}")) as kernel:
            assert kernel.execute(FIRST_CELL).ok
            timings["cold"].append(time.perf_counter() - started)
    return timings


def _peak_memory(command: list[str]) -> tuple[float, float, float]:
    """Run ``command``; its peak RSS, its descendants' peak summed PSS (both MiB), and the seconds it took."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    main = psutil.Process(process.pid)
    peak_main = peak_kernels = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak_main, peak_kernels
        while not done.is_set():
            try:
                peak_main = max(peak_main, main.memory_info().rss)
                kernels = 0
                for child in main.children(recursive=True):
                    with contextlib.suppress(psutil.Error):
                        kernels += child.memory_full_info().pss
                peak_kernels = max(peak_kernels, kernels)
            except psutil.Error:
                pass
            done.wait(0.2)  # a sampling period, not a synchronisation

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    process.wait()
    done.set()
    sampler.join()
    return peak_main / 2**20, peak_kernels / 2**20, time.perf_counter() - started


def model_memory(root: Path) -> list[tuple[int, float, float, float]]:
    tasks = root / "questions.jsonl"
    tasks.write_text("".join(json.dumps({"id": f"q{i}", "question": q}) + "\n" for i, q in enumerate(QUESTIONS)))
    rows = []
    for workers in (1, 2, 4):
        command = [sys.executable, "-m", "assistant.cli.main", "batch", str(tasks), "--workers", str(workers)]
        command += ["--out", str(root / f"memory-{workers}")]
        rows.append((workers, *_peak_memory(command)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--skip-papermill", action="store_true")
    parser.add_argument("--skip-model", action="store_true")
    args = parser.parse_args()
    console = Console()
    with tempfile.TemporaryDirectory(prefix="sciwand-bench-") as tmp:
        root = Path(tmp)
        rows = throughput(args.notebooks, args.workers, args.skip_papermill, root)
        table = Table(title=f"{args.notebooks} parameterised notebooks, no LLM")
        for header in ("runner", "seconds", "notebooks/s", "vs papermill"):
            table.add_column(header, justify="right")
        baseline = rows[-1][1] if len(rows) > 1 else None
        for name, seconds in rows:
            speedup = f"{baseline / seconds:.1f}x" if baseline else "-"
            table.add_row(name, f"{seconds:.1f}", f"{args.notebooks / seconds:.1f}", speedup)
        console.print(table)

        timings = handout_latency(args.repeats, root)
        table = Table(title="ask for a kernel -> first cell (imports the domain preamble) done")
        for header in ("source", "runs", "median ms", "p90 ms"):
            table.add_column(header, justify="right")
        for name, values in (("pool (forked, preloaded)", timings["pool"]), ("cold kernel start", timings["cold"])):
            p90 = statistics.quantiles(values, n=10)[-1] if len(values) >= 2 else values[0]
            table.add_row(name, str(len(values)), f"{statistics.median(values) * 1000:.0f}", f"{p90 * 1000:.0f}")
        console.print(table)

        if not args.skip_model:
            table = Table(title=f"sciwand batch, embedded model, {len(QUESTIONS)} questions: peak memory")
            for header in ("workers", "sciwand process RSS MiB", "kernels PSS MiB", "seconds"):
                table.add_column(header, justify="right")
            for workers, main_mib, kernels_mib, seconds in model_memory(root):
                table.add_row(str(workers), f"{main_mib:.0f}", f"{kernels_mib:.0f}", f"{seconds:.0f}")
            console.print(table)


if __name__ == "__main__":
    main()
