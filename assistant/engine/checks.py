"""Checks an answer must pass before the loop accepts it: its number comes from the output, in the unit the
question asks for, and from the row about the quantity the question asks about.

A 1.5B model that ran the right code still answers with the average mass for [M+H]+, kDa given in Da, a
JD for an MJD, or the aromatic-ring row for "rings". Each of these is visible in text alone: the question
names a unit and a quantity, the output's labelled rows (``label : value unit``, as the answer helpers
print them) say what each number is. What can be converted exactly is converted; the rest goes back to
the model with a sentence saying what is wrong.
"""

from __future__ import annotations

import ast
import math
import re
import warnings
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from typing import TYPE_CHECKING

from assistant.engine.numbers import numbers_in, pick_number
from assistant.engine.retrieval import STOP_WORDS
from domain_tools.quantities import words

if TYPE_CHECKING:
    from assistant.engine.question import QuestionFacts

# Unit words as questions and answers write them -> the unit's astropy spelling (or a marker: %, JD, MJD).
_UNIT_WORDS = words().units
_UNIT_PATTERN = "|".join(sorted((re.escape(word) for word in _UNIT_WORDS), key=len, reverse=True))
# "in kDa", "to THz", "give Gyr", "as a percentage", "in units of Mpc", "(in Da)".
_REQUESTED = re.compile(
    rf"\b(?:in|into|to|give(?: it)?(?: in)?|as(?: an?)?|in units of)\s+(?P<unit>{_UNIT_PATTERN})(?![\w/])",
    re.IGNORECASE,
)
# Day counts are asked for by name alone ("as an MJD"): every unit word that spells a JD or an MJD.
_DATE_WORDS = sorted((word for word, unit in _UNIT_WORDS.items() if unit in ("JD", "MJD")), key=len, reverse=True)
_AS_DATE = re.compile(rf"\b(?P<unit>{'|'.join(map(re.escape, _DATE_WORDS))})\b", re.IGNORECASE)
_JD_OFFSET = 2400000.5
_ASTROPY_SPELLING = {"kDa": "1000 Da", "MDa": "1000000 Da"}  # astropy's dalton takes no prefixes
_QUALIFIER = re.compile(r"\([^)]*\)")  # "(MolWt)", "(incl. unassigned)": how, not what
_WORD = re.compile(r"[a-z0-9+\-\[\]]+")


@dataclass(frozen=True)
class Row:
    """A labelled number in a step's output."""

    label: str
    value: float
    text: str  # the value as printed
    unit: str  # the unit word after it, canonical ("" when none or unknown)


@dataclass(frozen=True)
class Review:
    """What the checks made of an answer: maybe rewritten (an exact unit conversion), maybe a problem."""

    answer: str
    problem: str | None = None  # what to tell the model, when the answer cannot stand as it is
    kind: str | None = None  # "grounding", "unit" or "quantity": each is sent back once per question
    note: str | None = None  # what was changed, for the user
    vote: bool = True  # whether sampled programs could settle the doubt (not when only a unit is unsaid)


def requested_unit(question: str) -> str | None:
    """The unit the question asks the answer in, when it names exactly one."""
    found = {_UNIT_WORDS[match["unit"].lower()] for match in _REQUESTED.finditer(question)}
    dates = {_UNIT_WORDS[match["unit"].lower()] for match in _AS_DATE.finditer(question)}
    if dates and len(dates) == 1:
        found |= dates
    return found.pop() if len(found) == 1 else None


def _unit_after(text: str, end: int) -> str:
    match = re.match(rf"\s*(?P<unit>{_UNIT_PATTERN})(?![\w/])", text[end:], re.IGNORECASE)
    return _UNIT_WORDS[match["unit"].lower()] if match else ""


_NUMBER_TEXT = re.compile(r"(?<![\w.\]])[-+\u2212]?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?")


def first_number(text: str, question: str) -> tuple[float, str, str] | None:
    """(value, as written, unit after it) of the number ``pick_number`` takes from ``text``."""
    picked = pick_number(text, question)
    if picked is None:
        return None
    for match in _NUMBER_TEXT.finditer(text):
        written = match.group().replace("\u2212", "-")
        try:
            value = float(written)
        except ValueError:
            continue
        if math.isclose(value, picked, rel_tol=1e-9, abs_tol=1e-12):
            return value, written, _unit_after(text, match.end())
    return picked, f"{picked:.10g}", ""


