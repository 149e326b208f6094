"""The lab panel's server extension in a real jupyter_server with real kernels and a scripted model."""

from __future__ import annotations

import asyncio
import json
import os
import signal

import jsonschema
import pytest
from tornado.httpclient import HTTPClientError

from assistant.lab.handlers import scrubbed
from assistant.lab.history import ChatHistory
from assistant.lab.protocol import QuestionEvent, TokenEvent
from assistant.lab.protocol_schema import json_schema

from conftest import LAB_NOTEBOOK, ask, connect, events_until, notebook_client, python_block, start_kernel, wait_printed

NOTEBOOK = LAB_NOTEBOOK
KERNEL_ACTIONS = "https://events.jupyter.org/jupyter_server/kernel_actions/v1"
# A step that ignores the first SIGINT, as when Stop's interrupt lands before a step's code has started.
SWALLOWS_ONE_INTERRUPT = (
    "import signal, time\n"
    "signal.signal(signal.SIGINT, lambda *_: signal.signal(signal.SIGINT, signal.default_int_handler))\n"
)
PROTOCOL = jsonschema.Draft202012Validator(json_schema())


@pytest.fixture
def replies(tmp_path, monkeypatch):
    """Write the scripted model's replies, all before the first question (the model reads them once)."""
    script = tmp_path / "replies.json"

    def write(*texts: str) -> None:
        script.write_text(json.dumps(list(texts)))

    write("Final answer: nothing scripted")
    monkeypatch.setenv("SCIWAND_MODEL", f"scripted:{script}")
    monkeypatch.setenv("SCIWAND_CONFIG", str(tmp_path / "no-config.toml"))
    return write


@pytest.fixture
def jp_server_config(replies):
    # The server's restarter polls every 50 ms instead of 3 s: it would always win a race to a crashed kernel.
    return {"ServerApp": {"jpserver_extensions": {"assistant.lab": True}}, "KernelRestarter": {"time_to_dead": 0.05}}


async def test_a_question_runs_in_the_notebooks_kernel_and_streams_every_step(jp_fetch, jp_ws_fetch, replies):
    replies(
        python_block("molar_mass = 194.19\nprint(molar_mass * 2)"),
        "Final answer: 388.38 g",
        python_block("print(molar_mass + 1)"),
        "Final answer: 195.19",
    )
    kernel_id = await start_kernel(jp_fetch)
    socket = await connect(jp_ws_fetch, kernel_id)
    ask(socket, "Twice the molar mass of caffeine?")
    events = await events_until(socket, "done")
    kinds = [event["type"] for event in events]
    assert kinds == ["state", "question", "running", "output", "step", "answer", "figures", "done"]
    for event in events:
        PROTOCOL.validate(event)  # what the server sends is what the panel's generated types say
    assert events[2]["explanation"] == "I will compute it."  # the model's words, shown with the step
    streamed = {"output_type": "stream", "name": "stdout", "text": "388.38\n"}
    assert events[3] == {"type": "output", "step": 1, "output": streamed}  # as the kernel sent it
    step = events[4]
    assert step["status"] == "ok" and step["step"] == 1
    assert step["outputs"][0]["text"] == "388.38\n"
    assert isinstance(step["execution_count"], int)
    assert events[5]["text"] == "388.38 g" and events[7]["status"] == "answered"
    assert (events[6]["turns"], events[6]["steps"]) == (2, 1)  # a step, then the answer
    assert json.loads(await socket.read_message()) == {"type": "state", "running": False}

    # The code ran in the server's kernel itself: the notebook's own kernel holds the variable.
    ask(socket, "And plus one?")
    step = next(event for event in await events_until(socket, "done") if event["type"] == "step")
    assert step["outputs"][0]["text"] == "195.19\n"

    response = await jp_fetch("sciwand", "history", params={"path": NOTEBOOK})
    PROTOCOL.validate(json.loads(response.body))
    history = json.loads(response.body)["events"]
    assert [event["text"] for event in history if event["type"] == "question"] == [
        "Twice the molar mass of caffeine?",
        "And plus one?",
    ]
    assert all(event["type"] != "token" for event in history)


