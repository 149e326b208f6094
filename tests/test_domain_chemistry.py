"""The chem helpers against independently known values, on bad input, and the chemistry catalog's shape.

Reference values: average and monoisotopic masses from the IUPAC atomic weights and isotope masses,
formulae and group counts by hand; logP (Wildman-Crippen) and TPSA (Ertl) as published for these molecules.
"""

from __future__ import annotations

import inspect
import math
import re

import pandas as pd
import pytest
from PIL import Image
from rdkit import Chem
from rdkit.Chem import QED, Crippen, Descriptors, Lipinski, rdMolDescriptors

from domain_tools import catalog_chemistry
from domain_tools import chemistry as chem
from domain_tools.catalog import load, select

from conftest import assert_printed_with_units

ASPIRIN = "CC(=O)Oc1ccccc1C(=O)O"
CAFFEINE = "Cn1cnc2c1c(=O)n(C)c(=O)n2C"
IBUPROFEN = "CC(C)Cc1ccc(cc1)C(C)C(=O)O"
CITRIC_ACID = "OC(=O)CC(O)(CC(=O)O)C(=O)O"
HEXATRIACONTANOIC_ACID = "C" * 35 + "C(=O)O"  # C36H72O2: MW 536.97 and logP >> 5, two rule-of-five violations
HEXADECANE = "C" * 16  # logP > 5 only (one violation); 13 rotatable bonds
CARBOXYLIC_ACID = "C(=O)[OX2H1]"
AMIDE_COUPLING = "[C:1](=O)[OH].[N;H2,H1:2]>>[C:1](=O)[N:2]"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def sdf_text(*smiles: str) -> str:
    records = []
    for index, s in enumerate(smiles):
        record = Chem.MolFromSmiles(s)
        record.SetProp("_Name", f"mol{index}")
        record.SetProp("ID", str(index))
        records.append(record)
    return "".join(Chem.MolToMolBlock(m) + f">  <ID>\n{m.GetProp('ID')}\n\n$$$$\n" for m in records)


# --- parsing -------------------------------------------------------------------------------------------


def test_mol_parses_smiles_inchi_and_mol_block_to_the_same_molecule():
    ethanol = chem.mol("CCO")
    from_inchi = chem.mol("InChI=1S/C2H6O/c1-2-3/h3H,2H2,1H3")
    from_block = chem.mol(Chem.MolToMolBlock(ethanol))
    assert {Chem.MolToSmiles(m) for m in (ethanol, from_inchi, from_block)} == {"CCO"}
    assert chem.mol(ethanol) is ethanol


@pytest.mark.parametrize(
    ("smiles", "reason"),
    [
        ("C1CC", "unclosed ring"),
        ("CC(C", "extra open parentheses"),
        ("xyz", "syntax error"),
        ("C(C)(C)(C)(C)C", "Explicit valence for atom # 0 C, 5"),
        ("c1cccc1", "Can't kekulize"),
    ],
)
def test_invalid_smiles_error_names_the_smiles_and_rdkits_reason(smiles, reason):
    with pytest.raises(ValueError, match=re.escape(reason)) as error:
        chem.mol(smiles)
    assert f"invalid SMILES {smiles!r}" in str(error.value)
    assert not re.search(r"\[\d\d:\d\d:\d\d\]", str(error.value))  # no log timestamps


def test_invalid_smiles_leaves_no_rdkit_log_on_stderr(capfd):
    with pytest.raises(ValueError):
        chem.mol("C1CC")
    chem.standardize("CC(=O)[O-].[Na+]")  # rdMolStandardize logs "Running Normalizer" etc. at info level
    chem.embed_3d("Cl[Pt]Cl")  # the UFF typer complains about platinum
    assert capfd.readouterr().err == ""