def labelled_rows(output: str) -> list[Row]:
    """Every ``label : number [unit]`` line of an output: the answer helpers' rows, whose labels say what
    each number is. A model's own prints ("above 15: 4") name what it meant, not what it computed."""
    rows = []
    for line in output.splitlines():
        if " : " not in line:  # the answer helpers' separator; their labels may hold ':' or '=' ("z=1")
            continue
        label, rest = (part.strip() for part in line.split(" : ", 1))
        number = _NUMBER_TEXT.match(rest)
        if not label or not number:
            continue
        text = number.group().replace("\u2212", "-")
        rows.append(Row(label, float(text), text, _unit_after(rest, number.end())))
    return rows


def _words(text: str) -> set[str]:
    return {word.rstrip("s") if len(word) > 3 else word for word in _WORD.findall(text.lower())} - STOP_WORDS


def _fit(label: str, question: str) -> float:
    """How well a row's label names what the question asks: shared words (a bracketed qualifier's too),
    less the words of the label's main part that the question lacks."""
    asked = _words(question)
    main = _words(_QUALIFIER.sub(" ", label))
    return len(_words(label) & asked) - 0.25 * len(main - asked)


def best_row(rows: list[Row], question: str) -> Row | None:
    """The row whose label fits the question best, when one fits better than every other.

    Rows that echo the question's own numbers (``redshift z : 0.5``) are not answers; when the question asks
    for a unit, rows in that unit (or one that converts to it) are preferred ("decimal degrees" is RA in deg,
    not the "decimal hours" row)."""
    asked_numbers = numbers_in(question)
    rows = [row for row in rows if not any(math.isclose(row.value, n, rel_tol=1e-9) for n in asked_numbers)]
    target = requested_unit(question)
    if target:  # hours convert to degrees only as an hour angle: "decimal degrees" wants the degrees row
        in_unit = [r for r in rows if r.unit and (r.unit, target) != ("h", "deg") and convert(1.0, r.unit, target)]
        rows = in_unit or rows
    scored = sorted(((_fit(row.label, question), index) for index, row in enumerate(rows)), reverse=True)
    if not scored or scored[0][0] <= 0:
        return None
    if len(scored) > 1 and scored[1][0] == scored[0][0] and rows[scored[1][1]].value != rows[scored[0][1]].value:
        return None
    return rows[scored[0][1]]


def _decimals(written: str) -> int:
    mantissa = written.lower().split("e")[0]
    return len(mantissa.split(".")[1]) if "." in mantissa else 0


def matches(value: float, written: str, candidate: float) -> bool:
    """``candidate`` printed, rounded the way the answer wrote ``value``, gives ``value``."""
    exponent = int(written.lower().split("e")[1]) if "e" in written.lower() else 0
    allowance = 0.5 * 10.0 ** (exponent - _decimals(written)) + 1e-9 * abs(value)
    return abs(candidate - value) <= allowance


_SCALES = (1.0, 1e3, 1e-3, 1e6, 1e-6, 1e9, 1e-9, 100.0, 0.01)  # unit prefixes and percentages


def grounded(value: float, written: str, outputs: str) -> bool:
    """The number (or a power-of-ten rescaling of it, as a unit change gives) appears in the outputs."""
    printed = numbers_in(outputs)
    if value == 0:  # a rescaled large number rounds to 0 at any precision: only a printed 0 counts
        return any(number == 0 for number in printed)
    return any(matches(value, written, number * scale) for number in printed for scale in _SCALES)


@cache
def _astropy_units():
    import astropy.units as u

    return u


def convert(value: float, unit: str, target: str) -> float | None:
    """``value`` in ``unit`` expressed in ``target`` when that is an exact change of unit, else None."""
    if unit == target:
        return value
    if {unit, target} == {"JD", "MJD"}:
        return value - _JD_OFFSET if target == "MJD" else value + _JD_OFFSET
    if (unit, target) == ("h", "deg"):  # hours where degrees are asked: an hour angle (RA), 15 degrees each
        return value * 15.0
    if "%" in (unit, target) or "JD" in (unit, target) or "MJD" in (unit, target):
        return None
    u = _astropy_units()
    try:
        with warnings.catch_warnings():  # "km/s/Mpc contains multiple slashes": fine for a conversion
            warnings.simplefilter("ignore")
            quantity = value * u.Unit(_ASTROPY_SPELLING.get(unit, unit))
            return float(quantity.to_value(u.Unit(_ASTROPY_SPELLING.get(target, target)), u.molar_mass_amu()))
    except (ValueError, TypeError, u.UnitsError):
        return None


