"""Known pitfalls matched against a failed step's error, as one-line hints the model can act on.

A 1.5B model that calls an API removed two releases ago will call it again unless told what replaced
it; the traceback alone rarely says. The table lives in the domain catalogs (``domain_tools``).
"""

from __future__ import annotations

from domain_tools.catalog import Hint
from kernels import ExecutionResult

MAX_HINTS = 2  # more lines dilute the one that matters


def hints_for(result: ExecutionResult, code: str, hints: list[Hint]) -> list[str]:
    if result.error is None:
        return []
    error_line = f"{result.error.ename}: {result.error.evalue}"
    found = [hint.text for hint in hints if hint.matches(error_line, code)]
    return list(dict.fromkeys(found))[:MAX_HINTS]