def test_invalid_inchi_empty_and_non_string_input():
    with pytest.raises(ValueError, match=r"invalid InChI 'InChI=1S/garbage': .*Syntax error"):
        chem.mol("InChI=1S/garbage")
    with pytest.raises(ValueError, match="empty"):
        chem.mol("  ")
    with pytest.raises(TypeError, match="MolFromSmiles returns None"):
        chem.mol(None)
    with pytest.raises(TypeError, match="got int"):
        chem.mol(42)


def test_read_sdf_from_text_and_file_keeps_names_and_fields(tmp_path):
    text = sdf_text("CCO", "c1ccccc1")
    path = tmp_path / "two.sdf"
    path.write_text(text)
    for source in (text, path, str(path)):
        molecules = chem.read_sdf(source)
        assert [Chem.MolToSmiles(m) for m in molecules] == ["CCO", "c1ccccc1"]
        assert [m.GetProp("ID") for m in molecules] == ["0", "1"]
    assert list(chem.descriptors(molecules).index) == ["mol0", "mol1"]


def test_read_sdf_bad_record_missing_file_and_empty_input(tmp_path):
    broken = sdf_text("CCO", "CCN").replace("  3  2  0", "  9  2  0", 1)  # first record claims 9 atoms
    with pytest.raises(ValueError, match=r"^record 1 of SDF text is not a valid molecule: Atom line too short"):
        chem.read_sdf(broken)
    assert [Chem.MolToSmiles(m) for m in chem.read_sdf(broken, skip_invalid=True)] == ["CCN"]
    with pytest.raises(FileNotFoundError, match=r"nope\.sdf"):
        chem.read_sdf(tmp_path / "nope.sdf")
    with pytest.raises(ValueError, match="empty SDF"):
        chem.read_sdf("\n")
    with pytest.raises(ValueError, match="no molecules"):
        chem.read_sdf("$$$$\n", skip_invalid=True)


# --- canonical SMILES and standardisation --------------------------------------------------------------


def test_canonical_smiles_makes_spellings_equal():
    assert chem.canonical_smiles("OCC") == chem.canonical_smiles("C(O)C") == "CCO"
    assert chem.canonical_smiles("C[C@H](N)C(=O)O") == "C[C@H](N)C(=O)O"
    assert chem.canonical_smiles("C[C@H](N)C(=O)O", isomeric=False) == "CC(N)C(=O)O"


def test_standardize_strips_salts_neutralises_and_optionally_picks_the_tautomer():
    assert chem.standardize("CC(=O)[O-].[Na+]") == "CC(=O)O"
    assert chem.standardize("CC(=O)[O-].[Na+]", uncharge=False) == "CC(=O)[O-]"
    assert chem.standardize("CCN.Cl", largest_fragment=False) == "CCN.Cl"
    assert chem.standardize("Oc1ccccn1") == "Oc1ccccn1"
    assert chem.standardize("Oc1ccccn1", tautomer=True) == "O=c1cccc[nH]1"


# --- descriptors and rules -----------------------------------------------------------------------------


def test_descriptors_match_known_values():
    table = chem.descriptors({"aspirin": ASPIRIN, "caffeine": CAFFEINE, "ibuprofen": IBUPROFEN})
    assert list(table.index) == ["aspirin", "caffeine", "ibuprofen"]
    ibuprofen, aspirin, caffeine = table.loc["ibuprofen"], table.loc["aspirin"], table.loc["caffeine"]
    assert ibuprofen["formula"] == "C13H18O2"
    assert ibuprofen["mw"] == pytest.approx(206.285, abs=1e-3)
    assert ibuprofen["exact_mw"] == pytest.approx(206.130680, abs=1e-5)
    assert ibuprofen["heavy_atoms"] == 15
    assert aspirin["formula"] == "C9H8O4"
    assert aspirin["mw"] == pytest.approx(180.159, abs=1e-3)
    assert aspirin["exact_mw"] == pytest.approx(180.042259, abs=1e-5)
    assert aspirin["logp"] == pytest.approx(1.3101, abs=1e-4)
    assert (aspirin["hbd"], aspirin["rings"], aspirin["aromatic_rings"]) == (1, 1, 1)
    assert caffeine["tpsa"] == pytest.approx(61.82, abs=1e-2)
    assert (caffeine["formula"], caffeine["hbd"], caffeine["rot_bonds"], caffeine["rings"]) == ("C8H10N4O2", 0, 0, 2)
    assert all(0 < q < 1 for q in table["qed"])


