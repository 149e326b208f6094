"""Literal binding: the SMILES, sequences, coordinates, times and quantities a question quotes become kernel
variables (``smiles_1``, ``dna_1``, ``coord_1``, ``z_1`` ...) that the model is told to use.

A 1.5B model retypes a 30-character SMILES or a 150-residue protein with a slip often enough to matter,
and the slip is invisible in the output. Bound once from the question's own text, the value is exact; the
model only has to write the name. ``repair_copies`` then swaps a near-miss retyped copy in generated code
for the name, instead of only reporting it.

Pure text work: the assistant process never imports RDKit or astropy for this; the binding cell runs in
the kernel, after the preamble (``u``, ``SkyCoord``, ``Time``).
"""

from __future__ import annotations

import ast
import itertools
import re
from dataclasses import dataclass

from assistant.engine.copycheck import near_miss
from assistant.engine.retrieval import STOP_WORDS
from domain_tools.quantities import words

# Literals longer than this are shown clipped in the prompt: the name is what the model should write.
SHOWN_CHARS = 48

_TOKEN = re.compile(r"\S+")
_STRIP = ".,;:!?\"'`"
_DNA = re.compile(r"[ACGTN]{6,}")
_RNA = re.compile(r"[ACGUN]{6,}")
_PROTEIN = re.compile(r"[ACDEFGHIKLMNPQRSTVWY]{6,}")
_PROTEIN_WORDS = re.compile(r"\b(?:proteins?|peptides?|residues?|amino acids?)\b", re.IGNORECASE)
_NOT_SEQUENCES = frozenset({"SMILES", "FASTA", "GENBANK", "PLANCK", "ICRS"})
_SMILES_CHARS = re.compile(r"[A-Za-z0-9@+\-\[\]()=#$/\\%.:*]+")
_BRACKET_ATOM = re.compile(r"\[[^\[\]]+\]")
_SMILES_TOKENS = re.compile(r"Cl|Br|[BCNOPSFI]|[bcnops]|%\d\d|\d|[()=#$/\\.\-:*]")
_VALID_BRACKET = re.compile(r"\[\d*(?:[A-Z][a-z]?|[cnops]|se|as)(?:@{1,2})?(?:H\d*)?(?:[+-]+\d*)?(?::\d+)?\]")
_BOND_WORDS = re.compile(r"\s*(?:(?:single|double|triple|aromatic)\s+)?bonds?\b", re.IGNORECASE)
_NUMBER = r"[+\-\u2212]?\d+(?:\.\d+)?"
_SEXAGESIMAL_RA = re.compile(r"(\d{1,2})\s*h\s*(\d{1,2})\s*m\s*(\d{1,2}(?:\.\d+)?)\s*s")
_SEXAGESIMAL_DEC = re.compile(
    r"([+\-\u2212]?)(\d{1,2})\s*[d°]\s*(\d{1,2})\s*[m'\u2032]\s*(\d{1,2}(?:\.\d+)?)\s*(?:s|\"|\u2033|'')"
)
_DECIMAL_COORD = re.compile(
    rf"\b(RA|Dec|right ascension|declination)\b\s*(?:=|:|of)?\s*({_NUMBER})\s*(?:°|deg(?:rees)?\b)?(?![\w:'\u2032°])",
    re.IGNORECASE,
)
_REDSHIFT = re.compile(rf"(?:\bredshift\s*(?:of\s*|z\s*=?\s*)?|\bz\s*=\s*)({_NUMBER})", re.IGNORECASE)
_MONTHS = re.findall(r"\w+", "january february march april may june july august september october november december")
_MONTH = rf"({'|'.join(month[:3] + f'(?:{month[3:]})?' for month in _MONTHS)})\.?"
# "20 March 2024", "March 20, 2024", "the start of 2024": dates in words, bound as ISO.
_WORDY_DATES = (
    re.compile(rf"\b(\d{{1,2}})\s+{_MONTH}\s+(\d{{4}})\b", re.IGNORECASE),
    re.compile(rf"\b{_MONTH}\s+(\d{{1,2}}),?\s+(\d{{4}})\b", re.IGNORECASE),
    re.compile(r"\b(?:the\s+)?(?:start|beginning)\s+of\s+(\d{4})\b", re.IGNORECASE),
)
_TIME = re.compile(r"\b(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?(?:\s*(UTC|TAI|TT|TDB)\b)?")
# Units of quantities worth binding, by what they measure (the variable's name says it): registry data.
_UNIT_KIND = words().input_units
_UNIT_KINDS = frozenset(_UNIT_KIND.values())
_UNIT_ALTERNATIVES = "|".join(sorted(map(re.escape, _UNIT_KIND), key=len, reverse=True))
_QUANTITY = re.compile(rf"(?<![\w.^\-\u2212])({_NUMBER})\s*({_UNIT_ALTERNATIVES})(?![\w/])")


