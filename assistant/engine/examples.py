"""Worked examples for the user turn: the one or two banked questions most like the user's, with their code,
their real output and the answer read from it.

A 1.5B model that sees how a similar question was answered (which call, which output row holds the answer,
which unit) copies that pattern far more reliably than it follows a rule. Retrieval is BM25 over each
example's question, with quoted SMILES and sequences replaced by their kind (a question quoting a SMILES then
matches examples quoting one, not examples that happen to share its letters) and digits dropped, plus the
names of the calls its code makes. The bank is read from YAML (``domain_tools/examples``); this module never
imports RDKit or astropy.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache

from assistant.engine.literals import SHOWN_CHARS, Literal, describe, domain_of, find_literals
from assistant.engine.numbers import numbers_in
from assistant.engine.retrieval import BM25
from domain_tools.examples import Example, load_all

__all__ = ["Example", "answer_numbers_missing", "clip_output", "render", "retrieve"]

HEADER = "Worked example of a similar question (its values differ from yours):"
HEADER_MANY = "Worked examples of similar questions (their values differ from yours):"
BUDGET_CHARS = 1200
_LONG_OUTPUT_LINES = 8  # longer outputs are clipped to the title and the answer's lines even within budget
_SEQUENCE_KINDS = ("smiles", "dna", "rna", "protein")  # literals replaced by their kind word for retrieval
_DOMAIN_BOOST = 1.5  # score factor for examples of the domain the question's literals point to
_CALL = re.compile(r"\b([A-Za-z_][\w.]*)\s*\(")
_NOT_HELPERS = frozenset({"print", "round", "len", "float", "int", "str", "list", "sorted", "sum", "max", "min"})
_DIGITS = re.compile(r"\d+(?:\.\d+)?")  # values differ between a question and its example: not a signal


def _without_literals(question: str, literals: list[Literal]) -> str:
    """The question with each quoted SMILES or sequence replaced by its kind, and without digits."""
    for literal in literals:
        if literal.kind in _SEQUENCE_KINDS:
            question = question.replace(literal.text, f" {literal.kind} ")
    return _DIGITS.sub(" ", question)


def _calls(code: str) -> list[str]:
    return [name for name in dict.fromkeys(_CALL.findall(code)) if name not in _NOT_HELPERS]


def _document(example: Example) -> str:
    return f"{_without_literals(example.question, find_literals(example.question))} {' '.join(_calls(example.code))}"


@cache
def _bank() -> tuple[tuple[Example, ...], BM25]:
    """The examples and their BM25 index, built once per process (a few milliseconds for a few hundred)."""
    examples = load_all()
    return examples, BM25([_document(example) for example in examples])


def retrieve(question: str, k: int = 2, literals: list[Literal] | None = None) -> list[Example]:
    """The ``k`` examples most similar to ``question``, best first; only those sharing a word with it.

    When the question's literals point to one domain (a SMILES: chemistry; a DNA sequence: biology; a
    redshift or sky position: astronomy), that domain's examples score higher. ``literals`` are the ones
    the question was read for (``QuestionFacts``); without them the question is read here.
    """
    examples, index = _bank()
    literals = find_literals(question) if literals is None else literals
    domain = domain_of(literals)
    scored = []
    for position, score in enumerate(index.scores(_without_literals(question, literals))):
        if score > 0:
            boost = _DOMAIN_BOOST if examples[position].domain == domain else 1.0
            scored.append((-score * boost, position))
    return [examples[position] for _, position in sorted(scored)[:k]]


# -- numbers of the answer in the output -------------------------------------------------------------


def _step(number: float) -> float:
    """The rounding step an answer wrote ``number`` to: 0.01 for 206.28, 1 for 300, 1e7 for 1.2705e11."""
    if not number.is_integer():
        return 10.0 ** Decimal(repr(number)).as_tuple().exponent
    if abs(number) < 1e6:  # a count or a small integer means exactly that
        return 1.0
    return 10.0 ** Decimal(repr(number)).normalize().as_tuple().exponent  # 1.2705e11 keeps 5 digits


def _shown_as(answer_number: float, output_number: float) -> bool:
    """Whether ``output_number`` rounded to the answer's precision gives ``answer_number`` (ties either way)."""
    return abs(output_number - answer_number) <= _step(answer_number) / 2 * (1 + 1e-9)


def answer_numbers_missing(answer: str, output: str) -> list[float]:
    """The numbers of ``answer`` that no number of ``output`` rounds to: an answer must be read, not invented."""
    shown = numbers_in(output)
    return [number for number in numbers_in(answer) if not any(_shown_as(number, value) for value in shown)]


def _answer_line(line: str, answer: str, answer_numbers: list[float]) -> bool:
    if answer_numbers:
        return any(_shown_as(number, value) for number in answer_numbers for value in numbers_in(line))
    return any(len(word) >= 4 and word in line for word in re.findall(r"[^\s,;()]+", answer))


def clip_output(output: str, answer: str, keep_title: bool = True) -> str:
    """The output's title line (its first) and the lines holding the answer's value; '...' marks each gap."""
    lines = output.splitlines()
    numbers = numbers_in(answer)
    keep = {index for index, line in enumerate(lines) if _answer_line(line, answer, numbers)}
    if keep_title and lines:
        keep.add(0)
    clipped: list[str] = []
    for index, line in enumerate(lines):
        if index in keep:
            clipped.append(line)
        elif not clipped or clipped[-1] != "...":
            clipped.append("...")
    return "\n".join(clipped)


# -- rendering ------------------------------------------------------------------------------------------


def _shown_question(question: str, literals: list[Literal]) -> str:
    """The question with long quoted values clipped as the bound-names line clips them."""
    for literal in literals:
        if literal.is_string and len(literal.text) > SHOWN_CHARS:
            question = question.replace(literal.text, f"{literal.text[:20]}...{literal.text[-8:]}")
    return question


def _output(example: Example, level: int) -> str:
    """The output at clipping ``level``: 0 whole unless long, 1 title and answer lines, 2 answer lines only."""
    long = len(example.output.splitlines()) > _LONG_OUTPUT_LINES
    if level == 0 and not long:
        return example.output
    return clip_output(example.output, example.answer, keep_title=level < 2)


def _block(example: Example, level: int) -> str:
    literals = find_literals(example.question)
    bound = f"\nBound names:\n{describe(literals)}" if literals else ""
    return (
        f"Question: {_shown_question(example.question.strip(), literals)}{bound}\n"
        f"```python\n{example.code.strip()}\n```\n"
        f"Output:\n```\n{_output(example, level)}\n```\n"
        f"Final answer: {example.answer}"
    )


def render(examples: list[Example], budget_chars: int = BUDGET_CHARS) -> str:
    """The examples as a section of the user turn, at most ``budget_chars`` long.

    Outputs are clipped first (to their title and answer lines, then to the answer lines alone), then
    examples are dropped from the end; "" when not even the best example fits.
    """
    for count in range(len(examples), 0, -1):
        header = HEADER if count == 1 else HEADER_MANY
        for level in range(3):
            text = "\n\n".join([header, *(_block(example, level) for example in examples[:count])])
            if len(text) <= budget_chars:
                return text
    return ""
