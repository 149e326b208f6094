"""Batch task files: JSON Lines or YAML, where a task may be a template expanded over a CSV of parameters.

A plain task is the same object an eval suite holds, with optional ``setup``, ``files``, ``model`` and a
``notebook`` with ``parameters`` instead of questions; the check is optional. A template task names a CSV
in ``params`` and is expanded to one task per row, ``{column}`` replaced in ``id``, ``question``/``turns``
and ``parameters`` (a notebook task gets the row's columns as parameters by default)::

    {"id": "mw-{name}", "question": "What is the molecular weight of {smiles}?", "params": "molecules.csv"}
"""

from __future__ import annotations

import ast
import csv
import json
import re
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import InputError
from assistant.runs.tasks import Suite, suite_from_objects

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def parse_parameter(raw: str) -> Any:
    """A parameter value as papermill reads ``-p name value``: a Python literal when it is one, else the string."""
    try:
        return ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        return raw


def _fill(value: Any, row: dict[str, str]) -> Any:
    """``{column}`` replaced by the row's value in strings, lists and dicts; other braces stay as written."""
    if isinstance(value, str):
        return _PLACEHOLDER.sub(lambda m: row.get(m[1], m[0]), value)
    if isinstance(value, list):
        return [_fill(item, row) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, row) for key, item in value.items()}
    return value


def expand_template(raw: dict[str, Any], base: Path) -> list[dict[str, Any]]:
    """One task object per row of the template's ``params`` CSV."""
    params = Path(raw["params"])
    params = params if params.is_absolute() else base / params
    with params.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    template = {key: value for key, value in raw.items() if key != "params"}
    template_id = str(template.get("id", params.stem))
    numbered = not _PLACEHOLDER.search(template_id)
    tasks = []
    for number, row in enumerate(rows, 1):
        task = {key: _fill(value, row) for key, value in template.items() if key not in ("id", "parameters")}
        task["id"] = f"{template_id}-{number}" if numbered else _fill(template_id, row)
        if "notebook" in template:
            values = {name: parse_parameter(value) for name, value in row.items()}
            task["parameters"] = {**values, **_fill(template.get("parameters", {}), row)}
        tasks.append(task)
    return tasks


def _entries(path: Path) -> list[tuple[int, Any]]:
    """The file's task objects, each with its line (JSON Lines) or entry number (YAML)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            document = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise InputError(f"{path}: not valid YAML ({exc})") from None
        if isinstance(document, dict) and "tasks" in document:
            document = document["tasks"]
        if not isinstance(document, list):
            raise InputError(f"{path}: expected a list of tasks (or a 'tasks:' list)")
        return list(enumerate(document, 1))
    entries: list[tuple[int, Any]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                entries.append((number, json.loads(line)))
            except json.JSONDecodeError as exc:
                entries.append((number, f"not valid JSON ({exc.msg} at column {exc.colno})"))
    return entries


def load_batch(path: Path) -> Suite:
    """Every valid task of a batch file, templates expanded; each bad entry is a problem, never a crash."""
    base = path.parent
    where = "entry" if path.suffix.lower() in (".yaml", ".yml") else "line"
    objects: list[tuple[int, Any]] = []
    problems: list[str] = []
    for number, raw in _entries(path):
        if isinstance(raw, str):
            problems.append(f"{where} {number}: {raw}")
        elif isinstance(raw, dict) and "params" in raw:
            try:
                objects += [(number, task) for task in expand_template(raw, base)]
            except (OSError, csv.Error, UnicodeDecodeError) as exc:
                problems.append(f"{where} {number}: cannot read params {raw['params']!r} ({exc})")
        else:
            objects.append((number, raw))
    suite = suite_from_objects(objects, require_check=False, base=base, where=where)
    suite.problems[:0] = problems
    return suite
