"""The worked-example bank: every example re-executes to its stored output, reads its answer from it, shares
no molecule, sequence or position with the benchmark tasks, and is found for the questions it should teach."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from astropy import units as u
from astropy.coordinates import Angle
from rdkit import Chem

from assistant.engine.examples import BUDGET_CHARS, answer_numbers_missing, render, retrieve
from assistant.engine.literals import find_literals
from assistant.engine.numbers import numbers_in
from assistant.runs.examples_run import ExampleError, problems, run_domains
from domain_tools.examples import DOMAINS, FIELDS, Example, load, load_all

EXAMPLES = load_all()
TASK_FILES = sorted((Path(__file__).parent.parent / "benchmarks" / "tasks").glob("*.jsonl"))
_BOUND_NAME = re.compile(r"\b(?:smiles|dna|rna|protein|ra|dec|coord|z|time|wavelength|frequency|energy|flux|velocity"
                         r"|angle|distance)_\d+\b")  # fmt: skip


def _tasks() -> list[dict]:
    return [json.loads(line) for path in TASK_FILES for line in path.read_text().splitlines() if line.strip()]


# -- (a) every example executes to its stored output ---------------------------------------------------


@pytest.fixture(scope="module")
def executed() -> dict[str, str | ExampleError]:
    """Each example's fresh output by id: one kernel per domain, the domains at once."""
    outcomes = run_domains({domain: load(domain) for domain in DOMAINS})
    return {e.id: outcome for domain in DOMAINS for e, outcome in zip(load(domain), outcomes[domain], strict=True)}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda example: example.id)
def test_example_reproduces_its_stored_output(executed, example: Example):
    outcome = executed[example.id]
    assert not isinstance(outcome, ExampleError), str(outcome)
    assert outcome == example.output, "stale output: run `python -m assistant.runs.examples_refresh refresh`"
    assert problems(example) == []


def test_answer_numbers_are_read_from_the_output_with_rounding():
    assert answer_numbers_missing("206.28 g/mol", "MolWt : 206.2850 g/mol") == []  # a tie may round down
    assert answer_numbers_missing("206.29 g/mol", "MolWt : 206.2850 g/mol") == []  # ... or up
    assert answer_numbers_missing("1.2705e11 M_sun/Mpc3", "127052815397.49832 solMass / Mpc3") == []
    assert answer_numbers_missing("C8H9NO2, 3 rings", "C8H9NO2\nrings : 3") == []
    assert answer_numbers_missing("206.3 g/mol", "206.2 g/mol") == [206.3]
    assert answer_numbers_missing("5 bonds", "4.4") == [5.0]  # 4.4 rounds to 4, not 5


# -- (b) the bank's shape ------------------------------------------------------------------------------


def test_bank_size_and_fields():
    assert len(EXAMPLES) >= 150
    for domain in DOMAINS:
        assert sum(example.domain == domain for example in EXAMPLES) >= 50, domain
    ids = [example.id for example in EXAMPLES]
    assert len(ids) == len(set(ids)), "duplicate ids"
    for example in EXAMPLES:
        assert all(getattr(example, name).strip() for name in FIELDS), example.id
        # short enough to copy; a composed analysis (a loop, an argmax, a unit change) may take up to eight
        assert 1 <= len(example.code.strip().splitlines()) <= 8, f"{example.id}: code should be 1-8 lines"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda example: example.id)
def test_code_uses_only_names_its_question_binds(example: Example):
    bound = {literal.name for literal in find_literals(example.question)}
    assert set(_BOUND_NAME.findall(example.code)) <= bound, f"bound: {sorted(bound)}"


# -- (c) no overlap with the benchmark tasks ---------------------------------------------------------------


def _degrees(kind: str, text: str) -> float:
    unit = u.hourangle if kind == "ra" and "h" in text else u.deg
    return round(Angle(text, unit=unit).deg, 4)


# Values every question of a family quotes: the A280 wavelength is the measurement, not a choice.
_CONVENTIONS = frozenset({("wavelength", "280 * u.Unit('nm')")})


def _identities(text: str) -> set[tuple[str, object]]:
    """What must not be shared: canonical SMILES, sequences, RA/Dec values (degrees, 1e-4 precision), and
    redshifts, dates and quantities (as bound)."""
    found: set[tuple[str, object]] = set()
    for literal in find_literals(text):
        if literal.kind == "smiles":
            mol = Chem.MolFromSmiles(literal.text)
            found.add(("smiles", Chem.MolToSmiles(mol) if mol is not None else literal.text))
        elif literal.kind in ("dna", "rna", "protein"):
            found.add(("sequence", literal.text))
        elif literal.kind in ("ra", "dec"):
            found.add((literal.kind, _degrees(literal.kind, literal.text)))
        elif literal.kind != "coord":
            found.add((literal.kind, literal.code))
    return found - _CONVENTIONS


