"""Task suites for ``sciwand eval``: questions with a check, read from JSON Lines, and the checks themselves.

One task per line::

    {"id": "c1", "domain": "chemistry", "turns": ["question", "follow-up"], "check": {"type": "number", ...}}

The turns are asked in order in one session; the check judges the answer to the last one. A bad line is
reported with its number and skipped, so one typo never costs a whole run; unknown fields are ignored so
suites can carry notes.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from assistant.engine.numbers import pick_number
from assistant.errors import InputError
from kernels import ExecutionResult

CHECK_TYPES = ("number", "contains", "regex", "python")
# Ids name files (notebooks, working directories), so they must be safe as a path component.
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


class Executor(Protocol):
    """Where a ``python`` check runs: the kernel the task's session used, after its last turn."""

    def execute(self, code: str, timeout: float | None = ...) -> ExecutionResult: ...


@dataclass(frozen=True)
class Check:
    """How an answer is judged. Only the fields of its ``type`` are used."""

    type: str
    value: float | str | None = None  # number: the expected value; contains: the expected text
    tol: float = 0.0  # number: absolute tolerance
    rel: float = 0.0  # number: relative tolerance; the larger of the two allowances applies
    pattern: str | None = None  # regex
    expr: str | None = None  # python

    def to_dict(self) -> dict[str, Any]:
        """The check as written in a suite (only its type's fields), for the results record."""
        fields = {
            "number": ("value", "tol", "rel"),
            "contains": ("value",),
            "regex": ("pattern",),
            "python": ("expr",),
        }[self.type]
        record: dict[str, Any] = {"type": self.type}
        for name in fields:
            value = getattr(self, name)
            if name in ("tol", "rel") and not value:
                continue
            record[name] = value
        return record


@dataclass(frozen=True)
class Task:
    """A unit of work: questions asked in one session, or a parameterised notebook to execute.

    Eval suites use ``turns`` and ``check``; batch files may add ``setup`` (code run first), ``files``
    (copied into the task's working directory), ``model`` (this task's LLM), or give a ``notebook``.
    """

    id: str
    domain: str
    turns: tuple[str, ...]
    check: Check | None  # None only for suites read with require_check=False (batch questions)
    line: int = 0
    setup: str | None = None
    files: tuple[Path, ...] = ()
    model: str | None = None
    notebook: Path | None = None
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def question_text(self) -> str:
        """All the user's words in this task: numbers in them are not taken as the answer's number."""
        return "\n".join(self.turns)


@dataclass
class Suite:
    tasks: list[Task] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "line N: why it was skipped"


@dataclass(frozen=True)
class Verdict:
    ok: bool
    detail: str  # why, in one line: the number picked, the error a python check raised, ...


# -- parsing -----------------------------------------------------------------------------------------------


def _number(raw: Any, name: str) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        raise InputError(f"check.{name} must be a finite number, got {raw!r}")
    return float(raw)


def _text(raw: Any, name: str) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise InputError(f"{name} must be a non-empty string, got {raw!r}")
    return raw


def parse_check(raw: Any) -> Check:
    if not isinstance(raw, dict):
        raise InputError(f"check must be an object, got {raw!r}")
    kind = raw.get("type")
    if kind not in CHECK_TYPES:
        raise InputError(f"unknown check type {kind!r} (use one of {', '.join(CHECK_TYPES)})")
    if kind == "number":
        tol = _number(raw.get("tol", 0.0), "tol")
        rel = _number(raw.get("rel", 0.0), "rel")
        if tol < 0 or rel < 0:
            raise InputError("check.tol and check.rel must not be negative")
        return Check("number", value=_number(raw.get("value"), "value"), tol=tol, rel=rel)
    if kind == "contains":
        return Check("contains", value=_text(raw.get("value"), "check.value"))
    if kind == "regex":
        pattern = _text(raw.get("pattern"), "check.pattern")
        try:
            re.compile(pattern)
        except re.error as exc:
            raise InputError(f"check.pattern is not a valid regular expression: {exc}") from None
        return Check("regex", pattern=pattern)
    expr = _text(raw.get("expr"), "check.expr")
    try:
        compile(expr, "<check>", "eval")
    except SyntaxError as exc:
        raise InputError(f"check.expr is not a Python expression: {exc.msg}") from None
    return Check("python", expr=expr)