def _format(value: float, like: str) -> str:
    """``value`` with as many significant digits as ``like`` was written with (at least 4)."""
    digits = len(like.lower().split("e")[0].replace("-", "").replace(".", "").lstrip("0"))
    return format(value, f".{max(digits, 4)}g")


_TEXT_KINDS = ("smiles", "sequence", "formula")
_NUMERIC_KINDS = ("count", "real", "fraction", "percent")


def review(facts: QuestionFacts | str, answer: str, outputs: str) -> Review:
    """Check ``answer`` against what the question asks (``facts``, or the question to read) and the outputs
    it rests on (this question's steps)."""
    if isinstance(facts, str):
        from assistant.engine.question import read_question  # it reads units with this module's grammar

        facts = read_question(facts)
    question = facts.text
    if facts.kind in _TEXT_KINDS and not any(map(_is_text_result, _TEXT_TOKEN.findall(answer))):
        return Review(
            answer,
            f"The question asks for a {facts.kind}; your answer has none. Print it, then answer with it exactly "
            "as the output shows it.",
            "text",
            vote=False,
        )
    number = first_number(answer, question)
    textual = facts.kind is not None and facts.kind not in _NUMERIC_KINDS  # "5h34m31.9s" is no number in h
    if number is None or textual:  # a text answer: a formula, a sequence, a SMILES must be copied, not retyped
        wrong_row = _text_row_problem(answer, question, outputs)
        if wrong_row is not None:
            return Review(answer, wrong_row, "quantity", vote=False)
        copied = _uncopied_token(answer, question, outputs)
        if copied is None:
            return Review(answer)
        return Review(
            answer,
            f"{copied} in your answer is not in any output above. Copy the result exactly as the output prints it.",
            "grounding",
        )
    value, written, answer_unit = number
    rows = labelled_rows(outputs)
    used = [row for row in rows if matches(value, written, row.value)]
    asked = [row for row in used if facts.quantity is not None and row.label == facts.quantity.label]
    used = asked or used  # two rows that round alike: the one asked for is the one read
    row = used[0] if used else None
    unit = answer_unit or (row.unit if row is not None else "")
    target = facts.unit
    if unit in ("", "d") and target in ("JD", "MJD") and value > 1e4:
        unit = "JD" if value > 2e6 else "MJD"  # the size of a day count says which it is
    if facts.kind == "count" and not float(value).is_integer():
        return Review(
            answer,
            f"The question asks for a count, and {written} is not a whole number: it is another quantity. "
            "Compute the count and print it.",
            "kind",
        )
    quantity = (
        _registry_row_problem(value, written, rows, facts)
        or _quantity_problem(value, written, rows, facts)
        or _named_quantity_problem(answer, written, question)
    )
    if quantity is not None:
        return Review(answer, quantity, "quantity")
    precise = None if facts.kind == "count" else _more_precise(value, written, used, outputs)
    if precise is not None and precise != written and unit and target and unit != target:
        answer, value, written = answer.replace(written, precise, 1), float(precise), precise  # then convert
    unit_review = _unit_review(answer, value, written, unit, target)
    if unit_review is not None:  # converted exactly, or in a unit that cannot be
        return unit_review
    implausible = _range_problem(value, written, unit, facts)
    if implausible is not None:
        return Review(answer, implausible, "range")
    if not grounded(value, written, outputs):
        return Review(
            answer,
            f"The number {written} in your answer is not in any output above. Print the value you answer "
            "with, then copy it from the output.",
            "grounding",
        )
    if facts.precision is not None and facts.kind != "count":  # the digits the question asks for, no more
        shown = at_precision(precise or written, *facts.precision)
        if shown != written:
            kind, digits = facts.precision
            asked = f"{digits} {_PRECISION_SAID[kind]}"
            note = f"{written} is {precise or written} in the output: {shown} to the {asked} asked"
            return Review(answer.replace(written, shown, 1), note=note)
    elif precise is not None and precise != written:
        note = f"{written} is {precise} in the output: all its digits kept"
        return Review(answer.replace(written, precise, 1), note=note)
    return Review(answer)


