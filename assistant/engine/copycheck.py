"""Catches a small model's copying slips: a SMILES, sequence or identifier from the question retyped wrong.

A 1.5B model asked about caffeine ``Cn1cnc2…`` may write ``CCn1cnc2…`` in its code and then faithfully
report the formula of a different molecule. The slip is invisible in the output, so the loop compares the
code's string literals with the question's long tokens and says when one is close to but not equal to a
token the question gave.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

_TOKEN = re.compile(r"[A-Za-z0-9@+\-\[\]()=#$/\\%.:]{8,}")
_LITERAL = re.compile(r"""(['"])([^'"\s]{8,})\1""")  # no spaces: prose is not copied data
_SIMILAR = 0.8


def near_miss(text: str, originals: Iterable[str]) -> str | None:
    """The original ``text`` is a mistyped copy of: the closest one, if close enough; None for an exact copy."""
    scored = [(difflib.SequenceMatcher(None, text, original).ratio(), original) for original in originals]
    if any(original == text for _, original in scored):
        return None
    close = [(score, original) for score, original in scored if score >= _SIMILAR]
    return max(close)[1] if close else None


def copy_slips(question: str, code: str) -> list[tuple[str, str]]:
    """(literal in the code, token in the question) pairs that look like a mistyped copy."""
    tokens = {variant for token in _TOKEN.findall(question) for variant in _variants(token.rstrip(".,;:"))}
    slips = []
    for _, literal in _LITERAL.findall(code):
        token = near_miss(literal, tokens)
        if token is not None:
            slips.append((literal, token))
    return slips


def _variants(token: str) -> set[str]:
    """The token as written and without the brackets prose wraps around it: "(CCO)" also means "CCO"."""
    variants = {token}
    while token.endswith(")") and token.count(")") > token.count("("):
        token = token[:-1]
    while token.startswith("(") and token.count("(") > token.count(")"):
        token = token[1:]
    variants.add(token)
    if token.startswith("(") and token.endswith(")"):
        variants.add(token[1:-1])
    return variants


def describe_slips(slips: list[tuple[str, str]]) -> str:
    lines = (
        f"Check: the code uses {literal!r} but the question gives {token!r}; copy it exactly."
        for literal, token in slips
    )
    return "\n".join(lines)