def test_task_files_are_found():
    assert any(path.name == "dev.jsonl" for path in TASK_FILES)


def test_examples_share_no_molecule_sequence_coordinate_or_value_with_tasks():
    taken: dict[tuple[str, object], str] = {}
    for task in _tasks():
        for turn in task["turns"]:
            taken.update(dict.fromkeys(_identities(turn), task["id"]))
    shared = [
        f"{example.id} shares {identity} with {taken[identity]}"
        for example in EXAMPLES
        for identity in _identities(example.question)
        if identity in taken
    ]
    assert shared == []


def test_retrieved_examples_do_not_hand_a_task_its_expected_number():
    """An example found for a task must not show that task's answer: the model would copy, not compute."""
    leaks = []
    for task in _tasks():
        check = task["check"]
        if check.get("type") != "number":
            continue
        expected = float(check["value"])
        tolerance = max(float(check.get("tol", 0)), float(check.get("rel", 0)) * abs(expected), 1e-9 * abs(expected))
        for example in retrieve(task["turns"][-1]):
            if any(abs(number - expected) <= tolerance for number in numbers_in(example.answer)):
                leaks.append(f"{example.id} answers {example.answer!r}; task {task['id']} expects {expected}")
    assert leaks == []


# -- (d) retrieval and rendering -----------------------------------------------------------------------

RETRIEVAL_CASES = [
    ("What is the monoisotopic mass of CC(=O)Nc1ccc(OCC)cc1 in Da?", r"chem\.profile|ExactMolWt"),
    ("Give me the reverse complement of ACGTTGCAAGGCT.", r"reverse_complement|dna_profile"),
    ("What is the luminosity distance to z = 0.33 in Planck18?", r"cosmology_at|luminosity_distance"),
    ("How old was the universe at redshift 7?", r"cosmology_at|\.age\("),
    ("How many rotatable bonds does CCOC(=O)CCN have?", r"NumRotatableBonds|chem\.profile"),
    ("Tanimoto similarity of the Morgan fingerprints of CCO and CCN?", r"tanimoto|TanimotoSimilarity"),
    ("Translate ATGGCATGAAAATAG with the vertebrate mitochondrial code.", r"table=2"),
    ("What is the isoelectric point of the peptide MKRWEDLLK?", r"isoelectric_point|protein_profile"),
    ("How far apart are RA 10.5°, Dec +3.2° and RA 11.0°, Dec +2.9° on the sky?", r"separation|astro\.sky"),
    ("What is the Julian date of 2019-05-04 18:00 UTC?", r"astro\.when|\.jd"),
    ("Convert a wavelength of 850 um to GHz.", r"spectral|astro\.convert"),
    ("How many EcoRI sites are in GAATTCGGAATTCAA?", r"restriction|digest|dna_profile"),
]


@pytest.mark.parametrize(("question", "pattern"), RETRIEVAL_CASES, ids=[case[0][:40] for case in RETRIEVAL_CASES])
def test_retrieval_finds_an_example_of_the_family(question: str, pattern: str):
    found = retrieve(question, k=2)
    assert found, "nothing retrieved"
    assert any(re.search(pattern, example.code) for example in found), [example.id for example in found]


def test_literals_point_retrieval_to_their_domain():
    assert retrieve("What is the molecular weight of GATTCAGGCTTA?", k=1)[0].domain == "biology"
    assert retrieve("What is the molecular weight of CCN(CC)CCO?", k=1)[0].domain == "chemistry"
    assert retrieve("", k=2) == []


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda example: example.id)
def test_render_fits_the_budget_and_keeps_code_and_answer(example: Example):
    text = render([example])
    assert 0 < len(text) <= BUDGET_CHARS
    assert example.code.strip() in text
    assert f"Final answer: {example.answer}" in text
    assert answer_numbers_missing(example.answer, text.split("Output:")[1]) == [], "the clipped output lost the answer"


def test_render_of_two_examples_stays_within_budget():
    for question, _ in RETRIEVAL_CASES:
        found = retrieve(question, k=2)
        text = render(found)
        assert 0 < len(text) <= BUDGET_CHARS
        assert found[0].code.strip() in text and f"Final answer: {found[0].answer}" in text
        assert text.startswith("Worked example")
    assert render([]) == ""


def test_retrieval_imports_no_scientific_library():
    code = (
        "import sys; from assistant.engine.examples import render, retrieve; "
        "render(retrieve('monoisotopic mass of CCO')); "
        "print(sorted(m for m in ('rdkit', 'astropy', 'Bio') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.strip() == "[]"