def test_descriptors_accept_one_smiles_a_list_a_series_and_mols():
    ethanol = chem.descriptors("CCO")
    assert list(ethanol.index) == ["CCO"]
    assert tuple(ethanol.loc["CCO", ["hbd", "hba", "charge"]]) == (1, 1, 0)
    assert list(chem.descriptors(["OCC", Chem.MolFromSmiles("c1ccccc1")]).index) == ["OCC", "c1ccccc1"]
    series = pd.Series({"acetate": "CC(=O)[O-]", "ammonium": "[NH4+]"})
    assert chem.descriptors(series)["charge"].to_dict() == {"acetate": -1, "ammonium": 1}


def test_descriptors_reject_empty_and_invalid_input():
    with pytest.raises(ValueError, match="no molecules"):
        chem.descriptors([])
    with pytest.raises(ValueError, match="invalid SMILES 'C1CC'"):
        chem.descriptors(["CCO", "C1CC"])


def test_lipinski_counts_violations_and_allows_one():
    table = chem.lipinski({"aspirin": ASPIRIN, "hexadecane": HEXADECANE, "c36 acid": HEXATRIACONTANOIC_ACID})
    assert table["violations"].to_dict() == {"aspirin": 0, "hexadecane": 1, "c36 acid": 2}
    assert table["passes"].to_dict() == {"aspirin": True, "hexadecane": True, "c36 acid": False}
    assert table.loc["c36 acid", "mw"] == pytest.approx(536.97, abs=1e-2)


def test_veber_checks_rotatable_bonds_and_tpsa():
    table = chem.veber({"aspirin": ASPIRIN, "hexadecane": HEXADECANE})
    assert table.loc["hexadecane", "rot_bonds"] == 13
    assert table["passes"].to_dict() == {"aspirin": True, "hexadecane": False}


# --- the answer helpers: chem.profile and chem.functional_groups -----------------------------------------


@pytest.mark.parametrize("smiles", [ASPIRIN, CAFFEINE, IBUPROFEN, "CC(=O)[O-]", "C[C@H](N)C(=O)O"])
def test_profile_rows_equal_the_raw_rdkit_calls(smiles):
    m = Chem.MolFromSmiles(smiles)
    p = chem.profile(smiles)
    assert (p["smiles"], p["formula"]) == (Chem.MolToSmiles(m), rdMolDescriptors.CalcMolFormula(m))
    expected = {
        "mw": Descriptors.MolWt(m),
        "exact_mw": Descriptors.ExactMolWt(m),
        "logp": Crippen.MolLogP(m),
        "mr": Crippen.MolMR(m),
        "tpsa": rdMolDescriptors.CalcTPSA(m),
        "hbd": Lipinski.NumHDonors(m),
        "hba": Lipinski.NumHAcceptors(m),
        "rot_bonds": rdMolDescriptors.CalcNumRotatableBonds(m),
        "rings": len(Chem.GetSSSR(m)),
        "aromatic_rings": rdMolDescriptors.CalcNumAromaticRings(m),
        "heavy_atoms": m.GetNumHeavyAtoms(),
        "fsp3": rdMolDescriptors.CalcFractionCSP3(m),
        "qed": QED.qed(m),
        "charge": Chem.GetFormalCharge(m),
    }
    assert {key: p[key] for key in expected} == pytest.approx(expected)


