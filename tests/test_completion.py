"""Inline completion's prompt and cut, without a model: what the model reads, and what the editor is offered."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest

from assistant.engine.completion import (
    CELL_SEPARATOR,
    CompletionRequest,
    cut_suggestion,
    fim_prompt,
    kept_cells,
    suggest,
)


class Recording:
    """A completer that answers ``reply`` and keeps what it was asked (None: a busy model)."""

    def __init__(self, reply: str | None) -> None:
        self.reply = reply
        self.asked: list[tuple[str, str, int]] = []
        self.finished: Any = None
        self.cancelled: Any = None

    def complete(
        self, prefix: str, suffix: str, max_tokens: int, finished: Any = None, cancelled: Any = None
    ) -> str | None:
        self.asked.append((prefix, suffix, max_tokens))
        self.finished, self.cancelled = finished, cancelled
        return self.reply


def test_the_prompt_reads_the_nearest_cells_then_the_names_then_the_cell_up_to_the_cursor():
    cells = ("old = 1", "x" * 3000, "import numpy as np", "weights = np.array([1.0, 2.0])")
    request = CompletionRequest("total = weights.", "\nprint(total)", cells, "weights: ndarray 2 float64")
    prompt = fim_prompt(request, budget=6000)
    parts = prompt.prefix.split(CELL_SEPARATOR)
    assert parts[:4] == list(cells)  # all of them fit, in order
    assert parts[4] == "# Variables in the kernel:\n# weights: ndarray 2 float64"
    assert parts[-1] == "total = weights." and prompt.suffix == "\nprint(total)"
    nearest = fim_prompt(request, budget=3050).prefix.split(CELL_SEPARATOR)
    assert "old = 1" not in nearest and nearest[0] == "import numpy as np"  # past the budget, the oldest go


def test_the_kept_cells_start_where_they_did_as_the_notebook_grows():
    """The cached prompt stays valid when the user moves on to a next cell: the start moves rarely."""
    cells = tuple(f"step_{i} = compute({i})  # {'.' * 60}" for i in range(200))
    starts = []
    for end in range(20, 200):
        kept = kept_cells(cells[:end], budget=1000)
        assert 500 - 100 <= sum(map(len, kept)) <= 1000 and kept[-1] == cells[end - 1]
        starts.append(cells.index(kept[0]))
    moves = sum(a != b for a, b in pairwise(starts))
    assert moves <= len(starts) // 5, starts  # about every sixth new cell, not every one


def test_a_first_cell_with_no_kernel_names_is_its_own_prefix():
    assert fim_prompt(CompletionRequest("import ", "")).prefix == "import "


@pytest.mark.parametrize(
    ("line_before", "text", "offered"),
    [
        ("mw = Descriptors.", "MolWt(mol)\nprint(mw)\nother = 1", "MolWt(mol)"),  # one statement
        (
            "for name, smiles in mols.items():",
            "\n    mol = Chem.MolFromSmiles(smiles)\n    print(name)\nx = 1",
            "\n    mol = Chem.MolFromSmiles(smiles)\n    print(name)",
        ),  # the block it opens, not past it
        ("frame = pd.DataFrame(", "{\n    'a': [1, 2],\n}\n)\nprint(frame)", "{\n    'a': [1, 2],\n}\n)"),  # brackets
        ("", "\nprint(total)\n", "print(total)"),  # a fresh line: the line break is the user's
        ("label = 'a (b'", ")\nnext = 2", ")"),  # a bracket in a string opens nothing
    ],
)
def test_a_suggestion_stops_at_the_end_of_its_statement_or_block(line_before, text, offered):
    assert cut_suggestion(text, line_before) == offered


def test_suggest_cuts_what_the_model_wrote_and_a_busy_model_answers_nothing():
    model = Recording("MolWt(mol)\nprint(mw)")
    request = CompletionRequest("mol = Chem.MolFromSmiles('CCO')\nmw = Descriptors.", "", ("from rdkit import Chem",))
    assert suggest(request, model) == "MolWt(mol)"
    prefix, _, max_tokens = model.asked[0]
    assert prefix.endswith("mw = Descriptors.") and prefix.startswith("from rdkit import Chem") and max_tokens > 0
    assert suggest(request, Recording(None)) is None


def test_the_model_may_stop_writing_once_the_statement_is_over():
    model = Recording("MolWt(mol)")
    suggest(CompletionRequest("mw = Descriptors."), model)
    assert not model.finished("MolWt(m") and not model.finished("MolWt(mol)\n")
    assert model.finished("MolWt(mol)\nprint")  # a next statement began: nothing more is offered
    block = Recording("")
    suggest(CompletionRequest("for name in names:"), block)
    assert not block.finished("\n    print(name)\n    total += 1")
    assert block.finished("\n    print(name)\nx")


@pytest.mark.parametrize(
    ("line_before", "text", "offered"),
    [
        ("heavy = [m for m in mols if MolWt(m) > ", "1000000000000000000000000000", "1"),  # a greedy loop
        ("pairs = ", "[(a, b)" + ", (a, b)" * 4 + "]", "[(a, b)" + ", (a, b)" * 4 + "]"),  # repeats, but code
        ("            if x:", "\n" + " " * 16 + "n += 1", "\n" + " " * 16 + "n += 1"),  # deep indents are no loop
        ("", "# %%\nimport numpy as np", ""),  # the model starting a next cell of its prompt
        ("x = 1", "\n# %%\ny = 2", ""),
    ],
)
def test_a_runaway_repetition_or_a_next_cell_is_never_offered(line_before, text, offered):
    assert cut_suggestion(text, line_before) == offered


def test_the_model_stops_at_a_runaway_repetition():
    model = Recording("")
    suggest(CompletionRequest("limit = "), model)
    assert not model.finished("10000000") and model.finished("1" + "0" * 20)


def test_each_longer_suggestion_is_shown_as_the_model_writes_and_typing_on_stops_it():
    model = Recording("MolWt(mol)\nprint")
    shown: list[str] = []
    typed_on = False
    assert suggest(CompletionRequest("mw = Descriptors."), model, shown.append, lambda: typed_on) == "MolWt(mol)"
    for text in ("Mol", "MolWt", "MolWt ", "MolWt(mol)", "MolWt(mol)\n"):
        assert not model.finished(text)
    assert shown == ["Mol", "MolWt", "MolWt(mol)"]  # only growth is shown, trailing spaces wait for more
    assert not model.cancelled()
    typed_on = True
    assert model.cancelled()  # the user typed on: the model stops writing (or waiting for its turn)
