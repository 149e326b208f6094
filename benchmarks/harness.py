"""What each part of the loop is worth to the embedded model: the full harness against variants of it, on one suite.

    .venv/bin/python -m benchmarks.harness [SUITE] [--variants full,no-preamble,...] [--out runs/harness] [--model M]

SUITE defaults to ``benchmarks/tasks/quick.jsonl`` (15 questions, 5 per domain). Each variant runs the suite as
``sciwand eval SUITE --out OUT/VARIANT`` does: the same runner (a fresh kernel and session per task, a record per
task in ``OUT/VARIANT/results.jsonl``) and the same check (``assistant.runs.tasks.check_answer``), with the
variant's ChatSession keywords on top; ``full`` is ``sciwand eval`` itself. A rerun resumes: tasks that have a
record are not run again, so use a new ``--out`` for new figures.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console

from assistant.config import add_settings_arguments, flag_overrides, load_settings
from assistant.engine.harness import OVERRIDES, configured
from assistant.llm.backends import make_chat_model
from assistant.runs.evaluation import evaluate
from assistant.runs.runner import RunOptions
from assistant.runs.scores import summarize
from assistant.runs.tasks import load_suite

QUICK_SUITE = Path(__file__).parent / "tasks" / "quick.jsonl"
DOMAINS = ("chemistry", "biology", "astronomy")


def variant(name: str) -> dict[str, Any]:
    """The ChatSession keywords of a variant: the full harness, or an override declared with the harness
    (``assistant/engine/harness.py``)."""
    return {} if name == "full" else {"harness": configured(name)}


def row(name: str, records: list[dict[str, Any]]) -> str:
    """One line of the table: solved overall and per domain, median turns and seconds per task."""
    rows = {r.name: r for r in summarize(records)}
    overall = rows["overall"]
    domains = " ".join(f"{rows[d].solved if d in rows else 0:>5}" for d in DOMAINS)
    turns = "-" if overall.median_turns is None else f"{overall.median_turns:g}"
    seconds = "-" if overall.median_seconds is None else f"{overall.median_seconds:.1f}"
    return f"{name:<20} {overall.solved:>3}/{overall.tasks:<3} {domains} {turns:>9} {seconds:>6}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("suite", type=Path, nargs="?", default=QUICK_SUITE)
    parser.add_argument("--variants", default=",".join(["full", *OVERRIDES]), help="comma-separated, in order")
    parser.add_argument("--out", type=Path, default=Path("runs/harness"))
    add_settings_arguments(parser)
    args = parser.parse_args(argv)
    names = [name for name in args.variants.split(",") if name]
    unknown = sorted(set(names) - {"full", *OVERRIDES})
    if unknown:
        parser.error(f"unknown variant(s) {', '.join(unknown)}; use full or one of {', '.join(OVERRIDES)}")
    suite = load_suite(args.suite)
    if suite.problems:
        parser.error(f"{args.suite}: {'; '.join(suite.problems)}")
    settings = load_settings(flag_overrides(args))
    model = make_chat_model(settings)
    progress = Console(stderr=True)
    print(f"{'variant':<20} {'solved':>7} {'chem':>5} {'bio':>5} {'astro':>5} {'med turns':>9} {'med s':>6}")
    for name in names:
        options = RunOptions(settings, session_options=variant(name))
        outcome = evaluate(suite.tasks, model, args.out / name, options, console=progress)
        print(row(name, outcome.records), flush=True)
        if outcome.interrupted:
            return 130
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
