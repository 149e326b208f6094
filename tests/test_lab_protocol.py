"""The lab panel's wire protocol: the dataclasses, their JSON, and the schema and TypeScript made from them."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from assistant.errors import InputError
from assistant.lab.cell_context import CODE_CHARS, TAIL_CHARS, cells_prompt
from assistant.lab.history import ChatHistory
from assistant.lab.protocol import (
    CLIENT_REQUESTS,
    SERVER_EVENTS,
    AnswerEvent,
    AskRequest,
    CellContext,
    Config,
    ContextEvent,
    DecisionRequest,
    DoneEvent,
    ErrorEvent,
    History,
    KernelEvent,
    NoticeEvent,
    OutputEvent,
    ProposedEvent,
    QuestionEvent,
    RunningEvent,
    StateEvent,
    StepEvent,
    StopRequest,
    TokenEvent,
    from_json,
    to_dict,
    to_json,
)
from assistant.lab.protocol_schema import SCHEMA_FILE, TYPESCRIPT_FILE, json_schema, render_schema, typescript

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = {"output_type": "stream", "name": "stdout", "text": "42\n"}
CELL = CellContext("x = 1 / 0", "", "ZeroDivisionError: division by zero")
# One of each server event, as a run sends them.
EVENTS = [
    StateEvent(running=True),
    QuestionEvent("Twice the dose?", ask_id="tab-1"),
    ContextEvent([CELL]),
    TokenEvent("I will"),
    ProposedEvent(1, "print(2 * dose)", needs_approval=True, explanation="I will double it."),
    RunningEvent(1, "print(2 * dose)", "I will double it."),
    KernelEvent(busy=True),
    OutputEvent(1, OUTPUT),
    StepEvent(1, "print(2 * dose)", "ok", [OUTPUT], 3, ""),
    StepEvent(2, "dose = [5, 10]", "ok", [], 4, "", invented=["dose"]),
    StepEvent(2, "print(3)", "skipped"),
    NoticeEvent("stopped"),
    AnswerEvent(None),
    ErrorEvent("the question is empty"),
    DoneEvent("answered"),
]
REQUESTS = [
    AskRequest("Twice the dose?", model=None, approval=False),
    AskRequest("Fix this cell.", context=[CELL], ask_id="tab-1", notebook_code=["x = 1 / 0"]),
    DecisionRequest(1, "run", "x = 1"),
    StopRequest(),
]


@pytest.mark.parametrize(
    ("path", "generated"),
    [(SCHEMA_FILE, render_schema), (TYPESCRIPT_FILE, lambda: typescript(json_schema()))],
)
def test_the_checked_in_schema_and_typescript_are_generated_from_the_dataclasses(path, generated):
    assert (ROOT / path).read_text(encoding="utf-8") == generated(), (
        f"{path} is stale: regenerate it (see assistant/lab/protocol_schema.py)"
    )


def test_every_message_on_the_wire_is_valid_in_the_schema():
    schema = json.loads((ROOT / SCHEMA_FILE).read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    config = Config(["scripted:x", "other"], "scripted:x", approval=True, auto_insert=True)
    for message in [*EVENTS, *REQUESTS, config, History("a.ipynb", EVENTS)]:
        validator.validate(json.loads(to_json(message)))
    assert not validator.is_valid({"type": "step", "step": 1, "code": "", "status": "skipped", "outputs": []})
    assert not validator.is_valid({"type": "decision", "step": 1, "action": "explode", "code": ""})


def test_a_skipped_step_carries_every_field_the_panel_reads():
    assert to_dict(StepEvent(2, "print(3)", "skipped")) == {
        "type": "step",
        "step": 2,
        "code": "print(3)",
        "status": "skipped",
        "outputs": [],
        "execution_count": None,
        "note": "",
        "invented": [],
    }


@pytest.mark.parametrize("message", [*EVENTS, *REQUESTS], ids=lambda message: type(message).__name__)
def test_each_message_reads_back_as_itself(message):
    assert from_json(to_json(message), (*SERVER_EVENTS, *CLIENT_REQUESTS)) == message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{not json", "expected a JSON object with a 'type'"),
        ("[1, 2]", "expected a JSON object with a 'type'"),
        ('{"type": "fly"}', "unknown message type 'fly'"),
        ('{"type": "answer", "text": null}', "unknown message type 'answer'"),  # a server event, not a request
        ('{"type": "ask"}', "ask: 'question' is missing"),
        ('{"type": "ask", "question": "Q", "temperature": 2}', "ask: no field 'temperature'"),
        ('{"type": "ask", "question": "Q", "approval": "yes"}', "ask: 'approval' must be true or false"),
        ('{"type": "decision", "step": 1, "action": "explode"}', "decision: 'action' must be 'run' or 'skip'"),
        ('{"type": "decision", "step": true, "action": "run"}', "decision: 'step' must be an integer"),
        ('{"type": "ask", "question": "Q", "model": 3}', "ask: 'model' must be a string or null"),
        ('{"type": "ask", "question": "Q", "context": [{"code": 1}]}', "CellContext: 'code' must be a string"),
        ('{"type": "ask", "question": "Q", "context": [{"error": ""}]}', "CellContext: 'code' is missing"),
        ('{"type": "ask", "question": "Q", "context": ["x"]}', "ask: 'context' must be a list"),
    ],
)
def test_a_malformed_request_is_refused_with_what_is_wrong(text, expected):
    with pytest.raises(InputError) as refused:
        from_json(text)
    assert str(refused.value) == expected


def test_optional_fields_take_their_defaults():
    assert from_json('{"type": "ask", "question": "Q"}') == AskRequest("Q", model=None, approval=True)
    assert from_json('{"type": "decision", "step": 2, "action": "skip"}') == DecisionRequest(2, "skip", "")


def test_history_reads_lines_from_before_the_protocol_and_keeps_no_transient_events(tmp_path):
    history = ChatHistory(tmp_path)
    history.append("a.ipynb", StateEvent(running=True))
    history.append("a.ipynb", TokenEvent("streamed only"))
    history.append("a.ipynb", KernelEvent(busy=True))
    history.append("a.ipynb", OutputEvent(1, OUTPUT))
    history.append("a.ipynb", QuestionEvent("Q"))
    (log,) = tmp_path.glob("*.jsonl")
    with log.open("a") as lines:  # as older servers wrote a skipped step, then a type this server lacks
        lines.write('{"type": "step", "step": 1, "code": "x", "status": "skipped", "outputs": []}\n')
        lines.write('{"type": "thought", "text": "gone"}\n')
    assert history.events("a.ipynb") == [QuestionEvent("Q"), StepEvent(1, "x", "skipped", [], None, "")]


def test_the_cells_of_a_question_reach_the_model_cut_to_their_code_and_traceback_tail():
    long_traceback = "frame\n" * 1000 + "ZeroDivisionError: division by zero"
    text = cells_prompt([CellContext("x = 1 / 0", "ignored", long_traceback), CellContext("y = 2", "2")])
    assert text.index("x = 1 / 0") < text.index("ZeroDivisionError: division by zero") < text.index("y = 2")
    assert "ignored" not in text  # the error says more than the outputs of a failed cell
    assert len(text) < CODE_CHARS + 2 * TAIL_CHARS
    assert "Its output:\n2" in text
    assert cells_prompt([]) == ""
