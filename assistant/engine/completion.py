"""Inline completion: the fill-in-the-middle prompt for the cell being typed, and the suggestion cut to the
statement (or block) the cursor is in.

The prompt puts what changes least first (the preceding cells, then the names the kernel defines) and the
cell being typed last, so a model that reuses its evaluated prefix (llama.cpp does) evaluates only the cell
again as the user types on. How prefix and suffix reach a model (its FIM tokens, or an API's ``suffix``) is
the completer's business (``assistant/llm/completion.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant.llm.completion import Completer

CONTEXT_CHARS = 4000  # of preceding cells: about 1,000 tokens, read once and then reused from the cache
NAMES_CHARS = 1200  # of the kernel's names and their types
MAX_TOKENS = 64  # a statement or a short block
CELL_SEPARATOR = "\n\n# %%\n"
RUNAWAY_CHARS = 10  # a unit of one to four characters repeated this far is a greedy model looping, not code


@dataclass(frozen=True)
class CompletionRequest:
    """What the editor knows when the user pauses: the cell around the cursor and the cells before it."""

    prefix: str  # the cell's code before the cursor
    suffix: str = ""  # ... and after it
    cells: tuple[str, ...] = ()  # the notebook's code cells before this one, oldest first
    names: str = ""  # the kernel's variables, one "name: type" per line ("" when unknown)


@dataclass(frozen=True)
class FimPrompt:
    prefix: str  # everything before the cursor the model reads
    suffix: str  # everything after it


def suggest(
    request: CompletionRequest,
    completer: Completer,
    partial: Callable[[str], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> str | None:
    """The completion at the cursor, cut to its statement ("" for none); None while the model is busy.

    A model that writes token by token shows each longer suggestion to ``partial`` as it goes (the editor
    shows the first words long before the statement is over), and stops as soon as ``cancelled`` says the
    user typed on."""
    prompt = fim_prompt(request)
    line_before = request.prefix.rsplit("\n", 1)[-1]
    shown = ""

    def finished(text: str) -> bool:
        nonlocal shown
        offered = cut_suggestion(text, line_before)
        if partial is not None and len(offered) > len(shown) and offered.startswith(shown):
            shown = offered
            partial(offered)
        # the cut already drops something: the statement is over, or the model loops
        return offered.lstrip("\n") != text.rstrip().lstrip("\n")

    text = completer.complete(prompt.prefix, prompt.suffix, MAX_TOKENS, finished, cancelled)
    if text is None:
        return None
    return cut_suggestion(text, line_before)


def prepare(request: CompletionRequest, completer: Completer) -> bool:
    """Have the model read the prompt of the completions ``request`` leads to (a notebook's cells when it
    opens), so the first suggestion evaluates only the cell typed; whether it did (not while it was busy)."""
    prompt = fim_prompt(request)
    return completer.prepare(prompt.prefix, prompt.suffix)


def fim_prompt(request: CompletionRequest, budget: int = CONTEXT_CHARS) -> FimPrompt:
    """The preceding cells that fit ``budget`` (``kept_cells``), the kernel's names as a comment, then the cell
    up to the cursor."""
    kept = kept_cells(request.cells, budget)
    names = request.names.strip()[:NAMES_CHARS]
    if names:
        kept.append("# Variables in the kernel:\n" + "\n".join(f"# {line}" for line in names.splitlines()))
    context = CELL_SEPARATOR.join(kept)
    prefix = f"{context}{CELL_SEPARATOR}{request.prefix}" if context else request.prefix
    return FimPrompt(prefix, request.suffix)


def kept_cells(cells: tuple[str, ...], budget: int) -> list[str]:
    """The nearest cells within ``budget`` characters, from a start that moves in steps of half the budget.

    The model reuses the prompt it evaluated up to the first token that differs. Were the oldest cell dropped
    whenever a new one came in, the prompt would differ from its first token each time the user moves to the
    next cell, and the whole context (seconds on 2 cores) would be read again; with the start moving by half
    a budget at a time, that happens once per half a budget of new code."""
    cells = tuple(cell for cell in cells if cell.strip())
    total = sum(map(len, cells))
    if total <= budget:
        return list(cells)
    step = max(1, budget // 2)
    start = -(-(total - budget) // step) * step  # the first step past what must be dropped
    offset = 0
    for index, cell in enumerate(cells):
        if offset >= start:
            return list(cells[index:])
        offset += len(cell)
    return []


_OPENS, _CLOSES = "([{", ")]}"
_RUN = re.compile(r"(.{1,4}?)\1{3,}")
_SEPARATOR_LINE = re.compile(r"^" + re.escape(CELL_SEPARATOR.strip()), re.MULTILINE)
_STRING = re.compile(r"'''.*?'''|\"\"\".*?\"\"\"|'(?:\\.|[^'\\])*'|\"(?:\\.|[^\"\\])*\"|#[^\n]*", re.DOTALL)


def _depth(code: str) -> int:
    """Brackets opened and not closed in ``code`` (strings and comments left out)."""
    bare = _STRING.sub("", code)
    return sum(bare.count(c) for c in _OPENS) - sum(bare.count(c) for c in _CLOSES)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _sane(text: str) -> str:
    """``text`` before the prompt's own cell separator (the model starting a next cell) and before a runaway
    repetition ("1000000000…", "))))))))…"), which a greedy small model writes until its token limit."""
    separator = _SEPARATOR_LINE.search(text)
    if separator:
        text = text[: separator.start()]
    for run in _RUN.finditer(text):
        if len(run.group(0)) >= RUNAWAY_CHARS and run.group(1).strip():
            return text[: run.start()]
    return text


def cut_suggestion(text: str, line_before: str) -> str:
    """``text`` up to the end of the statement the cursor is in: its line, the lines its open brackets carry
    on to, and the indented body of a block it opens (``for …:``, ``def …:``). ``line_before`` is the cursor's
    line up to the cursor. A runaway repetition and a next cell are never offered."""
    lines = _sane(text).rstrip().split("\n")
    if not lines[0].strip() and len(lines) > 1 and not line_before.strip():
        lines = lines[1:]  # the model started with the line break the user is about to type
    head = line_before + lines[0]
    kept = [lines[0]]
    depth = _depth(head)
    opens_block = head.rstrip().endswith(":")
    for line in lines[1:]:
        if depth > 0:
            kept.append(line)
            depth += _depth(line)
        elif opens_block and line.strip() and _indent(line) > _indent(head):
            kept.append(line)
            depth = _depth(line)
        else:
            break
    return "\n".join(kept).rstrip()
