"""The registry of quantities (domain_tools/quantities) and what the harness reads from it: which quantity a
question asks for, whether a helper's table runs first, and the checks an answer must then pass.

Each registry row names an answer helper's label or a call; both are executed here against the real
libraries, so a renamed row or a broken call fails a test, not a user's question.
"""

from __future__ import annotations

import ast
from types import SimpleNamespace

import pytest

from assistant.engine.checks import restate, review, variant_problem
from assistant.engine.literals import dropped_units, find_literals
from assistant.engine.question import assigned_names, read_question
from assistant.inkernel.namespace import peek_variables
from domain_tools.quantities import KINDS, quantities, words

QUANTITIES = quantities()


def _helper_outputs() -> dict[str, str]:
    """Every answer helper's printed table for one representative input."""
    from domain_tools import astronomy as astro
    from domain_tools import biology as bio
    from domain_tools import chemistry as chem

    dna = "ATGGCTGAATTCAAAGGCCTTGCTGCTGCAGCTGGATCCAAGAAATAG" * 3
    return {
        "chem.profile": str(chem.profile("CC(=O)Oc1ccccc1C(=O)O")),
        "bio.dna_profile": str(bio.dna_profile(dna)),
        "bio.protein_profile": str(bio.protein_profile("MKWVTFISLLFLFSSAYSCGEHKLR")),
        "astro.sky": str(astro.sky(astro.coord(10.68, 41.27), astro.coord(83.82, -5.39))),
        "astro.cosmology_at": str(astro.cosmology_at(0.5)),
        "astro.when": str(astro.when("2024-03-20 03:06")),
    }


def test_the_registry_covers_each_domain_with_rows_and_calls():
    for domain in ("chemistry", "biology", "astronomy"):
        mine = [q for q in QUANTITIES if q.domain == domain]
        assert sum(bool(q.helper) for q in mine) >= 15 and sum(bool(q.call) for q in mine) >= 8, domain
    assert {q.kind for q in QUANTITIES} <= set(KINDS)


def test_every_helper_row_of_the_registry_is_printed_with_its_label():
    outputs = _helper_outputs()
    for quantity in (q for q in QUANTITIES if q.helper):
        labels = [line.split(" : ", 1)[0].strip() for line in outputs[quantity.helper].splitlines() if " : " in line]
        assert quantity.label in labels, f"{quantity.key}: {quantity.label!r} is not a row of {quantity.helper}"


@pytest.mark.parametrize("quantity", [q for q in QUANTITIES if q.call], ids=lambda q: q.key)
def test_every_call_of_the_registry_is_python(quantity):
    ast.parse(quantity.call)


def test_a_question_maps_to_the_quantity_it_asks_not_its_neighbour():
    sp3 = read_question("How many sp3 carbons does CC(C)Cc1ccc(cc1)C(C)C(=O)O have?")
    assert sp3.quantity.key == "sp3_carbons" and sp3.kind == "count"
    assert sp3.helper is None  # the profile's Fsp3 row would answer a neighbouring question
    fsp3 = read_question("What is the Fsp3 of CCCCO?")
    assert fsp3.quantity.key == "fsp3" and fsp3.helper == "chem.profile"
    mw = read_question("What is the molecular weight of CCO in g/mol?")
    assert (mw.quantity.key, mw.helper, mw.unit) == ("mw", "chem.profile", "g/mol")
    mito = read_question("Translate ATGGCTTGAGCCTAA with the vertebrate mitochondrial code.")
    assert mito.quantity.key == "translation_other_table" and mito.helper is None


def test_a_distance_in_parsecs_is_bound_with_its_unit_and_never_as_a_redshift():
    facts = read_question("What is the distance modulus of a star at 100 parsecs?")
    assert [(lit.name, lit.code) for lit in facts.literals] == [("distance_1", "100 * u.Unit('pc')")]
    assert facts.matches[0].quantity.key == "distance_modulus" and facts.helper is None  # not the row at a z


def test_how_many_followed_by_a_unit_is_not_a_count():
    facts = read_question("How many millimoles are in 1.5 g of it?")
    assert facts.kind != "count" and facts.quantity.key == "moles"


