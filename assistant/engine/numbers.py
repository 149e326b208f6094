"""Numbers in text as people and models write them, and the one number an answer gives.

Shared by the answer checks of the loop (is the answer's number in the output?) and the task checks of
``sciwand eval`` (is it the expected one?), so both read an answer the same way.
"""

from __future__ import annotations

import math
import re

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_TIMES = r"\s?(?:[x\u00d7*\u00b7]|\\times)\s?"  # x, the multiplication sign, *, a dot, LaTeX
_POWER = r"(?:\^|\*\*)\{?\(?(?P<NAME>[-+\u2212]?\d+)\)?\}?|(?P<NAMEs>[⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)"
_NUMBER = re.compile(
    r"(?<![\w.\]])"  # not the tail of a word (C8H10, H2O, Planck18, NAXIS1), a decimal or a SMILES [C@H]1
    r"(?P<sign>[-+\u2212]?)"
    r"(?:"
    rf"10(?:{_POWER.replace('NAME', 'bare')})"  # a bare power of ten: 10^-3, 10**6, 10⁻³
    r"|(?P<mantissa>\d{1,3}(?:[,\u00a0\u2009\u202f]\d{3}(?!\d))+(?:\.\d+)?"  # thousands separators
    r"|\d+(?:\.\d+)?|\.\d+)"
    rf"(?:[eE](?P<e>[-+\u2212]?\d+)(?!\w)|{_TIMES}10(?:{_POWER.replace('NAME', 'times')}))?"  # 1.5e-3, 1.5 x 10^-3
    r")"
)


def _int(text: str) -> int:
    return int(text.translate(_SUPERSCRIPTS).replace("\u2212", "-"))


def numbers_in(text: str) -> list[float]:
    """The numbers written in ``text``, in order.

    Understands signs (also the Unicode minus), thousands separators (``6,791.27``, thin spaces) and
    scientific notation (``1.5e-3``, ``1.5 x 10^-3`` also with the multiplication sign, ``10⁻³``, ``10^6``);
    digits that are part of a word (``C8H10N4O2``, ``H2O``, ``Planck18``) or a SMILES ring closure
    (``[C@H]1``) are not numbers.
    """
    found = []
    for match in _NUMBER.finditer(text):
        sign = "-" if match["sign"] in ("-", "\u2212") else ""
        if match["mantissa"] is None:
            mantissa, exponent = "1", match["bare"] or match["bares"]
        else:
            mantissa = re.sub(r"[,\u00a0\u2009\u202f]", "", match["mantissa"])
            exponent = match["e"] or match["times"] or match["timess"] or "0"
        found.append(float(f"{sign}{mantissa}e{_int(exponent)}"))  # float() of text: 1e999 is inf, no overflow
    return found


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def pick_number(answer: str, question: str = "") -> float | None:
    """The number an answer gives: the first one that does not also appear in the question.

    Answers often restate the question ("At z = 1 the distance is 6791 Mpc"), so numbers of the question
    are passed over; if every number in the answer is one of the question's, the first is taken. Taking
    one number, not "any number within tolerance", keeps an answer that lists many candidates from passing.
    """
    found = numbers_in(answer)
    if not found:
        return None
    asked = numbers_in(question)
    fresh = [number for number in found if not any(_same(number, q) for q in asked)]
    return (fresh or found)[0]
