"""Inline completion through the panel's server extension: a real jupyter_server and kernel, and an
OpenAI-compatible completions endpoint on 127.0.0.1 that answers what it is told and keeps every request."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import replace
from itertools import pairwise

import pytest
from tornado.httpclient import HTTPClientError

from conftest import notebook_client, start_kernel, wait_printed

SUGGESTION = "MolWt(mol)\nprint(mw)\nunrelated = 1"


def completions(handler, number: int) -> None:
    """``/completions`` answers SUGGESTION, as the OpenAI completions API does."""
    assert handler.path.endswith("/completions"), handler.path
    handler.send_completion(SUGGESTION)


@pytest.fixture
def endpoint(serve, tmp_path, monkeypatch):
    server = serve(completions)
    monkeypatch.setenv("SCIWAND_MODEL", "openai:test-model")
    monkeypatch.setenv("SCIWAND_BASE_URL", server.base_url)
    monkeypatch.setenv("SCIWAND_CONFIG", str(tmp_path / "no-config.toml"))
    return server


@pytest.fixture
def jp_server_config(endpoint):
    return {"ServerApp": {"jpserver_extensions": {"assistant.lab": True}}}


async def complete(jp_fetch, **body) -> dict:
    response = await jp_fetch("sciwand", "complete", method="POST", body=json.dumps(body), request_timeout=60)
    return json.loads(response.body)


async def test_a_completion_reads_the_cells_and_the_kernels_names_and_stops_at_the_statement(
    jp_fetch, jp_serverapp, endpoint
):
    kernel_id = await start_kernel(jp_fetch)
    async with notebook_client(jp_serverapp, kernel_id) as client:
        client.execute("peptides = {'glucagon': 'HSQGTFTSDYSKYLDS', 'oxytocin': 'CYIQNCPLG'}\nprint('made')")
        await wait_printed(client, "made")
    cells = ["from rdkit import Chem", "mol = Chem.MolFromSmiles('CCO')"]
    reply = await complete(jp_fetch, prefix="mw = Descriptors.", suffix="", cells=cells, kernel_id=kernel_id)
    assert reply == {"text": "MolWt(mol)", "status": "ok"}  # cut at the end of its statement
    prompt = endpoint.requests[0]["prompt"]
    assert prompt.startswith("from rdkit import Chem") and prompt.endswith("mw = Descriptors.")
    assert endpoint.requests[0]["suffix"] == "" and endpoint.requests[0]["model"] == "test-model"

    # The kernel's names are read in the background, never waited for: a later request has them.
    deadline = time.monotonic() + 30
    while "peptides: dict of 2" not in endpoint.requests[-1]["prompt"]:
        assert time.monotonic() < deadline, endpoint.requests[-1]["prompt"]
        await asyncio.sleep(0.2)
        await complete(jp_fetch, prefix="len(", suffix=")", cells=cells, kernel_id=kernel_id)
    assert endpoint.requests[-1]["suffix"] == ")"


async def test_a_kernel_busy_with_a_cell_does_not_hold_up_a_completion(jp_fetch, jp_serverapp, endpoint):
    kernel_id = await start_kernel(jp_fetch)
    async with notebook_client(jp_serverapp, kernel_id) as client:
        client.execute("import time\nprint('sleeping', flush=True)\ntime.sleep(30)")
        await wait_printed(client, "sleeping")
        started = time.monotonic()
        reply = await complete(jp_fetch, prefix="x = ", kernel_id=kernel_id)
        assert reply["status"] == "ok" and time.monotonic() - started < 10
        await jp_fetch("api", "kernels", kernel_id, "interrupt", method="POST", body="")


async def test_completion_can_be_switched_off_and_refuses_a_bad_body(jp_fetch, endpoint, jp_serverapp):
    with pytest.raises(HTTPClientError) as refused:
        await jp_fetch("sciwand", "complete", method="POST", body="[1, 2]")
    assert refused.value.code == 400
    service = jp_serverapp.web_app.settings["sciwand"].completion
    service.settings = replace(service.settings, inline_completion=False)  # as SCIWAND_INLINE_COMPLETION=0 does
    assert await complete(jp_fetch, prefix="x = ") == {"text": "", "status": "off"}
    assert endpoint.requests == []  # nothing asked of the model


async def test_a_notebook_that_opens_has_its_cells_read_and_no_suggestion(jp_fetch, endpoint):
    cells = ["from rdkit import Chem", "mol = Chem.MolFromSmiles('CCO')"]
    assert await complete(jp_fetch, prefix="", cells=cells, prepare=True) == {"text": "", "status": "ok"}
    asked = endpoint.requests[-1]
    assert asked["prompt"].startswith("from rdkit import Chem") and asked["max_tokens"] == 1


async def test_a_suggestion_streams_as_the_model_writes_it(jp_fetch, endpoint):
    body = json.dumps({"prefix": "mw = Descriptors.", "stream": True})
    response = await jp_fetch("sciwand", "complete", method="POST", body=body, request_timeout=60)
    assert response.headers["Content-Type"] == "application/x-ndjson"
    *partials, last = [json.loads(line) for line in response.body.decode().splitlines()]
    assert last == {"text": "MolWt(mol)", "status": "ok", "done": True}
    shown = [reply["text"] for reply in partials if not reply["done"]]
    assert len(shown) == len(partials) >= 2 and "MolWt(mol)".startswith(shown[0])
    assert all(later.startswith(earlier) and later != earlier for earlier, later in pairwise(shown))
    assert endpoint.requests[-1]["stream"] is True  # the endpoint streams too, and is read as it writes


async def test_a_client_that_goes_away_stops_the_model(jp_serverapp, serve):
    whole = "sum(doses) + offsets[0] * weights[1] - baseline"  # one statement: nothing but the client ends it
    writing = threading.Event()
    server = serve(lambda handler, number: handler.send_completion(whole, pieces=6, gate=(1, writing)))
    service = jp_serverapp.web_app.settings["sciwand"].completion
    service.settings = replace(service.settings, base_url=server.base_url)
    gone = threading.Event()
    replies = service.stream({"prefix": "total = "}, gone)
    first = await anext(replies)
    assert first["done"] is False and whole.startswith(first["text"])
    gone.set()  # the user typed on
    writing.set()
    *_, last = [reply async for reply in replies]
    assert last["done"] and last["status"] == "ok"
    assert whole.startswith(last["text"]) and len(last["text"]) < len(whole)  # the model was stopped
