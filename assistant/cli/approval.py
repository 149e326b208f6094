"""``--approve``: the terminal asks before each step runs (run / edit / skip / quit), as Open Interpreter does.

It is the loop's approval hook (``ChatSession.review``), the one the lab panel's Run / Edit / Skip answers: a
skipped step returns None, so the model is told the user skipped it; quit raises ``RunStopped`` as the panel's
Stop does, so the run ends at once and the session and its transcript stay as they were.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.syntax import Syntax
from rich.text import Text

from assistant.engine.events import LoopEvents
from assistant.engine.replies import prose
from assistant.errors import InputError, RunStopped

_ACTIONS = ("run", "edit", "skip", "quit")
_CHOICES = {word: word for word in _ACTIONS} | {word[0]: word for word in _ACTIONS}  # "r" or "run"
PROMPT = "run, edit, skip or quit? [r/e/s/q] "


def interactive(console: Console) -> bool:
    """Whether a person can answer: stdin and the console's output are both a terminal."""
    return sys.stdin.isatty() and console.file.isatty()


def approval_wanted(flag: bool | None, setting: bool, command: str, console: Console) -> bool:
    """``--approve`` / ``--no-approve`` decide; without either, ``chat`` in a terminal asks unless the setting
    says not to. Approval never waits on a pipe: asked for where nobody can answer, it is an error."""
    if flag is None:
        return setting and command == "chat" and interactive(console)
    if flag and not interactive(console):
        raise InputError("--approve needs an interactive terminal (stdin and output a tty); nobody could answer")
    return flag


class TerminalApproval(LoopEvents):
    """Shows each proposed step (the model's words and its code) and waits for the user's choice.

    A listener too: it keeps the reply streamed this turn, whose words explain the step."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.reply = ""

    def turn(self, number: int) -> None:
        self.reply = ""

    def token(self, text: str) -> None:
        self.reply += text

    def __call__(self, code: str) -> str | None:
        """The code to run (maybe edited), None to skip; quit raises ``RunStopped``."""
        explanation, self.reply = prose(self.reply), ""
        while True:
            self._show(code, explanation)
            choice = self._choose()
            if choice == "run":
                return code
            if choice == "skip":
                self.console.print("[yellow]skipped: not run; the model is told[/]")
                return None
            if choice == "quit":
                self.console.print("[yellow]quit: nothing more runs[/]")
                raise RunStopped
            code, explanation = self._edit(code), ""

    def _show(self, code: str, explanation: str) -> None:
        parts = [Text(explanation, style="italic"), Text()] if explanation else []
        syntax = Syntax(code, "python", word_wrap=True)  # the theme of the answers' code blocks (Markdown's)
        self.console.print()
        self.console.print(Panel(Group(*parts, syntax), title="[bold]proposed step[/]", title_align="left"))

    def _choose(self) -> str:
        """The user's choice; end of input (Ctrl-D) quits, since nothing can run unapproved."""
        while True:
            try:
                answer = self.console.input(f"[bold]{escape(PROMPT)}[/]").strip().lower()
            except EOFError:
                return "quit"
            if answer in _CHOICES:
                return _CHOICES[answer]

    def _edit(self, code: str) -> str:
        """``code`` after the user's ``$EDITOR`` (default vi) saved it; the old code if the edit failed or is empty."""
        editor = shlex.split(os.environ.get("EDITOR") or "vi")
        with tempfile.TemporaryDirectory(prefix="sciwand-step-") as folder:
            path = Path(folder) / "step.py"
            path.write_text(code + "\n", encoding="utf-8")
            try:
                failed = subprocess.run([*editor, str(path)], check=False).returncode != 0
            except OSError as exc:
                self.console.print(f"[red]cannot start the editor {editor[0]!r}: {exc.strerror or exc}[/]")
                return code
            edited = path.read_text(encoding="utf-8").strip("\n")
        if failed or not edited.strip():
            self.console.print("[yellow]the editor failed or left the step empty; it stays as it was[/]")
            return code
        return edited