def test_profile_known_values_by_hand():
    ibuprofen = chem.profile(IBUPROFEN)
    assert ibuprofen["formula"] == "C13H18O2" and ibuprofen["mw"] == pytest.approx(206.285, abs=1e-3)
    assert ibuprofen["fsp3"] == pytest.approx(6 / 13)  # 3 CH3, 1 CH2, 2 CH of 13 carbons
    assert chem.profile("CCO")["fsp3"] == 1.0 and chem.profile("c1ccccc1")["fsp3"] == 0.0
    assert chem.profile("CC(=O)[O-]")["charge"] == -1


def test_profile_adduct_mz_from_the_monoisotopic_mass():
    ethanol = chem.profile("CCO")
    assert ethanol["mz_h"] == pytest.approx(ethanol["exact_mw"] + 1.007276, abs=1e-9)
    assert ethanol["mz_na"] == pytest.approx(ethanol["exact_mw"] + 22.989218, abs=1e-9)
    assert ethanol["mz_minus_h"] == pytest.approx(ethanol["exact_mw"] - 1.007276, abs=1e-9)
    caffeine = chem.profile(CAFFEINE)  # C8H10N4O2: M 194.080376, [M+H]+ 195.087652, [M+Na]+ 217.069594
    assert (caffeine["exact_mw"], caffeine["mz_h"], caffeine["mz_na"]) == pytest.approx(
        (194.080376, 195.087652, 217.069594), abs=1e-5
    )
    assert "[M+H]+ adduct m/z (monoisotopic, z=1) : 195.0877 Da" in " ".join(str(caffeine).split())
    cation = chem.profile("C[N+](C)(C)C")  # already an ion: adding H+ or Na+ would be wrong
    assert cation["charge"] == 1 and "net charge of +1" in cation["mz_h"]


@pytest.mark.parametrize(
    ("smiles", "rings", "systems"),
    [
        ("c1ccc2ccccc2c1", 2, 1),  # naphthalene: fused
        ("c1ccc(-c2ccccc2)cc1", 2, 2),  # biphenyl: two separate rings
        ("C1C2CC3CC1CC(C2)C3", 3, 1),  # adamantane: bridged
        ("C1CCC2(CC1)CCCC2", 2, 1),  # spiro[4.5]decane
        ("CC12CCC3C(CCC4=CC(=O)CCC34C)C1CCC2O", 4, 1),  # testosterone: the steroid nucleus
        ("c1ccccc1CCC1CC1", 2, 2),
        ("CCO", 0, 0),
    ],
)
def test_profile_ring_systems_count_fused_rings_once(smiles, rings, systems):
    p = chem.profile(smiles)
    assert (p["rings"], p["ring_systems"]) == (rings, systems)


def test_profile_stereocentres_include_unassigned_ones():
    l_alanine = chem.profile("C[C@H](N)C(=O)O")
    assert (l_alanine["stereocentres"], l_alanine["stereocentre_labels"]) == (1, "C2 S")
    racemic = chem.profile(IBUPROFEN)
    assert (racemic["stereocentres"], racemic["stereocentre_labels"]) == (1, "C11 unassigned")
    threonine = chem.profile("C[C@@H](O)[C@H](N)C(=O)O")
    assert threonine["stereocentres"] == 2 and threonine["stereocentre_labels"] == "C2 R, C4 S"
    assert chem.profile("CCO")["stereocentre_labels"] == "none"
    assert "stereocentres (chiral centres, incl. unassigned)" in str(racemic)


def test_profile_lipinski_rows_agree_with_chem_lipinski():
    for smiles, violations, passes in ((ASPIRIN, 0, "yes"), (HEXADECANE, 1, "yes"), (HEXATRIACONTANOIC_ACID, 2, "no")):
        p = chem.profile(smiles)
        assert (p["lipinski_violations"], p["lipinski_passes"]) == (violations, passes)
        assert chem.lipinski(smiles)["violations"].iloc[0] == violations


