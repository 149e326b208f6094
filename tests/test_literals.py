"""Literal binding: what a question quotes becomes kernel variables, and retyped copies are repaired."""

from __future__ import annotations

from assistant.engine.literals import binding_code, describe, find_literals, repair_borrowed, repair_copies


def kinds(question: str) -> dict[str, str]:
    return {literal.name: literal.text for literal in find_literals(question)}


def test_smiles_and_sequences_are_found_without_the_prose_around_them():
    found = kinds("How similar are acetanilide (CC(=O)Nc1ccccc1) and [Na+].[O-]C(=O)C, SMILES: OCC?")
    assert found == {"smiles_1": "CC(=O)Nc1ccccc1", "smiles_2": "[Na+].[O-]C(=O)C", "smiles_3": "OCC"}
    assert kinds("GC content of ATGCGTTAGCAT and the mRNA AUGGCCUAA?") == {
        "dna_1": "ATGCGTTAGCAT",
        "rna_1": "AUGGCCUAA",
    }
    assert kinds("What is the pI of the peptide WKRSTYY?") == {"protein_1": "WKRSTYY"}


def test_words_formulas_and_ions_are_not_smiles_or_sequences():
    question = "Give the [M+H]+ m/z, the formula C8H10N4O2, CO2 and COOH in ICRS, per SMILES and FASTA rules."
    assert kinds(question) == {}
    assert kinds("Which CHARGE STATE is it?") == {}  # short all-caps words are not peptides without context


def test_coordinates_times_redshifts_and_quantities():
    question = (
        "A star at RA 10h45m03.59s, Dec \u221259\u00b041\u203204.26\u2033 and one at "
        "RA 88.7929\u00b0, Dec +7.4071\u00b0; "
        "a galaxy at redshift 0.42 seen 2025-02-03 04:05 UTC emits at 656.28 nm and 1.4 GHz."
    )
    found = {literal.name: literal.code for literal in find_literals(question)}
    assert found["ra_1"] == "'10h45m03.59s'"
    assert found["dec_1"] == "'-59d41m04.26s'"
    assert found["ra_2"] == "88.7929 * u.deg"
    assert found["dec_2"] == "7.4071 * u.deg"
    assert found["coord_1"] == "SkyCoord(ra_1, dec_1, frame='icrs')"
    assert found["coord_2"] == "SkyCoord(ra_2, dec_2, frame='icrs')"
    assert found["z_1"] == "0.42"
    assert found["time_1"] == "Time('2025-02-03 04:05', scale='utc')"
    assert found["wavelength_1"] == "656.28 * u.Unit('nm')"
    assert found["frequency_1"] == "1.4 * u.Unit('GHz')"
    # exponents of a unit are not quantities
    assert "wavelength_1" not in kinds("Express 3 Jy in erg s^-1 cm^-2 Hz^-1.")


def test_follow_up_questions_reuse_names_and_number_new_values_after_old_ones():
    first = find_literals("MW of CCN(CC)CC?")
    taken = {literal.code: literal.name for literal in first}
    second = find_literals("Compare CCN(CC)CC with c1ccncc1", taken)
    assert [(lit.name, lit.text) for lit in second] == [("smiles_1", "CCN(CC)CC"), ("smiles_2", "c1ccncc1")]


def test_binding_code_runs_in_a_preamble_kernel(kernel):
    literals = find_literals("At RA 00h12m30s, Dec +05d06m07s and z = 0.3, a 2.5 keV photon and ACGTTGCA.")
    result = kernel.execute(
        f"from domain_tools.preamble import *\n{binding_code(literals)}\n"
        "print(round(coord_1.ra.deg, 6), z_1, energy_1.to(u.eV), dna_1)",
        timeout=120,
    )
    assert result.ok, result.error
    printed = "".join(output.text or "" for output in result.outputs)
    assert printed.split() == ["3.125", "0.3", "2500.0", "eV", "ACGTTGCA"]


def test_long_values_are_clipped_in_the_prompt_but_bound_in_full():
    protein = "MKWVTFISLLLLFSSAYSRGVFRRDTHKSEIAHRFKDLGEEHFKGLVLIAFSQYLQQCPFDEH"
    (literal,) = find_literals(f"Molecular weight of {protein}?")
    assert protein in binding_code([literal])
    assert protein not in describe([literal]) and f"{len(protein)} aa" in describe([literal])


def test_near_miss_copies_are_replaced_by_the_name_exact_copies_kept():
    literals = find_literals("Caffeine is Cn1cnc2c1c(=O)n(C)c(=O)n2C; and GATTACAGGCTTACCGAT?")
    code = 'm = Chem.MolFromSmiles("CCn1cnc2c1c(=O)n(C)c(=O)n2C")\ns = Seq("GATTACAGGCTTACCGAT")\nx = "unrelated text"'
    repaired, repairs = repair_copies(code, literals)
    assert repaired.splitlines()[0] == "m = Chem.MolFromSmiles(smiles_1)"
    assert repaired.splitlines()[1:] == code.splitlines()[1:]
    assert repairs == [("CCn1cnc2c1c(=O)n(C)c(=O)n2C", "smiles_1")]


def test_prose_that_looks_like_smiles_is_left_alone():
    assert kinds("Search NCBI for ISO, PBS, SNP and CNS data on COC and CCO") == {"smiles_1": "COC", "smiles_2": "CCO"}
    assert kinds("Where is the C=C double bond of C=CC(=O)O?") == {"smiles_1": "C=CC(=O)O"}
    assert kinds("the peptides WKRSTYY and NDQE") == {"protein_1": "WKRSTYY"}
    found = kinds("A star at right ascension 201.2983°, declination -11.1613°")
    assert found["ra_1"] == "201.2983" and found["dec_1"] == "-11.1613"


def test_an_example_value_copied_into_code_becomes_the_questions_own():
    question = "What is RDKit's canonical SMILES for CCOC(C)=O?"
    prompt = 'Example: print(Chem.MolToSmiles(Chem.MolFromSmiles("CC(C)O")))\n\n' + question
    literals = find_literals(question)
    code = 'print(Chem.MolToSmiles(Chem.MolFromSmiles("CC(C)O")))\nprint("CCOC(C)=O", "other text")'
    repaired, repairs = repair_borrowed(code, question, prompt, literals)
    assert repaired == 'print(Chem.MolToSmiles(Chem.MolFromSmiles(smiles_1)))\nprint("CCOC(C)=O", "other text")'
    assert repairs == [("CC(C)O", "smiles_1")]
    two = find_literals("Compare CCOC(C)=O with CCCCCO")  # which one the model meant is unknown: left alone
    assert repair_borrowed(code, "Compare CCOC(C)=O with CCCCCO", prompt, two)[1] == []
