"""``%ask`` and ``%%ask``: the assistant inside the user's own kernel.

Unlike the CLI, nothing is started: the generated code runs in the kernel the magic is called from, so the
user's variables are the assistant's and what it computes stays for the user. One conversation per kernel.
"""

from __future__ import annotations

import argparse
import importlib
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, line_magic, magics_class, no_var_expand
from IPython.utils.capture import capture_output
from langchain_core.language_models.chat_models import BaseChatModel
from rich.console import Console

from assistant.config import (
    Settings,
    flag_overrides,
    load_settings,
    replay_policy,
)
from assistant.engine.loop import ChatSession
from assistant.engine.sessions import follow_settings, session_for
from assistant.errors import SciwandError
from assistant.inkernel.cell_journal import CellJournal
from assistant.inkernel.namespace import question_with_context
from assistant.llm.backends import describe, make_chat_model
from assistant.runs.ask_options import ask_parser, settings_parser, split_options
from assistant.runs.cell_view import CellView
from assistant.runs.progress import ByteProgress
from kernels.inprocess import IPythonExecutor
from kernels.journal import Journal
from kernels.recovery import replay

# Settings that select and tune the model: a change means a different chat model object.
_MODEL_FIELDS = ("model", "model_path", "base_url", "temperature", "llm_timeout", "llm_retries")


_ASK_LINE = re.compile(r"^(?P<indent>[ \t]*)%ask(?P<rest>[ \t]+\S.*?)(?P<newline>\n?)$")


def keep_question_marks(lines: list[str]) -> list[str]:
    """Route ``%ask ... ?`` lines straight to the magic, before IPython reads the final ``?`` as a help request.

    IPython turns ``%ask what is the MW of caffeine?`` into ``pinfo caffeine``; a question usually ends in
    ``?``. Registered as an input cleanup transform by ``%load_ext assistant``.
    """
    rewritten = []
    for line in lines:
        match = _ASK_LINE.match(line)
        if match:
            call = f"get_ipython().run_line_magic('ask', {match['rest'].strip()!r})"
            line = f"{match['indent']}{call}{match['newline']}"
        rewritten.append(line)
    return rewritten


def _overrides(options: argparse.Namespace) -> dict[str, Any]:
    return {name: value for name, value in flag_overrides(options).items() if value is not None}


def _model_key(settings: Settings) -> tuple[Any, ...]:
    return tuple(getattr(settings, name) for name in _MODEL_FIELDS)


ModelFactory = Callable[..., BaseChatModel]


