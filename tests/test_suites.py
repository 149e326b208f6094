"""The eval suites parse cleanly, and the held-out test suite shares no input with the dev suite.

``benchmarks/tasks/test.jsonl`` is kept apart from tuning: its molecules, sequences, coordinates, dates,
redshifts and quantities must not appear in ``benchmarks/tasks/dev.jsonl`` (nor in the worked examples the
assistant is shown, when there are any), or a score on it would no longer measure anything held out.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from assistant.runs.tasks import Suite, check_answer, load_suite

from conftest import python_block, read_results

ROOT = Path(__file__).resolve().parent.parent
TASKS = ROOT / "benchmarks" / "tasks"
DOMAINS = ("chemistry", "biology", "astronomy")

# A long run of SMILES characters; it counts as a structure only with one of ()=[]#@ in it.
_TOKEN = re.compile(r"[A-Za-z0-9@+\-\[\]()=#$/\\%.]{6,}")
_STRUCTURE_MARKS = set("()=[]#@")
_ADDUCT = re.compile(r"\[M[+\-]")  # [M+H]+, [M-H]-: notation, not an input
# A DNA, RNA or protein sequence (or any other long all-caps string, such as an InChIKey block).
_SEQUENCE = re.compile(r"(?<![A-Za-z])[A-Z]{8,}(?![A-Za-z])")
_UNITS = r"°|deg\b|nm\b|Å|mm\b|cm\b|GHz|MHz|keV|eV\b|mas\b|Mpc|Gpc|kpc|pc\b|mJy|Jy\b|km/s|Gyr|mag\b"
_QUANTITY = re.compile(rf"(?<![\w.])[-+\u2212]?(\d+(?:\.\d+)?)\s?({_UNITS})")
_SEXAGESIMAL = re.compile(r"(?<![\w.])[-+\u2212]?\d{1,3}\s?[h°d:]\s?\d{1,2}\s?[m\u2032':]\s?\d{1,2}(?:\.\d+)?")
_DATE = re.compile(r"(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)")
_REDSHIFT = re.compile(r"(?:\bz\s*=\s*|\bredshifts?\s+(?:of\s+)?)(\d+(?:\.\d+)?)")


def _structures(text: str) -> set[str]:
    found = set()
    for token in _TOKEN.findall(text):
        token = token.rstrip(".,;:")
        # Prose parentheses around a word or a SMILES: "(Planck18)", "(SMILES", "(CCO)".
        while token.startswith("(") and token.endswith(")"):
            token = token[1:-1]
        if token.count("(") > token.count(")"):
            token = token.removeprefix("(")
        if token.count(")") > token.count("("):
            token = token.removesuffix(")")
        if len(token) >= 6 and _STRUCTURE_MARKS & set(token) and not _ADDUCT.match(token):
            found.add(token)
    return found


def _quantities(text: str) -> set[str]:
    """Coordinates, dates, redshifts and numbers with a unit, normalised (no spaces, one minus sign)."""
    text = text.replace("\u2212", "-")
    found = {re.sub(r"\s", "", m) for m in _SEXAGESIMAL.findall(text)}
    found |= set(_DATE.findall(text))
    found |= {f"z={z}" for z in _REDSHIFT.findall(text)}
    for match in _QUANTITY.finditer(text):
        number = match.group(1)
        # "2 °C", "1 Jy": single small integers are too common to mean a shared input.
        if "." in number or len(number) >= 3:
            found.add(re.sub(r"\s", "", match.group()).replace("deg", "°").lstrip("+"))
    return found


def inputs(text: str) -> set[str]:
    """Everything in ``text`` that identifies a task's input: structures, sequences and quantities."""
    return _structures(text) | set(_SEQUENCE.findall(text)) | _quantities(text)


def _suite(name: str) -> Suite:
    return load_suite(TASKS / name)


def _inputs_by_task(suite: Suite) -> dict[str, set[str]]:
    return {task.id: inputs(task.question_text) for task in suite.tasks}


@pytest.mark.parametrize("name", ["dev.jsonl", "test.jsonl", "quick.jsonl"])
def test_suite_parses_without_problems(name):
    suite = _suite(name)
    assert suite.problems == []
    assert suite.tasks
    assert all(task.check is not None for task in suite.tasks)


