"""Runs questions through the loop on fresh kernels, writing a notebook and a log per question."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from rich.console import Console

from assistant.cli.terminal import TerminalView
from assistant.engine.events import Fanout
from assistant.engine.loop import ChatSession
from assistant.runs.notebook import NotebookTranscript
from benchmarks.questions import answer_matches
from kernels import KernelConfig, KernelSession


@dataclass
class Row:
    domain: str
    ok: bool
    turns: int
    seconds: float
    tokens_out: int
    answer: str


def run_questions(
    model: BaseChatModel,
    questions: list[tuple[str, str, float | str]],
    out: Path,
    **session_options: Any,
) -> list[Row]:
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for number, (domain, question, expected) in enumerate(questions, 1):
        stem = out / f"q{number:02d}-{domain}"
        with (
            stem.with_suffix(".log").open("w") as log,
            KernelSession(KernelConfig(cwd=Path(tempfile.mkdtemp()))) as kernel,
        ):
            events = Fanout(NotebookTranscript(stem.with_suffix(".ipynb")), TerminalView(Console(file=log, width=110)))
            result = ChatSession(model, kernel, events=events, **session_options).ask(question)
        answer = (result.answer or "(none)").replace("\n", " ")
        rows.append(
            Row(
                domain, answer_matches(result.answer, expected), result.turns, result.seconds, result.tokens_out, answer
            )
        )
    return rows