@magics_class
class AskMagics(Magics):
    """``model_factory`` builds the chat model from the settings (``make_chat_model``; tests pass a script)."""

    def __init__(self, shell: Any, model_factory: ModelFactory = make_chat_model) -> None:
        super().__init__(shell)
        self.model_factory = model_factory
        self.defaults: dict[str, Any] = {}  # set by %ask_config, above the config file and env
        self.session: ChatSession | None = None
        self._model_key: tuple[Any, ...] | None = None
        self._model: BaseChatModel | None = None  # built for the settings of _model_key
        self.journal: CellJournal | None = None  # this kernel's successful cells, for %ask_restore after a crash

    @line_cell_magic
    @no_var_expand
    def ask(self, line: str, cell: str | None = None) -> None:
        """Answer a question by writing and running code in this kernel.

        %ask [options] QUESTION          one-line question
        %%ask [options]                  the cell body is the question

        Options: -m/--model MODEL, --max-turns N, --timeout SECONDS, --dry-run (propose code, run nothing),
        --insert (put the code behind the answer in a new cell below), -o NAME (store the answer in NAME),
        --reset (forget the conversation, keep the variables). ``{name}`` in the question points at a variable.
        Defaults: %ask_config, then the config file and SCIWAND_* variables.
        """
        options, rest = split_options(ask_parser(), line)
        if options.output is not None and not options.output.isidentifier():
            raise UsageError(f"%ask: -o needs a variable name, got {options.output!r}")
        question = "\n".join(part for part in (rest, cell or "") if part.strip()).strip()
        if not question and not options.reset:
            raise UsageError("%ask: ask a question, e.g. %ask what is the molecular weight of caffeine?")
        settings = load_settings({**self.defaults, **_overrides(options)})
        view = CellView(live=getattr(self.shell, "kernel", None) is not None, max_turns=settings.max_turns)
        try:
            if options.reset and self.session is not None:
                self.session.memory.clear()
            if not question:
                view.notice("conversation forgotten; your variables are kept")
                return
            self._answer(question, options, settings, view)
        except KeyboardInterrupt:
            view.notice("stopped; your variables and the conversation so far are kept")
        except SciwandError as exc:
            view.error(str(exc))
        except Exception as exc:  # the assistant must never take the user's cell down with a traceback
            view.error(f"internal error ({type(exc).__name__}: {exc}); your kernel and variables are unaffected")

    @line_magic
    def ask_restore(self, line: str) -> None:
        """Replay the cells that ran in this notebook's previous kernel process (after a crash or restart).

        %ask_restore          skip cells that write files, delete them, run programs or use the network
        %ask_restore --all    replay those too
        """
        if self.journal is None:
            print("sciwand: %ask_restore works in a Jupyter kernel, where the cells are journaled by kernel id")
            return
        cells = self.journal.previous_cells()
        if not cells:
            print("sciwand: nothing to restore: no earlier kernel process of this notebook left a journal")
            return
        policy = replace(replay_policy(load_settings(self.defaults)), replay_side_effects="--all" in line.split())
        journal = Journal()
        for code in cells:
            journal.record(code)
        with capture_output():  # the cells' outputs were seen when they first ran
            report = replay(IPythonExecutor(self.shell), journal, policy, cause="")
        self.journal.forget_previous()
        print(f"sciwand: replayed {report.replayed} of {len(cells)} cells in {report.seconds:.1f} s")
        if report.skipped:
            print(
                "  not replayed (they reach outside the kernel; %ask_restore --all runs them): "
                + "; ".join(f"`{first}` ({why})" for first, why in report.skipped)
            )
        if report.failed:
            print("  failed on replay: " + "; ".join(f"`{first}` ({error})" for first, error in report.failed))
        if report.not_reached:
            print(f"  not replayed: {report.not_reached} cells past the replay budget (replay_max_cells/_seconds)")

    def offer_restore(self) -> None:
        """On load in a new kernel process: say what the previous one left, and how to bring it back."""
        cells = self.journal.previous_cells() if self.journal is not None else []
        if cells:
            print(
                f"sciwand: this notebook's previous kernel process ended (a crash or a restart) after {len(cells)} "
                "successful cells. Run %ask_restore to replay them (cells that write files or use the network "
                "are skipped unless you add --all)."
            )

    @line_magic
    def ask_config(self, line: str) -> None:
        """Set %ask's defaults for this kernel: %ask_config -m openai:gpt-4o-mini --max-turns 6 --timeout 60.

        With no options, show the settings in effect.
        """
        options, rest = split_options(settings_parser("%ask_config"), line)
        if rest:
            raise UsageError(f"%ask_config: unexpected {rest!r}; options only")
        self.defaults.update(_overrides(options))
        settings = load_settings(self.defaults)
        shown = {"model": describe(settings), "max_turns": settings.max_turns, "timeout": settings.timeout}
        print("sciwand: " + ", ".join(f"{name}={value}" for name, value in shown.items()))

    def _answer(self, question: str, options: argparse.Namespace, settings: Settings, view: CellView) -> None:
        if self.session is None or self._model_key != _model_key(settings):
            view.set_status("sciwand · loading the model and the domain libraries")
        session = self._session(settings)
        session.events = view
        question, context = question_with_context(self.shell, question)
        if options.dry_run:
            reply = session.propose(question, context)
            view.proposed(reply.code, reply.text)
            if options.insert and reply.code:
                self.shell.set_next_input(reply.code)
            return
        result = session.ask(question, context)
        if options.output:
            self.shell.user_ns[options.output] = result.answer
        if options.insert and result.code():
            self.shell.set_next_input(result.code())

    def _session(self, settings: Settings) -> ChatSession:
        """The kernel's one conversation; its model follows the settings, its memory stays."""
        key = _model_key(settings)
        if self._model is None or key != self._model_key:
            self._model = self.model_factory(settings, progress=ByteProgress("preparing the embedded model", Console()))
            self._model_key = key
        if self.session is None:
            self._load_preamble()
            self.session = session_for(settings, IPythonExecutor(self.shell), model=self._model, setup_code=None)
        follow_settings(self.session, settings, self._model)
        return self.session

    def _load_preamble(self) -> None:
        """The names the system prompt promises, added where the user has not defined them already."""
        preamble = importlib.import_module("domain_tools.preamble")
        for name in preamble.__all__:
            self.shell.user_ns.setdefault(name, getattr(preamble, name))
