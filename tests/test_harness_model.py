"""The harness with the real embedded model: a literal that must not be retyped, an answer in another unit
than asked that is converted, and a failed check that calls a vote. Slow (the model), so marked ``model``."""

from __future__ import annotations

import difflib
import re
from typing import Any

import pytest
from langchain_core.messages import AIMessageChunk

from assistant.engine.events import LoopEvents
from assistant.engine.loop import AskResult, ChatSession
from assistant.engine.numbers import pick_number
from kernels.recovery import RecoveringKernel

pytestmark = pytest.mark.model


class Notices(LoopEvents):
    def __init__(self) -> None:
        self.notices: list[str] = []

    def notice(self, text: str) -> None:
        self.notices.append(text)


@pytest.fixture(scope="module")
def embedded() -> Any:
    from assistant.llm.local_model import LocalChatModel
    from assistant.llm.weights import ensure_model_file

    return LocalChatModel(model_path=str(ensure_model_file()))


def ask(embedded: Any, make_kernel: Any, question: str, **options: Any) -> tuple[AskResult, list[str]]:
    events = Notices()
    session = ChatSession(embedded, RecoveringKernel(make_kernel()), model_name="embedded", events=events, **options)
    return session.ask(question), events.notices


ROSUVASTATIN = "CC(C)c1nc(N(C)S(C)(=O)=O)nc(-c2ccc(F)cc2)c1/C=C/[C@@H](O)C[C@@H](O)CC(=O)O"


def test_a_long_smiles_is_used_by_name_and_never_retyped(embedded, make_kernel):
    from rdkit import Chem
    from rdkit.Chem import Descriptors

    question = f"What is the average molecular weight of rosuvastatin, {ROSUVASTATIN}, in g/mol?"
    result, _ = ask(embedded, make_kernel, question)
    for step in result.steps:
        for literal in re.findall(r"""['"]([^'"\s]{20,})['"]""", step.code):  # what ran: nothing near-missed
            similar = difflib.SequenceMatcher(None, literal, ROSUVASTATIN).ratio() >= 0.8
            assert not similar or literal == ROSUVASTATIN, step.code
    assert any("smiles_1" in step.code for step in result.steps)
    expected = Descriptors.MolWt(Chem.MolFromSmiles(ROSUVASTATIN))
    assert pick_number(result.answer or "", question) == pytest.approx(expected, abs=0.01)


def test_an_answer_in_another_unit_than_asked_is_converted_exactly(embedded, make_kernel):
    from astropy import units as u
    from astropy.cosmology import Planck18

    question = "What is the luminosity distance to a galaxy at redshift 0.27 in Planck18, in kiloparsecs?"
    result, notices = ask(embedded, make_kernel, question)
    expected = Planck18.luminosity_distance(0.27).to_value(u.kpc)
    assert pick_number(result.answer or "", question) == pytest.approx(expected, rel=1e-4)
    assert any(notice.startswith("converted") and notice.endswith("kpc") for notice in notices), notices


class WrongAnswerFirst:
    """The embedded model, except that its first replies at the default temperature are scripted: a step that
    prints the wavelength, then a wrong answer that the check must doubt whatever the prompt would make the model
    write. The programs the vote samples (at their own temperatures) come from the real model."""

    def __init__(self, model: Any, replies: list[str]) -> None:
        self.model, self.replies = model, list(replies)

    def stream(self, messages: Any, **options: Any) -> Any:
        if "temperature" not in options and self.replies:
            return iter([AIMessageChunk(content=self.replies.pop(0))])
        return self.model.stream(messages, **options)


def test_a_failed_check_calls_a_vote_of_real_programs(embedded, make_kernel):
    question = "What is the energy of a 500 nm photon in eV?"
    model = WrongAnswerFirst(embedded, ["```python\nprint(wavelength_1)\n```", "Answer: 3.10 eV"])
    events = Notices()
    session = ChatSession(model, RecoveringKernel(make_kernel()), model_name="embedded", events=events, max_turns=5)
    result = session.ask(question)
    notices = events.notices
    assert any(notice.startswith("answer check (grounding)") for notice in notices), notices
    assert sum(notice.startswith("sampling program") for notice in notices) == 2, notices
    assert len(result.steps) >= 3  # the scripted step, then both sampled programs ran in the kernel
    # Whether the two samples agree depends on llama.cpp's cache state left by earlier tests in the process
    # (alone, this test's vote chooses 2.4797 eV); when they agree, the vote's answer must be the right one.
    if any(notice.startswith("the vote chose") for notice in notices):
        assert pick_number(result.answer or "", question) == pytest.approx(2.479684, abs=0.0005)
    else:
        assert "the vote found no majority" in notices
