"""``--approve``: the real ``sciwand`` in a pseudo-terminal (pexpect) asks before each step, against a local
OpenAI-compatible endpoint that records what the model was told. Nothing runs until the user chooses."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from collections.abc import Callable, Iterator

import nbformat
import pexpect
import pytest

from assistant.cli.approval import PROMPT
from assistant.engine.prompts import SKIPPED_STEP

from conftest import FakeOpenAI, Handler, python_block

QUESTION = "What is six times seven?"
ASKS = re.escape(PROMPT.strip())
FIGURES = r"\d+ turn\(s\), \d+ step\(s\)"  # the last line of every answered question
MAKES_FILE = "open('made.txt', 'w').write('x')\nprint('made it')"
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def scripted(replies: list[str]) -> Callable[[Handler, int], None]:
    """The endpoint's n-th request gets ``replies[n - 1]``."""
    return lambda handler, number: handler.send_reply(replies[number - 1])


class Terminal:
    """``sciwand`` in a pseudo-terminal, and everything it wrote there (colours removed) in ``text``."""

    def __init__(self, child: pexpect.spawn, log: io.StringIO) -> None:
        self.child, self.log = child, log

    @property
    def text(self) -> str:
        return _ANSI.sub("", self.log.getvalue())

    def choose(self, answer: str) -> None:
        """Wait for the approval prompt, then answer it."""
        self.child.expect(ASKS)
        self.child.sendline(answer)

    def finish(self) -> int:
        self.child.expect(pexpect.EOF)
        self.child.close()
        return self.child.exitstatus


@pytest.fixture
def terminal(tmp_path, cli_env, serve) -> Iterator[Callable[..., tuple[Terminal, FakeOpenAI]]]:
    """``terminal(*args, replies=[...], **env)``: sciwand in a pty, its model a local endpoint with ``replies``."""
    children: list[pexpect.spawn] = []

    def spawn(*args: str, replies: list[str], **extra_env: str) -> tuple[Terminal, FakeOpenAI]:
        server = serve(scripted(replies))
        model = ["--model", "openai:test-model", "--base-url", server.base_url, "--workdir", str(tmp_path / "work")]
        log = io.StringIO()
        child = pexpect.spawn(
            sys.executable,
            ["-m", "assistant.cli.main", *args, *model],
            cwd=str(tmp_path),
            env={**cli_env, "TERM": "xterm-256color", **extra_env},
            encoding="utf-8",
            timeout=90,
            dimensions=(50, 200),
        )
        child.logfile_read = log
        children.append(child)
        return Terminal(child, log), server

    yield spawn
    for child in children:
        if child.isalive():
            child.terminate(force=True)


def test_chat_in_a_terminal_asks_first_and_run_executes_the_step(terminal):
    shell, _ = terminal("chat", replies=[python_block("print(6 * 7 * 1000 + 1)"), "Final answer: 42001"])
    shell.child.expect("Each step waits for your choice")  # on by default for chat in a terminal
    shell.child.sendline(QUESTION)
    shell.choose("r")
    shell.child.expect(FIGURES)
    shell.child.sendline("exit")
    assert shell.finish() == 0
    shown, ran = shell.text.split(PROMPT.strip(), 1)
    assert "proposed step" in shown and "I will compute it." in shown  # the model's words, then its code
    assert "print(6 * 7 * 1000 + 1)" in shown and "42001" not in shown  # nothing ran before the choice
    assert "ok in" in ran and "42001" in ran  # it ran after the choice, and its output is shown


def test_skip_does_not_run_the_step_and_the_model_is_told(terminal, tmp_path):
    replies = [python_block(MAKES_FILE), python_block("print(6 * 7)"), "Final answer: 42"]
    shell, server = terminal("chat", replies=replies)
    shell.child.sendline(QUESTION)
    shell.choose("s")
    shell.choose("r")
    shell.child.expect(FIGURES)
    shell.child.sendline("exit")
    assert shell.finish() == 0
    assert not (tmp_path / "work" / "made.txt").exists()
    assert "skipped" in shell.text
    told = server.requests[1]["messages"][-1]["content"]
    assert SKIPPED_STEP in told