async def test_approval_runs_the_edited_code_and_skip_runs_nothing(jp_fetch, jp_ws_fetch, replies):
    replies(python_block("print('original')"), python_block("print('second')"), "Final answer: done")
    socket = await connect(jp_ws_fetch, await start_kernel(jp_fetch))
    ask(socket, "Print something", approval=True)
    proposed = (await events_until(socket, "proposed"))[-1]
    assert proposed == {
        "type": "proposed",
        "step": 1,
        "code": "print('original')",
        "needs_approval": True,
        "explanation": "I will compute it.",
    }
    socket.write_message(json.dumps({"type": "decision", "step": 1, "action": "run", "code": "print('edited')"}))
    step = (await events_until(socket, "step"))[-1]
    assert step["code"] == "print('edited')" and step["outputs"][0]["text"] == "edited\n"

    proposed = (await events_until(socket, "proposed"))[-1]
    assert proposed["step"] == 2 and proposed["code"] == "print('second')"
    socket.write_message(json.dumps({"type": "decision", "step": 2, "action": "skip"}))
    events = await events_until(socket, "done")
    skipped = {"type": "step", "step": 2, "code": "print('second')", "status": "skipped", "outputs": []}
    assert events[0] == skipped | {"execution_count": None, "note": "", "invented": []}
    PROTOCOL.validate(events[0])
    assert events[-1]["status"] == "answered"


async def test_a_step_that_assigns_data_the_user_never_gave_says_so(jp_fetch, jp_ws_fetch, replies):
    made_up = "values = [3.0, 5.0]\nprint(sum(values) / len(values))"
    replies(python_block(made_up), "Final answer: 4.0", python_block(made_up), "Final answer: 4.0")
    socket = await connect(jp_ws_fetch, await start_kernel(jp_fetch))
    failing = {"code": "mean = sum(values) / len(values)", "outputs": "", "error": "NameError: name 'values'"}
    request = {"type": "ask", "question": "Fix the error in this cell.", "approval": False, "context": [failing]}
    socket.write_message(json.dumps(request | {"notebook_code": ["import math", failing["code"]]}))
    events = await events_until(socket, "done")
    step = next(event for event in events if event["type"] == "step")
    assert step["status"] == "ok" and step["invented"] == ["values"]
    PROTOCOL.validate(step)
    answer = next(event for event in events if event["type"] == "answer")["text"]
    assert answer.startswith("4.0") and "Not from your data" in answer and "`values`" in answer
    assert json.loads(await socket.read_message()) == {"type": "state", "running": False}  # the run is over

    # The same numbers typed in a notebook cell are the user's data.
    socket.write_message(json.dumps(request | {"notebook_code": ["values = [3, 5]", failing["code"]]}))
    events = await events_until(socket, "done")
    step = next(event for event in events if event["type"] == "step")
    assert step["invented"] == []
    assert "Not from your data" not in next(event for event in events if event["type"] == "answer")["text"]


async def test_a_decision_for_another_step_is_refused_and_never_queued(jp_fetch, jp_ws_fetch, replies):
    replies(python_block("print('proposed')"), python_block("print('second')"), "Final answer: done")
    kernel_id = await start_kernel(jp_fetch)
    socket = await connect(jp_ws_fetch, kernel_id)
    other_tab = await connect(jp_ws_fetch, kernel_id)
    ask(socket, "Print something", approval=True)
    assert (await events_until(socket, "proposed"))[-1]["step"] == 1
    socket.write_message(json.dumps({"type": "decision", "step": 7, "action": "run", "code": "print('stale')"}))
    refusal = (await events_until(socket, "error"))[-1]
    assert refusal["message"].startswith("step 7 is not waiting for a decision")
    # Both tabs answer step 1: the first decision wins, the second is refused, not kept for step 2.
    socket.write_message(json.dumps({"type": "decision", "step": 1, "action": "run", "code": ""}))
    other_tab.write_message(json.dumps({"type": "decision", "step": 1, "action": "run", "code": ""}))
    seen = await events_until(other_tab, "error")
    assert seen[-1]["message"].startswith("step 1 is not waiting for a decision")
    step = (await events_until(socket, "step"))[-1]
    assert step["code"] == "print('proposed')" and step["outputs"][0]["text"] == "proposed\n"
    proposed = (await events_until(socket, "proposed"))[-1]
    assert proposed["step"] == 2  # and it waits: no decision for it was kept
    assert (await events_until(other_tab, "proposed"))[-1]["step"] == 2  # every tab sees the same pending step
    socket.write_message(json.dumps({"type": "decision", "step": 2, "action": "skip"}))
    events = await events_until(socket, "done")
    assert not any(event["type"] == "running" for event in events)