def at_precision(number: str, kind: str, digits: int) -> str:
    """``number`` (as printed) rounded half up to ``digits`` decimals, or to ``digits`` significant figures,
    written out plain: the printed digits are rounded, not a float's binary approximation of them."""
    try:
        value = Decimal(number)
    except InvalidOperation:
        return number
    places = digits if kind == "decimals" else digits - 1 - (value.adjusted() if value else 0)
    return format(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP), "f")


def _registry_row_problem(value: float, written: str, rows: list[Row], facts: QuestionFacts) -> str | None:
    """The quantity asked is a helper's row that the outputs print, and the answer is another row's number."""
    quantity = facts.quantity
    if quantity is None or not quantity.label or facts.collection:
        return None
    asked = next((row for row in rows if row.label == quantity.label), None)
    if asked is None or matches(value, written, asked.value):
        return None
    used = [row for row in rows if matches(value, written, row.value)]
    if not used or any(_same_quantity(row, asked) for row in used):
        return None  # not read from a row (computed), or the asked row in another unit
    return _wrong_row(used[0], asked)


def _range_problem(value: float, written: str, unit: str, facts: QuestionFacts) -> str | None:
    """The answer is outside the plausible range of the quantity asked: an input read in the wrong unit
    (a distance in parsecs taken as a redshift) or a value of another quantity."""
    quantity = facts.quantity
    if quantity is None or (quantity.low is None and quantity.high is None) or facts.collection:
        return None
    in_unit = value if not (unit and quantity.unit) else convert(value, unit, quantity.unit)
    if in_unit is None or quantity.plausible(in_unit):
        return None
    shown = f"{quantity.low:g} to {quantity.high:g} {quantity.unit}".rstrip()
    return (
        f"{written} {unit or quantity.unit} is not a plausible {quantity.name} (expected {shown}). Check that "
        "each input was used in its own unit (a distance is not a redshift), then compute it again."
    )


_PRECISION_SAID = {"decimals": "decimals", "significant": "significant figures"}
_MAX_DECIMALS = 6  # a float printed raw (206.28499999999997) is shown to this many decimals


def _more_precise(value: float, written: str, used: list[Row], outputs: str) -> str | None:
    """The one value the outputs print that the answer rounded, as printed: a model that writes 3.04 for
    3.0365 loses digits the question may need. When the answer was read from labelled rows, only those
    rows' digits count: another row that rounds to the same number is another quantity."""
    found = set()
    printed = "\n".join(row.text for row in used) if used else outputs
    for match in _NUMBER_TEXT.finditer(printed):
        text = match.group().replace("\u2212", "-")
        if "e" in text.lower() or _decimals(text) <= _decimals(written):
            continue
        if matches(value, written, float(text)):
            shown = text if _decimals(text) <= _MAX_DECIMALS else f"{float(text):.{_MAX_DECIMALS}f}".rstrip("0")
            found.add(shown)
    return found.pop() if len(found) == 1 else None


def _quantity_problem(value: float, written: str, rows: list[Row], facts: QuestionFacts) -> str | None:
    """The answer read a row about another quantity than the one asked, while the right row is there (by the
    labels' words, for questions the registry has no entry for)."""
    if facts.quantity is not None and any(row.label == facts.quantity.label for row in rows):
        return None  # the registry's row is printed: _registry_row_problem judges
    question = facts.text
    used = [row for row in rows if matches(value, written, row.value)]
    best = best_row(rows, question)
    if used and best is None and all(not _words(row.label) & _words(question) for row in used):
        return _wrong_row(used[0], None)  # GRAVY read for "percentage of leucine": no word in common
    if (
        not used
        or best is None
        or best in used
        or any(_fit(row.label, question) >= _fit(best.label, question) for row in used)
    ):
        return None
    if any(_same_quantity(row, best) for row in used):  # D_L in Mpc for D_L in Gpc: a unit change, not a mix-up
        return None
    return _wrong_row(used[0], best)


