"""The lab panel's server end to end with the real embedded model, in a real jupyter_server and kernel."""

from __future__ import annotations

import ast
import json

import pytest

from conftest import ask, connect, events_until, start_kernel

pytestmark = pytest.mark.model


@pytest.fixture
def jp_server_config(tmp_path, monkeypatch):
    monkeypatch.setenv("SCIWAND_CONFIG", str(tmp_path / "no-config.toml"))  # the defaults: the embedded model
    monkeypatch.delenv("SCIWAND_MODEL", raising=False)
    return {"ServerApp": {"jpserver_extensions": {"assistant.lab": True}}}


async def test_the_embedded_model_answers_through_the_panel_socket(jp_fetch, jp_ws_fetch):
    socket = await connect(jp_ws_fetch, await start_kernel(jp_fetch))
    ask(socket, "What is the molecular weight of ethanol (SMILES CCO)? Round to 2 decimals.")
    events = await events_until(socket, "done")
    steps = [event for event in events if event["type"] == "step"]
    assert steps and steps[0]["status"] == "ok", events
    answer = next(event["text"] for event in events if event["type"] == "answer")
    assert "46.0" in answer, events
    assert events[-1]["status"] == "answered"
    figures = next(event for event in events if event["type"] == "figures")  # what the panel's gauge shows
    assert 0 < figures["context_used"] < figures["context_window"] and figures["tokens_in"] >= figures["context_used"]


def _typed_out(node: ast.expr) -> bool:
    """The expression is data typed into the code: constants, or containers (or constructor calls) of them."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.UnaryOp):
        return _typed_out(node.operand)
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return all(_typed_out(item) for item in node.elts)
    if isinstance(node, ast.Call):
        return bool(node.args) and all(_typed_out(argument) for argument in node.args)
    return False


async def test_a_fix_for_an_undefined_name_offers_no_replacement_that_makes_up_its_values(jp_fetch, jp_ws_fetch):
    """Tried as a new user: Fix on a cell whose ``values`` was never defined. Whatever the model writes, a step
    that defines ``values`` from numbers of its own must carry ``invented``: the panel then offers no Replace."""
    socket = await connect(jp_ws_fetch, await start_kernel(jp_fetch))
    failing = "mean = sum(values) / len(values)\nprint(mean)"
    error = "NameError: name 'values' is not defined"
    request = {
        "type": "ask",
        "question": "Fix the error in this cell: run the corrected code.",  # the panel's Fix question
        "approval": False,
        "context": [{"code": failing, "outputs": "", "error": error}],
        "notebook_code": [failing],
    }
    socket.write_message(json.dumps(request))
    events = await events_until(socket, "done")
    steps = [event for event in events if event["type"] == "step"]
    for step in steps:
        if step["status"] != "ok" or step["invented"]:
            continue  # not offered in place of the cell
        tree = ast.parse(step["code"])
        made_up = [
            ast.unparse(node)
            for node in ast.walk(tree)
            if isinstance(node, ast.Assign)
            and any(isinstance(target, ast.Name) and target.id == "values" for target in node.targets)
            and _typed_out(node.value)
        ]
        assert not made_up, f"offered as a replacement, yet it makes up the data: {made_up}; {events}"
