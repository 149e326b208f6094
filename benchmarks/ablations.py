"""Each harness part's worth: the full harness against the harness without that part, on one suite.

    python -m benchmarks.ablations benchmarks/tasks/dev-half.jsonl --out runs/ablations
    python -m benchmarks.ablations SUITE --out DIR --parts checks,voting --table-only

Runs ``sciwand eval SUITE --out DIR`` and ``... --ablate PART`` for each part (a rerun resumes: tasks with
a record are skipped), then prints one row per variant from ``DIR/results.jsonl``: solved per domain and
overall, the change against the full harness, median seconds and tokens per task.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from assistant.runs.evaluation import RESULTS_FILE
from assistant.runs.runner import ABLATIONS, ResultsLog
from assistant.runs.tasks import load_suite

DOMAINS = ("chemistry", "biology", "astronomy")
PARTS = ("helpers", "examples", "repair", "lookup", "binding", "checks", "voting", "feedback")


def _records(out: Path, ids: set[str]) -> dict[str | None, list[dict[str, Any]]]:
    """The last record of each suite task per ablation (None: the full harness)."""
    latest: dict[tuple[str | None, str], dict[str, Any]] = {}
    for record in ResultsLog(out / RESULTS_FILE).records():  # as sciwand eval reads it: a cut-short line is skipped
        if record["id"] in ids:
            latest[(record.get("ablation"), record["id"])] = record
    variants: dict[str | None, list[dict[str, Any]]] = {}
    for (ablation, _), record in latest.items():
        variants.setdefault(ablation, []).append(record)
    return variants


def _solved(records: list[dict[str, Any]], domain: str | None = None) -> tuple[int, int]:
    chosen = [r for r in records if domain is None or r.get("domain") == domain]
    return sum(bool(r.get("ok")) for r in chosen), len(chosen)


def table(out: Path, ids: set[str], parts: list[str]) -> str:
    variants = _records(out, ids)
    full = variants.get(None, [])
    full_rate = {d: _solved(full, d) for d in (*DOMAINS, None)}
    lines = [
        "| variant | chemistry | biology | astronomy | overall | vs full | median s | tokens in / out per task |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for part in [None, *parts]:
        records = variants.get(part)
        if not records:
            continue
        cells = []
        for domain in (*DOMAINS, None):
            solved, total = _solved(records, domain)
            cells.append(f"{solved}/{total}")
        solved, total = _solved(records)
        base, base_total = full_rate[None]
        delta = "" if part is None or not base_total else f"{100 * (solved / total - base / base_total):+.0f} pts"
        seconds = statistics.median(r.get("seconds", 0.0) for r in records)
        tokens = f"{statistics.mean(r.get('tokens_in', 0) for r in records):.0f} / "
        tokens += f"{statistics.mean(r.get('tokens_out', 0) for r in records):.0f}"
        name = "full harness" if part is None else f"without {part}"
        lines.append(f"| {name} | {' | '.join(cells[:3])} | **{cells[3]}** | {delta} | {seconds:.1f} | {tokens} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("suite", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--parts", default=",".join(PARTS), help="comma-separated ablations, in order")
    parser.add_argument("--table-only", action="store_true", help="print the table of what has run; run nothing")
    args = parser.parse_args(argv)
    parts = [part for part in args.parts.split(",") if part]
    unknown = sorted(set(parts) - set(ABLATIONS))
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}; use {', '.join(ABLATIONS)}")
    ids = {task.id for task in load_suite(args.suite).tasks}
    if not args.table_only:
        for part in [None, *parts]:
            command = [sys.executable, "-m", "assistant.cli.main", "eval", str(args.suite), "--out", str(args.out)]
            command += ["--ablate", part] if part else []
            print(f"== {' '.join(command[2:])}", file=sys.stderr, flush=True)
            subprocess.run(command, check=False)
    print(table(args.out, ids, parts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