# A question that lists this many values of one kind gets them bound as one collection, not a dozen names.
COLLECTION_MIN = 4
# The collection's variable, by the kind of its items: a dict from each item's name to it, or a list.
COLLECTION_NAMES = {
    "smiles": "molecules",
    "dna": "sequences",
    "rna": "sequences",
    "protein": "proteins",
    "time": "times",
}

# Literal kinds that say which domain a question is about; quantities (nm, GHz) appear in several.
KIND_DOMAIN = {
    "smiles": "chemistry",
    "dna": "biology",
    "rna": "biology",
    "protein": "biology",
    "ra": "astronomy",
    "dec": "astronomy",
    "coord": "astronomy",
    "z": "astronomy",
    "time": "astronomy",
    "molecules": "chemistry",
    "sequences": "biology",
    "proteins": "biology",
    "times": "astronomy",
    **{kind: "astronomy" for kind in ("wavelength", "distance", "frequency", "energy", "flux", "velocity", "angle")},
    "duration": "astronomy",
}


@dataclass(frozen=True)
class Literal:
    """One value quoted in a question, bound in the kernel as ``name = code``."""

    name: str  # e.g. "smiles_1"
    kind: str  # smiles, dna, rna, protein, ra, dec, coord, z, time, or a quantity kind (wavelength, ...)
    text: str  # the value as the question wrote it (for strings: the exact string bound)
    code: str  # the Python expression bound to the name

    @property
    def is_string(self) -> bool:
        return self.kind in ("smiles", "dna", "rna", "protein", "ra", "dec")

    @property
    def is_collection(self) -> bool:
        return self.kind in COLLECTION_NAMES.values()

    def shown(self) -> str:
        """``name = value`` as the prompt shows it; long strings clipped, with their length."""
        if self.code == self.name:  # the user's own variable, pointed at in the question
            return f"{self.name}  # {self.kind}, your variable: {self.text[:SHOWN_CHARS]}"
        if self.is_collection:  # its name and shape: the items are the question's, not to be retyped
            return f"{self.name}  # {self.text}; loop over all of them"
        if self.is_string and len(self.text) > SHOWN_CHARS:  # no quotes: nothing to copy but the name
            unit = {"dna": "nt", "rna": "nt", "protein": "aa"}.get(self.kind, "characters")
            return f"{self.name}  # {self.kind}, {len(self.text)} {unit}: {self.text[:12]} ... {self.text[-6:]}"
        return f"{self.name} = {self.code}  # {self.kind}"


def _clean(token: str) -> str:
    """A token without the punctuation and brackets prose puts around it: "(CCO)," is "CCO"."""
    token = token.strip(_STRIP)
    if token.startswith("(") and token.endswith(")"):  # no SMILES starts with a branch
        token = token[1:-1]
    while token.endswith(")") and token.count(")") > token.count("("):
        token = token[:-1].rstrip(_STRIP)
    while token.startswith("(") and token.count("(") > token.count(")"):
        token = token[1:].lstrip(_STRIP)
    return token.strip(_STRIP)