def _wrong_row(row: Row, best: Row | None) -> str:
    """What to tell the model that read ``row``: which row fits better, or that none does."""
    if best is None:
        return (
            f"Your answer's number {row.text} is the '{row.label}' row, which is not what the question asks. "
            "Compute the quantity the question asks for and print it."
        )
    return (
        f"Your answer's number {row.text} is the '{row.label}' row, but the question asks for "
        f"'{best.label}' ({best.text}{' ' + best.unit if best.unit else ''}). "
        "Answer with the row the question asks for."
    )


def _same_quantity(row: Row, other: Row) -> bool:
    """Two rows print one value in two units (4384.635 Mpc and 4.384635 Gpc)."""
    converted = convert(row.value, row.unit, other.unit) if row.unit and other.unit else None
    return converted is not None and matches(other.value, other.text, converted)


def _unit_review(answer: str, value: float, written: str, unit: str, target: str | None) -> Review | None:
    if target is None or not unit or unit == target:
        if target == "%" and not unit and 0 < abs(value) <= 1 and "%" not in answer and "fraction" not in answer:
            percent = _format(value * 100, written)
            return Review(f"{percent} % ({answer})", note=f"converted the fraction {written} to {percent} %")
        if target is not None and target != "%" and not unit:  # 17170.25 for "in kDa": Da or kDa?
            return Review(
                answer,
                f"The question asks for the answer in {target}, and the output does not say the unit of "
                f"{written}. If it is not in {target}, convert it; answer with the value and its unit.",
                "unit",
                vote=False,
            )
        return None
    converted = convert(value, unit, target)
    if converted is None:
        return Review(
            answer,
            f"The question asks for the answer in {target}, but your answer is in {unit}. Convert it "
            f"(print the value in {target}) and answer in {target}.",
            "unit",
        )
    shown = _format(converted, written)
    return Review(f"{shown} {target} (= {written} {unit})", note=f"converted {written} {unit} to {shown} {target}")


_NAMED = re.compile(r"[A-Za-z][A-Za-z\-]*")


def _named_quantity_problem(answer: str, written: str, question: str) -> str | None:
    """The answer names its quantity ("14 heavy atoms") and none of those words is in the question."""
    after = answer.split(written, 1)[1] if written in answer else ""
    unit = re.match(rf"\s*(?:{_UNIT_PATTERN})(?![\w/])", after, re.IGNORECASE)
    after = after[unit.end() :] if unit else after
    phrase = re.split(r"[(),;:=<>*]", after, maxsplit=1)[0]
    named = []
    for word in _NAMED.findall(phrase):  # the noun right after the number: up to prose ("in two doses")
        if word.lower() in STOP_WORDS or len(named) == 3:
            break
        if word.lower() not in _UNIT_WORDS:
            named.append(word)
    words = _words(" ".join(named))
    asked = {word[:5] for word in _words(question)}
    if len(words) < 2 or any(word[:5] in asked for word in words):
        return None
    return (
        f"Your answer gives {' '.join(named)}, which is not what the question asks. Answer exactly the "
        "quantity the question asks for (print it if no output shows it)."
    )


# Sequences, SMILES and formulas in a text answer: long runs of the characters they are written in.
_COPIED = re.compile(r"(?<![\w*])[A-Za-z0-9@+\-\[\]()=#/\\*]{6,}(?![\w*])")


_TEXT_TOKEN = re.compile(r"[A-Za-z0-9()=#\[\]@+\-*/\\]+")


def _is_text_result(token: str) -> bool:
    """A sequence (MAWK, MWK*), a formula (C8H9NO2) or a SMILES, not a word or a number."""
    letters = [ch for ch in token if ch.isalpha()]
    if len(letters) < 2:
        return False
    return token.strip("*").isupper() or any(ch.isdigit() or ch in "()=#[]@" for ch in token)


def _looks_like_data(token: str) -> bool:
    token = token.strip("()")
    return len(token) >= 3 and (any(ch.isdigit() or ch in "()=#[]*" for ch in token) or token.isupper())


