"""The options of ``%ask``: parsed the same way by the magics and by notebooks run in batch.

A question is free text, so only the options at the start of the line are parsed as a command line.
"""

from __future__ import annotations

import argparse
import re

from IPython.core.error import UsageError

from assistant.config import add_settings_arguments


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad option as IPython's UsageError instead of exiting the kernel."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def settings_parser(prog: str) -> _Parser:
    parser = _Parser(prog=prog, add_help=False)
    add_settings_arguments(parser)
    return parser


def ask_parser() -> _Parser:
    parser = settings_parser("%ask")
    parser.add_argument("--dry-run", action="store_true", help="show the code the LLM proposes; run nothing")
    parser.add_argument("--insert", action="store_true", help="put the code behind the answer in a new cell")
    parser.add_argument("-o", "--output", help="store the answer (a string, or None) in this variable")
    parser.add_argument("--reset", action="store_true", help="forget the conversation (not the variables)")
    return parser


def split_options(parser: argparse.ArgumentParser, line: str) -> tuple[argparse.Namespace, str]:
    """Parse the options at the start of ``line``; the rest, verbatim, is the question.

    A question is free text ("what's the logP of 2-butanol?"), so it is never tokenised like a command line.
    """
    takes_value = {opt for action in parser._actions for opt in action.option_strings if action.nargs != 0}
    tokens = list(re.finditer(r"\S+", line))
    consumed: list[str] = []
    index = 0
    while index < len(tokens) and tokens[index][0].startswith("-"):
        option = tokens[index][0]
        consumed.append(option)
        index += 1
        if option in takes_value and index < len(tokens):
            consumed.append(tokens[index][0])
            index += 1
    rest = line[tokens[index].start() :] if index < len(tokens) else ""
    return parser.parse_args(consumed), rest.strip()
