"""The chat panel's wire protocol: every message between the server and the panel, as dataclasses.

The server sends a ``ServerEvent`` on the socket for everything that happens (and keeps most of them in the
notebook's history); the panel sends a ``ClientRequest``; ``Config``, ``History`` and ``Variables`` are the
REST answers. All of them cross the wire through ``to_json`` and come back through ``from_json``, so the JSON
is always the dataclasses'. The panel's TypeScript types and the JSON Schema are generated from these classes
(``assistant.lab.protocol_schema``), and a test keeps the checked-in copies in step.
"""

from __future__ import annotations

import json
import types
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from typing import Annotated, Any, ClassVar, Literal, Union, get_args, get_origin, get_type_hints

from assistant.errors import InputError


@dataclass(frozen=True)
class External:
    """A value whose shape another standard defines: its JSON Schema and its TypeScript name."""

    schema: dict[str, Any]
    typescript: str


# An output of a notebook cell, as nbformat's v4 schema has it (a stream, a display, a result, an error).
NotebookOutput = Annotated[
    dict[str, Any],
    External({"type": "object", "description": "an nbformat v4 output"}, "nbformat.IOutput"),
]


@dataclass(frozen=True)
class CellContext:
    """A notebook cell a question is about (Fix, Explain, the selected cells): its code, its outputs' text and the
    tail of its traceback if it failed ("" for none), trimmed by the panel."""

    code: str
    outputs: str = ""
    error: str = ""


# -- server → panel ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StateEvent:
    """Whether a question is running in the kernel: sent as a socket opens, and as a run starts and ends."""

    TYPE: ClassVar[str] = "state"
    running: bool


@dataclass(frozen=True)
class QuestionEvent:
    """A run began with this question (asked in this tab or another: ``ask_id`` names the asking request)."""

    TYPE: ClassVar[str] = "question"
    text: str
    ask_id: str = ""


@dataclass(frozen=True)
class ContextEvent:
    """The notebook cells the question just asked is about: shown with it, and given to the model with it."""

    TYPE: ClassVar[str] = "context"
    cells: list[CellContext]


@dataclass(frozen=True)
class TokenEvent:
    """A piece of the model's reply as it streams (shown live, not kept in the history)."""

    TYPE: ClassVar[str] = "token"
    text: str


@dataclass(frozen=True)
class ProposedEvent:
    """A step's code awaits the user's decision (Run, Edit, Skip) before it runs; ``explanation`` is the
    model's text around the code, the reason it gives for the step."""

    TYPE: ClassVar[str] = "proposed"
    step: int
    code: str
    needs_approval: bool
    explanation: str = ""


@dataclass(frozen=True)
class RunningEvent:
    """A step's code is running in the kernel (or queued behind a busy notebook cell: see ``KernelEvent``)."""

    TYPE: ClassVar[str] = "running"
    step: int
    code: str
    explanation: str = ""


@dataclass(frozen=True)
class KernelEvent:
    """The run waits for the notebook's kernel, busy with a cell of its own (``busy``), or goes on (shown live)."""

    TYPE: ClassVar[str] = "kernel"
    busy: bool


@dataclass(frozen=True)
class OutputEvent:
    """An output of the running ``step``, as the kernel sends it (shown live; the step's end carries them all)."""

    TYPE: ClassVar[str] = "output"
    step: int
    output: NotebookOutput


@dataclass(frozen=True)
class StepEvent:
    """A step ended: it ran (ok or error, with its outputs) or the user skipped it (no outputs, no count).

    ``note`` says what a timeout or a crash of the kernel did, and what the recovery restored ("" if nothing).
    ``invented`` names what the code sets to data typed out in it that neither the notebook nor the question
    shows (``values = [3, 5]``): made-up data, so the panel does not offer the step in place of a cell.
    """

    TYPE: ClassVar[str] = "step"
    step: int
    code: str
    status: Literal["ok", "error", "skipped"]
    outputs: list[NotebookOutput] = field(default_factory=list)
    execution_count: int | None = None
    note: str = ""
    invented: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class NoticeEvent:
    """Something the user should know that is not an error: a recovery, or that the run was stopped."""

    TYPE: ClassVar[str] = "notice"
    text: str


@dataclass(frozen=True)
class AnswerEvent:
    """The run's final answer in Markdown, or null when it ended without one."""

    TYPE: ClassVar[str] = "answer"
    text: str | None


@dataclass(frozen=True)
class FiguresEvent:
    """What answering the question took: turns, executed steps, seconds and the model's tokens."""

    TYPE: ClassVar[str] = "figures"
    turns: int
    steps: int
    seconds: float
    tokens_in: int | None  # None: the provider reported no usage (unknown, not 0)
    tokens_out: int
    context_used: int | None = None  # prompt tokens of the last reply
    context_window: int | None = None  # the model's window, when known


@dataclass(frozen=True)
class ErrorEvent:
    """A request refused, or a run that failed: the message says why."""

    TYPE: ClassVar[str] = "error"
    message: str


@dataclass(frozen=True)
class DoneEvent:
    """The run is over, and how it ended."""

    TYPE: ClassVar[str] = "done"
    status: Literal["answered", "no_answer", "stopped", "failed"]


ServerEvent = (
    StateEvent
    | QuestionEvent
    | ContextEvent
    | TokenEvent
    | ProposedEvent
    | RunningEvent
    | KernelEvent
    | OutputEvent
    | StepEvent
    | NoticeEvent
    | AnswerEvent
    | FiguresEvent
    | ErrorEvent
    | DoneEvent
)


