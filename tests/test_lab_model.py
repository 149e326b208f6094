"""The lab panel's server end to end with the real embedded model, in a real jupyter_server and kernel."""

from __future__ import annotations

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
