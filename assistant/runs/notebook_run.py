"""Executing a parameterised notebook on a kernel we hold, ``%%ask`` cells included (``sciwand run``, batch).

Parameters follow papermill's convention: a cell tagged ``injected-parameters`` goes right after the cell
tagged ``parameters`` (or first, when none is), so the notebook's defaults are overridden and the record
shows both. ``%%ask`` cells are not sent to the kernel: the loop runs here, with the one shared model, and
executes its steps on the same kernel, so N notebooks never load N models. The notebook is saved after
every cell; execution stops at the first failing cell, as papermill does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import nbformat
from nbformat.v4 import new_code_cell, new_output

from assistant.engine.events import LoopEvents, Step, tokens_total
from assistant.engine.kernel_context import context_from_kernel
from assistant.engine.loop import ChatSession
from assistant.engine.observation import failure_line
from assistant.runs.ask_options import ask_parser, split_options
from assistant.runs.cell_view import answer_bundle, code_bundle
from assistant.runs.notebook import recorded_outputs
from kernels import KernelSession

ASK_PREFIXES = ("%%ask", "%ask ")


def is_ask_cell(cell: nbformat.NotebookNode) -> bool:
    return cell.cell_type == "code" and cell.source.lstrip().startswith(ASK_PREFIXES)


def inject_parameters(notebook: nbformat.NotebookNode, parameters: dict[str, Any]) -> None:
    if not parameters:
        return
    source = "# Parameters\n" + "\n".join(f"{name} = {value!r}" for name, value in parameters.items())
    cell = new_code_cell(source, metadata={"tags": ["injected-parameters"]})
    cells = notebook.cells
    cells[:] = [c for c in cells if "injected-parameters" not in c.get("metadata", {}).get("tags", [])]
    tagged = [i for i, c in enumerate(cells) if "parameters" in c.get("metadata", {}).get("tags", [])]
    cells.insert(tagged[0] + 1 if tagged else 0, cell)


@dataclass
class NotebookOutcome:
    cells_run: int = 0
    asked: int = 0  # %%ask cells
    answered: int = 0
    turns: int = 0
    tokens_in: int | None = 0  # None once a question's provider reported no usage
    tokens_out: int = 0
    tokens_cached: int = 0
    error: str | None = None  # the first failing cell, in one line

    @property
    def ok(self) -> bool:
        return self.error is None


class _AskCellOutputs(LoopEvents):
    """Writes an ``%%ask`` cell's steps and answer into that cell, as the magic would show them."""

    def __init__(self, cell: nbformat.NotebookNode, max_turns: int, save: Callable[[], None]) -> None:
        self.cell, self.max_turns, self.save = cell, max_turns, save
        self.steps = 0

    def running(self, code: str) -> None:
        self.steps += 1
        self.cell.outputs.append(new_output("display_data", data=code_bundle(f"step {self.steps}", code)))

    def step(self, step: Step) -> None:
        self.cell.outputs.extend(recorded_outputs(step.result))
        self.save()

    def answer(self, text: str | None) -> None:
        self.cell.outputs.append(new_output("display_data", data=answer_bundle(text, self.max_turns)))
        self.save()


def execute_notebook(
    notebook: nbformat.NotebookNode,
    kernel: KernelSession,
    session: ChatSession | None,
    *,
    timeout: float,
    save: Callable[[], None],
) -> NotebookOutcome:
    """Run every code cell in order on ``kernel``; ``%%ask`` cells through ``session`` (None: they fail)."""
    outcome = NotebookOutcome()
    # With a session, plain cells run through its executor too: journaled, so a crash in either kind of
    # cell gets the state of both back.
    executor = session.executor if session is not None else kernel
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        cell.outputs = []
        outcome.cells_run += 1
        if is_ask_cell(cell):
            if session is None:
                outcome.error = f"cell {index}: %%ask needs a model"
            else:
                _ask(cell, kernel, session, outcome, save)
        else:
            result = executor.execute(cell.source, timeout)
            cell.execution_count = result.execution_count
            cell.outputs = recorded_outputs(result)
            if not result.ok:
                outcome.error = f"cell {index}: {failure_line(result)}"
        save()
        if outcome.error is not None:
            break
    return outcome


def _ask(
    cell: nbformat.NotebookNode,
    kernel: KernelSession,
    session: ChatSession,
    outcome: NotebookOutcome,
    save: Callable[[], None],
) -> None:
    first, _, body = cell.source.lstrip().partition("\n")
    magic, _, line = first.partition(" ")
    options, rest = split_options(ask_parser(), line)
    question = "\n".join(part for part in (rest, body if magic == "%%ask" else "") if part.strip()).strip()
    session.events = _AskCellOutputs(cell, session.max_turns, save)
    question, context = context_from_kernel(kernel, question)
    result = session.ask(question, context)
    outcome.asked += 1
    outcome.answered += result.ok
    outcome.turns += result.turns
    outcome.tokens_in = tokens_total([outcome.tokens_in, result.tokens_in])
    outcome.tokens_out += result.tokens_out
    outcome.tokens_cached += result.tokens_cached
    if options.output:
        session.executor.execute(f"{options.output} = {result.answer!r}", session.timeout)
