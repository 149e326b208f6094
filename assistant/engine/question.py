"""What a question asks, read once: its literals, the quantity asked (by retrieval over the registry of
``domain_tools.quantities``), the unit asked, the kind of answer, and the kernel variables it refers to.

Every stage of the harness reads this object; none parses the question again. Knowledge of how questions
are worded lives in the registry's data, not here: this module only retrieves over it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from assistant.engine.checks import requested_unit
from assistant.engine.literals import HELPER_FOR_KIND, Literal, domain_of, find_literals
from assistant.engine.retrieval import BM25, tokens
from domain_tools.quantities import Quantity, quantities, words

# A helper runs first when its row scores this much above the best quantity no table prints ...
CONFIDENCE_MARGIN = 1.15
# ... and the answer checks hold an answer to a quantity only when it scores this much above the next: a
# check that sends a right answer back (TT - UTC read for the leap-second row) is worse than none.
CHECK_MARGIN = 1.5
# The least BM25 score that counts as a match at all (one shared rare word scores about 2) ...
MIN_SCORE = 1.5
# ... and the least for the answer checks to hold the answer to that entry (its kind, range and row).
CHECK_SCORE = 4.5
# Of the variables the last question made, a follow-up is shown this many (the latest).
LAST_MADE = 4
# Quantities of another kind than the question's cue (a count for "how many") score this much less.
KIND_PENALTY = 0.5


@dataclass(frozen=True)
class Match:
    quantity: Quantity
    score: float
    sure: bool = True  # the question holds one of its names whole, or two of its words: not one stray word


def _words(text: str) -> set[str]:
    return set(tokens(_NOT_WORDS.sub(" ", text)))


def _sure(quantity: Quantity, asked: set[str]) -> bool:
    """Whether the question names the quantity: one of its names whole ("stereocentres", "TPSA"), or two of
    its words. One shared word alone ("code" of "genetic code", in "fix this code") is no evidence."""
    if any(names and names <= asked for names in map(_words, quantity.names)):
        return True
    return len(_words(quantity.document()) & asked) >= 2


@dataclass(frozen=True)
class QuestionFacts:
    """Everything the harness stages need to know about one question."""

    text: str
    literals: tuple[Literal, ...] = ()
    matches: tuple[Match, ...] = ()  # registry entries, best first
    unit: str | None = None  # the unit the answer is asked in (astropy spelling or a marker)
    cue_kind: str | None = None  # the kind of answer the wording asks for, when it says
    variables: tuple[str, ...] = ()  # kernel variables it names, or (a follow-up) those the last question made
    collection: bool = False  # about a set (listed here or made earlier), not one item
    domain: str | None = None  # the one domain its literals point to
    precision: tuple[str, int] | None = None  # ("decimals", 2) or ("significant", 3), when the question asks

    @property
    def quantity(self) -> Quantity | None:
        """The registry entry the question asks for, when one clearly fits."""
        if not self.matches or self.matches[0].score < CHECK_SCORE or not self.matches[0].sure:
            return None
        best, rest = self.matches[0], self.matches[1:]
        if rest and best.score < CHECK_MARGIN * rest[0].score:
            return None
        return best.quantity

    @property
    def set_names(self) -> list[str]:
        """The variables holding the set a question over a set is about: a listed collection, or the
        variables it refers to."""
        if not self.collection:
            return []
        listed = [literal.name for literal in self.literals if literal.is_collection]
        return listed or list(self.variables)

    @property
    def kind(self) -> str | None:
        """The kind of answer: the quantity's when one fits, else what the wording asks for."""
        quantity = self.quantity
        if quantity is not None and not self.collection:
            return quantity.kind
        return self.cue_kind

    @property
    def helper(self) -> str | None:
        """The answer helper to run first: the best match is one of its rows, and no quantity computed by a
        call fits nearly as well (then the table would answer a neighbouring question)."""
        best = self.matches[0] if self.matches else None
        if best is None or best.score < MIN_SCORE or not best.quantity.helper or not best.sure:
            return None
        off_table = [m.score for m in self.matches if not m.quantity.helper]
        if off_table and best.score < CONFIDENCE_MARGIN * off_table[0]:
            return None
        return best.quantity.helper


_COORDINATE_WORDS = re.compile(r"\b(?:RA|Dec)\b")
_NOT_WORDS = re.compile(r"(?<![A-Za-z])[A-Za-z](?![A-Za-z])|\b\d+(?:\.\d+)?\b")


@cache
def _index(domain: str | None) -> tuple[tuple[Quantity, ...], BM25]:
    entries = tuple(q for q in quantities() if domain in (None, q.domain))
    # Single letters ("G count", "D_L") and numbers would match any "1.5 g" or "z = 1": left out.
    return entries, BM25([_NOT_WORDS.sub(" ", q.document()) for q in entries])


