"""``sciwand ask``, ``sciwand chat`` and ``sciwand eval``: the engine in a terminal."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console

from assistant.cli import batch as batch_cli
from assistant.cli import mcp as mcp_cli
from assistant.cli.approval import TerminalApproval, approval_wanted
from assistant.cli.terminal import TerminalView
from assistant.config import (
    Settings,
    add_settings_arguments,
    flag_overrides,
    kernel_limits,
    load_settings,
)
from assistant.engine.events import Fanout, LoopEvents
from assistant.engine.loop import ChatSession
from assistant.engine.sessions import kernel_executor, session_for
from assistant.errors import InputError, LLMError, SciwandError
from assistant.llm.backends import describe, make_chat_model
from assistant.runs.evaluation import RESULTS_FILE, evaluate
from assistant.runs.notebook import NotebookTranscript
from assistant.runs.progress import ByteProgress
from assistant.runs.runner import ABLATIONS, RunOptions
from assistant.runs.scores import render_table, summarize
from assistant.runs.tasks import load_suite
from kernels import KernelConfig, KernelSession

EXIT_NO_ANSWER = 1
EXIT_SETUP = 2  # any SciwandError: one line, no traceback


def _add_common(parser: argparse.ArgumentParser) -> None:
    add_settings_arguments(parser)
    parser.add_argument("--workdir", type=Path, default=Path.cwd(), help="the kernel's working directory")
    parser.add_argument("--notebook", type=Path, help="save the session as a notebook, updated as it runs")
    batch_cli.add_clean_argument(parser)
    parser.add_argument(
        "--approve",
        action=argparse.BooleanOptionalAction,
        help="ask before each step runs: run, edit, skip or quit (default: on for chat in a terminal)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sciwand", description="Answer scientific questions by running code.")
    commands = parser.add_subparsers(dest="command", required=True)
    ask = commands.add_parser("ask", help="answer one question")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print one JSON object instead of the live view")
    _add_common(ask)
    chat = commands.add_parser("chat", help="a conversation on one kernel: follow-ups see earlier variables")
    _add_common(chat)
    evaluation = commands.add_parser("eval", help="run a task suite (JSON Lines) and score the answers")
    evaluation.add_argument("suite", type=Path, help="tasks, one JSON object per line")
    add_settings_arguments(evaluation)
    evaluation.add_argument("--workers", type=int, default=1, help="tasks run at once, each on its own kernel")
    evaluation.add_argument("--out", type=Path, help="results, notebooks and working dirs (default runs/eval/SUITE)")
    evaluation.add_argument("--ablate", choices=ABLATIONS, help="switch one part off to measure what it is worth")
    batch_cli.add_clean_argument(evaluation)
    batch_cli.add_commands(commands)
    mcp_cli.add_command(commands)
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(flag_overrides(args))


def _open_session(
    args: argparse.Namespace, settings: Settings, view: LoopEvents, console: Console
) -> tuple[ChatSession, KernelSession]:
    wanted = approval_wanted(args.approve, settings.approve, args.command, console)
    approval = TerminalApproval(console) if wanted else None  # the loop's approval hook, as the panel's
    model = make_chat_model(settings, progress=ByteProgress("preparing the embedded model", console))
    kernel = KernelSession(KernelConfig(cwd=args.workdir, **kernel_limits(settings))).start()
    transcript = NotebookTranscript(args.notebook, describe(settings), clean=args.clean) if args.notebook else None
    listeners = [listener for listener in (view, approval, transcript) if listener is not None]
    events = Fanout(*listeners) if len(listeners) > 1 else view
    session = session_for(settings, kernel_executor(kernel, settings), events, model=model, review=approval)
    return session, kernel


def _ask(args: argparse.Namespace, console: Console) -> int:
    settings = _settings(args)
    view = LoopEvents() if args.json else TerminalView(console)
    session, kernel = _open_session(args, settings, view, console)
    try:
        result = session.ask(args.question)
    finally:
        kernel.shutdown()
    if args.json:
        print(json.dumps(result.to_dict(), default=str))
    return 0 if result.ok else EXIT_NO_ANSWER


def _chat(args: argparse.Namespace, console: Console) -> int:
    settings = _settings(args)
    session, kernel = _open_session(args, settings, TerminalView(console), console)
    console.print(
        f"[bold]sciwand chat[/] with {describe(settings)}: one kernel for the whole conversation. "
        "Ctrl-D or 'exit' to leave; Ctrl-C stops the current step."
    )
    if session.review:
        console.print("Each step waits for your choice before it runs (--no-approve: run them unasked).")
    try:
        while True:
            try:
                question = console.input("\n[bold blue]?[/] ").strip()
            except EOFError:
                return 0
            if question in {"exit", "quit"}:
                return 0
            if not question:
                continue
            try:
                session.ask(question)
            except KeyboardInterrupt:
                console.print("\n[yellow]stopped; the kernel and its variables are still here[/]")
            except LLMError as exc:
                console.print(f"\n[red]{exc}[/] (the kernel and its variables are still here)")
    finally:
        kernel.shutdown()


def _eval(args: argparse.Namespace) -> int:
    """Run a suite and print its score; problems that stop the whole run are InputErrors (exit 2)."""
    settings = _settings(args)
    if args.workers < 1:
        raise InputError(f"--workers must be at least 1, got {args.workers}")
    try:
        suite = load_suite(args.suite)
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the suite {args.suite}: {getattr(exc, 'strerror', None) or exc}") from None
    if not suite.tasks:
        first = f" ({suite.problems[0]})" if suite.problems else ""
        raise InputError(f"{args.suite}: no valid task{first}")
    for problem in suite.problems:
        print(f"sciwand: {args.suite} {problem}; skipped", file=sys.stderr)
    out = args.out or Path("runs") / "eval" / args.suite.stem
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot use --out {out}: {exc.strerror or exc}") from None
    errors = Console(stderr=True, highlight=False)
    model = make_chat_model(settings, progress=ByteProgress("preparing the embedded model", errors))
    options = RunOptions(settings, ablation=args.ablate, clean_notebooks=args.clean)
    outcome = evaluate(suite.tasks, model, out, options, workers=args.workers, console=errors)
    title = f"{args.suite.name}: {options.model_name}" + (f", without {args.ablate}" if args.ablate else "")
    Console(highlight=False).print(render_table(summarize(outcome.records), title))
    errors.print(f"records: {out / RESULTS_FILE}; notebooks: {options.notebook_path(out, 'ID').parent}")
    if outcome.interrupted:
        print("sciwand: interrupted; finished tasks are kept and a rerun skips them", file=sys.stderr)
        return 130
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    console = Console(stderr=getattr(args, "json", False), highlight=False)
    try:
        if args.command == "ask":
            return _ask(args, console)
        if args.command == "eval":
            return _eval(args)
        if args.command == "batch":
            return batch_cli.batch_command(args, _settings(args))
        if args.command == "run":
            return batch_cli.run_command(args, _settings(args))
        if args.command == "mcp":
            return mcp_cli.mcp_command(args, _settings(args))
        return _chat(args, console)
    except SciwandError as exc:
        print(f"sciwand: {exc}", file=sys.stderr)
        return EXIT_SETUP
    except KeyboardInterrupt:
        print("sciwand: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