async def test_a_steps_outputs_stream_before_it_ends_and_a_busy_kernel_is_reported(
    jp_fetch, jp_ws_fetch, jp_serverapp, replies, tmp_path
):
    def until_file(path) -> str:
        return f"import pathlib, time\nwhile not pathlib.Path({str(path)!r}).exists():\n    time.sleep(0.02)\n"

    cell_release, step_release = tmp_path / "cell-release", tmp_path / "step-release"
    step = "print('first', flush=True)\n" + until_file(step_release) + "print('second')"
    replies(python_block(step), "Final answer: done")
    kernel_id = await start_kernel(jp_fetch)
    socket = await connect(jp_ws_fetch, kernel_id)
    async with notebook_client(jp_serverapp, kernel_id) as notebook:
        notebook.execute("print('cell started', flush=True)\n" + until_file(cell_release))
        await wait_printed(notebook, "cell started")  # a notebook cell runs: the question waits for it
        ask(socket, "Stream it")
        assert (await events_until(socket, "kernel"))[-1] == {"type": "kernel", "busy": True}
        cell_release.touch()
        assert (await events_until(socket, "kernel"))[-1] == {"type": "kernel", "busy": False}
    output = (await events_until(socket, "output"))[-1]
    assert output["output"]["text"] == "first\n"  # shown while the step still waits for its file
    step_release.touch()
    events = await events_until(socket, "done")
    step = next(event for event in events if event["type"] == "step")
    assert "".join(item["text"] for item in step["outputs"]) == "first\nsecond\n"


async def test_one_run_per_kernel_and_stop_ends_a_running_step(jp_fetch, jp_ws_fetch, jp_serverapp, replies):
    replies(
        python_block(SWALLOWS_ONE_INTERRUPT + "print('started', flush=True)\nwhile True:\n    time.sleep(0.05)"),
        python_block("print('still here')"),
        "Final answer: yes",
    )
    kernel_id = await start_kernel(jp_fetch)
    socket = await connect(jp_ws_fetch, kernel_id)
    other_tab = await connect(jp_ws_fetch, kernel_id)
    async with notebook_client(jp_serverapp, kernel_id) as watcher:
        ask(socket, "Loop forever")
        await wait_printed(watcher, "started")  # the step is running in the kernel, not about to
    ask(other_tab, "Something else")
    refusal = (await events_until(other_tab, "error"))[-1]
    assert "already running" in refusal["message"]

    socket.write_message(json.dumps({"type": "stop"}))
    events = await asyncio.wait_for(events_until(socket, "done"), 60)  # the 120 s time limit did not end it
    assert events[-1]["status"] == "stopped"
    step = next(event for event in events if event["type"] == "step")
    assert any(output.get("ename") == "KeyboardInterrupt" for output in step["outputs"])

    # The kernel and the chat stay usable.
    ask(socket, "Still alive?")
    assert (await events_until(socket, "done"))[-1]["status"] == "answered"


