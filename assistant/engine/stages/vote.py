"""Settle by vote: when an answer is in doubt, sample programs from the question alone, run them, and answer
with the value most of their outputs agree on.

Votes are on executed results, never on the text of the programs: two programs that print the same number
agree whatever code they used (``assistant/engine/vote.py`` reads and compares them).
"""

from __future__ import annotations

from assistant.engine import checks
from assistant.engine.attempt import Attempt
from assistant.engine.observation import outputs_text
from assistant.engine.stages.base import Notice, Sampler, Stage
from assistant.engine.vote import Candidate, majority, value_of

TEMPERATURES = (0.7, 1.0)  # one per sampled program: warm enough that the programs differ


class Vote(Stage):
    def __init__(self, samples: int) -> None:
        self.samples = samples

    def settle(self, attempt: Attempt, current: Candidate | None, sample: Sampler, notice: Notice) -> str | None:
        """The value most programs agree on, once per question; None when no value has a majority."""
        if attempt.voted:
            return None
        attempt.voted = True
        candidates = [current] if current is not None else []
        for number, temperature in enumerate(TEMPERATURES[: self.samples], start=1):
            notice(f"sampling program {number} of {self.samples} for a vote")
            step = sample(temperature)
            if step is not None and step.ok:
                candidate = value_of(outputs_text(step.result), attempt.asked, f"sample {number}")
                if candidate is not None:
                    candidates.append(candidate)
        winner = majority(candidates)
        if winner is None:
            notice("the vote found no majority")
            return None
        answer = f"{winner.text} {winner.unit}".rstrip()
        notice(f"the vote chose {answer} ({winner.votes} of {len(candidates)} programs agree)")
        return checks.review(attempt.facts, answer, attempt.outputs()).answer
