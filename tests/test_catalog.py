"""Every catalog entry runs as its example says, and every hint fires on the error it targets."""

from __future__ import annotations

import pytest

from assistant.engine.prompts import KERNEL_SETUP
from domain_tools.catalog import DOMAINS, load

CATALOG = load()


@pytest.fixture(scope="module")
def domain_kernel(kernel):
    result = kernel.execute(KERNEL_SETUP, timeout=120)
    assert result.ok, result.error
    return kernel


def test_every_domain_has_entries_and_hints():
    for domain in DOMAINS:
        assert sum(entry.domain == domain for entry in CATALOG.entries) >= 10, domain
        assert sum(hint.domain == domain for hint in CATALOG.hints) >= 3, domain


def test_entry_names_are_unique():
    names = [entry.name for entry in CATALOG.entries]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("entry", CATALOG.entries, ids=lambda entry: entry.name)
def test_entry_example_runs_in_a_preamble_kernel(domain_kernel, entry):
    assert entry.domain in DOMAINS and entry.keywords
    result = domain_kernel.execute(entry.example, timeout=120)
    assert result.ok, f"{entry.example}\n{result.error}"


@pytest.mark.parametrize("hint", CATALOG.hints, ids=lambda hint: hint.text[:40])
def test_hint_matches_the_error_it_targets(domain_kernel, hint):
    assert hint.domain in DOMAINS
    if hint.trigger:
        result = domain_kernel.execute(hint.trigger, timeout=120)
        assert result.error is not None, f"trigger did not fail: {hint.trigger}"
        error_line = f"{result.error.ename}: {result.error.evalue}"
        code = hint.trigger
    else:
        error_line, code = hint.example, hint.code
    assert hint.matches(error_line, code), f"{hint.error!r} does not match {error_line!r}"


def test_no_catalog_example_or_hint_shows_a_benchmark_tasks_input():
    """The catalog is in every prompt: an example on a task's own molecule, sequence or position would hand
    the model that task's answer. Placeholders of up to 8 characters (CCO, c1ccccc1) are too generic to matter."""
    import json
    from pathlib import Path

    from assistant.engine.literals import find_literals

    def strings(text: str) -> set[str]:
        return {lit.text for lit in find_literals(text.replace('"', " ").replace("'", " ")) if lit.is_string}

    tasks = set()
    for suite in (Path(__file__).parents[1] / "benchmarks" / "tasks").glob("*.jsonl"):
        for line in suite.read_text().splitlines():
            tasks |= {text for turn in json.loads(line)["turns"] for text in strings(turn) if len(text) > 8}
    catalog = load()
    shown = [(entry.name, entry.example) for entry in catalog.entries]
    shown += [(hint.text[:40], f"{hint.text} {hint.trigger}") for hint in catalog.hints]
    assert [(name, text) for name, example in shown for text in strings(example) if text in tasks] == []