async def test_closing_the_last_socket_stops_its_run(jp_fetch, jp_ws_fetch, jp_serverapp, replies):
    replies(python_block("print('waiting for approval')"))
    kernel_id = await start_kernel(jp_fetch)
    socket = await connect(jp_ws_fetch, kernel_id)
    ask(socket, "Anything", approval=True)
    await events_until(socket, "proposed")
    socket.close()
    chat = jp_serverapp.web_app.settings["sciwand"].chats[kernel_id]
    assert await asyncio.get_running_loop().run_in_executor(None, chat.idle.wait, 30), "the run went on unseen"
    history = json.loads((await jp_fetch("sciwand", "history", params={"path": NOTEBOOK})).body)["events"]
    assert history[-1] == {"type": "done", "status": "stopped"}


async def test_bad_requests_get_4xx_with_a_message(jp_fetch, jp_ws_fetch, replies):
    with pytest.raises(HTTPClientError) as unknown:
        await jp_ws_fetch("sciwand", "ws", params={"kernel_id": "no-such-kernel", "path": NOTEBOOK})
    assert unknown.value.code == 404
    with pytest.raises(HTTPClientError) as no_path:
        await jp_fetch("sciwand", "history")
    assert no_path.value.code == 400
    assert "path=" in json.loads(no_path.value.response.body)["message"]

    socket = await connect(jp_ws_fetch, await start_kernel(jp_fetch))
    for bad, expected in (
        ("{not json", "JSON object"),
        (json.dumps({"type": "fly"}), "unknown message type"),
        (json.dumps({"type": "ask", "question": "  "}), "empty"),
        (json.dumps({"type": "ask", "question": "Q", "model": "evil:model"}), "unknown model"),
        (json.dumps({"type": "decision", "step": 1, "action": "explode"}), "'run' or 'skip'"),
        (json.dumps({"type": "ask", "question": "Q", "approval": "yes"}), "'approval' must be true or false"),
    ):
        socket.write_message(bad)
        assert expected in (await events_until(socket, "error"))[-1]["message"]


async def test_requests_without_a_token_are_refused(jp_fetch, jp_ws_fetch, jp_base_url, http_server_client):
    for path in ("sciwand/config", f"sciwand/history?path={NOTEBOOK}"):
        with pytest.raises(HTTPClientError) as refused:
            await http_server_client.fetch(f"{jp_base_url}{path}", headers={"Authorization": ""})
        assert refused.value.code == 403
    with pytest.raises(HTTPClientError) as refused:
        await jp_ws_fetch("sciwand", "ws", params={"kernel_id": "x", "path": NOTEBOOK}, headers={"Authorization": ""})
    assert refused.value.code == 403


async def test_xsrf_is_enforced_for_cookie_sessions(jp_fetch, jp_serverapp, jp_base_url, http_server_client):
    # Log in the way a browser does (token in the URL), keeping the cookies: the login and the XSRF one.
    token = jp_serverapp.identity_provider.token
    cookies = {}
    for page in ("login", f"sciwand/config?token={token}"):
        response = await http_server_client.fetch(
            f"{jp_base_url}{page}", headers={"Authorization": ""}, follow_redirects=False, raise_error=False
        )
        for header in response.headers.get_list("Set-Cookie"):
            name, _, rest = header.partition("=")
            cookies[name] = rest.split(";")[0]
    assert "_xsrf" in cookies and len(cookies) >= 2
    cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
    url = f"{jp_base_url}sciwand/history?path={NOTEBOOK}"
    config = await http_server_client.fetch(
        f"{jp_base_url}sciwand/config", headers={"Authorization": "", "Cookie": cookie}
    )
    assert json.loads(config.body)["default_model"].startswith("scripted:")  # the cookie alone authenticates
    with pytest.raises(HTTPClientError) as refused:
        await http_server_client.fetch(url, method="DELETE", headers={"Authorization": "", "Cookie": cookie})
    assert refused.value.code == 403
    headers = {"Authorization": "", "Cookie": cookie, "X-XSRFToken": cookies["_xsrf"]}
    response = await http_server_client.fetch(url, method="DELETE", headers=headers)
    assert response.code == 204


