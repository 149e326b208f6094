"""Inline completion with the real embedded model: a suggestion that fits the cell, nothing at once while the
model writes a chat reply, the newest request served next behind an older completion, a notebook's
preparation that gives way to any completion, and the same suggestion after a chat reply took the model's
cache. Marked ``model``."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from langchain_core.messages import HumanMessage

from assistant.engine.completion import CompletionRequest, suggest
from assistant.llm.completion import LocalCompleter

pytestmark = pytest.mark.model

CELLS = ("import numpy as np", "readings = np.array([4.1, 3.9, 4.4, 4.0])")


@pytest.fixture(scope="module")
def embedded() -> Any:
    from assistant.llm.local_model import LocalChatModel
    from assistant.llm.weights import ensure_model_file

    return LocalChatModel(model_path=str(ensure_model_file()))


def test_the_embedded_model_completes_the_statement_at_the_cursor(embedded):
    request = CompletionRequest("mean_reading = np.", "", CELLS, "readings: ndarray 4 float64")
    offered = suggest(request, LocalCompleter(embedded))
    assert offered is not None and offered.startswith("mean(readings") and "\n" not in offered, offered


def test_a_completion_answers_nothing_at_once_while_the_model_is_busy(embedded):
    _, lock = embedded.engine()
    with lock:  # as a chat reply holds it: no waiting behind it
        assert embedded.fill_in("x = ", "", 8) is None


def test_after_a_chat_reply_the_same_cell_gets_the_same_suggestion(embedded):
    request = CompletionRequest("spread = readings.max() - readings.", "", CELLS)
    completer = LocalCompleter(embedded)
    before = suggest(request, completer)
    embedded.invoke([HumanMessage("Say OK.")], max_tokens=4)  # the chat evaluates its own prompt
    assert suggest(request, completer) == before


def test_typing_on_in_a_cell_keeps_its_state_once_not_once_per_key(embedded, monkeypatch):
    from assistant.llm import local_model

    taken: list[int] = []
    real = local_model.snapshot
    monkeypatch.setattr(local_model, "snapshot", lambda llama: taken.append(1) or real(llama))
    cells = (*CELLS, "# " + "calibration notes " * 30)  # a context long enough to be worth keeping
    line = "spread = readings.max() - readings.min()"
    for end in range(12, len(line), 4):
        suggest(CompletionRequest(line[:end], "", cells), LocalCompleter(embedded))
    assert len(taken) == 1


def _interrupted(embedded: Any, interrupt: Callable[[], Any]) -> tuple[list[str], list[str], Any]:
    """The texts a long completion writes alone, then while ``interrupt`` runs as it writes (what that returns)."""
    prefix = "primes = [2, 3, 5, 7, 11, 13, "  # a list the model carries on for many tokens
    alone: list[str] = []
    embedded.fill_in(prefix, "", 48, lambda text: alone.append(text) and False)
    writing = threading.Event()
    beside: list[str] = []

    def older_request() -> None:
        embedded.fill_in(prefix, "", 48, lambda text: beside.append(text) or writing.set() or False)

    thread = threading.Thread(target=older_request)
    thread.start()
    assert writing.wait(60)
    returned = interrupt()
    thread.join()
    return alone, beside, returned


def test_a_chat_reply_that_needs_the_model_stops_a_completion_within_a_token(embedded):
    # the chat waits for the model, which the completion holds
    alone, beside, _ = _interrupted(embedded, lambda: embedded.invoke([HumanMessage("Say OK.")], max_tokens=4))
    assert len(alone) > 10 and len(beside) < len(alone) // 2, (alone[-1], beside[-1])


def test_a_completion_asked_while_another_writes_is_served_next_and_the_other_stops(embedded):
    """As when the user types while the notebook's warm-up, or the previous key's request, holds the model."""
    alone, earlier, newer = _interrupted(embedded, lambda: embedded.fill_in("mean_reading = np.", "", 16))
    assert newer, newer  # it waited its turn: not None at once
    assert len(alone) > 10 and len(earlier) < len(alone) // 2, (alone[-1], earlier[-1])


def test_preparing_a_notebook_never_stops_a_completion_the_user_waits_for(embedded):
    """As when the notebook's cells are sent to be read just after the user's first key asked for the model."""
    alone, typed, prepared = _interrupted(embedded, lambda: embedded.prepare_fill("\n".join(CELLS), ""))
    assert prepared is False  # the model was busy: nothing read, and nothing waited for
    assert typed == alone, (alone[-1], typed[-1])


def test_a_completion_waiting_its_turn_gives_up_when_the_user_types_on(embedded):
    from assistant.llm.local_model import _completion_turn

    llama, lock = embedded.engine()
    with _completion_turn(llama, lock, lambda: False) as had:  # another completion holds the model
        assert had
        assert embedded.fill_in("x = ", "", 8, cancelled=lambda: True) is None