def _is_smiles(token: str) -> bool:
    """Plausibly a SMILES: only SMILES syntax and atoms, ring closures paired, not an English word."""
    if not _SMILES_CHARS.fullmatch(token) or not any(ch.isalpha() for ch in token):
        return False
    if token.count("(") != token.count(")") or token.count("[") != token.count("]"):
        return False
    if any(not _VALID_BRACKET.fullmatch(atom) for atom in _BRACKET_ATOM.findall(token)):
        return False
    bare = _BRACKET_ATOM.sub("C", token)
    if "".join(_SMILES_TOKENS.findall(bare)) != bare:
        return False
    digits = re.findall(r"%\d\d|\d", _BRACKET_ATOM.sub("", token))
    if any(digits.count(d) % 2 for d in set(digits)) and token[-1].isdigit():
        return False  # "CO2" is a formula; "C1CC" (an unclosed ring) is a SMILES, if an invalid one
    if token.isalpha() and token.isupper():  # "CCO" or "OCC", but not "NCBI", "ISO", "CNS" or "PBS"
        return token.count("C") >= 2 and re.fullmatch(r"(?:[CNOS]|Cl|Br)+", token) is not None
    return len(token) >= 3 or "[" in token


def _sequence_kind(token: str, question: str) -> str | None:
    if token in _NOT_SEQUENCES:
        return None
    if _DNA.fullmatch(token) and len(set(token) & set("ACGT")) >= 2 and set(token) != {"C"}:
        return "dna"
    if _RNA.fullmatch(token) and "U" in token:
        return "rna"
    short = len(token) < 8 and not _PROTEIN_WORDS.search(question)  # "CHARGE" is a word, not a peptide
    if _PROTEIN.fullmatch(token) and set(token) - set("ACGTUN") and not short:
        return "protein"
    return None


def _token_literals(question: str) -> list[tuple[int, str, str, str]]:
    """(position, kind, text, code) for sequences and SMILES, in the order the question gives them."""
    found = []
    for match in _TOKEN.finditer(question):
        token = _clean(match.group())
        if not token or _SEXAGESIMAL_RA.search(token) or _TIME.fullmatch(token):
            continue
        bond = _BOND_WORDS.match(question, match.end()) is not None  # "the C=C double bond" is prose
        kind = _sequence_kind(token, question) or ("smiles" if _is_smiles(token) and not bond else None)
        if kind is not None:
            found.append((match.start(), kind, token, repr(token)))
    return found


def _number(text: str) -> str:
    return text.replace("\u2212", "-").lstrip("+")


def _coordinate_literals(question: str) -> list[tuple[int, str, str, str]]:
    found = []
    for match in _SEXAGESIMAL_RA.finditer(question):
        text = f"{match[1]}h{match[2]}m{match[3]}s"
        found.append((match.start(), "ra", text, repr(text)))
    for match in _SEXAGESIMAL_DEC.finditer(question):
        sign = "-" if match[1] in ("-", "\u2212") else "+"
        text = f"{sign}{match[2]}d{match[3]}m{match[4]}s"
        found.append((match.start(), "dec", text, repr(text)))
    for match in _DECIMAL_COORD.finditer(question):
        kind = "ra" if match[1].lower() in ("ra", "right ascension") else "dec"
        value = _number(match[2])
        found.append((match.start(), kind, value, f"{value} * u.deg"))
    return found


def _other_literals(question: str) -> list[tuple[int, str, str, str]]:
    found = []
    for match in _REDSHIFT.finditer(question):
        value = _number(match[1])
        found.append((match.start(), "z", value, value))
    for match in _TIME.finditer(question):
        text = match[1] + (f" {match[2]}" if match[2] else "")
        scale = (match[3] or "UTC").lower()
        found.append((match.start(), "time", text, f"Time({text!r}, scale={scale!r})"))
    for position, text in _wordy_dates(question):
        found.append((position, "time", text, f"Time({text!r}, scale='utc')"))
    for match in _QUANTITY.finditer(question):
        value, unit = _number(match[1]), match[2]
        astropy_unit = words().units.get(unit.lower(), unit)
        code = f"{value} * u.Unit({astropy_unit!r})"
        found.append((match.start(), _UNIT_KIND[unit], f"{value} {unit}", code))
    return found