def test_a_count_never_becomes_a_non_integer_by_repair():
    rows = "  rings (all, smallest set of smallest rings) : 3\n  logP (Wildman-Crippen MolLogP) : 3.0365\n"
    question = "How many rings does c1ccc2ccccc2c1C1CC1 have?"
    assert review(question, "3", rows).answer == "3"  # not the logP row's 3.0365, which rounds to it
    verdict = review(question, "3.0365", rows)
    assert verdict.kind == "kind" and "count" in verdict.problem


def test_digits_come_only_from_the_row_the_answer_was_read_from():
    rows = "  Fsp3 (fraction of sp3 carbons) : 0.4615\n  QED drug-likeness (0-1) : 0.4612\n"
    assert review("What is the Fsp3 of CC(C)Cc1ccc(cc1)C(C)C(=O)O?", "0.46", rows).answer == "0.4615"


def test_an_answer_keeps_the_precision_the_question_asks_for():
    rows = "  monoisotopic mass (ExactMolWt) : 194.080376 Da\n  average molecular weight (MolWt) : 194.1940 g/mol\n"
    asked = "What is the monoisotopic mass of Cn1cnc2c1c(=O)n(C)c(=O)n2C? Give it to four decimal places."
    verdict = review(asked, "194.08 Da", rows)  # fewer digits than asked: the row's, rounded as asked
    assert verdict.answer == "194.0804 Da" and "4 decimals asked" in verdict.note
    assert review(asked, "194.080376 Da", rows).answer == "194.0804 Da"  # more digits than asked: rounded
    assert review(asked.replace("four decimal places", "3 significant figures"), "194.08 Da", rows).answer == "194 Da"
    assert review(asked.split("?")[0] + "?", "194.08 Da", rows).answer == "194.080376 Da"  # none asked: all kept
    assert read_question("Give it as a decimal, in decimal degrees.").precision is None


def test_an_implausible_value_goes_back_with_the_inputs_units_named():
    question = "What is the GC content of ATGGCCGCGTTAGC, in percent?"
    verdict = review(question, "142.86 %", "142.86")
    assert verdict.kind == "range" and "its own unit" in verdict.problem
    assert review(question, "64.29 %", "64.29").problem is None


def test_the_answer_is_read_from_the_registry_row_asked_for():
    rows = "  aromatic rings : 1\n  rings (all, smallest set of smallest rings) : 2\n"
    verdict = review("How many aromatic rings does c1ccccc1C1CCCC1 have?", "2", rows)
    assert verdict.kind == "quantity" and "'aromatic rings' (1)" in verdict.problem


def test_the_variant_the_question_names_must_be_in_the_code():
    question = "Convert 2024-03-20 12:00 UTC to TCB."
    assert "TCB" in variant_problem(question, "print(time_1.tdb.iso)", "2024-03-20 12:01:09.184")
    assert variant_problem(question, "print(time_1.tcb.iso)", "2024-03-20 12:01:09") is None
    circular = "How many fragments does EcoRI give from the circular plasmid dna_1?"
    assert variant_problem(circular, "bio.digest(dna_1, 'EcoRI')", "[120, 80]") is not None
    assert variant_problem(circular, "bio.digest(dna_1, 'EcoRI', linear=False)", "[200]") is None
    helper_row = "  TT, terrestrial time (ISO) : 2024-03-20 12:01:09.184\n"  # the helper printed it: fine
    assert variant_problem("What is 2024-03-20 12:00 UTC in TT?", "print(astro.when(time_1))", helper_row) is None


def test_a_listed_set_is_bound_as_one_collection():
    names = "ethanol benzene phenol toluene glycerol anisole pyridine furan thiophene indole aniline styrene"
    smiles = "CCO c1ccccc1 Oc1ccccc1 Cc1ccccc1 OCC(O)CO COc1ccccc1 c1ccncc1 c1ccoc1 c1ccsc1 c1ccc2[nH]ccc2c1"
    names, smiles = names.split(), [*smiles.split(), "Nc1ccccc1", "C=Cc1ccccc1"]
    listed = ", ".join(f"{n} {s}" for n, s in zip(names, smiles, strict=True))
    (literal,) = find_literals(f"Which of these has the highest TPSA: {listed}?")
    assert literal.name == "molecules_1" and eval(literal.code) == dict(zip(names, smiles, strict=True))
    assert "dict of 12" in literal.shown() and "smiles_" not in literal.shown()
    for said in ("{name}: {smiles}", "{name} = {smiles}", "{name} ({smiles})"):  # labels as prose writes them
        listed = "; ".join(said.format(name=n, smiles=s) for n, s in zip(["uric acid", *names], smiles, strict=False))
        (literal,) = find_literals(f"Panel for the screen. SMILES: {listed}. Which two are most alike?")
        assert list(eval(literal.code))[:2] == ["uric acid", "ethanol"], literal.code
    times = ", ".join(f"2024-01-{day:02d} 00:00" for day in range(1, 17))
    (stamps,) = find_literals(f"Fold these timestamps on a 2.5 d period: {times}.")
    assert stamps.name == "times_1" and stamps.code.startswith("Time([") and stamps.code.count("2024-01-") == 16


