"""Chemistry entries (the ``chem`` helpers and the RDKit calls they stand on) and RDKit 2026.09 pitfalls.

Names are as the kernel's preamble binds them (``chem``, ``Chem``, ``AllChem``, ``Descriptors``, ...); every
example and hint trigger is run by tests/test_catalog.py in a fresh preamble kernel.
"""

from __future__ import annotations

from domain_tools.catalog import Entry, Hint

DOMAIN = "chemistry"


def _entry(name: str, signature: str, purpose: str, example: str, *keywords: str) -> Entry:
    return Entry(name, signature, purpose, example, DOMAIN, keywords)


def _hint(error: str, text: str, trigger: str, code: str = "") -> Hint:
    return Hint(error=error, text=text, trigger=trigger, code=code, domain=DOMAIN)


ACETANILIDE = '"CC(=O)Nc1ccccc1"'  # no benchmark task's molecule: an example must not show a task's answer

ENTRIES: list[Entry] = [
    # the answer helpers first: one call prints every everyday quantity as a labelled row with its unit
    _entry(
        "chem.profile",
        "chem.profile(smiles)",
        "mol. weight, exact mass, m/z, logP, TPSA, HBD/HBA, rings, stereo, QED, Lipinski: print it and read the row",
        'print(chem.profile("CCO"))',
        *("molecular weight", "molar mass", "mass", "average mass", "exact mass", "monoisotopic", "mw", "formula"),
        *("molecular formula", "logp", "log p", "lipophilicity", "tpsa", "polar surface area", "psa", "donor"),
        *("donors", "acceptor", "acceptors", "hydrogen bond", "h-bond", "hbd", "hba", "rotatable", "ring", "rings"),
        *("aromatic", "ring systems", "fused", "stereocentre", "stereocentres", "stereocenter", "stereocenters"),
        *("chiral", "chirality", "fsp3", "sp3", "qed", "drug likeness", "druglikeness", "lipinski", "rule of five"),
        *("ro5", "violations", "m/z", "adduct", "adducts", "[m+h]", "[m+na]", "[m-h]", "mass spec", "heavy atoms"),
        *("formal charge", "charge", "refractivity", "properties", "descriptors", "smiles", "weight", "molecular"),
        *("violate", "violates", "obey", "obeys"),
    ),
    _entry(
        "chem.functional_groups",
        "chem.functional_groups(smiles)",
        "counts of acid, ester, amide, amine, alcohol, phenol... groups: print it and read the row",
        'print(chem.functional_groups("OC(=O)CCc1ccccc1"))',
        *("functional group", "functional groups", "groups", "carboxylic", "carboxylic acid", "ester", "esters"),
        *("amide", "amides", "amine", "amines", "primary amine", "secondary amine", "tertiary amine", "alcohol"),
        *("hydroxyl", "phenol", "ketone", "aldehyde", "ether", "nitrile", "nitro", "halogen", "halogens"),
        *("sulfonamide", "thiol", "alkene", "alkyne", "how many"),
    ),
    # the other chem helpers: SMILES in, plain values or DataFrames out, ValueError with RDKit's reason on bad input
    _entry(
        "chem.descriptors",
        "chem.descriptors(mols) -> DataFrame",
        "mw, exact_mw, formula, logp, tpsa, hbd, hba, rot_bonds, rings, qed...",
        'print(chem.descriptors("CCO").T)',
        *("descriptors", "properties", "molecular weight", "molar mass", "mass", "formula", "logp", "tpsa"),
        *("polar surface", "donors", "acceptors", "hydrogen bond", "rotatable", "qed", "heavy atoms", "rings"),
        *("aromatic", "charge", "lipophilicity", "table"),
    ),
    _entry(
        "chem.mol",
        "chem.mol(smiles|inchi|molblock) -> Mol",
        "parse; raises ValueError with the reason",
        'print(chem.mol("CCO").GetNumAtoms())',
        *("smiles", "inchi", "parse", "mol block", "molblock", "invalid", "valid"),
    ),
    _entry(
        "chem.read_sdf",
        "chem.read_sdf(path_or_text) -> list[Mol]",
        "read SDF; SD fields become props",
        'print(len(chem.read_sdf(Chem.MolToMolBlock(chem.mol("CCO")) + "$$$$\\n")))',
        *("sdf", "sd file", "mol file", "molfile", "read", "load"),
    ),
    _entry(
        "chem.canonical_smiles",
        "chem.canonical_smiles(x) -> str",
        "canonical SMILES, to compare or deduplicate",
        'print(chem.canonical_smiles("OC(C)C") == chem.canonical_smiles("CC(C)O"))',
        *("canonical", "same molecule", "identical", "duplicate", "duplicates", "deduplicate", "unique"),
    ),
    _entry(
        "chem.standardize",
        "chem.standardize(x, tautomer=False) -> str",
        "clean up, strip salts, neutralise",
        'print(chem.standardize("CC(=O)[O-].[Na+]"))',
        *("standardize", "standardise", "salt", "salts", "neutralize", "neutralise", "neutral", "parent"),
        *("tautomer", "tautomers", "normalize", "counterion", "desalt", "strip", "hydrochloride"),
    ),
    _entry(
        "chem.lipinski",
        "chem.lipinski(mols) -> DataFrame",
        "rule of five: violations, passes (<=1)",
        f"print(chem.lipinski({ACETANILIDE}))",
        *("lipinski", "rule of five", "ro5", "drug", "druglike", "drug like", "likeness", "violations", "oral"),
    ),
    _entry(
        "chem.veber",
        "chem.veber(mols) -> DataFrame",
        "Veber rule: rot_bonds<=10, tpsa<=140",
        f"print(chem.veber({ACETANILIDE}))",
        *("veber", "bioavailability", "oral", "rotatable"),
    ),
    _entry(
        "chem.fingerprint",
        'chem.fingerprint(x, kind="morgan"|"maccs")',
        "Morgan r=2 2048-bit (ECFP4) or MACCS bits",
        'print(chem.fingerprint("CCO").GetNumOnBits())',
        *("fingerprint", "fingerprints", "morgan", "ecfp", "ecfp4", "maccs", "bit vector", "bits"),
    ),
    _entry(
        "chem.tanimoto",
        "chem.tanimoto(a, b) -> float",
        "Tanimoto similarity (Morgan)",
        'print(chem.tanimoto("CCO", "CCCO"))',
        *("tanimoto", "similarity", "similar", "compare", "dissimilar", "distance"),
    ),
    _entry(
        "chem.similarity_search",
        "chem.similarity_search(query, library, top=10, threshold=0)",
        "DataFrame, most similar first",
        'print(chem.similarity_search("CCO", ["CCCO", "c1ccccc1"]))',
        *("similar", "similarity", "most similar", "nearest", "neighbors", "search", "rank", "library", "screen"),
    ),
    _entry(
        "chem.has_substructure",
        "chem.has_substructure(x, smarts) -> bool",
        "contains the group?",
        'print(chem.has_substructure("CCO", "[OX2H]"))',
        *("substructure", "smarts", "contains", "contain", "functional group", "moiety", "pattern", "carboxylic"),
        *("hydroxyl", "amine", "alcohol", "ketone", "aldehyde", "halogen", "nitro", "phenol"),
    ),
    _entry(
        "chem.count_matches",
        "chem.count_matches(x, smarts) -> int",
        "number of matches of a group",
        'print(chem.count_matches("OC(=O)CC(=O)O", "C(=O)[OX2H1]"))',
        *("count", "how many", "number of", "smarts", "substructure", "groups", "occurrences", "carboxylic"),
    ),
    _entry(
        "chem.substructure_filter",
        "chem.substructure_filter(library, smarts) -> DataFrame",
        "the molecules that match, with counts",
        'print(chem.substructure_filter(["CCO", "CC"], "[OH]"))',
        *("filter", "substructure", "smarts", "which", "library", "contain", "screen", "select"),
    ),
    _entry(
        "chem.run_reaction",
        "chem.run_reaction(rxn_smarts, reactants) -> list[str]",
        "product SMILES",
        'print(chem.run_reaction("[C:1](=O)[OH].[N:2]>>[C:1](=O)[N:2]", ["CC(=O)O", "CN"]))',
        *("reaction", "react", "reacts", "product", "products", "synthesis", "amide", "ester", "hydrolysis"),
        *("coupling", "transform", "reaction smarts"),
    ),
    _entry(
        "chem.embed_3d",
        "chem.embed_3d(x, seed=42) -> Mol",
        "AddHs+ETKDGv3+MMFF; props energy, force_field",
        'print(chem.embed_3d("CCO").GetDoubleProp("energy"))',
        *("3d", "embed", "geometry", "coordinates", "optimize", "optimise", "minimize", "mmff", "uff"),
        *("force field", "energy", "xyz"),
    ),
    _entry(
        "chem.conformers",
        "chem.conformers(x, n=10) -> (Mol, DataFrame)",
        "minimised conformers, energies sorted",
        'print(chem.conformers("CCCCO", n=3)[1])',
        *("conformer", "conformers", "conformation", "conformations", "lowest energy", "energy", "3d", "ensemble"),
    ),
    _entry(
        "chem.draw",
        'chem.draw(x, size=(300, 300), format="png"|"svg", path=None)',
        "PIL image or SVG str",
        'print(chem.draw("c1ccccc1O").size)',
        *("draw", "depict", "depiction", "image", "picture", "png", "svg", "visualize", "visualise", "show", "save"),
    ),
    _entry(
        "chem.draw_grid",
        "chem.draw_grid(mols, legends=None, per_row=4, path=None)",
        "many molecules, one image",
        'print(chem.draw_grid(["CCO", "CCN"]).size)',
        *("grid", "draw", "image", "depict", "png", "svg", "legends"),
    ),
    # the raw RDKit entry points, as the preamble names them
    _entry(
        "Chem.MolFromSmiles",
        "Chem.MolFromSmiles(smiles) -> Mol | None",
        "parse; None if invalid",
        'm = Chem.MolFromSmiles("CCO"); print(m.GetNumAtoms())',
        *("smiles", "parse", "mol", "rdkit"),
    ),
    _entry(
        "Chem.MolToSmiles",
        "Chem.MolToSmiles(m) -> str",
        "canonical SMILES",
        'print(Chem.MolToSmiles(Chem.MolFromSmiles("OC(C)C")))',
        *("canonical", "to smiles", "write smiles"),
    ),
    _entry(
        "Chem.MolToInchiKey",
        "Chem.MolToInchi(m), Chem.MolToInchiKey(m)",
        "InChI, InChIKey",
        'print(Chem.MolToInchiKey(Chem.MolFromSmiles("CCO")))',
        *("inchi", "inchikey", "identifier", "key"),
    ),
    _entry(
        "Descriptors.MolWt",
        "Descriptors.MolWt(m) -> float",
        "average molecular weight, g/mol",
        'print(Descriptors.MolWt(Chem.MolFromSmiles("CCO")))',
        *("molecular weight", "molar mass", "mw", "weight", "average mass"),
    ),
    _entry(
        "Descriptors.ExactMolWt",
        "Descriptors.ExactMolWt(m) -> float",
        "monoisotopic (exact) mass",
        'print(Descriptors.ExactMolWt(Chem.MolFromSmiles("CCO")))',
        *("exact mass", "monoisotopic", "exact", "mass spec", "mass spectrometry", "isotope"),
    ),
    _entry(
        "Crippen.MolLogP",
        "Crippen.MolLogP(m) -> float",
        "Wildman-Crippen logP",
        'print(Crippen.MolLogP(Chem.MolFromSmiles("CCO")))',
        *("logp", "log p", "lipophilicity", "lipophilic", "hydrophobicity", "hydrophobic", "partition", "octanol"),
    ),
    _entry(
        "Descriptors.TPSA",
        "Descriptors.TPSA(m) -> float",
        "topological polar surface area, A^2",
        'print(Descriptors.TPSA(Chem.MolFromSmiles("CCO")))',
        *("tpsa", "psa", "polar surface area", "surface area", "polar"),
    ),
    _entry(
        "Lipinski.NumHDonors",
        "Lipinski.NumHDonors(m), NumHAcceptors(m)",
        "H-bond donor, acceptor counts",
        'print(Lipinski.NumHDonors(Chem.MolFromSmiles("CCO")))',
        *("donor", "donors", "acceptor", "acceptors", "hydrogen bond", "hbd", "hba"),
    ),
    _entry(
        "rdMolDescriptors.CalcMolFormula",
        "rdMolDescriptors.CalcMolFormula(m) -> str",
        "molecular formula",
        'print(rdMolDescriptors.CalcMolFormula(Chem.MolFromSmiles("CCO")))',
        *("formula", "molecular formula", "empirical formula", "composition"),
    ),
    _entry(
        "Descriptors.NumRotatableBonds",
        "Descriptors.NumRotatableBonds(m), RingCount(m), NumAromaticRings(m)",
        "counts",
        'print(Descriptors.NumRotatableBonds(Chem.MolFromSmiles("CCCC")))',
        *("rotatable", "rotatable bonds", "flexibility", "rings", "ring", "aromatic"),
    ),
    _entry(
        "Descriptors.qed",
        "Descriptors.qed(m) -> float",
        "QED drug-likeness 0-1 (lowercase)",
        'print(Descriptors.qed(Chem.MolFromSmiles("CCO")))',
        *("qed", "drug likeness", "druglikeness", "likeness", "drug", "quantitative estimate"),
    ),
    _entry(
        "Descriptors.CalcMolDescriptors",
        "Descriptors.CalcMolDescriptors(m) -> dict",
        "all ~220 RDKit descriptors",
        'print(len(Descriptors.CalcMolDescriptors(Chem.MolFromSmiles("CCO"))))',
        *("all descriptors", "descriptors", "features", "featurize", "descriptor"),
    ),
    _entry(
        "Chem.MolFromSmarts",
        "m.GetSubstructMatches(Chem.MolFromSmarts(s))",
        "atom index tuples",
        'print(Chem.MolFromSmiles("OCCO").GetSubstructMatches(Chem.MolFromSmarts("[OH]")))',
        *("smarts", "substructure", "match", "matches", "atom indices", "pattern"),
    ),
    _entry(
        "AllChem.EmbedMolecule",
        "AllChem.EmbedMolecule(mh, randomSeed=42)",
        "mh=Chem.AddHs(m); 0 ok, -1 failed",
        'print(AllChem.EmbedMolecule(Chem.AddHs(Chem.MolFromSmiles("CCO")), randomSeed=42))',
        *("3d", "embed", "coordinates", "geometry", "conformer", "addhs"),
    ),
    _entry(
        "AllChem.GetMorganGenerator",
        "AllChem.GetMorganGenerator(radius=2, fpSize=2048)",
        "Morgan generator",
        'print(AllChem.GetMorganGenerator(radius=2).GetFingerprint(Chem.MolFromSmiles("CCO")).GetNumOnBits())',
        *("morgan", "fingerprint", "ecfp", "generator", "bit vector"),
    ),
    _entry(
        "Draw.MolToImage",
        "Draw.MolToImage(m, size=(300, 300)) -> PIL image",
        "depiction; .save(path)",
        'print(Draw.MolToImage(Chem.MolFromSmiles("CCO")).size)',
        *("draw", "image", "picture", "depict", "png"),
    ),
    _entry(
        "AllChem.ReactionFromSmarts",
        "AllChem.ReactionFromSmarts(s).RunReactants((m1, m2))",
        "Mol tuples",
        'print(AllChem.ReactionFromSmarts("[C:1]O>>[C:1]N").RunReactants((Chem.MolFromSmiles("CO"),)))',
        *("reaction", "react", "products", "reaction smarts", "runreactants"),
    ),
]

