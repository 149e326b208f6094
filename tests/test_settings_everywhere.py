"""Every setting, set once (as ``SCIWAND_*`` variables), is honoured by every front-end: ask, chat, eval, batch,
run, the magics, the panel and the Jupyter AI persona. Each front-end answers a real question on a real kernel,
against a local OpenAI-compatible endpoint; the sessions it made are read back. The remote backend takes the
settings that a scripted model ignores (temperature, LLM timeout, retries and concurrency)."""

from __future__ import annotations

import io
import json
from dataclasses import fields
from typing import Any

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from assistant import load_ipython_extension
from assistant.cli.main import main
from assistant.config import Settings, kernel_limits, load_settings, replay_policy
from assistant.engine import sessions
from assistant.engine.loop import ChatSession
from assistant.llm.backends import call_deadline
from kernels.recovery import RecoveringKernel

from conftest import (
    JUPYTER_AI_EXTENSIONS,
    FakeOpenAI,
    Handler,
    ask,
    connect,
    events_until,
    open_chat,
    prompt_usage,
    python_block,
    start_kernel,
)

QUESTION = "What is six times seven?"
CHOSEN = {  # one value per setting, none of them a default
    "model": "openai:test-model",
    "temperature": 0.3,
    "max_turns": 3,
    "timeout": 17.0,
    "memory_limit_gb": 6.0,
    "max_file_gb": 2.0,
    "max_processes": 200,
    "llm_timeout": 11.0,
    "llm_retries": 1,
    "llm_concurrency": 2,
    "replay_max_cells": 5,
    "replay_max_seconds": 9.0,
}


def answer_the_question(handler: Handler, number: int) -> None:
    """Run ``6 * 7`` first; once its output is in the conversation, answer with it."""
    said = " ".join(str(message.get("content", "")) for message in handler.body["messages"][1:])
    step = python_block("print(6 * 7)") + "\n\nThe output will show the product, which is the answer."
    handler.send_reply("Final answer: 42" if "42" in said else step, pieces=8)  # prose after the block, as models do


@pytest.fixture
def endpoint(serve) -> FakeOpenAI:
    return serve(answer_the_question)


@pytest.fixture
def chosen(endpoint, monkeypatch, tmp_path) -> Settings:
    """The settings of CHOSEN, given as environment variables, with the endpoint's URL; no config file."""
    server = endpoint
    monkeypatch.setenv("SCIWAND_CONFIG", str(tmp_path / "no-config.toml"))
    for setting in fields(Settings):
        monkeypatch.delenv(f"SCIWAND_{setting.name.upper()}", raising=False)
    for name, value in {**CHOSEN, "base_url": server.base_url}.items():
        monkeypatch.setenv(f"SCIWAND_{name.upper()}", str(value))
    monkeypatch.setenv("OPENAI_API_KEY", "not-needed")
    settings = load_settings()
    assert all(getattr(settings, name) == value for name, value in CHOSEN.items())
    return settings


@pytest.fixture
def made(monkeypatch) -> list[ChatSession]:
    """Every session the session factory makes from now on."""
    sessions_made: list[ChatSession] = []

    class Recorded(ChatSession):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            sessions_made.append(self)

    monkeypatch.setattr(sessions, "ChatSession", Recorded)
    return sessions_made


def assert_honoured(session: ChatSession, settings: Settings, *, kernel_started: bool, replays: bool) -> None:
    assert session.model_name == "openai:test-model"
    assert (session.max_turns, session.timeout) == (3, 17.0)
    assert session.llm_deadline == call_deadline(settings) and session.llm_deadline is not None
    assert session.llm_concurrency == 2
    assert session.model.temperature == 0.3
    assert (session.model.request_timeout, session.model.max_retries) == (11.0, 1)
    assert str(session.model.openai_api_base) == settings.base_url
    if replays:
        assert isinstance(session.executor, RecoveringKernel)
        assert session.executor.policy == replay_policy(settings)
    if kernel_started:
        config = session.executor.kernel.config
        limits = {name: getattr(config, name) for name in kernel_limits(settings)}
        assert limits == kernel_limits(settings)


