"""Answer checks (grounding, unit, quantity), votes on executed results, and the install gate."""

from __future__ import annotations

import pytest

from assistant.engine.checks import convert, grounded, labelled_rows, requested_unit, review
from assistant.engine.installs import installs_packages
from assistant.engine.vote import Candidate, majority, value_of

PROFILE = """chem.profile of CC(=O)Nc1ccccc1
  average molecular weight (MolWt) : 135.166 g/mol
  monoisotopic mass (ExactMolWt)   : 135.0684 Da
  rings (all)                      : 1
  aromatic rings                   : 1
  rotatable bonds                  : 1
  ring systems                     : 1
  stereocentres (incl. unassigned) : 0
  heavy atoms                      : 10
"""


def test_requested_units_are_read_from_the_question():
    assert requested_unit("What is its average molecular weight in kDa?") == "kDa"
    assert requested_unit("the luminosity distance at z = 0.3, in Mpc?") == "Mpc"
    assert requested_unit("What is the GC content, as a percentage?") == "%"
    assert requested_unit("Give the Modified Julian Date of 2025-01-01.") == "MJD"
    assert requested_unit("What is the comoving volume out to z = 0.8 in cubic gigaparsecs?") == "Gpc3"
    assert requested_unit("How many heavy atoms does it have?") is None
    assert requested_unit("Give it in km and in pc") is None  # two units: no single request


def test_exact_conversions_and_the_ones_refused():
    assert convert(17170.25, "Da", "kDa") == pytest.approx(17.17025, rel=1e-12)
    assert convert(206.28, "Da", "g/mol") == pytest.approx(206.28)  # a molar mass in g/mol is a mass in Da
    assert abs(convert(6791.27, "Mpc", "Gpc") - 6.79127) < 1e-12
    assert convert(2460389.629167, "JD", "MJD") == pytest.approx(60389.129167, abs=1e-9)
    assert convert(1.0, "nm", "THz") is None  # needs an equivalency: not a change of unit


def test_an_answer_in_the_wrong_unit_is_converted_from_the_row_it_came_from():
    outputs = "  molecular weight : 17170.2508 Da\n  molecular weight : 17.1702508 kDa-ish\n"
    verdict = review("What is the average molecular weight of this protein in kDa?", "17170.2508", outputs)
    assert verdict.problem is None
    assert verdict.answer.startswith("17.1702508 kDa")
    verdict = review("What is the MJD of 2025-03-20 03:06 UTC?", "2460754.629167", "2460754.629167")
    assert verdict.answer.startswith("60754.129167 MJD")


def test_a_fraction_asked_as_a_percentage_is_converted():
    verdict = review("What is the GC content of ACGTTTGC as a percentage?", "0.5", "0.5")
    assert verdict.answer.startswith("50 %") and verdict.problem is None


def test_an_unconvertible_unit_goes_back_to_the_model():
    verdict = review("What frequency is that, in GHz?", "0.21 m", "0.21 m")
    assert verdict.kind == "unit" and "GHz" in (verdict.problem or "")


def test_a_number_not_in_any_output_goes_back_and_rounding_is_allowed():
    assert grounded(135.17, "135.17", PROFILE)
    assert grounded(6.79, "6.79", "D_L : 6791.27 Mpc")  # a unit prefix away
    verdict = review("What is the molecular weight of acetanilide?", "150.2 g/mol", PROFILE)
    assert verdict.kind == "grounding"
    assert review("What is the molecular weight of acetanilide?", "135.17 g/mol", PROFILE).problem is None


def test_an_answer_read_from_the_wrong_row_goes_back():
    question = "How many stereocentres does acetanilide have?"
    assert review(question, "1", PROFILE).kind == "quantity"  # the rings row, not the stereocentres row
    assert review(question, "0", PROFILE).problem is None
    question = "What is the monoisotopic mass of acetanilide?"
    verdict = review(question, "135.166 Da", PROFILE)
    assert verdict.kind == "quantity" and "monoisotopic mass" in (verdict.problem or "")
    assert review(question, "135.0684 Da", PROFILE).problem is None


def test_text_answers_are_not_checked():
    assert review("What is the formula of CCO?", "C2H6O", "C2H6O").problem is None


def test_labelled_rows_and_the_value_an_output_gives():
    rows = labelled_rows(PROFILE)
    assert rows[0].label == "average molecular weight (MolWt)" and rows[0].value == 135.166 and rows[0].unit == "g/mol"
    assert value_of(PROFILE, "how many aromatic rings", "sample 1").value == 1
    assert value_of(PROFILE, "What is the monoisotopic mass?", "s").text == "135.0684"
    assert value_of("the answer is 42.5\n", "What is it?", "s").value == 42.5


