"""The quantities questions ask for, as data: names, answer kind, unit, plausible range, and where each is
computed (an answer helper's labelled row, or a call).

The harness maps a question to these entries by retrieval, never by rules that name a phrasing: a helper
runs first only when the quantity asked is one of its rows, and an answer is checked against its entry
(a count stays an integer, a distance modulus stays below 60 mag). ``words.yaml`` holds the unit words and
answer-kind cues. Plain data: nothing here imports RDKit, Biopython or astropy.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

DOMAINS = ("chemistry", "biology", "astronomy")
KINDS = ("count", "real", "fraction", "percent", "text", "smiles", "sequence", "time", "name")
_HERE = Path(__file__).parent


@dataclass(frozen=True)
class Quantity:
    """One thing a question may ask for."""

    key: str
    domain: str
    names: tuple[str, ...]  # what people call it, first the plainest
    kind: str  # one of KINDS: a count must be answered with an integer, a smiles with a SMILES, ...
    unit: str = ""  # astropy spelling of the usual unit ("" for counts and dimensionless numbers)
    low: float | None = None  # plausible range of the value, in ``unit``
    high: float | None = None
    helper: str = ""  # the answer helper that prints it (chem.profile), when one does
    label: str = ""  # ... and the label of its row
    call: str = ""  # otherwise, one line that computes it
    variant: str = ""  # what the question must name for the code to match it: genetic code, time scale, ...

    @property
    def name(self) -> str:
        return self.names[0]

    def plausible(self, value: float) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def document(self) -> str:
        """The text retrieval matches a question against: every name, and the row's label."""
        return " ; ".join((*self.names, self.label))


@dataclass(frozen=True)
class Variant:
    """A variant a question may name (a time scale, a genetic code, a topology, a cosmology) and the
    spellings of it one of which the code answering that question must contain."""

    named: tuple[str, ...]
    code: tuple[str, ...]
    not_code: tuple[str, ...] = ()  # spellings of the opposite variant ("linear=False" for a linear molecule)


@dataclass(frozen=True)
class Words:
    """Unit words and answer-kind cues (words.yaml)."""

    units: dict[str, str]  # word as written (lower case) -> astropy spelling or marker
    input_units: dict[str, str]  # unit as written -> what it measures (wavelength, distance, ...)
    answer_kinds: dict[str, tuple[str, ...]]  # kind -> cue phrases
    collection_words: tuple[str, ...]
    variants: tuple[Variant, ...]
    precision: dict[str, tuple[str, ...]]  # "decimals" or "significant" -> the words that say it
    number_words: dict[str, int]  # "four" -> 4


def _quantity(raw: dict, domain: str) -> Quantity:
    row = raw.get("row") or {}
    low, high = raw.get("range", (None, None))
    quantity = Quantity(
        key=raw["key"],
        domain=domain,
        names=tuple(str(name) for name in raw["names"]),
        kind=raw["kind"],
        unit=raw.get("unit", ""),
        low=low,
        high=high,
        helper=row.get("helper", ""),
        label=row.get("label", ""),
        call=raw.get("call", ""),
        variant=raw.get("variant", ""),
    )
    if quantity.kind not in KINDS:
        raise ValueError(f"{domain}.yaml: {quantity.key}: kind {quantity.kind!r} is not one of {KINDS}")
    if bool(quantity.helper) == bool(quantity.call):
        raise ValueError(f"{domain}.yaml: {quantity.key}: give either a helper row or a call")
    return quantity


@cache
def quantities() -> tuple[Quantity, ...]:
    """Every registry entry, chemistry first."""
    found: list[Quantity] = []
    for domain in DOMAINS:
        raw = yaml.safe_load((_HERE / f"{domain}.yaml").read_text(encoding="utf-8"))
        found += [_quantity(entry, domain) for entry in raw]
    keys = [(q.domain, q.key) for q in found]
    if len(set(keys)) != len(keys):
        raise ValueError("duplicate quantity keys in the registry")
    return tuple(found)


@cache
def words() -> Words:
    raw = yaml.safe_load((_HERE / "words.yaml").read_text(encoding="utf-8"))
    return Words(
        units={str(word).lower(): str(unit) for word, unit in raw["units"].items()},
        input_units={str(unit): kind for kind, units in raw["input_units"].items() for unit in units},
        answer_kinds={kind: tuple(cues) for kind, cues in raw["answer_kinds"].items()},
        collection_words=tuple(raw["collection_words"]),
        variants=tuple(
            Variant(tuple(v["named"]), tuple(v["code"]), tuple(v.get("not_code", ()))) for v in raw["variants"]
        ),
        precision={kind: tuple(cues) for kind, cues in raw["precision"].items()},
        number_words={str(word): int(number) for word, number in raw["number_words"].items()},
    )
