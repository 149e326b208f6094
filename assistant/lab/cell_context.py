"""The notebook cells a panel question is about, as the few lines the model reads with the question.

A small model reads every character it is sent, so each cell is capped: its code, then the tail of its
traceback (where the error line is) or of its outputs.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.lab.protocol import CellContext

CODE_CHARS = 3000
TAIL_CHARS = 1200
HEADER = "The question is about these cells of the user's notebook:"


def cells_prompt(cells: Sequence[CellContext]) -> str:
    """The cells for the model's question ("" for none): code fenced, then the error or the outputs."""
    if not cells:
        return ""
    parts = [HEADER]
    for number, cell in enumerate(cells, 1):
        parts.append(f"Cell {number}:\n```python\n{_head(cell.code, CODE_CHARS)}\n```")
        if cell.error:
            parts.append(f"It raised:\n{_tail(cell.error, TAIL_CHARS)}")
        elif cell.outputs:
            parts.append(f"Its output:\n{_tail(cell.outputs, TAIL_CHARS)}")
    return "\n\n".join(parts)


def _head(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "\n# … (cut)"


def _tail(text: str, limit: int) -> str:
    return text if len(text) <= limit else "…" + text[-limit:]