def test_profile_prints_every_row_with_its_unit():
    p = chem.profile(ASPIRIN)
    assert_printed_with_units(p, unitless={"logp", "fsp3", "qed"})
    printed = str(p)
    for line in (
        "average molecular weight (MolWt)",
        "180.1590 g/mol",
        "monoisotopic mass (ExactMolWt)",
        "180.0423 Da",
        "63.60 Å^2",
        "rings (all, smallest set of smallest rings)",
        "aromatic rings",
    ):
        assert line in printed
    assert p.unit("mw") == "g/mol" and p.unit("tpsa") == "Å^2" and p.unit("mr") == "cm^3/mol"


def test_profile_accepts_a_mol_and_names_an_invalid_smiles():
    assert chem.profile(Chem.MolFromSmiles("OCC"))["smiles"] == "CCO"
    with pytest.raises(ValueError, match=r"invalid SMILES 'C1CC': .*unclosed ring"):
        chem.profile("C1CC")
    with pytest.raises(ValueError, match="invalid SMILES 'xyz'"):
        chem.functional_groups("xyz")


@pytest.mark.parametrize(
    ("smiles", "expected"),
    [
        (ASPIRIN, {"carboxylic_acid": 1, "ester": 1, "ether": 0, "phenol": 0, "alcohol": 0, "aromatic_atoms": 6}),
        ("CC(=O)Nc1ccc(O)cc1", {"amide": 1, "phenol": 1, "alcohol": 0, "primary_amine": 0, "secondary_amine": 0}),
        ("CCN(CC)CCOC(=O)c1ccc(N)cc1", {"ester": 1, "primary_amine": 1, "tertiary_amine": 1, "ether": 0}),  # procaine
        ("Cc1cc(NS(=O)(=O)c2ccc(N)cc2)no1", {"sulfonamide": 1, "primary_amine": 1, "secondary_amine": 0}),
        (CAFFEINE, {"amide": 1, "urea": 1, "tertiary_amine": 0, "ketone": 0}),
        (CITRIC_ACID, {"carboxylic_acid": 3, "alcohol": 1, "ester": 0}),
        ("CCNCC", {"secondary_amine": 1, "primary_amine": 0}),
        ("CCN(CC)CC", {"tertiary_amine": 1}),
        ("CN(C)C=O", {"amide": 1, "tertiary_amine": 0, "aldehyde": 0}),  # DMF
        ("[NH3+]CC(=O)[O-]", {"primary_amine": 1, "carboxylic_acid": 1}),  # zwitterionic glycine
        ("C[N+](C)(C)C", {"quaternary_ammonium": 1, "tertiary_amine": 0}),
        ("CC(C)=O", {"ketone": 1, "aldehyde": 0}),
        ("CC=O", {"aldehyde": 1, "ketone": 0}),
        ("C=O", {"aldehyde": 1}),
        ("CCOCC", {"ether": 1, "alcohol": 0}),
        ("COc1ccccc1", {"ether": 1, "phenol": 0}),
        ("N#Cc1ccccc1", {"nitrile": 1}),
        ("O=[N+]([O-])c1ccccc1", {"nitro": 1, "primary_amine": 0}),
        ("ClC(Cl)Cl", {"halogen": 3}),
        ("CCS", {"thiol": 1}),
        ("C=CC#C", {"alkene": 1, "alkyne": 1}),
        ("c1ccccc1", {"alkene": 0, "aromatic_atoms": 6, "aromatic_rings": 1}),
    ],
)
def test_functional_group_counts_by_hand(smiles, expected):
    groups = chem.functional_groups(smiles)
    assert {key: groups[key] for key in expected} == expected
    assert_printed_with_units(groups, unitless=set())


# --- fingerprints and similarity -----------------------------------------------------------------------


def test_fingerprints_have_the_expected_sizes():
    assert chem.fingerprint(ASPIRIN).GetNumBits() == 2048
    assert chem.fingerprint(ASPIRIN, n_bits=1024).GetNumBits() == 1024
    assert chem.fingerprint(ASPIRIN, kind="maccs").GetNumBits() == 167
    assert chem.fingerprint("C", radius=0).GetNumOnBits() == 1
    with pytest.raises(ValueError, match="unknown fingerprint kind 'ecfp'"):
        chem.fingerprint(ASPIRIN, kind="ecfp")


