"""Hints appended to a failed step's observation: one line each, naming the call that works instead.

A 1.5B model that calls an API removed two releases ago will call it again unless told what replaced
it; the traceback alone rarely says. Two sources: the pitfall table of the domain catalogs, and the
catalog itself — a name the model reached for under the wrong module (``Restriction.restriction_sites``)
or re-imported from the wrong place (``from astropy import u``) is one the kernel already has.
"""

from __future__ import annotations

import re

from domain_tools.catalog import Catalog, preamble_names
from kernels import ExecutionResult

MAX_HINTS = 2  # more lines dilute the one that matters
_MISSING_NAME = re.compile(r"(?:has no attribute|name) '(\w+)'(?: is not defined)?")
_BAD_IMPORT = re.compile(r"cannot import name '(\w+)'")


def hints_for(result: ExecutionResult, code: str, catalog: Catalog) -> list[str]:
    if result.error is None:
        return []
    error_line = f"{result.error.ename}: {result.error.evalue}"
    found = [hint.text for hint in catalog.hints if hint.matches(error_line, code)]
    found += _catalog_hints(error_line, catalog)
    return list(dict.fromkeys(found))[:MAX_HINTS]


def _catalog_hints(error_line: str, catalog: Catalog) -> list[str]:
    bad_import = _BAD_IMPORT.search(error_line)
    if bad_import and bad_import.group(1) in preamble_names():
        name = bad_import.group(1)
        return [f"`{name}` is already imported in the kernel; delete that import line and use `{name}` directly."]
    missing = _MISSING_NAME.search(error_line)
    if not missing:
        return []
    wanted = missing.group(1)
    return [
        f"`{wanted}` is `{entry.name}`: {entry.signature}, e.g. {entry.example}"
        for entry in catalog.entries
        if entry.name.rsplit(".", 1)[-1] == wanted
    ][:1]
