"""The fixed, stratified half of the dev suite that ablations run on when a full run per ablation does not fit.

Chosen before any ablation ran, by position only: within each domain, in file order, every other task
(the 1st, 3rd, 5th ...). ``python -m benchmarks.split`` rewrites ``benchmarks/tasks/dev-half.jsonl``.
"""

from __future__ import annotations

import json
from pathlib import Path

TASKS = Path(__file__).parent / "tasks"


def stratified_half(lines: list[str]) -> list[str]:
    by_domain: dict[str, list[str]] = {}
    for line in lines:
        by_domain.setdefault(json.loads(line)["domain"], []).append(line)
    chosen = {line for domain_lines in by_domain.values() for line in domain_lines[::2]}
    return [line for line in lines if line in chosen]  # file order kept


def main() -> None:
    lines = [line for line in (TASKS / "dev.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    half = stratified_half(lines)
    (TASKS / "dev-half.jsonl").write_text("\n".join(half) + "\n", encoding="utf-8")
    print(f"{len(half)} of {len(lines)} tasks written to {TASKS / 'dev-half.jsonl'}")


if __name__ == "__main__":
    main()