def test_edit_runs_the_code_as_the_editor_left_it(terminal, tmp_path):
    editor = tmp_path / "editor.py"  # an $EDITOR that rewrites the step's file, as a user would
    editor.write_text("import sys\nopen(sys.argv[1], 'w').write(\"print('edited', 6 * 7)\\n\")\n")
    replies = [python_block("print('original', 6 * 7)"), "Final answer: 42"]
    shell, _ = terminal("ask", QUESTION, "--approve", replies=replies, EDITOR=f"{sys.executable} {editor}")
    shell.choose("e")
    shell.choose("r")  # the edited step is shown and asked about again
    shell.child.expect(FIGURES)
    assert shell.finish() == 0
    after_edit = shell.text.split(PROMPT.strip(), 1)[1]
    assert "print('edited', 6 * 7)" in after_edit
    assert "edited 42" in after_edit
    assert "original 42" not in shell.text


def test_quit_ends_the_run_and_keeps_the_transcript(terminal, tmp_path):
    notebook_path = tmp_path / "session.ipynb"
    replies = [python_block("print(6 * 7)"), python_block(MAKES_FILE), "Final answer: 42"]
    shell, server = terminal("ask", QUESTION, "--approve", "--notebook", str(notebook_path), replies=replies)
    shell.choose("r")
    shell.choose("q")
    assert shell.finish() == 130  # stopped by the user, as Ctrl-C stops it
    assert "Traceback" not in shell.text
    assert len(server.requests) == 2  # nothing more was asked of the model
    assert not (tmp_path / "work" / "made.txt").exists()
    notebook = nbformat.read(notebook_path, as_version=4)
    assert notebook.cells[0].source == f"**Question:** {QUESTION}"
    assert notebook.cells[-1].source == "print(6 * 7)"
    assert notebook.cells[-1].outputs[0].text == "42\n"


@pytest.mark.parametrize("how", ["ask without --approve", "chat with approve = false in the config file"])
def test_where_approval_is_off_a_terminal_run_never_asks(terminal, tmp_path, how):
    replies = [python_block("print(6 * 7)"), "Final answer: 42"]
    if how.startswith("ask"):
        shell, _ = terminal("ask", QUESTION, replies=replies)
    else:
        config = tmp_path / "config.toml"
        config.write_text("[sciwand]\napprove = false\n")
        shell, _ = terminal("chat", replies=replies, SCIWAND_CONFIG=str(config))
        shell.child.sendline(QUESTION)
    assert shell.child.expect([ASKS, FIGURES]) == 1
    if how.startswith("chat"):
        shell.child.sendline("exit")
    assert shell.finish() == 0
    assert "42" in shell.text


def test_chat_on_pipes_never_asks(tmp_path, cli_env, serve):
    server = serve(scripted([python_block("print(6 * 7)"), "Final answer: 42"]))
    model = ["--model", "openai:test-model", "--base-url", server.base_url, "--workdir", str(tmp_path / "work")]
    completed = subprocess.run(
        [sys.executable, "-m", "assistant.cli.main", "chat", *model],
        input=f"{QUESTION}\nexit\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=cli_env,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert PROMPT.strip() not in completed.stdout
    assert "ok in" in completed.stdout and "42" in completed.stdout


def test_approve_where_nobody_can_answer_is_a_one_line_error(tmp_path, cli_env):
    completed = subprocess.run(
        [sys.executable, "-m", "assistant.cli.main", "ask", QUESTION, "--approve", "--model", "scripted:none.json"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=cli_env,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 2
    assert completed.stderr.strip().splitlines() == [
        "sciwand: --approve needs an interactive terminal (stdin and output a tty); nobody could answer"
    ]