def _month_number(name: str) -> int:
    return next(index for index, month in enumerate(_MONTHS, start=1) if month.startswith(name.lower()[:3]))


def _wordy_dates(question: str) -> list[tuple[int, str]]:
    """(position, ISO date) of each date written in words."""
    day_month, month_day, start_of = _WORDY_DATES
    found = [(m.start(), f"{m[3]}-{_month_number(m[2]):02d}-{int(m[1]):02d}") for m in day_month.finditer(question)]
    found += [(m.start(), f"{m[3]}-{_month_number(m[1]):02d}-{int(m[2]):02d}") for m in month_day.finditer(question)]
    found += [(m.start(), f"{m[1]}-01-01") for m in start_of.finditer(question)]
    return found


_VARIABLE = re.compile(
    r"\b(?:variable|list|array|dataframe|dict|dictionary|seq|skycoord|string|table|tuple|set|quantity|mol)s?"
    r"(?:\s+\w+){0,2}?\s+(?:called|named)\s+[`'\"]?([A-Za-z_]\w*)",
    re.IGNORECASE,
)


def requested_variables(question: str) -> list[str]:
    """The variables the question asks to be made, by the name it gives them."""
    return list(dict.fromkeys(_VARIABLE.findall(question)))


def find_literals(question: str, taken: dict[str, str] | None = None) -> list[Literal]:
    """The literals of ``question``, named ``<kind>_<n>`` in order of appearance.

    ``taken`` maps code already bound in this session to its name, so a follow-up question that repeats a
    value reuses the name, and new values are numbered after the old ones.
    """
    taken = dict(taken or {})
    wanted = set(requested_variables(question))  # a name the question asks for is no SMILES ("cnos")
    raw = sorted(_token_literals(question) + _coordinate_literals(question) + _other_literals(question))
    raw = _collections([item for item in raw if item[2] not in wanted], question)
    counts: dict[str, int] = {}
    for name in taken.values():
        kind, _, number = name.rpartition("_")
        counts[kind] = max(counts.get(kind, 0), int(number) if number.isdigit() else 0)
    literals: list[Literal] = []
    seen: set[str] = set()
    for _, kind, text, code in raw:
        if code in seen:
            continue
        seen.add(code)
        name = taken.get(code)
        if name is None:
            counts[kind] = counts.get(kind, 0) + 1
            name = taken[code] = f"{kind}_{counts[kind]}"
        literals.append(Literal(name, kind, text, code))
    return literals + _paired_coords(literals, taken, counts)


_FASTA_HEADER = re.compile(r"^>(\S+)", re.MULTILINE)
_NAME_WORDS = re.compile(r"[A-Za-z][\w\-']*")
_NAME_MARKS = " \t:=(\u2013\u2014-"  # what stands between an item's name and its value
_LIST_SEPARATOR = re.compile(r"[,;:\n?!)]|\.\s|\b(?:and|or)\b")


def _item_name(question: str, start: int, end: int) -> str | None:
    """The name a listed item is given between the item before it (``start``) and itself (``end``): the word
    or two just before it (before a colon, an equals sign or a bracket), or the FASTA header above it."""
    line_start = question.rfind("\n", 0, end) + 1
    if not question[line_start:end].strip():
        headers = list(_FASTA_HEADER.finditer(question, 0, max(line_start - 1, 0)))
        return headers[-1][1] if headers else None
    between = question[start:end].rstrip(_NAME_MARKS)  # "ketoprofen: CC(…)", "aspirin = CC(…)", "tolmetin ("
    chunk = _NAME_WORDS.findall(_LIST_SEPARATOR.split(between)[-1].split("(")[0])
    if not chunk or chunk[-1].lower() in STOP_WORDS:
        return None
    return " ".join(chunk) if len(chunk) <= 2 else chunk[-1]  # "uric acid", but not "smiles for limonene"