def _uncopied_token(answer: str, question: str, outputs: str) -> str | None:
    """A sequence, SMILES or formula of the answer that neither the outputs nor the question contain."""
    for token in _COPIED.findall(answer):
        token = token.strip("()")
        if len(token) >= 6 and _looks_like_data(token) and token not in outputs and token not in question:
            return token
    return None


def prints_only_typed_numbers(code: str) -> bool:
    """The step computes nothing: every statement prints literals as typed (``print(30.0000)``), so its
    output is the model's guess, not a result an answer may rest on. Arithmetic on typed numbers
    (``print(1.5 / 288.431 * 1000)``, a value carried over from an earlier output) is computing."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return False
    if not tree.body:
        return False
    for statement in tree.body:
        call = statement.value if isinstance(statement, ast.Expr) else None
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "print"):
            return False
        if not all(_typed(argument) for argument in [*call.args, *(k.value for k in call.keywords)]):
            return False
    return any(ch.isdigit() for ch in code)  # print('done') guesses no number


def _typed(node: ast.expr) -> bool:
    """A literal as typed: a constant, a negated one, or an f-string of those."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        return _typed(node.operand)
    if isinstance(node, ast.JoinedStr):
        return all(_typed(value) for value in node.values)
    if isinstance(node, ast.FormattedValue):
        return _typed(node.value)
    return isinstance(node, ast.Constant)


def _text_row_problem(answer: str, question: str, outputs: str) -> str | None:
    """A sequence answer read from a helper's row about something else (the protein row for "what mRNA")."""
    rows = [
        (label.strip(), value.strip().split(" ")[0])
        for label, _, value in (line.partition(" : ") for line in outputs.splitlines() if " : " in line)
    ]
    rows = [(label, value) for label, value in rows if _is_text_result(value)]
    tokens = {token.strip("()*") for token in _TEXT_TOKEN.findall(answer) if _is_text_result(token)}
    used = [(label, value) for label, value in rows if value.strip("*") in tokens]
    if not used or not rows:
        return None
    best = max(rows, key=lambda row: _fit(row[0], question))
    if best in used or max(_fit(label, question) for label, _ in used) >= _fit(best[0], question):
        return None
    return (
        f"Your answer is the '{used[0][0]}' row, but the question asks for '{best[0]}' ({best[1]}). "
        "Answer with the row the question asks for."
    )


def variant_problem(question: str, code: str, outputs: str) -> str | None:
    """The question names a variant (a time scale, a genetic code, a topology, a named cosmology) that
    neither the code behind the answer uses nor a printed row's label names: the answer is a neighbour's."""
    labels = " ".join(line.split(" : ", 1)[0] for line in outputs.splitlines() if " : " in line)
    for variant in words().variants:
        named = [name for name in variant.named if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", question)]
        if not named:
            continue
        opposite = [spelling for spelling in variant.not_code if spelling in code]
        if opposite:
            return (
                f"The question says {named[0]}, but the code behind your answer uses {opposite[0]}. "
                f"Compute it for {named[0]} and print it."
            )
        if not variant.code or any(s in code for s in variant.code) or any(n in labels for n in named):
            continue
        return (
            f"The question asks for {named[0]}, but the code behind your answer does not use it "
            f"(e.g. {variant.code[0]}). Compute the answer for {named[0]} and print it."
        )
    return None


def restate(answer: str, facts: QuestionFacts) -> str:
    """The answer with what it is, when the registry knows and the answer does not say: "3" is "3 [rings]".

    Only an answer of the quantity's own kind (a number alone for a number, text alone for a SMILES) is
    labelled, and nothing with a digit is added, so the number an answer gives stays its first one.
    """
    quantity = facts.quantity
    if quantity is None or facts.collection:
        return answer
    if any(word in answer.lower() for word in quantity.name.lower().split() if len(word) >= 5):
        return answer  # it says what it is already
    numeric = quantity.kind in _NUMERIC_KINDS
    has_number = first_number(answer, facts.text) is not None
    has_text = any(map(_is_text_result, _TEXT_TOKEN.findall(answer)))
    if numeric != has_number or (numeric and has_text):
        return answer
    said = first_number(answer, facts.text)
    unit = f", {quantity.unit}" if quantity.unit and said is not None and not said[2] else ""
    what = f" [{quantity.name}{unit}]"
    return answer if any(ch.isdigit() for ch in what) else answer + what
