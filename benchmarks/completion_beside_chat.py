"""Is the chat slower while inline completion runs beside it? One suite on the embedded model, twice: alone,
then with a typist asking for a completion every PAUSE_S seconds, as an editor does while someone types in
another notebook (the same llama.cpp instance, as in the lab server).

    .venv/bin/python -m benchmarks.completion_beside_chat [SUITE] --out runs/completion-beside-chat

A completion never waits behind a chat reply (it answers "busy" at once), but one that holds the model when
the chat's next turn starts makes that turn wait, and leaves the model's cache holding the completion's
prompt. The table gives both runs' solved tasks and median seconds per task, and what the typist got.
Each run resumes: tasks with a record in OUT/alone or OUT/beside are not run again.
"""

from __future__ import annotations

import argparse
import statistics
import threading
from collections import Counter
from pathlib import Path

from rich.console import Console

from assistant.config import DEFAULTS
from assistant.engine.completion import suggest
from assistant.llm.backends import make_chat_model
from assistant.llm.completion import LocalCompleter
from assistant.llm.local_model import LocalChatModel
from assistant.runs.evaluation import evaluate
from assistant.runs.runner import RunOptions
from assistant.runs.tasks import load_suite
from benchmarks.completion import typing_requests

SUITE = Path(__file__).resolve().parent / "tasks" / "dev-half.jsonl"
PAUSE_S = 1.0  # between two requests: a user pausing now and then as they type


class Typist:
    """Asks for a completion every PAUSE_S seconds on a thread of its own until stopped."""

    def __init__(self, model: LocalChatModel) -> None:
        self.completer = LocalCompleter(model)
        self.answers: Counter[str] = Counter()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._type, name="typist", daemon=True)

    def _type(self) -> None:
        requests = typing_requests()
        number = 0
        while not self.stop.wait(PAUSE_S):
            suggestion = suggest(requests[number % len(requests)], self.completer)
            self.answers["busy" if suggestion is None else "answered"] += 1
            number += 1

    def __enter__(self) -> Typist:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.thread.join()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("suite", type=Path, nargs="?", default=SUITE)
    parser.add_argument("--out", type=Path, default=Path("runs/completion-beside-chat"))
    args = parser.parse_args(argv)
    tasks = load_suite(args.suite).tasks
    model = make_chat_model(DEFAULTS)  # as sciwand eval makes it
    assert isinstance(model, LocalChatModel), "the default model is the embedded one"
    console = Console(stderr=True, highlight=False)
    options = RunOptions(DEFAULTS)
    alone = evaluate(tasks, model, args.out / "alone", options, console=console)
    with Typist(model) as typist:
        beside = evaluate(tasks, model, args.out / "beside", options, console=console)
    print(f"\n{args.suite.name}, {len(tasks)} tasks, the embedded model")
    print(f"{'':<28} {'solved':>8} {'median s':>9}  completion requests")
    for name, outcome, typed in (("chat alone", alone, ""), ("completion beside", beside, _typed(typist))):
        solved = sum(bool(record["ok"]) for record in outcome.records)
        median = statistics.median(record["seconds"] for record in outcome.records)
        print(f"{name:<28} {solved:>4}/{len(outcome.records):<3} {median:>9.1f}  {typed}")
    return 0


def _typed(typist: Typist) -> str:
    return f"{typist.answers['answered']} answered, {typist.answers['busy']} busy (model writing a chat reply)"


if __name__ == "__main__":
    raise SystemExit(main())
