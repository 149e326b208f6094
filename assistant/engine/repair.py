"""Real names for a name the LLM invented, asked of the kernel right after the step that failed on it.

Only the kernel knows what ``Chem``, ``u`` or ``mol`` are, so the search runs there
(``domain_tools.names.suggest``), through the executor's silent ``evaluate``: nothing enters the notebook,
the kernel's history or the replay journal. Anything unexpected — an executor without ``evaluate``, a
kernel without sciwand installed, a slow or dead kernel — yields no lines, never an error.
"""

from __future__ import annotations

from typing import Any

from assistant.engine.executor import evaluator
from kernels import ExecutionResult

REPAIRABLE = frozenset({"AttributeError", "ImportError", "ModuleNotFoundError", "NameError"})
TIMEOUT_S = 5.0
MAX_LINES = 3
_LINE_CHARS = 300
_CODE_CHARS = 20_000  # the code travels inside the expression; a huge cell is not worth parsing


def name_repairs(executor: Any, result: ExecutionResult, code: str) -> list[str]:
    """Lines naming the closest real names, e.g. "`Chem.DeleteSubstructs(mol, query, ...) -> Mol`: Removes
    atoms ...", for a step that failed with one of ``REPAIRABLE``; [] otherwise or on any failure."""
    error = result.error
    evaluate = evaluator(executor)
    if error is None or error.ename not in REPAIRABLE or evaluate is None:
        return []
    expression = (
        "__import__('domain_tools.names', fromlist=['suggest']).suggest("
        f"{error.ename!r}, {error.evalue[:1000]!r}, {code[:_CODE_CHARS]!r}, globals())"
    )
    try:
        answer = evaluate(expression, TIMEOUT_S)
    except Exception:  # a kernel that died or was shut down meanwhile: the step's own error still stands
        return []
    if not isinstance(answer, str):
        return []
    return [line[:_LINE_CHARS] for line in answer.splitlines() if line.strip()][:MAX_LINES]