_ARGUMENT_TYPES = r"argument types in[\s\S]*"  # Boost.Python's "Python argument types in f(str) did not match ..."

HINTS: list[Hint] = [
    _hint(
        r"'NoneType' object has no attribute|" + _ARGUMENT_TYPES + r"[(,] ?NoneType[,)]",
        "Chem.MolFromSmiles returned None: that SMILES is invalid (RDKit printed why). Fix it or test `m is None`; "
        "chem.mol(smiles) raises with the reason.",
        'm = Chem.MolFromSmiles("C1CC"); m.GetNumAtoms()',
        code=r"MolFromSmiles",
    ),
    _hint(
        r"'NoneType' object has no attribute|" + _ARGUMENT_TYPES + r"[(,] ?NoneType[,)]",
        "Chem.MolFromSmarts returned None: that SMARTS is invalid; test `patt is None`, or use "
        "chem.has_substructure / chem.count_matches, which raise with the reason.",
        'm = Chem.MolFromSmiles("CCO"); m.HasSubstructMatch(Chem.MolFromSmarts("[OX2H"))',
        code=r"MolFromSmarts",
    ),
    _hint(
        _ARGUMENT_TYPES + r"[(,] ?str[,)]|ROMol> from this Python object of type str",
        "RDKit functions take Mol objects, not strings: m = Chem.MolFromSmiles(smiles), patterns via "
        "Chem.MolFromSmarts(s); the chem.* helpers accept SMILES directly.",
        'Descriptors.MolWt("CCO")',
    ),
    _hint(
        r"basic_string[\s\S]*of type (float|NoneType|int)",
        "Chem.MolFromSmiles needs a str, got NaN/None/a number (a missing value in a table?): drop those first, "
        "e.g. df.dropna(subset=['smiles']).",
        'Chem.MolFromSmiles(float("nan"))',
    ),
    _hint(
        r"has no attribute '\w*(Wt|Weight|Mass)\w*'",
        "Average molecular weight (g/mol): Descriptors.MolWt(m); monoisotopic exact mass: Descriptors.ExactMolWt(m); "
        "print(chem.profile(smiles)) shows both, labelled, with the adduct m/z.",
        'Chem.MolWt(Chem.MolFromSmiles("CCO"))',
    ),
    _hint(
        r"has no attribute '\w*Formula\w*'",
        "Molecular formula: rdMolDescriptors.CalcMolFormula(m), or print(chem.profile(smiles)) (the formula row).",
        'Descriptors.CalcMolFormula(Chem.MolFromSmiles("CCO"))',
    ),
    _hint(
        r"(?i)has no attribute '\w*(lipinski|ruleof|ro5|veber)\w*'",
        "RDKit has no rule-of-five function: print(chem.profile(smiles)) has the violations row (MolWt>500, "
        "MolLogP>5, NumHDonors>5, NumHAcceptors>10); chem.lipinski(mols) for a table, chem.veber(mols) for Veber.",
        'Lipinski.Lipinski(Chem.MolFromSmiles("CCO"))',
    ),
    _hint(
        r"module 'rdkit\.Chem\.(Descriptors|Lipinski|Crippen|rdMolDescriptors)' has no attribute",
        "Real names: Descriptors.MolWt, ExactMolWt, MolLogP, TPSA, NumHDonors, NumHAcceptors, NumRotatableBonds, "
        "RingCount, NumAromaticRings, HeavyAtomCount, FractionCSP3, qed (lowercase); or print(chem.profile(smiles)).",
        'Descriptors.QED(Chem.MolFromSmiles("CCO"))',
    ),
    _hint(
        r"(Morgan|Fingerprint)\w*\([^)]*\)\s+did not match",
        "Morgan fingerprints: gen = AllChem.GetMorganGenerator(radius=2, fpSize=2048) (fpSize, not nBits; "
        "includeChirality), then gen.GetFingerprint(m); or chem.fingerprint(smiles) / chem.tanimoto(a, b).",
        "AllChem.GetMorganGenerator(radius=2, nBits=2048)",
    ),
    _hint(
        r"(Tanimoto|Dice)Similarity\(\w+, \w+\)\s+did not match",
        "Compare fingerprints of one type: gen.GetFingerprint(m) for both (bit vectors) or GetCountFingerprint for "
        "both; or chem.tanimoto(smiles_a, smiles_b).",
        'g = AllChem.GetMorganGenerator(radius=2); m = Chem.MolFromSmiles("CCO"); '
        "Chem.DataStructs.TanimotoSimilarity(g.GetFingerprint(m), g.GetCountFingerprint(m))",
    ),
    _hint(
        r"name '(DataStructs|rdFingerprintGenerator|MACCSkeys|QED|PandasTools|rdMolStandardize|rdMolDraw2D)' "
        r"is not defined",
        "Not preloaded: from rdkit import DataStructs; from rdkit.Chem import rdFingerprintGenerator, MACCSkeys, QED, "
        "PandasTools; from rdkit.Chem.MolStandardize import rdMolStandardize. Or use the chem.* helpers.",
        "DataStructs.TanimotoSimilarity(None, None)",
    ),
    _hint(
        r"module 'rdkit\.Chem\.Draw' has no attribute '(MolToImageFile|MolToMPL)'",
        "Removed in RDKit 2024.09: Draw.MolToFile(m, 'mol.png') or Draw.MolToImage(m).save('mol.png'); "
        "or chem.draw(smiles, path='mol.png').",
        'Draw.MolToImageFile(Chem.MolFromSmiles("CCO"), "mol.png")',
    ),
    _hint(
        r"'(Image|SVG)' object (has no attribute|is not subscriptable)|must be str, not SVG|not 'Image'",
        "In Jupyter Draw.MolsToGridImage returns an IPython Image/SVG: .data holds the PNG bytes / SVG text; "
        "chem.draw_grid(mols, path='grid.png') returns a PIL image and saves it.",
        'img = Draw.MolsToGridImage([Chem.MolFromSmiles("CCO")]); img.save("grid.png")',
        code=r"MolsToGridImage",
    ),
    _hint(
        r"cannot import name '\w+' from 'rdkit\.Chem\.MolStandardize'|"
        r"module 'rdkit\.Chem\.MolStandardize' has no attribute|No module named 'molvs'",
        "The Python MolStandardize/MolVS API is gone: from rdkit.Chem.MolStandardize import rdMolStandardize "
        "(Cleanup, FragmentParent, Uncharger().uncharge, StandardizeSmiles), or chem.standardize(smiles).",
        "from rdkit.Chem.MolStandardize import Standardizer",
    ),
    _hint(
        r"Bad Conformer Id",
        "The molecule has no 3D coordinates: mh = Chem.AddHs(m); AllChem.EmbedMolecule(mh, randomSeed=42) "
        "(-1 = failed) before optimising or GetConformer(); or chem.embed_3d(smiles).",
        'm = Chem.MolFromSmiles("CCO"); AllChem.MMFFOptimizeMolecule(m)',
    ),
    _hint(
        r"Embed\w*\([^)]*EmbedParameters[^)]*\)\s+did not match",
        "Give EmbedMolecule either params (p = AllChem.ETKDGv3(); p.randomSeed = 42; AllChem.EmbedMolecule(mh, p)) "
        "or keywords (randomSeed=42), not both.",
        'mh = Chem.AddHs(Chem.MolFromSmiles("CCO")); AllChem.EmbedMolecule(mh, AllChem.ETKDGv3(), randomSeed=42)',
    ),
    _hint(
        r"RunReactants\([^)]*\)\s+did not match|Number of reactants provided does not match",
        "rxn.RunReactants takes a tuple of Mols, one per reactant template, in order: rxn.RunReactants((m1, m2)); "
        "or chem.run_reaction(rxn_smarts, [smiles1, smiles2]) for product SMILES.",
        'rxn = AllChem.ReactionFromSmarts("[C:1](=O)[OH].[N:2]>>[C:1](=O)[N:2]"); '
        'rxn.RunReactants(Chem.MolFromSmiles("CC(=O)O"))',
    ),
    _hint(
        r"ChemicalReactionParserException",
        "A reaction SMARTS is 'reactants>>products' with atom maps, e.g. '[C:1](=O)[OH].[N:2]>>[C:1](=O)[N:2]' "
        "(amide coupling), not 'A + B'.",
        'AllChem.ReactionFromSmarts("CC(=O)O + CN")',
    ),
]