def parse_task(raw: Any, line: int = 0, *, require_check: bool = True, base: Path | None = None) -> Task:
    """One task from its JSON object; relative ``files`` and ``notebook`` paths are taken from ``base``."""
    if not isinstance(raw, dict):
        raise InputError("a task must be a JSON object")
    task_id = raw.get("id")
    if not isinstance(task_id, str) or not _ID.fullmatch(task_id):
        raise InputError(f"id must be a string of letters, digits, '.', '_' or '-' (at most 100), got {task_id!r}")
    turns = raw.get("turns", [raw["question"]] if "question" in raw else None)
    notebook = _path(raw["notebook"], base, f"task {task_id!r}: notebook") if "notebook" in raw else None
    if notebook is None and (not isinstance(turns, list) or not turns):
        raise InputError(f"task {task_id!r}: give a question, a non-empty list of turns, or a notebook")
    for number, turn in enumerate(turns or [], 1):
        _text(turn, f"task {task_id!r}: turn {number}")
    domain = raw.get("domain", "general")
    if not isinstance(domain, str) or not domain.strip():
        raise InputError(f"task {task_id!r}: domain must be a non-empty string")
    check = None
    if "check" in raw or (require_check and notebook is None):
        if "check" not in raw:
            raise InputError(f"task {task_id!r}: missing check")
        try:
            check = parse_check(raw["check"])
        except InputError as exc:
            raise InputError(f"task {task_id!r}: {exc}") from None
    files = raw.get("files", [])
    if not isinstance(files, list):
        raise InputError(f"task {task_id!r}: files must be a list of paths")
    parameters = raw.get("parameters", {})
    if not isinstance(parameters, dict):
        raise InputError(f"task {task_id!r}: parameters must be an object")
    setup, model = raw.get("setup"), raw.get("model")
    return Task(
        id=task_id,
        domain=domain.strip(),
        turns=tuple(turns or ()),
        check=check,
        line=line,
        setup=_text(setup, f"task {task_id!r}: setup") if setup is not None else None,
        files=tuple(_path(f, base, f"task {task_id!r}: file") for f in files),
        model=_text(model, f"task {task_id!r}: model") if model is not None else None,
        notebook=notebook,
        parameters=parameters,
    )


def _path(raw: Any, base: Path | None, name: str) -> Path:
    path = Path(_text(raw, name))
    path = path if path.is_absolute() or base is None else base / path
    if not path.exists():
        raise InputError(f"{name} {str(raw)!r} does not exist")
    return path


def parse_suite(lines: Iterable[str], *, require_check: bool = True, base: Path | None = None) -> Suite:
    """Every valid task of JSON Lines, and one problem line for each line skipped (bad JSON, bad task, duplicate)."""
    raw_tasks: list[tuple[int, Any]] = []
    problems: list[str] = []
    for number, text in enumerate(lines, 1):
        if not text.strip():
            continue
        try:
            raw_tasks.append((number, json.loads(text)))
        except json.JSONDecodeError as exc:
            problems.append(f"line {number}: not valid JSON ({exc.msg} at column {exc.colno})")
    suite = suite_from_objects(raw_tasks, require_check=require_check, base=base)
    suite.problems[:0] = problems
    return suite


def suite_from_objects(
    raw_tasks: Iterable[tuple[int, Any]], *, require_check: bool = True, base: Path | None = None, where: str = "line"
) -> Suite:
    """Tasks from already-decoded objects, each with the number that locates it (a line, an entry, a row)."""
    suite = Suite()
    first_seen: dict[str, int] = {}
    for number, raw in raw_tasks:
        try:
            task = parse_task(raw, number, require_check=require_check, base=base)
        except InputError as exc:
            suite.problems.append(f"{where} {number}: {exc}")
            continue
        if task.id in first_seen:
            first = f"{where} {first_seen[task.id]}"
            suite.problems.append(f"{where} {number}: duplicate id {task.id!r} (first on {first})")
            continue
        first_seen[task.id] = number
        suite.tasks.append(task)
    return suite