def test_tanimoto_is_one_for_itself_symmetric_and_zero_for_disjoint_fingerprints():
    assert chem.tanimoto(ASPIRIN, Chem.MolFromSmiles(ASPIRIN)) == 1.0
    assert chem.tanimoto("CCO", "CCCO") == chem.tanimoto("CCCO", "CCO")
    assert 0 < chem.tanimoto("CCO", "CCCO") < 1
    assert chem.tanimoto("CCO", "c1ccccc1") == 0.0
    assert chem.tanimoto("CCO", "OCC", kind="maccs") == 1.0


def test_similarity_search_ranks_by_similarity_with_top_and_threshold():
    library = {"propanol": "CCCO", "benzene": "c1ccccc1", "ethanol": "OCC", "butanol": "CCCCO"}
    table = chem.similarity_search("CCO", library)
    assert list(table["name"]) == ["ethanol", "propanol", "butanol", "benzene"]
    assert list(table.columns) == ["name", "smiles", "similarity"]
    assert table["similarity"].is_monotonic_decreasing and table["similarity"].iloc[0] == 1.0
    assert list(chem.similarity_search("CCO", library, top=2)["name"]) == ["ethanol", "propanol"]
    assert list(chem.similarity_search("CCO", library, threshold=0.4, top=None)["name"]) == [
        "ethanol",
        "propanol",
        "butanol",
    ]


# --- substructures -------------------------------------------------------------------------------------


def test_substructure_search_and_counting():
    assert chem.count_matches(CITRIC_ACID, CARBOXYLIC_ACID) == 3
    assert chem.count_matches(ASPIRIN, CARBOXYLIC_ACID) == 1
    assert chem.count_matches("CCO", CARBOXYLIC_ACID) == 0
    assert chem.has_substructure(IBUPROFEN, CARBOXYLIC_ACID)
    assert not chem.has_substructure(CAFFEINE, CARBOXYLIC_ACID)
    assert chem.has_substructure(ASPIRIN, Chem.MolFromSmarts("c1ccccc1"))


def test_substructure_filter_keeps_matching_molecules_with_counts():
    table = chem.substructure_filter({"citric": CITRIC_ACID, "caffeine": CAFFEINE, "aspirin": ASPIRIN}, CARBOXYLIC_ACID)
    assert table.to_dict("list") == {
        "name": ["citric", "aspirin"],
        "smiles": [chem.canonical_smiles(CITRIC_ACID), ASPIRIN],
        "matches": [3, 1],
    }
    assert chem.substructure_filter(["CCO"], CARBOXYLIC_ACID).empty


def test_invalid_and_empty_smarts_are_named():
    with pytest.raises(ValueError, match=r"invalid SMARTS '\[OX2H': syntax error .*position 5"):
        chem.has_substructure("CCO", "[OX2H")
    with pytest.raises(ValueError, match="empty SMARTS"):
        chem.count_matches("CCO", "")
    with pytest.raises(ValueError, match="invalid SMARTS"):
        chem.substructure_filter(["CCO"], "C(")


# --- reactions -----------------------------------------------------------------------------------------


def test_amide_coupling_gives_the_amide():
    assert chem.run_reaction(AMIDE_COUPLING, ["CC(=O)O", "CN"]) == ["CNC(C)=O"]
    # both acid groups of succinic acid react, giving one unique mono-amide
    assert chem.run_reaction(AMIDE_COUPLING, ["OC(=O)CCC(=O)O", "CN"]) == ["CNC(=O)CCC(=O)O"]
    assert chem.run_reaction(AMIDE_COUPLING, ["CC(=O)O", "CN(C)C"]) == []  # a tertiary amine does not match


