"""What the LLM is told about the domain helpers and library entry points, and the pitfalls it hits.

Pure data and a tiny scorer: importing this module must not import RDKit, Biopython or astropy, because
the assistant process reads the catalog while only the kernel imports the libraries.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from pathlib import Path

DOMAINS = ("chemistry", "biology", "astronomy")
# The answer helpers: one call per everyday question family, printing a labelled table with units.
ANSWER_HELPERS = frozenset(
    {
        "chem.profile",
        "chem.functional_groups",
        "bio.dna_profile",
        "bio.protein_profile",
        "astro.cosmology_at",
        "astro.convert",
        "astro.sky",
        "astro.when",
    }
)


def uses_answer_helper(code: str) -> bool:
    """Whether ``code`` calls one of the answer helpers (for the ablation that hides them)."""
    return any(f"{name}(" in code for name in ANSWER_HELPERS)


@dataclass(frozen=True)
class Entry:
    """One callable the model may use, as it is named in the kernel's namespace (see preamble)."""

    name: str  # e.g. "chem.descriptors" or "Descriptors.MolWt"
    signature: str  # e.g. "chem.descriptors(molecules) -> pandas.DataFrame"
    purpose: str  # one line
    example: str  # one line of runnable code, using only preamble names
    domain: str  # one of DOMAINS
    keywords: tuple[str, ...] = ()  # lowercase words or phrases a question about this would contain

    def render(self) -> str:
        return f"- {self.signature}: {self.purpose} e.g. {self.example}"


@dataclass(frozen=True)
class Hint:
    """A known pitfall of the installed library versions, and what to do instead."""

    error: str  # regex searched in "ENAME: evalue"
    text: str  # one line the model can act on
    trigger: str  # code that reproduces the error in a fresh preamble kernel (tests run it) ...
    example: str = ""  # ... or, when it cannot be reproduced here (e.g. needs a missing package), the error line
    code: str = ""  # optional regex the failing code must also match
    domain: str = ""

    def matches(self, error_line: str, code: str) -> bool:
        return bool(re.search(self.error, error_line)) and (not self.code or bool(re.search(self.code, code)))


@dataclass
class Catalog:
    entries: list[Entry] = field(default_factory=list)
    hints: list[Hint] = field(default_factory=list)


def load() -> Catalog:
    """Every domain's entries and hints (``domain_tools/catalog_<domain>.py``: ENTRIES, HINTS)."""
    catalog = Catalog()
    for domain in DOMAINS:
        module = import_module(f"domain_tools.catalog_{domain}")
        catalog.entries += module.ENTRIES
        catalog.hints += module.HINTS
    return catalog


@cache
def preamble_names() -> frozenset[str]:
    """``preamble.__all__``, read from its source: importing the preamble would import every library."""
    tree = ast.parse(Path(__file__).with_name("preamble.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in node.targets):
            return frozenset(ast.literal_eval(node.value))
    raise LookupError("domain_tools/preamble.py defines no __all__")


_WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


BUDGET_CHARS = 1400  # catalog text per question: what fits beside the examples in a 4k context


def select(entries: list[Entry], question: str, budget_chars: int = BUDGET_CHARS) -> list[Entry]:
    """The entries most relevant to ``question``, best first, within ``budget_chars`` of rendered text.

    Relevance is keyword overlap (entry keywords and words of its name and purpose), so the choice is
    cheap, deterministic and explainable; entries that share no word with the question are never sent.
    """
    asked = _words(question)
    lowered = question.lower()
    scored = []
    for position, entry in enumerate(entries):
        # a plain word must be a whole word of the question; a phrase or a token like "m/z" a substring of it
        keyword_hits = sum(1 for k in entry.keywords if (k in asked if _WORD.fullmatch(k) else k in lowered))
        text_hits = len(asked & _words(f"{entry.name} {entry.purpose}"))
        score = 3 * keyword_hits + text_hits
        if keyword_hits:
            scored.append((-score, position, entry))
    chosen, used = [], 0
    for _, _, entry in sorted(scored):
        size = len(entry.render()) + 1
        if used + size > budget_chars:
            continue
        chosen.append(entry)
        used += size
    return chosen