async def test_config_names_the_models_the_panel_offers(jp_fetch, monkeypatch):
    config = json.loads((await jp_fetch("sciwand", "config")).body)
    assert config["models"] == [config["default_model"]]
    assert config["approval"] is True


def test_history_and_memory_survive_a_new_server(tmp_path):
    from langchain_core.messages import AIMessage, HumanMessage

    first = ChatHistory(tmp_path)
    first.append(NOTEBOOK, QuestionEvent("Q"))
    first.append(NOTEBOOK, TokenEvent("streamed only"))
    first.save_memory(NOTEBOOK, [HumanMessage("Q"), AIMessage("Final answer: 1")])
    with (tmp_path / next(p.name for p in tmp_path.glob("*.jsonl"))).open("a") as log:
        log.write('{"type": "answ')  # a write cut short by a crash
    again = ChatHistory(tmp_path)
    assert again.events(NOTEBOOK) == [QuestionEvent("Q")]
    assert [message.content for message in again.memory(NOTEBOOK)] == ["Q", "Final answer: 1"]
    assert again.events("other.ipynb") == [] and again.memory("other.ipynb") == []
    again.clear(NOTEBOOK)
    assert again.events(NOTEBOOK) == []


async def test_a_step_that_kills_the_kernel_is_recovered_and_the_panel_told(
    jp_fetch, jp_ws_fetch, jp_serverapp, replies
):
    replies(
        python_block("unit = 'mg'\nprint(unit)"),
        python_block("import ctypes\nctypes.string_at(0)"),
        python_block("print(dose * 2, unit)"),
        "Final answer: 10 mg",
    )
    kernel_id = await start_kernel(jp_fetch)
    # The user's own cell, run by the notebook's client: the replay brings it back too.
    async with notebook_client(jp_serverapp, kernel_id) as notebook:
        assert (await notebook.execute_interactive("dose = 5", timeout=60))["content"]["status"] == "ok"
    socket = await connect(jp_ws_fetch, kernel_id)
    ask(socket, "Double the dose, the hard way")
    events = await events_until(socket, "done")
    steps = [event for event in events if event["type"] == "step"]
    assert [step["status"] for step in steps] == ["ok", "error", "ok"]
    notice = next(
        event["text"] for event in events if event["type"] == "notice" and "killed the kernel" in event["text"]
    )
    assert "3 of 3 earlier successful cells were replayed" in notice  # the user's, the setup, step 1
    assert steps[2]["outputs"][0]["text"] == "10 mg\n"  # the user's variable and the step's came back
    assert events[-1]["status"] == "answered"

    # Between runs a crash is the server's again: its restarter replaces the kernel.
    restarted = asyncio.Event()

    async def on_kernel_action(logger, schema_id, data) -> None:
        if data["action"] == "restart" and data["status"] == "success":
            restarted.set()

    jp_serverapp.event_logger.add_listener(schema_id=KERNEL_ACTIONS, listener=on_kernel_action)
    os.kill(jp_serverapp.kernel_manager.get_kernel(kernel_id).provisioner.process.pid, signal.SIGKILL)
    await asyncio.wait_for(restarted.wait(), 30)


async def test_no_token_reaches_a_log_line_of_a_refused_request(jp_ws_fetch, jp_serverapp, caplog):
    secret = jp_serverapp.identity_provider.token  # as a browser's socket sends it, in the URL
    params = {"kernel_id": "no-such-kernel", "path": "x.ipynb", "token": secret}
    with pytest.raises(HTTPClientError) as refused:
        await jp_ws_fetch("sciwand", "ws", params=params)
    assert refused.value.code == 404
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "no kernel with id 'no-such-kernel'" in logged  # the refusal is logged, with its URL
    assert secret not in logged and "token=[secret]" in logged


def test_scrubbed_keeps_everything_but_credentials():
    uri = "/sciwand/ws?kernel_id=k1&token=abc&path=a.ipynb&_xsrf=xyz"
    assert scrubbed(uri) == "/sciwand/ws?kernel_id=k1&token=[secret]&path=a.ipynb&_xsrf=[secret]"