def test_majority_needs_agreement_of_more_than_half():
    a, b, c = (Candidate(v, str(v), "", f"s{i}") for i, v in enumerate((3.0365, 3.04, 3.0366)))
    assert majority([a, b, c]).votes == 2
    assert majority([a, c]) is None
    assert majority([a]) is None


def test_package_installs_are_spotted():
    for code in (
        "!pip install rdkit",
        "%pip install -q biopython",
        "import subprocess\nsubprocess.run(['pip', 'install', 'x'])",
        "os.system('pip install x')",
        "subprocess.check_call([sys.executable, '-m', 'pip', 'install', 'x'])",
        "!conda install -y x",
    ):
        assert installs_packages(code), code
    for code in ("print('pipeline')", "pipette = 3", "x = 'install'"):
        assert not installs_packages(code), code


def test_a_rounded_answer_gets_the_digits_the_output_printed():
    assert review("Crippen logP of naproxen?", "3.04", "  logP (Crippen) : 3.0365").answer == "3.0365"
    assert review("MW?", "206.28 g/mol", "206.28499999999997").answer == "206.285 g/mol"
    assert review("MW?", "206.28 g/mol", "206.284 or 206.281").answer == "206.28 g/mol"  # which one is unclear


def test_an_answer_naming_another_quantity_goes_back():
    question = "I need the monoisotopic mass of this molecule. What is it, in Da?"
    assert review(question, "14 heavy atoms", "14").kind == "quantity"
    assert review("How many rotatable bonds does it have?", "4 rotatable bonds", "4").problem is None
    assert review("How many Lipinski criteria does it violate?", "2 violations (logP > 5)", "2").problem is None


def test_a_row_that_shares_no_word_with_the_question_is_doubted():
    rows = "  GRAVY (mean Kyte-Doolittle hydropathy) : 1.9200\n  length : 15 aa\n"
    verdict = review("What percentage of the residues are leucine?", "1.9200", rows)
    assert verdict.kind == "quantity" and "GRAVY" in (verdict.problem or "")


def test_an_unsaid_unit_goes_back_without_a_vote():
    verdict = review("What is the average molecular weight of this protein in kDa?", "17170.2508", "17170.2508")
    assert verdict.kind == "unit" and not verdict.vote
    assert review("What is the mass in kDa?", "17.17 kDa", "17.17").problem is None


def test_a_question_that_asks_for_a_sequence_wants_one_in_the_answer():
    question = "Translate the coding sequence ATGGCCTAA into protein, stopping at the first stop codon."
    verdict = review(question, "10.288976860046386", "10.288976860046386")
    assert verdict.kind == "text" and not verdict.vote and "sequence" in (verdict.problem or "")
    assert review(question, "MA", "MA").problem is None
    assert review("What is its molecular formula?", "C8H9NO2", "C8H9NO2").problem is None
    assert review("What is the canonical SMILES of OCC?", "It is ethanol", "CCO").kind == "text"


def test_decimal_hours_of_right_ascension_asked_in_degrees_are_converted():
    rows = "  RA (ICRS) in decimal hours : 10.750997 h\n  right ascension RA (ICRS) : 161.264958 deg\n"
    verdict = review("RA 10h45m03.59s: what is it in decimal degrees?", "10.750997 h", rows)
    assert verdict.answer.startswith("161.2649") and verdict.note


def test_a_sequence_read_from_the_wrong_row_goes_back():
    rows = "  mRNA (transcript of this coding strand) : AUGAAACCCUAG\n  protein, frame 1 to the first stop : MKP\n"
    verdict = review("What mRNA is transcribed from ATGAAACCCTAG?", "MKP", rows)
    assert verdict.kind == "quantity" and "AUGAAACCCUAG" in (verdict.problem or "") and not verdict.vote
    assert review("Translate ATGAAACCCTAG into protein.", "MKP", rows).problem is None


def test_a_table_votes_for_nothing_a_single_printed_number_does():
    from assistant.engine.vote import value_of

    assert value_of("   site  pos\n0  EcoRI  2\n1  EcoRI  16", "How many EcoRI sites?", "s") is None
    assert value_of("sites: 3\n", "How many EcoRI sites?", "s").value == 3


def test_rows_echoing_the_question_or_in_another_unit_are_not_the_answer():
    rows = "  redshift z : 0.5\n  luminosity distance D_L : 2919.625 Mpc\n"
    assert review("luminosity distance at redshift 0.5, in Mpc?", "2919.625 Mpc", rows).problem is None
    rows = "  right ascension RA (ICRS) : 161.264958 deg\n  RA (ICRS) in decimal hours : 10.750997 h\n"
    assert review("RA 10h45m03.59s in decimal degrees?", "161.264958", rows).problem is None
    assert review("volume out to z = 1, in cubic gigaparsecs?", "164.0 Gpc^3", "  volume : 164.0 Gpc^3").problem is None
