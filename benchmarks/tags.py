"""Solved tasks and median seconds per tag of a suite (``"tags"`` in its tasks), from a run's records.

    .venv/bin/python -m benchmarks.tags benchmarks/tasks/test2.jsonl runs/test2/results.jsonl

``sciwand eval`` scores by domain; a suite such as test2.jsonl also tags its tasks (multi-step, off-table,
follow-up), and this prints the same figures per tag, from the last record of each task.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path


def per_tag(suite: Path, results: Path) -> list[tuple[str, int, int, float | None]]:
    """(tag, solved, tasks, median seconds) for each tag, then "all"; untagged tasks count in "all" only."""
    tags = {}
    for line in suite.read_text().splitlines():
        if line.strip():
            task = json.loads(line)
            tags[task["id"]] = task.get("tags", [])
    records = {}
    for line in results.read_text().splitlines():
        if line.strip():
            record = json.loads(line)
            if record["id"] in tags:
                records[record["id"]] = record  # a rerun's record replaces the earlier one
    names = sorted({tag for task_tags in tags.values() for tag in task_tags})
    rows = []
    for name in [*names, "all"]:
        chosen = [r for task_id, r in records.items() if name == "all" or name in tags[task_id]]
        seconds = [r.get("seconds", 0.0) for r in chosen]
        rows.append(
            (name, sum(bool(r.get("ok")) for r in chosen), len(chosen), statistics.median(seconds) if seconds else None)
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("suite", type=Path)
    parser.add_argument("results", type=Path)
    args = parser.parse_args(argv)
    print(f"{'tag':<12} {'solved':>9} {'rate':>6} {'median s':>9}")
    for name, solved, tasks, seconds in per_tag(args.suite, args.results):
        rate = f"{100 * solved / tasks:.0f}%" if tasks else "-"
        median = f"{seconds:.1f}" if seconds is not None else "-"
        print(f"{name:<12} {solved:>4}/{tasks:<4} {rate:>6} {median:>9}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