# -- panel → server ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AskRequest:
    """Answer ``question`` in the notebook's kernel, with ``model`` (null: the server's default).

    ``notebook_code`` is the code of the notebook's cells: the data a step may take from it (see ``StepEvent``).
    """

    TYPE: ClassVar[str] = "ask"
    question: str
    model: str | None = None
    approval: bool = True
    context: list[CellContext] = field(default_factory=list)  # the cells the question is about
    ask_id: str = ""  # the panel's name for this request: the question's event carries it back
    notebook_code: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DecisionRequest:
    """The user's decision on the proposed ``step``: run ``code`` (maybe edited; "" keeps it), or skip it.

    Only the step waiting for a decision takes one: the first decision wins, any other is refused.
    """

    TYPE: ClassVar[str] = "decision"
    step: int
    action: Literal["run", "skip"]
    code: str = ""


@dataclass(frozen=True)
class StopRequest:
    """Stop the running question: a pending proposal is dropped, a running step interrupted."""

    TYPE: ClassVar[str] = "stop"


ClientRequest = AskRequest | DecisionRequest | StopRequest


# -- REST answers ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Config:
    """``GET sciwand/config``: the models the panel offers (the default first) and its default choices."""

    models: list[str]
    default_model: str | None
    approval: bool
    auto_insert: bool


@dataclass(frozen=True)
class History:
    """``GET sciwand/history``: the events a notebook's panel showed, oldest first."""

    path: str
    events: list[ServerEvent]


@dataclass(frozen=True)
class Variable:
    """A variable of the notebook's kernel, as the panel's ``@`` list shows it."""

    name: str
    description: str  # its type and size, as the model sees them: "DataFrame 3x2 (columns: a, b)"


@dataclass(frozen=True)
class Variables:
    """``GET sciwand/variables``: the kernel's variables, newest first. ``known`` is false when the kernel did
    not answer in time (busy with a cell) or could not say (no sciwand in it): the list is then empty."""

    variables: list[Variable]
    known: bool = True


Message = ServerEvent | ClientRequest | Config | History | Variables
SERVER_EVENTS: tuple[type, ...] = get_args(ServerEvent)
CLIENT_REQUESTS: tuple[type, ...] = get_args(ClientRequest)


def to_dict(message: Message) -> dict[str, Any]:
    """The message as JSON-ready data: its ``type`` tag (for events and requests), then its fields."""
    tag = {"type": message.TYPE} if hasattr(message, "TYPE") else {}
    return tag | {item.name: _plain(getattr(message, item.name)) for item in fields(message)}


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if is_dataclass(value):
        return to_dict(value)
    return value


def to_json(message: Message) -> str:
    return json.dumps(to_dict(message), default=str)


def from_json(text: str | bytes, kinds: tuple[type, ...] = CLIENT_REQUESTS) -> Message:
    """Parse one message of ``kinds`` (the panel's requests, unless told); InputError says what is wrong."""
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    return from_dict(data, kinds)


def from_dict(data: Any, kinds: tuple[type, ...]) -> Message:
    """The message of ``kinds`` that ``data`` (a decoded JSON object with a ``type``) holds.

    Missing fields with a default take it, so older history lines still read.
    """
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise InputError("expected a JSON object with a 'type'")
    by_type = {kind.TYPE: kind for kind in kinds}
    kind = by_type.get(data["type"])
    if kind is None:
        raise InputError(f"unknown message type {data['type']!r}")
    return _build(data, kind)


def _build(data: dict[str, Any], kind: type) -> Any:
    """``kind`` from the fields in ``data``, each checked against its type; nested dataclasses built too."""
    label = getattr(kind, "TYPE", kind.__name__)
    hints = get_type_hints(kind, include_extras=True)
    names = {item.name for item in fields(kind)}
    unknown = sorted(set(data) - names - {"type"})
    if unknown:
        raise InputError(f"{label}: no field {unknown[0]!r}")
    values = {}
    for item in fields(kind):
        if item.name not in data:
            if item.default is MISSING and item.default_factory is MISSING:
                raise InputError(f"{label}: {item.name!r} is missing")
            continue
        hint = hints[item.name]
        if not _matches(data[item.name], hint):
            raise InputError(f"{label}: {item.name!r} must be {_describe(hint)}")
        values[item.name] = _nested(data[item.name], hint)
    return kind(**values)


def _nested(value: Any, hint: Any) -> Any:
    """``value`` with the dataclasses its type names built from their JSON objects."""
    if is_dataclass(hint):
        return _build(value, hint)
    if get_origin(hint) is list:
        return [_nested(item, get_args(hint)[0]) for item in value]
    return value


def _matches(value: Any, hint: Any) -> bool:
    origin, args = get_origin(hint), get_args(hint)
    if origin is Annotated:
        return _matches(value, args[0])
    if origin is Literal:
        return value in args
    if origin in (Union, types.UnionType):
        return any(_matches(value, arg) for arg in args)
    if origin is list:
        return isinstance(value, list) and all(_matches(item, args[0]) for item in value)
    if origin is dict or hint is dict or is_dataclass(hint):
        return isinstance(value, dict)
    if hint is type(None):
        return value is None
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:  # JSON has one number type: 12 is a float too
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, hint)


def _describe(hint: Any) -> str:
    """``hint`` in words, for an error message: ``'run' or 'skip'``, ``a string or null``."""
    origin, args = get_origin(hint), get_args(hint)
    if origin is Annotated:
        return _describe(args[0])
    if origin is Literal:
        return _either([repr(value) for value in args])
    if origin in (Union, types.UnionType):
        return _either([_describe(arg) for arg in args])
    if origin is list:
        return "a list"
    names = {bool: "true or false", int: "an integer", str: "a string", type(None): "null"}
    return names.get(hint, "an object")


def _either(choices: list[str]) -> str:
    return choices[0] if len(choices) == 1 else ", ".join(choices[:-1]) + " or " + choices[-1]
