"""``sciwand batch`` and ``sciwand run``: their arguments and what they print."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from rich.console import Console

from assistant.config import Settings, add_settings_arguments
from assistant.errors import InputError
from assistant.llm.model_cache import ModelCache
from assistant.runs.batch import run_batch
from assistant.runs.batch_file import load_batch, parse_parameter
from assistant.runs.evaluation import RESULTS_FILE
from assistant.runs.runner import RunOptions, run_task
from assistant.runs.scores import render_table, summarize
from assistant.runs.tasks import Task

EXIT_INTERRUPTED = 130


def add_clean_argument(parser: argparse.ArgumentParser) -> None:
    """``--clean`` for every command that writes transcripts (ask, chat, eval, batch)."""
    parser.add_argument(
        "--clean", action="store_true", help="notebooks hold only the steps that succeeded (the code --insert keeps)"
    )


def add_commands(commands: argparse._SubParsersAction) -> None:
    batch = commands.add_parser("batch", help="run many tasks (questions or notebooks) on a warm kernel pool")
    batch.add_argument("tasks", type=Path, help="tasks: JSON Lines or YAML; templates expand over a CSV")
    add_settings_arguments(batch)
    batch.add_argument("--workers", type=int, default=2, help="tasks run at once (default 2)")
    batch.add_argument("--out", type=Path, help="records, notebooks and working dirs (default runs/batch/TASKS)")
    batch.add_argument("--scheduler", help="a Dask scheduler, e.g. tcp://HOST:8786, instead of this machine")
    add_clean_argument(batch)
    run = commands.add_parser("run", help="execute a parameterised notebook, %%ask cells included")
    run.add_argument("notebook", type=Path)
    run.add_argument(
        "-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"), help="papermill-style"
    )
    run.add_argument("-o", "--output", type=Path, help="the executed notebook (default runs/run/NOTEBOOK)")
    add_settings_arguments(run)


def batch_command(args: argparse.Namespace, settings: Settings) -> int:
    if args.workers < 1:
        raise InputError(f"--workers must be at least 1, got {args.workers}")
    try:
        suite = load_batch(args.tasks)
    except (OSError, UnicodeDecodeError, InputError) as exc:
        raise InputError(f"cannot read the tasks {args.tasks}: {getattr(exc, 'strerror', None) or exc}") from None
    for problem in suite.problems:
        print(f"sciwand: {args.tasks} {problem}; skipped", file=sys.stderr)
    if not suite.tasks:
        raise InputError(f"{args.tasks}: no valid task")
    out = args.out or Path("runs") / "batch" / args.tasks.stem
    errors = Console(stderr=True, highlight=False)
    outcome = run_batch(
        suite.tasks, settings, out, workers=args.workers, console=errors, scheduler=args.scheduler, clean=args.clean
    )
    Console(highlight=False).print(render_table(summarize(outcome.records), f"{args.tasks.name}: batch"))
    errors.print(f"records: {out / RESULTS_FILE}; notebooks: {out / 'notebooks'}")
    if outcome.interrupted:
        print("sciwand: interrupted; finished tasks are kept and a rerun skips them", file=sys.stderr)
        return EXIT_INTERRUPTED
    return 0


def run_command(args: argparse.Namespace, settings: Settings) -> int:
    if not args.notebook.is_file():
        raise InputError(f"no such notebook: {args.notebook}")
    output = args.output or Path("runs") / "run" / args.notebook.name
    task_id = re.sub(r"[^A-Za-z0-9._-]", "-", output.stem).lstrip("-.") or "notebook"
    parameters = {name: parse_parameter(value) for name, value in args.parameter}
    task = Task(id=task_id, domain="notebook", turns=(), check=None, notebook=args.notebook, parameters=parameters)
    # The kernel works in the notebook's own directory, as when the notebook is opened there.
    options = RunOptions(settings, notebooks_dir=output.parent, shared_workdir=args.notebook.resolve().parent)
    with Console(stderr=True).status(f"running {args.notebook}"):
        record = run_task(task, ModelCache(settings), output.parent, options)
    assert record is not None
    notebook = output.parent / f"{task_id}.ipynb"
    if notebook != output and notebook.exists():
        notebook.replace(output)
    if record.error:
        print(f"sciwand: {record.error}; the notebook up to that cell is in {output}", file=sys.stderr)
        return 1
    print(f"sciwand: executed {record.steps} cell(s) in {record.seconds:.1f} s; written to {output}", file=sys.stderr)
    return 0
