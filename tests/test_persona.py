"""The @sciwand persona in a real Jupyter server with Jupyter AI's chat: messages sent over the chat's WebSocket,
answered by sciwand's loop in real kernels (scripted LLM replies, and once the embedded model)."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import signal
import time

import nbformat
import pytest
from nbformat.v4 import new_notebook

from conftest import (
    JUPYTER_AI_EXTENSIONS,
    PERSONA_ID,
    free_port,
    notebook_client,
    open_chat,
    python_block,
    wait_for,
    wait_printed,
)

pytest.importorskip("jupyter_ai_persona_manager")

CAFFEINE = "Cn1cnc2c1c(=O)n(C)c(=O)n2C"


@pytest.fixture(autouse=True)
def no_user_settings(tmp_path, monkeypatch):
    """No config file and no SCIWAND_* variable of the machine's: each test sets what it means."""
    for name in [name for name in os.environ if name.startswith("SCIWAND_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("SCIWAND_CONFIG", str(tmp_path / "no-config.toml"))


@pytest.fixture
def replies(tmp_path, monkeypatch):
    """``replies(*texts)``: the scripted model's replies, written before the first question (read once)."""
    script = tmp_path / "replies.json"

    def write(*texts: str) -> None:
        script.write_text(json.dumps(list(texts)))
        monkeypatch.setenv("SCIWAND_MODEL", f"scripted:{script}")

    return write


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": JUPYTER_AI_EXTENSIONS}}


def fenced_blocks(body: str) -> list[tuple[str, str]]:
    """The fenced blocks of a Markdown ``body``: (language, text) in order."""
    blocks: list[tuple[str, str]] = []
    fence, language, lines = "", "", []
    for line in body.split("\n"):
        opening = re.fullmatch(r"(`{3,})(\w*)", line)
        if not fence and opening:
            fence, language, lines = opening[1], opening[2], []
        elif fence and line == fence:
            blocks.append((language, "\n".join(lines)))
            fence = ""
        elif fence:
            lines.append(line)
    return blocks


def output_block(message: dict) -> str:
    """What a step printed: its fenced block without a language, after the code's."""
    printed = [text for language, text in fenced_blocks(message["body"]) if not language]
    assert printed, message["body"]
    return printed[0]


def steps(reply: list[dict]) -> list[dict]:
    return [message for message in reply if message["body"].startswith("**Step ")]


async def test_a_question_is_answered_in_the_chats_own_kernel_one_message_per_step(jp_ws_fetch, jp_root_dir, replies):
    weight = (
        "import os\nfrom rdkit import Chem\nfrom rdkit.Chem import Descriptors\n"
        f"mw = Descriptors.MolWt(Chem.MolFromSmiles({CAFFEINE!r}))\nprint(os.getcwd())\nprint(round(mw, 3))"
    )
    replies(
        python_block(weight, "RDKit has the average molecular weight."),
        "Final answer: 194.194 g/mol",
        python_block("print(round(2 * mw, 3))"),
        "Final answer: 388.388 g/mol",
    )
    chat = await open_chat(jp_ws_fetch, jp_root_dir, "lab/caffeine.chat")
    reply = await chat.ask("@sciwand What is the molecular weight of caffeine?")
    [step] = steps(reply)
    assert step["body"].startswith("**Step 1**: RDKit has the average molecular weight.")
    assert f"```python\n{weight}\n```" in step["body"]
    # Only running the code prints these: the chat's kernel runs in the chat's folder.
    assert output_block(step) == f"{(jp_root_dir / 'lab').resolve()}\n194.194"
    assert reply[-1]["body"].startswith("**Answer:** 194.194 g/mol\n\n*2 turn(s), 1 step(s), ")
    assert all(message["sender"] == PERSONA_ID for message in reply)

    # A follow-up in the same chat: the same kernel, so `mw` is still there.
    reply = await chat.ask("@sciwand And twice that?")
    [step] = steps(reply)
    assert output_block(step) == "388.388"
    assert reply[-1]["body"].startswith("**Answer:** 388.388 g/mol")


async def test_an_image_arrives_as_a_message_the_chat_renders(jp_ws_fetch, jp_root_dir, replies):
    replies(
        python_block("import matplotlib.pyplot as plt\nplt.plot([0, 1, 2], [0, 1, 4])\nplt.show()"),
        "Final answer: the plot shows y = x squared",
    )
    chat = await open_chat(jp_ws_fetch, jp_root_dir)
    reply = await chat.ask("@sciwand Plot y = x squared")
    figures = [message for message in reply if message.get("mime_model")]
    assert [message["body"] for message in figures] == ["Figure from step 1"]
    data = figures[0]["mime_model"]["data"]
    assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG\r\n\x1a\n")
    assert data["text/plain"].startswith("<Figure size")
    assert reply.index(figures[0]) == reply.index(steps(reply)[0]) + 1  # right after its step
    assert reply[-1]["body"].startswith("**Answer:** the plot shows")


async def test_a_notebook_attached_to_the_message_runs_in_that_notebooks_kernel(
    jp_fetch, jp_ws_fetch, jp_serverapp, jp_root_dir, replies
):
    replies(python_block("from_chat = dose * 2\nprint(from_chat)"), "Final answer: 42")
    notebook = "analysis/caffeine.ipynb"
    (jp_root_dir / "analysis").mkdir()
    nbformat.write(new_notebook(), str(jp_root_dir / notebook))
    body = {"path": notebook, "type": "notebook", "name": "caffeine.ipynb", "kernel": {"name": "python3"}}
    response = await jp_fetch("api", "sessions", method="POST", body=json.dumps(body), request_timeout=120)
    kernel_id = json.loads(response.body)["kernel"]["id"]
    # Another client of the kernel in the server's process, held open while the persona attaches and runs (as the
    # lab panel could be): each has a socket identity of its own, so both get their replies.
    async with notebook_client(jp_serverapp, kernel_id) as client:
        client.execute("dose = 21\nprint('dose set')")
        await wait_printed(client, "dose set")

        chat = await open_chat(jp_ws_fetch, jp_root_dir)
        reply = await chat.ask("@sciwand Twice the dose?", attachments=[{"type": "notebook", "value": notebook}])
        assert output_block(steps(reply)[0]) == "42"  # the notebook's `dose`
        assert reply[-1]["body"].startswith("**Answer:** 42")
        client.execute("print('notebook sees', from_chat + 1)")  # and the step's variable is the notebook's
        await wait_printed(client, "notebook sees 43")

    await jp_fetch("api", "sessions", json.loads(response.body)["id"], method="DELETE")
    reply = await chat.ask("@sciwand Again?", attachments=[{"type": "notebook", "value": notebook}])
    assert [message["body"] for message in reply] == [
        f"**sciwand:** the attached notebook {notebook} has no running kernel: open it, then ask again"
    ]


async def test_a_bad_model_or_an_unreachable_llm_is_a_chat_message_and_the_chat_goes_on(
    jp_ws_fetch, jp_root_dir, replies, monkeypatch
):
    chat = await open_chat(jp_ws_fetch, jp_root_dir)
    monkeypatch.setenv("SCIWAND_MODEL", "nonsense")
    reply = await chat.ask("@sciwand What is six times seven?")
    assert [message["body"] for message in reply] == [
        "**sciwand:** --model 'nonsense': use 'local' or PROVIDER:NAME, e.g. openai:gpt-4o-mini"
    ]

    monkeypatch.setenv("SCIWAND_MODEL", "openai:test-model")
    monkeypatch.setenv("SCIWAND_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")
    monkeypatch.setenv("SCIWAND_LLM_RETRIES", "0")
    reply = await chat.ask("@sciwand What is six times seven?")
    assert reply[-1]["body"].startswith("**sciwand:** the LLM call failed (")
    assert "Connection refused" in reply[-1]["body"]

    # Settings are read at each message: with a usable model the same chat answers.
    monkeypatch.delenv("SCIWAND_BASE_URL")
    replies(python_block("print(6 * 7)"), "Final answer: 42")
    reply = await chat.ask("@sciwand What is six times seven?")
    assert output_block(steps(reply)[0]) == "42"
    assert reply[-1]["body"].startswith("**Answer:** 42")


def dead(pid: int) -> bool:
    """Whether child ``pid`` of this process (the server's) has ended and can be reaped, without reaping it: a
    killed kernel shows as a zombie while its threads still exit, and its parent sees it alive until then."""
    return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None


async def test_a_kernel_that_died_between_questions_is_restarted_with_its_variables(jp_ws_fetch, jp_root_dir, replies):
    replies(
        python_block("import os\nx = 7\nprint(os.getpid())"),
        "Final answer: the kernel is ready",
        python_block("print(x * 6)"),
        "Final answer: 42",
    )
    chat = await open_chat(jp_ws_fetch, jp_root_dir)
    reply = await chat.ask("@sciwand Set x to 7")
    pid = int(output_block(steps(reply)[0]))
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: dead(pid), what=f"the kernel {pid} to die")

    reply = await chat.ask("@sciwand What is x times 6?")
    notes = [message["body"] for message in reply if message["body"].startswith("*The chat's kernel had died")]
    assert len(notes) == 1, [message["body"] for message in reply]
    assert "killed by SIGKILL" in notes[0]
    assert notes[0].endswith("the variables from before this cell are back.*")
    assert output_block(steps(reply)[0]) == "42"  # x, replayed
    assert reply[-1]["body"].startswith("**Answer:** 42")


async def test_the_stop_button_interrupts_the_running_step_and_keeps_the_kernel(
    jp_fetch, jp_ws_fetch, jp_root_dir, replies, tmp_path
):
    started = tmp_path / "step-started"
    replies(
        python_block(f"x = 5\nimport pathlib, time\npathlib.Path({str(started)!r}).touch()\ntime.sleep(300)"),
        python_block("print(x + 1)"),
        "Final answer: 6",
    )
    chat = await open_chat(jp_ws_fetch, jp_root_dir)
    chat.send("@sciwand Wait a long time")
    await chat.frames_until(
        lambda frame: frame.get("action") == "writing" and frame.get("typingIndicator") == "is running step 1...",
        timeout=120,
    )
    deadline = time.monotonic() + 60
    while not started.exists():  # the step's code runs: the stop lands in its sleep
        assert time.monotonic() < deadline, "the step never started"
        await asyncio.sleep(0.05)
    response = await jp_fetch(
        "api", "ai", "personas", "cancel", method="POST", params={"chat_id": chat.chat_id}, body=""
    )
    assert json.loads(response.body)["cancelled"] == [PERSONA_ID]
    reply = await chat.reply(timeout=60)  # far less than the step's 300 s
    [step] = steps(reply)
    assert "**KeyboardInterrupt**" in step["body"], step["body"]
    assert reply[-1]["body"] == "*Stopped.* The kernel and its variables are still there."

    reply = await chat.ask("@sciwand And x plus one?")
    assert output_block(steps(reply)[0]) == "6"


async def test_the_persona_joins_with_its_avatar_and_a_message_without_a_question_gets_help(
    jp_fetch, jp_ws_fetch, jp_root_dir, replies
):
    replies("Final answer: nothing")
    chat = await open_chat(jp_ws_fetch, jp_root_dir)
    persona = chat.users[PERSONA_ID]
    assert (persona["name"], persona["bot"]) == ("sciwand", True)
    avatar = await jp_fetch(*persona["avatar_url"].strip("/").split("/")[1:])  # below the server's base URL
    assert avatar.headers["Content-Type"] == "image/svg+xml" and avatar.body.startswith(b"<svg")

    chat.send("@sciwand")
    frames = await chat.frames_until(lambda frame: frame.get("message", {}).get("sender") == PERSONA_ID, 60)
    assert frames[-1]["message"]["body"].startswith("Ask me a scientific question")


@pytest.mark.model
async def test_the_embedded_model_answers_in_the_chat(jp_ws_fetch, jp_root_dir):
    chat = await open_chat(jp_ws_fetch, jp_root_dir)
    reply = await chat.ask("@sciwand What is the molecular weight of ethanol, SMILES CCO?", timeout=540)
    assert steps(reply), [message["body"] for message in reply]
    assert reply[-1]["body"].startswith("**Answer:**")
    answer = reply[-1]["body"].split("\n\n")[0]
    assert any(round(float(number), 2) == 46.07 for number in re.findall(r"\d+\.\d+", answer)), answer
