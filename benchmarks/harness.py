"""What each part of the loop is worth to the embedded model: the full harness against ablations.

    .venv/bin/python -m benchmarks.harness [--variants full,no-preamble,...] [--out runs/harness]

Every variant answers the same 15 questions (benchmarks/questions.py) on fresh kernels, in one run.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path
from typing import Any

from assistant.config import load_settings
from assistant.engine import prompts
from assistant.llm.backends import make_chat_model
from benchmarks.questions import QUESTIONS
from benchmarks.runner import run_questions


def _prompt_without_preamble() -> str:
    """The system prompt minus its 'already imported' and 'useful calls' paragraph."""
    before, rest = prompts.SYSTEM_PROMPT.split("Already imported in the kernel", 1)
    return before + "Rules:" + rest.split("Rules:", 1)[1]


VARIANTS: dict[str, dict[str, Any]] = {
    "full": {},
    "no-catalog": {"catalog_budget": 0},
    "no-hints": {"use_hints": False},
    "no-catalog-no-hints": {"catalog_budget": 0, "use_hints": False},
    "no-preamble": {"setup_code": None, "system_prompt": _prompt_without_preamble()},
    "no-window": {"context_window": 1000},
    "no-resample": {"repeat_temperatures": ()},
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--out", type=Path, default=Path("runs/harness"))
    parser.add_argument("--temperature", type=float, help="sampling temperature for every variant")
    args = parser.parse_args()
    settings = load_settings({"temperature": args.temperature})
    model = make_chat_model(settings)
    print(f"{'variant':<20} {'solved':>7} {'chem':>5} {'bio':>5} {'astro':>5} {'med turns':>9} {'med s':>6}")
    for name in args.variants.split(","):
        rows = run_questions(model, QUESTIONS, args.out / name, max_turns=settings.max_turns, **VARIANTS[name])
        by_domain = {d: sum(r.ok for r in rows if r.domain == d) for d in ("chemistry", "biology", "astronomy")}
        print(
            f"{name:<20} {sum(r.ok for r in rows):>3}/{len(rows):<3} {by_domain['chemistry']:>5} "
            f"{by_domain['biology']:>5} {by_domain['astronomy']:>5} "
            f"{statistics.median(r.turns for r in rows):>9} {statistics.median(r.seconds for r in rows):>6.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