def _collections(raw: list[tuple[int, str, str, str]], question: str) -> list[tuple[int, str, str, str]]:
    """Values of one kind listed COLLECTION_MIN times or more become one dict (name -> value) when every item
    is named, else one list: the model loops over one name instead of retyping a dozen."""
    by_kind: dict[str, list[tuple[int, str, str, str]]] = {}
    for item in raw:
        by_kind.setdefault(item[1], []).append(item)
    kept = list(raw)
    for kind, items in by_kind.items():
        values = list(dict.fromkeys(item[3] for item in items))
        if kind not in COLLECTION_NAMES or len(values) < COLLECTION_MIN:
            continue
        ends = [0] + [item[0] + len(item[2]) for item in items[:-1]]
        names = [_item_name(question, start, item[0]) for start, item in zip(ends, items, strict=True)]
        kept = [item for item in kept if item[1] != kind]
        if all(names) and len(set(names)) == len(names):
            code = "{" + ", ".join(f"{name!r}: {item[3]}" for name, item in zip(names, items, strict=True)) + "}"
            text = f"dict of {len(items)} ({', '.join(names[:4])}{', ...' if len(names) > 4 else ''} -> {kind})"
        else:
            code = "[" + ", ".join(item[3] for item in items) + "]"
            text = f"list of {len(items)} {kind}"
        if kind == "time":
            code = f"Time([{', '.join(repr(item[2]) for item in items)}], scale='utc')"
            text = f"Time array of {len(items)} times"
        kept.append((items[0][0], COLLECTION_NAMES[kind], text, code))
    return sorted(kept)


def _paired_coords(literals: list[Literal], taken: dict[str, str], counts: dict[str, int]) -> list[Literal]:
    """A SkyCoord for each RA followed by a Dec: the position itself is what most questions are about."""
    pairs = []
    for ra, dec in itertools.pairwise(literals):
        if ra.kind == "ra" and dec.kind == "dec":
            code = f"SkyCoord({ra.name}, {dec.name}, frame='icrs')"
            if code not in taken:
                counts["coord"] = counts.get("coord", 0) + 1
                taken[code] = f"coord_{counts['coord']}"
            pairs.append(Literal(taken[code], "coord", f"{ra.text} {dec.text}", code))
    return pairs


_REFERENCE = re.compile(r"`([A-Za-z_]\w*)`|\{([A-Za-z_]\w*)\}")


def referenced_names(question: str) -> list[str]:
    """Variables a question points at: `smiles` or {smiles} (the magics' and notebooks' way to say "this one")."""
    return list(dict.fromkeys(a or b for a, b in _REFERENCE.findall(question)))