def test_ester_hydrolysis_gives_acid_and_alcohol_as_one_outcome():
    hydrolysis = "[C:1](=O)[O:2][C:3]>>[C:1](=O)[OH].[O:2][C:3]"
    assert chem.run_reaction(hydrolysis, "CC(=O)OCC") == ["CC(=O)O.CCO"]


def test_reaction_errors_name_the_reaction():
    with pytest.raises(ValueError, match="takes 2 reactant"):
        chem.run_reaction(AMIDE_COUPLING, "CC(=O)O")
    with pytest.raises(ValueError, match=r"invalid reaction SMARTS 'CC\(=O\)O \+ CN': .*two > characters"):
        chem.run_reaction("CC(=O)O + CN", ["CC(=O)O", "CN"])
    with pytest.raises(ValueError, match=r"invalid reaction SMARTS .*syntax error"):
        chem.run_reaction("[C:1](=O)[OH]>>[C:1", "CC(=O)O")


# --- 3D ------------------------------------------------------------------------------------------------


def test_embed_3d_adds_hydrogens_and_an_optimised_conformer_reproducibly():
    ethanol = Chem.MolFromSmiles("CCO")
    m = chem.embed_3d(ethanol, seed=7)
    assert ethanol.GetNumAtoms() == 3 and ethanol.GetNumConformers() == 0  # the input is left alone
    assert (m.GetNumAtoms(), m.GetNumConformers(), m.GetProp("force_field")) == (9, 1, "MMFF94")
    assert math.isfinite(m.GetDoubleProp("energy"))
    positions = m.GetConformer().GetPositions()
    assert positions.shape == (9, 3) and positions[:, 2].std() > 0.1  # really 3D
    assert (chem.embed_3d("CCO", seed=7).GetConformer().GetPositions() == positions).all()
    carbon_oxygen = math.dist(positions[1], positions[2])
    assert carbon_oxygen == pytest.approx(1.42, abs=0.03)  # a C-O single bond


def test_embed_3d_falls_back_to_uff_when_mmff_lacks_parameters():
    assert chem.embed_3d("OB(O)c1ccccc1").GetProp("force_field") == "UFF"


def test_conformers_are_sorted_by_energy():
    m, table = chem.conformers("CCCCO", n=4)
    assert m.GetNumConformers() == 4 and len(table) == 4
    assert table["energy"].is_monotonic_increasing and table["rel_energy"].iloc[0] == 0.0
    assert set(table["conf_id"]) == {conf.GetId() for conf in m.GetConformers()}
    with pytest.raises(ValueError, match="at least 1"):
        chem.conformers("CCO", n=0)


# --- drawing -------------------------------------------------------------------------------------------


def test_draw_returns_a_png_image_and_saves_it(tmp_path):
    image = chem.draw(ASPIRIN, size=(240, 180), path=tmp_path / "aspirin.png")
    assert isinstance(image, Image.Image) and image.size == (240, 180)
    assert (tmp_path / "aspirin.png").read_bytes().startswith(PNG_SIGNATURE)


def test_draw_svg_by_format_or_by_path_suffix(tmp_path):
    svg = chem.draw("CCO", format="svg")
    assert isinstance(svg, str) and "<svg" in svg
    assert chem.draw("CCO", path=tmp_path / "ethanol.svg") == (tmp_path / "ethanol.svg").read_text()
    assert "<svg" in (tmp_path / "ethanol.svg").read_text()
    with pytest.raises(ValueError, match="unknown image format 'jpg'"):
        chem.draw("CCO", format="jpg")


def test_draw_grid_lays_out_rows_and_checks_legends(tmp_path):
    image = chem.draw_grid(["CCO", "CCN", "c1ccccc1"], per_row=2, size=(200, 150), path=tmp_path / "grid.png")
    assert image.size == (400, 300)
    assert (tmp_path / "grid.png").read_bytes().startswith(PNG_SIGNATURE)
    named = chem.draw_grid({"ethanol": "CCO", "ethylamine": "CCN"}, format="svg")
    assert "class='legend'" in named  # legends default to the names (drawn as paths, not text)
    assert "class='legend'" not in chem.draw_grid(["CCO", "CCN"], legends=["", ""], format="svg")
    with pytest.raises(ValueError, match="got 1 legends for 2 molecules"):
        chem.draw_grid(["CCO", "CCN"], legends=["only one"])