def load_suite(path: Path, *, require_check: bool = True) -> Suite:
    """Read a suite file; OSError and UnicodeDecodeError (a bad path) are the caller's to report."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return parse_suite(lines, require_check=require_check, base=path.parent)


# -- judging ------------------------------------------------------------------------------------------------

_VERDICT_MARK = "__sciwand_check__"
# Runs in the task's kernel: the expression sees the session's variables plus ``answer`` and ``number``
# (passed as JSON, so any text is safe), on a copy of the namespace so the check cannot change what it inspects.
_PYTHON_CHECK = """\
def __sciwand_check(payload, namespace):
    import json
    spec = json.loads(payload)
    scope = dict(namespace)
    scope["answer"], scope["number"] = spec["answer"], spec["number"]
    try:
        verdict = {{"ok": bool(eval(spec["expr"], scope))}}
    except Exception as exc:
        verdict = {{"ok": False, "error": f"{{type(exc).__name__}}: {{exc}}"}}
    print({mark!r} + json.dumps(verdict))
__sciwand_check({payload!r}, globals())
del __sciwand_check
"""


def python_check_code(expr: str, answer: str | None, number: float | None = None) -> str:
    """The cell that evaluates ``expr`` in the kernel and prints a one-line JSON verdict.

    ``number`` is the number the answer gives by the ``number`` check's rule, so a python check can
    combine kernel state with the answer's value without re-implementing the rule.
    """
    payload = json.dumps({"expr": expr, "answer": answer, "number": number})
    return _PYTHON_CHECK.format(mark=_VERDICT_MARK, payload=payload)


def _python_verdict(result: ExecutionResult) -> Verdict:
    if not result.ok:
        reason = f"{result.error.ename}: {result.error.evalue}" if result.error else result.status.value
        return Verdict(False, f"the python check could not run ({reason})")
    text = "".join(output.plain_text() for output in result.outputs)
    lines = [line for line in text.splitlines() if line.startswith(_VERDICT_MARK)]
    if not lines:
        return Verdict(False, "the python check printed no verdict")
    verdict = json.loads(lines[-1][len(_VERDICT_MARK) :])
    if "error" in verdict:
        return Verdict(False, f"the python check raised {verdict['error']}")
    return Verdict(verdict["ok"], "the python check returned " + str(verdict["ok"]))


def _squash(text: str) -> str:
    return " ".join(text.split())


def check_answer(
    check: Check, answer: str | None, question: str = "", executor: Executor | None = None, timeout: float = 60.0
) -> Verdict:
    """Judge ``answer``; a task without an answer fails whatever its check."""
    if answer is None or not answer.strip():
        return Verdict(False, "no answer")
    if check.type == "number":
        assert isinstance(check.value, float)
        picked = pick_number(answer, question)
        if picked is None:
            return Verdict(False, "no number in the answer")
        allowed = max(check.tol, check.rel * abs(check.value))
        ok = abs(picked - check.value) <= allowed
        return Verdict(ok, f"picked {picked:.10g}; expected {check.value:.10g} ± {allowed:.3g}")
    if check.type == "contains":
        assert isinstance(check.value, str)
        ok = _squash(check.value) in _squash(answer)
        return Verdict(ok, f"{'contains' if ok else 'does not contain'} {check.value!r}")
    if check.type == "regex":
        assert check.pattern is not None
        ok = re.search(check.pattern, answer) is not None
        return Verdict(ok, f"{'matches' if ok else 'does not match'} /{check.pattern}/")
    assert check.expr is not None
    if executor is None:
        return Verdict(False, "a python check needs the task's kernel")
    code = python_check_code(check.expr, answer, pick_number(answer, question))
    return _python_verdict(executor.execute(code, timeout))