def referenced_literal(name: str, value: object) -> Literal | None:
    """A user's variable holding a SMILES or a sequence, as a literal already bound under its own name."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    kind = _sequence_kind(text, "protein") or ("smiles" if _is_smiles(text) else None)
    return Literal(name, kind, text, name) if kind else None


def binding_code(literals: list[Literal]) -> str:
    """The cell that binds the literals in the kernel (after the preamble)."""
    return "\n".join(f"{literal.name} = {literal.code}" for literal in literals)


def describe(literals: list[Literal]) -> str:
    """What the model is told: the names to use, with the values (clipped) so it knows which is which."""
    return "\n".join(literal.shown() for literal in literals)


_CLIPPED = re.compile(r"(?P<head>[^.\s]{3,})\s*(?:\.{3}|\u2026)\s*(?P<tail>[^.\s]{3,})")
_STRING_LITERAL = re.compile(r"""(?P<quote>['"])(?P<body>[^'"\n]{6,})(?P=quote)""")


def repair_copies(code: str, literals: list[Literal]) -> tuple[str, list[tuple[str, str]]]:
    """``code`` with near-miss copies of bound strings replaced by their names; (retyped text, name) pairs.

    Exact copies stay as written (they are right); a literal close to a bound value but not equal is a
    slip, and the name carries the exact value.
    """
    strings = [literal for literal in literals if literal.is_string]
    repairs: list[tuple[str, str]] = []

    def replace(match: re.Match[str]) -> str:
        body = match["body"]
        if any(body == literal.text for literal in strings):
            return match.group()
        clipped = _CLIPPED.fullmatch(body)  # the prompt's clipped display, copied: "MAEGEITTFT...LPLPV"
        if clipped:
            for literal in strings:
                if literal.text.startswith(clipped["head"]) and literal.text.endswith(clipped["tail"]):
                    repairs.append((body, literal.name))
                    return literal.name
        copied = {literal.text: literal for literal in strings if literal.kind not in {"ra", "dec"}}
        original = near_miss(body, copied)
        if original is None:
            return match.group()
        repairs.append((body, copied[original].name))
        return copied[original].name

    return _STRING_LITERAL.sub(replace, code), repairs


Repairs = list[tuple[str, str]]  # (the text in the code, the name it was replaced by)


def repair_borrowed(code: str, question: str, prompt: str, literals: list[Literal]) -> tuple[str, Repairs]:
    """``code`` with values copied from the prompt's examples or catalog (not the question) replaced by
    the question's own literal of that kind, when the question has exactly one: a 1.5B model copies an
    example's ``MolFromSmiles`` call whole, molecule included."""
    by_kind: dict[str, list[Literal]] = {}
    for literal in literals:
        by_kind.setdefault(literal.kind, []).append(literal)
    repairs: list[tuple[str, str]] = []

    def replace(match: re.Match[str]) -> str:
        body = match["body"]
        if body in question or body not in prompt:
            return match.group()
        kind = _sequence_kind(body, "") or ("smiles" if _is_smiles(body) else None)
        own = by_kind.get(kind or "", [])
        if len(own) != 1:
            return match.group()
        repairs.append((body, own[0].name))
        return own[0].name

    return _STRING_LITERAL.sub(replace, code), repairs


# The answer helper that profiles each kind of literal (domain_tools: chem, bio, astro).
HELPER_FOR_KIND = {
    "smiles": "chem.profile",
    "dna": "bio.dna_profile",
    "rna": "bio.dna_profile",
    "protein": "bio.protein_profile",
    "z": "astro.cosmology_at",
    "coord": "astro.sky",
    "time": "astro.when",
}


def helper_call(literals: list[Literal]) -> str | None:
    """The one answer-helper call the literals ask for (``chem.profile(smiles_1)``; two positions give
    ``astro.sky(coord_1, coord_2)``, their separation included), or None when they ask for none or several."""
    profiled = [literal for literal in literals if literal.kind in HELPER_FOR_KIND]
    if len(profiled) == 2 and all(literal.kind == "coord" for literal in profiled):
        return f"astro.sky({profiled[0].name}, {profiled[1].name})"
    if len(profiled) != 1:
        return None
    return f"{HELPER_FOR_KIND[profiled[0].kind]}({profiled[0].name})"


def domain_of(literals: list[Literal]) -> str | None:
    """The one domain the literals point to (a SMILES: chemistry, a sequence: biology, a sky position or a
    redshift: astronomy), or None when they point to none or to several."""
    domains = {KIND_DOMAIN[literal.kind] for literal in literals if literal.kind in KIND_DOMAIN}
    return domains.pop() if len(domains) == 1 else None


def dropped_units(code: str, literals: list[Literal]) -> list[Literal]:
    """Bound quantities whose number the code types bare, with neither their name nor their unit: "a star at
    100 pc" computed as ``Planck18.distmod(100)``, a redshift of 100."""
    try:
        numbers = {node.value for node in ast.walk(ast.parse(code)) if isinstance(node, ast.Constant)}
    except SyntaxError:
        return []
    dropped = []
    for literal in literals:
        if literal.kind not in _UNIT_KINDS or re.search(rf"\b{literal.name}\b", code):
            continue
        value, unit = literal.text.split(" ", 1)
        spelled = words().units.get(unit.lower(), unit)
        if float(value) in numbers and unit not in code and spelled not in code:
            dropped.append(literal)
    return dropped


def collection_keys(literal: Literal) -> list[str]:
    """The items of a collection by name: a dict's keys, a list's values."""
    if not literal.is_collection or literal.code[:1] not in "{[":
        return []
    try:
        return [str(key) for key in ast.literal_eval(literal.code)]
    except (ValueError, SyntaxError):
        return []