# --- the catalog (tests/test_catalog.py runs every example and hint trigger in a real kernel) ------------


def test_catalog_covers_every_public_helper_within_the_prompt_budget():
    entries, hints = catalog_chemistry.ENTRIES, catalog_chemistry.HINTS
    assert len(entries) >= 20 and len(hints) >= 6
    assert {e.domain for e in entries} == {h.domain for h in hints} == {"chemistry"}
    helpers = {
        f"chem.{name}"
        for name, function in inspect.getmembers(chem, inspect.isfunction)
        if not name.startswith("_") and function.__module__ == chem.__name__
    }
    names = [e.name for e in entries]
    assert helpers <= set(names) and len(names) == len(set(names))
    for entry in entries:
        assert len(entry.render()) <= 180, entry.name
        for keyword in entry.keywords:  # select() matches one-word keywords as whole words, others as substrings
            assert keyword == keyword.lower() and keyword.strip() == keyword and keyword, keyword


def test_answer_helpers_come_first_in_the_catalog():
    assert [e.name for e in catalog_chemistry.ENTRIES[:2]] == ["chem.profile", "chem.functional_groups"]
    for entry in catalog_chemistry.ENTRIES[:2]:
        assert "print it and read the row" in entry.purpose and entry.example.startswith("print(chem.")


@pytest.mark.parametrize(
    ("question", "helper"),
    [
        (f"What is the molecular weight of ibuprofen ({IBUPROFEN})?", "chem.profile"),
        (f"What is the [M+H]+ m/z of caffeine, SMILES {CAFFEINE}?", "chem.profile"),
        (f"What is the monoisotopic mass of aspirin ({ASPIRIN})?", "chem.profile"),
        ("How many stereocenters does ibuprofen have? SMILES CC(C)Cc1ccc(cc1)C(C)C(=O)O", "chem.profile"),
        (f"How many hydrogen bond donors and acceptors does {ASPIRIN} have?", "chem.profile"),
        (f"What is the TPSA and logP of {CAFFEINE}?", "chem.profile"),
        (f"How many ring systems are in {CAFFEINE}?", "chem.profile"),
        (f"Does {ASPIRIN} violate Lipinski's rule of five?", "chem.profile"),
        (f"How many ester and carboxylic acid groups does {ASPIRIN} have?", "chem.functional_groups"),
        ("Count the primary amine and amide functional groups in CC(=O)Nc1ccc(N)cc1", "chem.functional_groups"),
    ],
)
def test_questions_route_to_the_answer_helper_first(question, helper):
    assert select(load().entries, question)[0].name == helper


@pytest.mark.parametrize(
    ("error_line", "code", "hint_start"),
    [
        ("ModuleNotFoundError: No module named 'molvs'", "from molvs import Standardizer", "The Python MolStandardize"),
        (
            "TypeError: write() argument must be str, not SVG",
            "svg = Draw.MolsToGridImage(ms, useSVG=True)",
            "In Jupyter",
        ),
        (
            "TypeError: No registered converter was able to produce a C++ rvalue of type "
            "boost::shared_ptr<RDKit::ROMol> from this Python object of type str",
            'rxn.RunReactants(["CC(=O)O", "CN"])',
            "RDKit functions take Mol objects",
        ),
        ("AttributeError: module 'rdkit.Chem' has no attribute 'ExactMolWt'", "Chem.ExactMolWt(m)", "Average"),
    ],
)
def test_hints_also_match_the_neighbouring_errors_they_name(error_line, code, hint_start):
    assert any(h.text.startswith(hint_start) and h.matches(error_line, code) for h in catalog_chemistry.HINTS)
