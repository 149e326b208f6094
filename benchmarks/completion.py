"""Inline completion with the embedded model: latency while typing, against llama.cpp's raw completion of the
same prompts in the same run, and quality on lines masked from the worked examples and the notebooks.

    .venv/bin/python -m benchmarks.completion [--cases 100] [--skip-quality] [--out runs/completion.json]

Latency: a context of about 1,000 tokens (notebook cells and worked examples as the preceding cells), then a
line typed two characters at a time, a completion asked at each step, as an editor asks when the user
pauses. Each request is timed twice: when its first words are there to show (the editor streams the
suggestion, so this is what the user waits for) and when the whole suggestion is. The first request of a
sequence reads the whole context (cold) and is reported apart; the others reuse the evaluated prefix. The
same prompts then go to ``Llama.create_completion`` directly (llama.cpp's own prefix reuse, nothing of
sciwand's) from a cold start, so the overhead is sciwand's prompt building, cut and kept state. The last
column is what the kept state is for: the first request after a chat reply has taken the model's cache.

Quality: one line masked in each of ``--cases`` cells (every worked example and notebook cell of two lines
or more, a line chosen with a fixed seed; then one-line examples in file order), completed from the lines
around it and the cells before it. Exact match compares the completed line with the masked one (spaces at
the ends aside); "same output" runs the completed cell in a preamble kernel and compares its output with the
original's.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from langchain_core.messages import HumanMessage

from assistant.engine.completion import CompletionRequest, fim_prompt, suggest
from assistant.engine.literals import binding_code, find_literals
from assistant.llm.completion import LocalCompleter
from assistant.llm.local_model import FIM_STOP, LocalChatModel, fim_tokens
from assistant.llm.weights import ensure_model_file
from assistant.runs.examples_run import ExampleError, ExampleKernel
from domain_tools.examples import Example, load_all, normalise

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
TYPED_LINE = "heavy = [name for name, mol in molecules.items() if Descriptors.MolWt(mol) > 300]"
CONTEXT_CHARS = 2600  # about 1,000 tokens of code
SEED = 7


@dataclass(frozen=True)
class Case:
    """A cell with one line masked: what is around it, and how to run the cell to compare outputs."""

    source: str  # the example's id, or notebook:cell
    before: list[str]
    masked: str
    after: list[str]
    context: tuple[str, ...]  # the cells before it
    example: Example  # runs the whole cell (its context included) in a preamble kernel


def _notebook_cells() -> list[tuple[str, list[str]]]:
    """(name, code cells in order) of each example notebook."""
    found = []
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        found.append((path.stem, ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]))
    return found


def _maskable(lines: list[str]) -> list[int]:
    return [
        i for i, line in enumerate(lines) if line.strip() and not line.strip().startswith(("#", "import ", "from "))
    ]


def cases(count: int) -> list[Case]:
    """Multi-line cells first (a seeded line of each), then one-line examples, up to ``count``."""
    pick = random.Random(SEED)
    many: list[Case] = []
    ones: list[Case] = []
    for example in load_all():
        lines = example.code.rstrip("\n").split("\n")
        options = _maskable(lines)
        if not options:
            continue
        i = pick.choice(options)
        binding = binding_code(find_literals(example.question))  # the cell a notebook would have run before
        case = Case(example.id, lines[:i], lines[i], lines[i + 1 :], (binding,) if binding else (), example)
        (many if len(lines) > 1 else ones).append(case)
    for name, cells in _notebook_cells():
        for position, cell in enumerate(cells):
            lines = cell.rstrip("\n").split("\n")
            options = _maskable(lines)
            if len(lines) < 2 or not options:
                continue
            i = pick.choice(options)
            context = tuple(cells[:position])
            whole = Example(f"{name}:{position}", "", "\n".join([*context, cell]), "", "", "notebook")
            many.append(Case(f"{name}:{position}", lines[:i], lines[i], lines[i + 1 :], context, whole))
    return (many + ones)[:count]


def _request(case: Case) -> CompletionRequest:
    indent = case.masked[: len(case.masked) - len(case.masked.lstrip())]
    prefix = "\n".join([*case.before, indent])
    return CompletionRequest(prefix, "\n" + "\n".join(case.after) if case.after else "", case.context)


def _completed(case: Case, line: str) -> Example:
    """The case's runnable cell with ``line`` in place of the masked one (an example binds its own literals)."""
    cell = "\n".join([*case.before, line, *case.after])
    code = "\n".join([*case.context, cell]) if case.example.domain == "notebook" else cell
    return replace(case.example, code=code)


def quality(model: LocalChatModel, chosen: list[Case]) -> dict[str, Any]:
    completer = LocalCompleter(model)
    exact = same = ran = 0
    with ExampleKernel() as kernel:
        for number, case in enumerate(chosen, start=1):
            indent = case.masked[: len(case.masked) - len(case.masked.lstrip())]
            offered = (suggest(_request(case), completer) or "").split("\n")[0]
            line = indent + offered
            exact += line.strip() == case.masked.strip()
            try:
                notebook = case.example.domain == "notebook"
                expected = normalise(kernel.run(case.example)) if notebook else normalise(case.example.output)
                got = normalise(kernel.run(_completed(case, line)))
            except ExampleError:
                got, expected = None, ""
            ran += 1
            same += got == expected
            print(
                f"  quality {number}/{len(chosen)} {case.source}: {line.strip()!r} for {case.masked.strip()!r}",
                flush=True,
            )
    return {"cases": len(chosen), "exact_match": exact, "same_output": same, "ran": ran}


