"""A labelled table of answers: one row per quantity, each with its unit, printed one row per line.

The answer helpers (``chem.profile``, ``bio.dna_profile``, ``astro.cosmology_at``, ...) return one, so a
small model prints it and reads the row the question asks for instead of composing library calls and
guessing units. Rows are also reachable by key (``p["mw"]``) for code that computes further.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class Row:
    key: str  # short name for code: p["mw"]
    label: str  # what a person reads: "average molecular weight (MolWt)"
    value: Any
    unit: str = ""  # "" for counts, text and dimensionless numbers
    fmt: str = ""  # format spec for numbers, e.g. ".4f"; "" uses repr-like defaults

    def shown(self) -> str:
        value = self.value
        fractional = isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral)  # numpy floats too
        if fractional and self.fmt:
            text = format(value, self.fmt)
        elif fractional:
            text = format(value, ".10g")  # enough digits for a monoisotopic mass, no float noise
        else:
            text = str(value)
        return f"{text} {self.unit}".rstrip()


class Profile:
    """An ordered, printable set of labelled rows with units; index by key for the value itself."""

    def __init__(self, title: str, rows: list[Row]) -> None:
        keys = [row.key for row in rows]
        if len(set(keys)) != len(keys):
            raise ValueError(f"duplicate profile keys in {keys}")
        self.title = title
        self.rows = rows
        self._by_key = {row.key: row for row in rows}

    def __getitem__(self, key: str) -> Any:
        try:
            return self._by_key[key].value
        except KeyError:
            raise KeyError(f"{key!r} is not a row of this profile; rows: {', '.join(self._by_key)}") from None

    def __getattr__(self, key: str) -> Any:
        """``p.mw`` as well as ``p["mw"]``: models write both."""
        rows = self.__dict__.get("_by_key", {})  # not yet set while unpickling
        if key.startswith("_") or key not in rows:
            raise AttributeError(f"{key!r} is not a row of this profile; rows: {', '.join(rows)}")
        return rows[key].value

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_key)

    def keys(self) -> list[str]:
        return list(self._by_key)

    def unit(self, key: str) -> str:
        return self._by_key[key].unit

    def only(self, *wanted: str) -> Profile:
        """The same table with only the rows named (by label or key), in its order: one row to read, not
        thirty to read it among."""
        missing = set(wanted) - {row.label for row in self.rows} - set(self._by_key)
        if missing:
            raise KeyError(f"no row {', '.join(sorted(missing))}; rows: {', '.join(self._by_key)}")
        return Profile(self.title, [row for row in self.rows if row.label in wanted or row.key in wanted])

    def to_dict(self) -> dict[str, Any]:
        return {row.key: row.value for row in self.rows}

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [(row.label, row.value, row.unit) for row in self.rows],
            index=pd.Index(self.keys(), name="key"),
            columns=["quantity", "value", "unit"],
        )

    def __str__(self) -> str:
        width = max((len(row.label) for row in self.rows), default=0)
        lines = [self.title] + [f"  {row.label.ljust(width)} : {row.shown()}" for row in self.rows]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # IPython's display of a bare expression
        printer.text(str(self))
