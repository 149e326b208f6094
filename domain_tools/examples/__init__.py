"""Worked examples: a question as a scientist asks it, the short code that answers it in a preamble kernel, the
real output of that code and the answer read from it.

A 1.5B model copies a worked example far more reliably than it follows a description: shown one similar
question with its call and the output row that holds the answer, it makes the same call and reads the same
row. The examples live as YAML next to this module (one file per domain, shipped in the wheel) and are
loaded here with PyYAML alone, because the assistant process reads them without importing RDKit or astropy.
Outputs are never typed by hand: ``python -m assistant.runs.examples_refresh refresh`` executes every example
in a real kernel and writes the outputs back (see ``assistant/runs/examples_run.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DOMAINS = ("chemistry", "biology", "astronomy")
FIELDS = ("id", "question", "code", "output", "answer")  # in the order the YAML files show them
FOLDER = Path(__file__).parent


@dataclass(frozen=True)
class Example:
    """One executed worked example; ``output`` is what ``code`` printed after the question's literals were bound."""

    id: str
    question: str
    code: str
    output: str
    answer: str
    domain: str


def path(domain: str) -> Path:
    if domain not in DOMAINS:
        raise ValueError(f"unknown domain {domain!r}; use one of {', '.join(DOMAINS)}")
    return FOLDER / f"{domain}.yaml"


def _example(record: Any, domain: str, position: int) -> Example:
    where = f"{path(domain).name}, example {position}"
    if not isinstance(record, dict):
        raise ValueError(f"{where}: expected a mapping with {', '.join(FIELDS)}, got {type(record).__name__}")
    missing = [name for name in FIELDS if name not in record]
    unknown = sorted(set(record) - set(FIELDS))
    if missing or unknown:
        raise ValueError(f"{where} ({record.get('id', '?')}): missing fields {missing}, unknown fields {unknown}")
    wrong = [name for name in FIELDS if not isinstance(record[name], str)]
    if wrong:
        raise ValueError(f"{where} ({record['id']}): fields {wrong} must be strings")
    return Example(**{name: record[name] for name in FIELDS}, domain=domain)


@cache
def load(domain: str) -> tuple[Example, ...]:
    """The examples of one domain, in file order (cached: the files change only through ``refresh``)."""
    records = yaml.safe_load(path(domain).read_text(encoding="utf-8")) or []
    return tuple(_example(record, domain, position) for position, record in enumerate(records, start=1))


def load_all() -> tuple[Example, ...]:
    return tuple(example for domain in DOMAINS for example in load(domain))


class _Dumper(yaml.SafeDumper):
    """Multi-line strings (code, output) as literal ``|`` blocks, so the files read like the cells they record."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def normalise(text: str) -> str:
    """Output as stored and compared: no trailing whitespace on any line (YAML block scalars cannot keep it)."""
    return "\n".join(line.rstrip() for line in text.rstrip().splitlines())


def dump(domain: str, examples: list[Example]) -> None:
    """Write the examples of one domain back to its YAML file, one blank line between examples."""
    blocks = []
    for example in examples:
        record = {name: getattr(example, name) for name in FIELDS}
        blocks.append(yaml.dump([record], Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1_000_000))
    header = (
        f"# Worked {domain} examples (domain_tools/examples/__init__.py). Edit id, question, code and answer;\n"
        "# outputs are written by `python -m assistant.runs.examples_refresh refresh`, never by hand.\n\n"
    )
    path(domain).write_text(header + "\n".join(blocks), encoding="utf-8")
    load.cache_clear()