def test_the_command_line_front_ends_honour_every_setting(chosen, made, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["ask", QUESTION, "--workdir", str(tmp_path / "ask")]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{QUESTION}\nexit\n"))
    assert main(["chat", "--workdir", str(tmp_path / "chat")]) == 0
    suite = tmp_path / "suite.jsonl"
    task = {"id": "product", "domain": "chemistry", "turns": [QUESTION], "check": {"type": "number", "value": 42}}
    suite.write_text(json.dumps(task) + "\n")
    assert main(["eval", str(suite), "--out", str(tmp_path / "eval")]) == 0
    batch = tmp_path / "batch.jsonl"
    batch.write_text(json.dumps({"id": "product", "question": QUESTION}) + "\n")
    assert main(["batch", str(batch), "--out", str(tmp_path / "batch")]) == 0
    notebook = tmp_path / "analysis.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell(f"%%ask\n{QUESTION}")]), str(notebook))
    assert main(["run", str(notebook), "-o", str(tmp_path / "ran.ipynb")]) == 0
    assert "42" in capsys.readouterr().out

    assert len(made) == 5  # ask, chat, eval, batch, run
    for session in made:
        assert session.memory  # it answered
        assert_honoured(session, chosen, kernel_started=True, replays=True)


def test_the_magics_honour_every_setting(chosen, made):
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        load_ipython_extension(shell)
        shell.run_line_magic("ask", QUESTION)
        assert len(made) == 1 and made[0].memory
        # The magics run in the user's own process: no kernel of sciwand's, no replay of its own.
        assert_honoured(made[0], chosen, kernel_started=False, replays=False)
    finally:
        InteractiveShell.clear_instance()


@pytest.fixture
def jp_server_config(chosen):
    return {"ServerApp": {"jpserver_extensions": {"assistant.lab": True, **JUPYTER_AI_EXTENSIONS}}}


async def test_the_panel_honours_every_setting(chosen, made, jp_fetch, jp_ws_fetch):
    socket = await connect(jp_ws_fetch, await start_kernel(jp_fetch))
    ask(socket, QUESTION)
    events = await events_until(socket, "done")
    assert [event["text"] for event in events if event["type"] == "answer"] == ["42"]
    assert len(made) == 1
    # The notebook's kernel belongs to the server, so its limits are the server's; replay is sciwand's.
    assert_honoured(made[0], chosen, kernel_started=False, replays=True)


async def test_the_jupyter_ai_persona_honours_every_setting(chosen, made, jp_ws_fetch, jp_root_dir):
    pytest.importorskip("jupyter_ai_persona_manager")
    chat = await open_chat(jp_ws_fetch, jp_root_dir)
    reply = await chat.ask(f"@sciwand {QUESTION}")
    assert reply[-1]["body"].startswith("**Answer:** 42")
    assert len(made) == 1
    # The chat's own kernel: started by the persona, with the settings' limits.
    assert_honoured(made[0], chosen, kernel_started=True, replays=True)


def test_a_setting_no_front_end_reads_would_fail_this_module():
    # Every setting is in CHOSEN or is covered elsewhere: base_url by the endpoint these tests reach,
    # model_path by tests/test_config_weights.py (the local backend), lab_models by tests/test_lab_server.py,
    # approve (terminal approval in chat) by tests/test_cli_approval.py, inline_completion by
    # tests/test_lab_completion.py (the panel's editor).
    covered = set(CHOSEN) | {"base_url", "model_path", "lab_models", "approve", "inline_completion"}
    assert {setting.name for setting in fields(Settings)} == covered


def test_a_remote_models_token_usage_is_counted_though_the_reply_is_cut_at_its_code_block(chosen, endpoint, capsys):
    # The endpoint reports usage in the last chunk of each stream, after the code block where the loop stops
    # reading the reply: the loop reads the tail unseen, so `ask --json` still has the prompt's tokens.
    assert main(["ask", QUESTION, "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    bodies = endpoint.requests
    assert all(body["stream_options"] == {"include_usage": True} for body in bodies)
    assert record["tokens_in"] == sum(prompt_usage(body, 0)["prompt_tokens"] for body in bodies) > 0