def typing_requests() -> list[CompletionRequest]:
    """A ~1,000-token context, then TYPED_LINE two characters at a time."""
    context: list[str] = []
    for _, cells in _notebook_cells():
        context += cells
    context += [example.code for example in load_all()]
    kept: list[str] = []
    for cell in context:
        if sum(map(len, kept)) + len(cell) > CONTEXT_CHARS:
            break
        kept.append(cell)
    names = "molecules: dict of 12 (keys: 'aspirin', 'caffeine', …)\nimported: Chem, Descriptors, u, SeqIO, chem"
    return [CompletionRequest(TYPED_LINE[:end], "", tuple(kept), names) for end in range(8, len(TYPED_LINE), 2)]


@dataclass
class Timing:
    """One request: when its first words were shown, and when the whole suggestion was there (seconds)."""

    first: float
    whole: float


def _timed(write: Any) -> Timing:
    """``write(shown)`` writes a suggestion, calling ``shown()`` as its first words are there to show."""
    started = time.perf_counter()
    first: list[float] = []
    write(lambda: first or first.append(time.perf_counter() - started))
    whole = time.perf_counter() - started
    return Timing(first[0] if first else whole, whole)


def latency(model: LocalChatModel) -> dict[str, Any]:
    llama, _ = model.engine()
    requests = typing_requests()
    completer = LocalCompleter(model)
    offered: list[str] = []

    def ours(request: CompletionRequest, shown: Any) -> None:
        offered.append(suggest(request, completer, lambda text: shown()) or "")

    def raw(request: CompletionRequest, suggestion: str, shown: Any) -> None:
        """The same prompt by llama.cpp alone, streamed to the length of sciwand's suggestion."""
        prompt = fim_prompt(request)
        tokens = fim_tokens(llama, prompt.prefix, prompt.suffix)
        wanted = len(llama.tokenize(suggestion.encode(), add_bos=False)) + 1
        for part in llama.create_completion(tokens, max_tokens=wanted, temperature=0.0, stop=FIM_STOP, stream=True):
            if part["choices"][0]["text"].strip():
                shown()

    llama.reset()
    sciwand = [_timed(lambda shown, r=request: ours(r, shown)) for request in requests]
    print("  sciwand, first words (s):", " ".join(f"{t.first:.2f}" for t in sciwand), flush=True)
    print("  sciwand, whole (s):", " ".join(f"{t.whole:.2f}" for t in sciwand), flush=True)
    llama.reset()
    baseline = [
        _timed(lambda shown, r=request, o=text: raw(r, o, shown))
        for request, text in zip(requests, offered, strict=True)
    ]
    model.invoke([HumanMessage("Say OK.")], max_tokens=4)  # a chat reply takes the cache
    after_chat_ours = _timed(lambda shown: ours(requests[-1], shown))
    model.invoke([HumanMessage("Say OK.")], max_tokens=4)
    after_chat_raw = _timed(lambda shown: raw(requests[-1], offered[-1], shown))
    return {
        "context_tokens": len(fim_tokens(llama, fim_prompt(requests[0]).prefix, "")),
        "requests": len(requests),
        "suggestion_chars": statistics.median(len(text) for text in offered),
        "sciwand": _figures(sciwand, after_chat_ours),
        "raw": _figures(baseline, after_chat_raw),
    }


def _figures(timings: list[Timing], after_chat: Timing) -> dict[str, Any]:
    """Cold (the first request) apart; p50 and p90 of the others, which reuse the evaluated prefix."""
    warm = timings[1:]
    return {
        moment: {
            "cold": getattr(timings[0], moment),
            "p50": _p([getattr(t, moment) for t in warm], 50),
            "p90": _p([getattr(t, moment) for t in warm], 90),
            "after_chat": getattr(after_chat, moment),
        }
        for moment in ("first", "whole")
    }


def _p(values: list[float], percent: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100)
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    model = LocalChatModel(model_path=str(ensure_model_file()))
    figures: dict[str, Any] = {"latency": latency(model)}
    timing = figures["latency"]
    print(
        f"\nlatency, {timing['requests']} requests typing one line after {timing['context_tokens']} tokens of context"
        f" (median suggestion {timing['suggestion_chars']:.0f} characters)"
    )
    print(f"{'':<36} {'cold s':>8} {'p50 s':>8} {'p90 s':>8} {'after chat s':>13}")
    for moment, what in (("first", "first words shown"), ("whole", "whole suggestion")):
        for name, label in (("sciwand", "sciwand"), ("raw", "llama.cpp raw")):
            row = timing[name][moment]
            cells = f"{row['cold']:>8.2f} {row['p50']:>8.2f} {row['p90']:>8.2f} {row['after_chat']:>13.2f}"
            print(f"{what + ', ' + label:<36} {cells}")
        overhead = timing["sciwand"][moment]["p50"] / timing["raw"][moment]["p50"] - 1
        print(f"{what}: overhead at p50 {overhead:+.0%}")
    if not args.skip_quality:
        figures["quality"] = quality(model, cases(args.cases))
        q = figures["quality"]
        print(f"\nquality on {q['cases']} masked lines: exact match {q['exact_match']}, same output {q['same_output']}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
