"""Voting on executed results: what each sampled program's output answers, and the value most agree on.

Programs are compared by the number they print for the question, not by their text: two programs that
print the same molecular weight agree whatever calls they made. A labelled output (an answer helper's
table) is read at the row that fits the question; a plain print only when it shows one number not in the
question (a DataFrame's index is no answer).
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.engine.checks import best_row, first_number, labelled_rows, matches
from assistant.engine.numbers import numbers_in


@dataclass(frozen=True)
class Candidate:
    value: float
    text: str  # as printed
    unit: str  # canonical unit word, "" when none
    source: str  # "sample 1", "the model's answer", ...
    votes: int = 1


def value_of(output: str, question: str, source: str) -> Candidate | None:
    """The answer an output gives to ``question``, or None when it prints no number for it."""
    rows = labelled_rows(output)
    row = best_row(rows, question)
    if row is not None:
        return Candidate(row.value, row.text, row.unit, source)
    if " : " in output:  # a helper's table with no row for this question: no vote, not a random number
        return None
    fresh = [value for value in numbers_in(output) if value not in numbers_in(question)]
    if len(set(fresh)) != 1:  # a table or a list (its index, its other columns): which number is unclear
        return None
    number = first_number(output, question)
    return Candidate(number[0], number[1], number[2], source) if number else None


def _agree(a: Candidate, b: Candidate) -> bool:
    """The same answer printed to different precisions: each rounds to the other as printed."""
    return matches(a.value, a.text, b.value) or matches(b.value, b.text, a.value)


def majority(candidates: list[Candidate]) -> Candidate | None:
    """The candidate that more than half agree with (the earliest such, so the model's own answer wins ties)."""
    for candidate in candidates:
        votes = sum(1 for other in candidates if _agree(candidate, other))
        if votes * 2 > len(candidates) and votes >= 2:
            return Candidate(candidate.value, candidate.text, candidate.unit, candidate.source, votes)
    return None