def _cue_kind(question: str) -> str | None:
    """The kind of answer the wording asks for; "how many" followed by a unit ("how many mmol") is no count."""
    lowered = question.lower()
    units = words().units
    for kind, cues in words().answer_kinds.items():
        for cue in cues:
            for found in re.finditer(rf"(?<!\w){re.escape(cue.lower())}(?!\w)", lowered):
                following = lowered[found.end() :].split()
                if kind == "count" and following and following[0].strip(".,;:?!()") in units:
                    continue
                return kind
    return None


def match_quantities(
    question: str, domain: str | None, cue: str | None, helpers: set[str], k: int = 4
) -> tuple[Match, ...]:
    """The registry entries that fit ``question`` best (within ``domain`` when known), best first.

    ``helpers`` are the answer helpers the question's literals can be given to: a row of another helper (the
    distance modulus at a redshift, for a distance given in parsecs) is a neighbouring quantity.
    """
    entries, index = _index(domain)
    asked = _words(question)
    ranked = []
    for quantity, score in zip(entries, index.scores(question), strict=True):
        if score <= 0:
            continue
        if cue == "count" and quantity.kind != cue:
            score *= KIND_PENALTY
        if helpers and quantity.helper and quantity.helper not in helpers:
            score *= KIND_PENALTY
        ranked.append(Match(quantity, score, _sure(quantity, asked)))
    ranked.sort(key=lambda m: -m.score)
    return tuple(ranked[:k])


def _without_literals(question: str, literals: list[Literal]) -> str:
    """The question's words without its quoted values, numbers and single letters: none names a quantity."""
    for literal in literals:
        if literal.is_string or literal.kind in ("ra", "dec", "coord"):
            question = question.replace(literal.text, " ")
    return _NOT_WORDS.sub(" ", _COORDINATE_WORDS.sub(" ", question))


def _helpers(literals: list[Literal]) -> set[str]:
    """The answer helpers the literals can be given to (``chem.profile`` for a SMILES)."""
    return {HELPER_FOR_KIND[literal.kind] for literal in literals if literal.kind in HELPER_FOR_KIND}


_IDENTIFIER = re.compile(r"(?<![\w.])[A-Za-z_]\w*(?![\w(])")


def named_variables(question: str, known: set[str]) -> tuple[str, ...]:
    """The names of ``known`` (variables made earlier in the session) that the question mentions."""
    found = [name for name in _IDENTIFIER.findall(question) if name in known]
    return tuple(dict.fromkeys(found))


def precision_asked(question: str) -> tuple[str, int] | None:
    """How precise the answer is asked to be, by the words of ``words.yaml``: ("decimals", 4) for "4 d.p.",
    ("significant", 3) for "three sig figs"; None when the question does not say."""
    numbers = words().number_words
    number = "|".join([r"\d+", *map(re.escape, numbers)])
    for kind, cues in words().precision.items():
        said = "|".join(re.escape(cue) for cue in sorted(cues, key=len, reverse=True))
        found = re.search(rf"(?<!\w)({number})\s+(?:{said})(?!\w)", question, re.IGNORECASE)
        if found:
            count = found[1].lower()
            return kind, int(count) if count.isdigit() else numbers[count]
    return None


def _points_at_a_set(question: str) -> bool:
    """The wording is about several items ("these", "each", "which of")."""
    lowered = question.lower()
    return any(re.search(rf"(?<!\w){re.escape(cue)}(?!\w)", lowered) for cue in words().collection_words)


def read_question(
    question: str,
    taken: dict[str, str] | None = None,
    made: set[str] | None = None,
    extra: list[Literal] | None = None,
    made_last: list[str] | None = None,
) -> QuestionFacts:
    """Read ``question`` once. ``taken`` maps code already bound in the session to its name; ``made`` are the
    variables earlier questions' steps assigned, ``made_last`` those of the last one (what "these" points at);
    ``extra`` are literals found elsewhere (variables pointed at)."""
    literals = find_literals(question, taken) + list(extra or [])
    domain = domain_of(literals)
    cue = _cue_kind(question)
    pointing = _points_at_a_set(question)
    # A follow-up that quotes no value of its own ("the most distant one", "its coordinates") is about
    # what the last question made.
    follow_up = pointing or not literals
    last = tuple((made_last or [])[-LAST_MADE:]) if follow_up else ()
    variables = named_variables(question, made or set()) or last
    return QuestionFacts(
        text=question,
        literals=tuple(literals),
        matches=match_quantities(_without_literals(question, literals), domain, cue, _helpers(literals)),
        unit=requested_unit(question),
        cue_kind=cue,
        variables=variables,
        collection=any(literal.is_collection for literal in literals) or (bool(variables) and pointing),
        domain=domain,
        precision=precision_asked(question),
    )


def assigned_names(cells: Iterable[str]) -> list[str]:
    """The top-level names the cells assign, in order: what a question made for the next one to refer to."""
    names: list[str] = []
    for code in cells:
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue
        for statement in tree.body:
            targets = statement.targets if isinstance(statement, ast.Assign) else []
            if isinstance(statement, ast.AnnAssign | ast.AugAssign):
                targets = [statement.target]
            names += [node.id for target in targets for node in ast.walk(target) if isinstance(node, ast.Name)]
    return list(dict.fromkeys(names))