def test_test_suite_size_and_domains():
    suite = _suite("test.jsonl")
    per_domain = Counter(task.domain for task in suite.tasks)
    assert len(suite.tasks) >= 45
    assert set(per_domain) == set(DOMAINS)
    assert all(per_domain[domain] >= 15 for domain in DOMAINS), per_domain
    prefixes = {"chemistry": "test-chem-", "biology": "test-bio-", "astronomy": "test-astro-"}
    assert all(task.id.startswith(prefixes[task.domain]) for task in suite.tasks)
    # A few multi-turn tasks judged on the kernel's state, as in dev.
    assert sum(len(task.turns) > 1 and task.check.type == "python" for task in suite.tasks) >= 3


def test_extractors_find_inputs():
    text = (
        "Ibuprofen (SMILES CC(C)Cc1ccc(cc1)C(C)C(=O)O) [M+H]+ in ATGCGGCTAGCC at RA 10h45m03.59s, "
        "Dec \u221259°41\u203204.26\u2033, 88.7929°, 21.106 cm, z = 0.5, redshift 2, on 2024-03-20 (Planck18), 2 °C"
    )
    found = inputs(text)
    assert {"CC(C)Cc1ccc(cc1)C(C)C(=O)O", "ATGCGGCTAGCC", "10h45m03.59", "-59°41\u203204.26", "88.7929°"} <= found
    assert {"21.106cm", "z=0.5", "z=2", "2024-03-20"} <= found
    assert not {"(Planck18)", "Planck18", "(SMILES", "[M+H]+", "2°C"} & found


def test_test_suite_shares_no_input_with_dev():
    dev = set().union(*_inputs_by_task(_suite("dev.jsonl")).values())
    shared = {tid: sorted(found & dev) for tid, found in _inputs_by_task(_suite("test.jsonl")).items() if found & dev}
    assert shared == {}


def test_test_suite_questions_are_not_dev_questions():
    dev = {" ".join(turn.lower().split()) for task in _suite("dev.jsonl").tasks for turn in task.turns}
    test = {" ".join(turn.lower().split()) for task in _suite("test.jsonl").tasks for turn in task.turns}
    assert not dev & test


def test_test_suite_shares_no_input_with_worked_examples():
    """The worked examples are tuning material too: the held-out inputs must not show up in them."""
    files = sorted((ROOT / "domain_tools" / "examples").glob("*.y*ml"))
    if not files:
        pytest.skip("no worked-example files")
    examples = set().union(*(inputs(path.read_text(encoding="utf-8")) for path in files))
    shared = {tid: sorted(found & examples) for tid, found in _inputs_by_task(_suite("test.jsonl")).items()}
    assert {tid: found for tid, found in shared.items() if found} == {}


# -- the benchmark scripts' suite ------------------------------------------------------------------------------


def test_quick_suite_has_five_tasks_per_domain_and_the_engine_figures_five_of_them():
    """benchmarks/harness.py runs the whole quick suite; benchmarks/engine.py five of its tasks, by id."""
    suite = _suite("quick.jsonl")
    assert Counter(task.domain for task in suite.tasks) == dict.fromkeys(DOMAINS, 5)
    engine = (ROOT / "benchmarks" / "engine.py").read_text(encoding="utf-8")
    named = set(re.findall(r'"(quick-[a-z0-9-]+)"', engine))
    assert len(named) == 5 and named <= {task.id for task in suite.tasks}


def test_benchmark_harness_scores_with_the_eval_check(tmp_path, cli_env):
    """The harness runs a suite through sciwand eval's runner: its records are judged by ``check_answer``."""
    suite = tmp_path / "one.jsonl"
    suite.write_text(_lines("quick.jsonl")[-1] + "\n")
    [task] = load_suite(suite).tasks
    replies = tmp_path / "replies.json"
    # Off by 0.001 day: the old benchmark scorer's 0.02 % took anything within 492 days; the task's check, 0.0005.
    replies.write_text(json.dumps([python_block("print(2460310.501)"), "Final answer: JD 2460310.501"] * 4))
    out = tmp_path / "out"
    argv = [sys.executable, "-m", "benchmarks.harness", str(suite), "--variants", "full", "--out", str(out)]
    completed = subprocess.run(
        [*argv, "--model", f"scripted:{replies}"],
        cwd=ROOT,
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    [record] = read_results(out / "full")
    verdict = check_answer(task.check, record["answer"], task.question_text)
    assert record["expected"] == task.check.to_dict() and record["detail"] == verdict.detail
    assert record["ok"] is verdict.ok and record["answer"] == "JD 2460310.501" and not verdict.ok
    assert re.search(r"^full\s+0/1\s", completed.stdout, re.MULTILINE), completed.stdout


def _lines(name: str) -> list[str]:
    return [line for line in (TASKS / name).read_text(encoding="utf-8").splitlines() if line.strip()]