def test_a_variable_the_question_asks_for_is_not_read_as_a_smiles():
    assert find_literals("Make a list called cnos of the numbers 1 to 3.") == []


def test_a_follow_up_names_the_variables_it_refers_to():
    made = set(assigned_names(["mols = {'a': 1}", "x, (y, z) = 1, (2, 3)", "for i in range(3): pass"]))
    assert made == {"mols", "x", "y", "z"}
    facts = read_question("Which of mols has the highest logP?", made=made)
    assert facts.variables == ("mols",) and facts.collection


def test_the_peek_shows_type_size_and_first_items():
    shell = SimpleNamespace(user_ns={"mols": {f"m{i}": "C" * i for i in range(1, 7)}, "n": 3}, user_ns_hidden={})
    text = peek_variables(shell, ["mols", "missing"])
    assert "- mols: dict of 6" in text and "'m1': 'C'" in text and "(2 more)" in text and "missing" not in text


def test_the_unit_words_are_data():
    assert words().units["parsecs"] == "pc" and words().input_units["parsecs"] == "distance"


def test_a_bound_quantity_typed_without_its_unit_is_noticed():
    literals = find_literals("What is the distance modulus of a star at 100 parsecs?")
    assert [lit.name for lit in dropped_units("print(Planck18.distmod(100))", literals)] == ["distance_1"]
    assert dropped_units("print(5 * np.log10(distance_1 / (10 * u.pc)))", literals) == []
    assert dropped_units("d = 100 * u.pc\nprint(5 * np.log10(d / (10 * u.pc)))", literals) == []


def test_these_points_at_what_the_last_question_made():
    facts = read_question("Which of these has the highest logP?", made={"mols", "x"}, made_last=["mols"])
    assert facts.variables == ("mols",) and facts.collection and facts.set_names == ["mols"]
    assert read_question("What is the logP of CCO?", made={"mols"}, made_last=["mols"]).variables == ()


def test_a_linear_molecule_must_not_be_cut_as_a_circular_one():
    question = "How many fragments does EcoRI give from the linear DNA dna_1?"
    assert "linear=False" in variant_problem(question, "print(bio.digest(dna_1, 'EcoRI', linear=False))", "[3, 4]")
    assert variant_problem(question, "print(bio.digest(dna_1, 'EcoRI'))", "[3, 4]") is None


def test_a_restated_answer_says_what_it_is_once():
    assert review("How many rings does c1ccccc1 have?", "1", "  aromatic rings : 1").answer == "1"
    facts = read_question("What is the monoisotopic mass of CCO?")
    assert restate("46.0419 Da", facts) == "46.0419 Da [monoisotopic mass]"
    assert restate("46.0419 Da (monoisotopic)", facts) == "46.0419 Da (monoisotopic)"


def test_a_rounded_answer_keeps_the_printed_digits_through_a_unit_change():
    verdict = review("What frequency in MHz is a wavelength of 21.106 cm?", "1.42 GHz", "1.4204134274613853 GHz")
    assert verdict.answer.startswith("1420.413 MHz")


def test_a_right_answer_is_not_sent_to_a_neighbouring_row():
    rows = "  TAI - UTC (leap seconds) : 37.000 s\n  TT - UTC : 69.184 s\n"
    assert review("By how many seconds did TT lead UTC on 2024-01-01?", "69.184 s", rows).problem is None


def test_one_stray_word_names_no_quantity():
    facts = read_question("Fix the error in this cell: run the corrected code.")  # "code", as in "genetic code"
    assert facts.quantity is None and facts.kind is None and facts.helper is None
    assert read_question("How many stereocentres does CC(N)C(=O)O have?").quantity.key == "stereocentres"
