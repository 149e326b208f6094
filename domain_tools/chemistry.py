"""RDKit helpers for the kernel, imported there as ``chem``: parse, standardise, describe, compare, search, react,
embed and draw molecules in one call each.

Every helper takes molecules as SMILES, InChI or mol-block text, or as RDKit ``Mol`` objects, and raises
``ValueError`` naming the bad input and RDKit's reason instead of returning ``None`` (the raw RDKit calls fail
later with an opaque ``'NoneType' object has no attribute ...``). RDKit's C++ log messages are captured while a
helper runs, so they neither clutter the output nor get lost. ``profile`` and ``functional_groups`` answer the
everyday questions about one molecule in a labelled table (a ``Profile``) to print.
"""

from __future__ import annotations

import io
import math
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
from PIL import Image
from rdkit import Chem, DataStructs, rdBase
from rdkit.Chem import (
    AllChem,
    Crippen,
    Descriptors,
    Lipinski,
    rdFingerprintGenerator,
    rdinchi,
    rdMolDescriptors,
)
from rdkit.Chem.Draw import rdMolDraw2D
from rdkit.Chem.MolStandardize import rdMolStandardize

from domain_tools.profile import Profile, Row

MolLike = str | Chem.Mol
PathLike = str | os.PathLike[str]
Molecules = MolLike | Iterable[MolLike] | Mapping[str, MolLike]  # a mapping (or Series) gives names
_LOG_PREFIX = re.compile(r"^\[\d\d:\d\d:\d\d\] ")
_PARSER_PREFIX = re.compile(r"^(SMILES Parse Error|SMARTS Parse Error|ERROR): ")
_NOISE = re.compile(r"Failed parsing|moving to the beginning of the next molecule")


@contextmanager
def _rdkit_log() -> Iterator[rdBase.CaptureErrorLog]:
    """Silence RDKit's log while the block runs and keep its error messages in ``capture.messages``."""
    with rdBase.BlockLogs(), rdBase.CaptureErrorLog() as capture:
        yield capture


def _reason(messages: str, default: str = "RDKit could not parse it") -> str:
    """RDKit's error log as one line, without timestamps, parser prefixes, the echoed input and its ``~~^`` line."""
    lines = [_LOG_PREFIX.sub("", line).strip() for line in messages.splitlines()]
    pointers = {i for i, line in enumerate(lines) if line and not set(line) - set("~^ ")}
    kept: list[str] = []
    for i, line in enumerate(lines):
        if not line or i in pointers or i + 1 in pointers or _NOISE.search(line):
            continue
        line = _PARSER_PREFIX.sub("", line).rstrip(":")
        if line not in kept:
            kept.append(line)
    return "; ".join(kept) or default


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else f"{text[:limit]}..."


def mol(x: MolLike) -> Chem.Mol:
    """A sanitised RDKit Mol from SMILES, InChI or mol-block text (an RDKit Mol passes through unchanged).

    Use it instead of ``Chem.MolFromSmiles`` when you want an error with the reason rather than ``None``.
    """
    if isinstance(x, Chem.Mol):
        return x
    if x is None:
        raise TypeError("got None instead of a molecule (Chem.MolFromSmiles returns None for an invalid SMILES)")
    if not isinstance(x, str):
        raise TypeError(f"expected a SMILES, InChI or mol block string or an RDKit Mol, got {type(x).__name__}")
    text = x.strip()
    if not text:
        raise ValueError("empty molecule string: give a SMILES, InChI or mol block")
    if text.startswith("InChI="):
        result, _, message, log = rdinchi.InchiToMol(text)
        if result is None:
            raise ValueError(f"invalid InChI {_short(text)!r}: {message or log.strip().splitlines()[-1]}")
        return result
    kind = "mol block" if "M  END" in text else "SMILES"
    with _rdkit_log() as capture:
        result = Chem.MolFromMolBlock(x) if kind == "mol block" else Chem.MolFromSmiles(text)
    if result is None:
        raise ValueError(f"invalid {kind} {_short(text)!r}: {_reason(capture.messages)}")
    return result


def read_sdf(source: PathLike, skip_invalid: bool = False) -> list[Chem.Mol]:
    """Every molecule of an SDF file (path) or SDF text, with its SD fields as Mol properties.

    A record RDKit cannot read raises ``ValueError`` naming its position, unless ``skip_invalid=True``.
    """
    text = str(source)
    if not text.strip():
        raise ValueError("empty SDF input: give a file path or SDF text")
    if "\n" in text:
        supplier = Chem.SDMolSupplier()
        supplier.SetData(text)
        where = "SDF text"
    else:
        if not Path(text).is_file():
            raise FileNotFoundError(f"no SDF file at {text!r}")
        supplier = Chem.SDMolSupplier(text)
        where = text
    molecules = []
    with _rdkit_log() as capture:
        for index, record in enumerate(supplier, start=1):
            if record is None and not skip_invalid:
                raise ValueError(f"record {index} of {where} is not a valid molecule: {_reason(capture.messages)}")
            if record is not None:
                molecules.append(record)
    if not molecules:
        raise ValueError(f"no molecules found in {where}")
    return molecules


def canonical_smiles(x: MolLike, isomeric: bool = True) -> str:
    """RDKit's canonical SMILES, so two spellings of one molecule compare equal as strings."""
    return Chem.MolToSmiles(mol(x), isomericSmiles=isomeric)


def standardize(x: MolLike, largest_fragment: bool = True, uncharge: bool = True, tautomer: bool = False) -> str:
    """Canonical SMILES of the cleaned-up parent molecule: the usual step before comparing or deduplicating.

    Runs rdMolStandardize cleanup (normalise groups, disconnect metals, reionise), then optionally keeps the
    largest organic fragment (strips salts and solvents), neutralises charges and picks the canonical tautomer.
    """
    with _rdkit_log():
        result = rdMolStandardize.Cleanup(mol(x))
        if largest_fragment:
            result = rdMolStandardize.LargestFragmentChooser(preferOrganic=True).choose(result)
        if uncharge:
            result = rdMolStandardize.Uncharger().uncharge(result)
        if tautomer:
            result = rdMolStandardize.TautomerEnumerator().Canonicalize(result)
    return Chem.MolToSmiles(result)


def _named_mols(molecules: Molecules) -> list[tuple[str, Chem.Mol]]:
    """(name, Mol) pairs from one molecule, a list of them, or a name -> molecule mapping (dict, Series)."""
    if isinstance(molecules, str | Chem.Mol):
        molecules = [molecules]
    items = list(molecules.items()) if hasattr(molecules, "items") else [(None, m) for m in molecules]
    if not items:
        raise ValueError("no molecules given")
    named = []
    for name, item in items:
        parsed = mol(item)
        if name is None:
            name = item if isinstance(item, str) else parsed.GetProp("_Name") if parsed.HasProp("_Name") else ""
        named.append((str(name) or Chem.MolToSmiles(parsed), parsed))
    return named


# Lipinski's limits: a molecule violates the rule of five once for each property above its limit.
_RULE_OF_FIVE = {"mw": 500, "logp": 5, "hbd": 5, "hba": 10}


def _properties(m: Chem.Mol) -> dict[str, Any]:
    return {
        "smiles": Chem.MolToSmiles(m),
        "formula": rdMolDescriptors.CalcMolFormula(m),
        "mw": Descriptors.MolWt(m),
        "exact_mw": Descriptors.ExactMolWt(m),
        "logp": Crippen.MolLogP(m),
        "tpsa": Descriptors.TPSA(m),
        "hbd": Lipinski.NumHDonors(m),
        "hba": Lipinski.NumHAcceptors(m),
        "rot_bonds": Lipinski.NumRotatableBonds(m),
        "rings": len(Chem.GetSSSR(m)),  # the cyclomatic count: 3 for adamantane, where RingCount gives 4
        "aromatic_rings": Lipinski.NumAromaticRings(m),
        "heavy_atoms": m.GetNumHeavyAtoms(),
        "charge": Chem.GetFormalCharge(m),
        "qed": Descriptors.qed(m),
    }


def descriptors(molecules: Molecules) -> pd.DataFrame:
    """One row per molecule (index: name or input SMILES) with the everyday descriptors.

    Columns: smiles, formula, mw (average, g/mol), exact_mw (monoisotopic), logp (Crippen), tpsa, hbd, hba,
    rot_bonds, rings, aromatic_rings, heavy_atoms, charge (net formal), qed.
    """
    named = _named_mols(molecules)
    table = pd.DataFrame([_properties(m) for _, m in named], index=[name for name, _ in named])
    table.index.name = "name"
    return table


def lipinski(molecules: Molecules) -> pd.DataFrame:
    """Lipinski's rule of five per molecule: MW <= 500, logP <= 5, HBD <= 5, HBA <= 10; passes with <= 1 violation."""
    table = descriptors(molecules)[list(_RULE_OF_FIVE)]
    table = table.assign(violations=(table > pd.Series(_RULE_OF_FIVE)).sum(axis=1))
    return table.assign(passes=table["violations"] <= 1)


def veber(molecules: Molecules) -> pd.DataFrame:
    """Veber's oral-bioavailability rule per molecule: rotatable bonds <= 10 and TPSA <= 140."""
    table = descriptors(molecules)[["rot_bonds", "tpsa"]]
    return table.assign(passes=(table["rot_bonds"] <= 10) & (table["tpsa"] <= 140))


# --- answer helpers: one labelled table per molecule ----------------------------------------------------

PROTON_MASS = 1.007276  # Da, the mass of H+ that ESI adducts add or remove
SODIUM_ION_MASS = 22.989218  # Da, Na+ (the atom's 22.989769 less one electron)


def _ring_systems(m: Chem.Mol) -> int:
    """Rings that share an atom (fused, bridged or spiro) merged into one system; isolated rings stay apart."""
    systems: list[set[int]] = []
    for ring in m.GetRingInfo().AtomRings():
        merged = set(ring)
        for system in [s for s in systems if s & merged]:
            merged |= system
            systems.remove(system)
        systems.append(merged)
    return len(systems)


def _stereocentres(m: Chem.Mol) -> list[str]:
    """Each tetrahedral stereocentre as element, 1-based atom number and CIP label ("C2 S", "C4 unassigned")."""
    centres = Chem.FindMolChiralCenters(m, includeUnassigned=True, useLegacyImplementation=False)
    return [f"{m.GetAtomWithIdx(i).GetSymbol()}{i + 1} {label.replace('?', 'unassigned')}" for i, label in centres]


def _adducts(exact_mass: float, charge: int) -> list[Row]:
    """[M+H]+, [M+Na]+ and [M-H]- m/z of a neutral molecule (z = 1, so m/z equals the ion's mass in Da)."""
    ions = (
        ("mz_h", "[M+H]+", PROTON_MASS),
        ("mz_na", "[M+Na]+", SODIUM_ION_MASS),
        ("mz_minus_h", "[M-H]-", -PROTON_MASS),
    )
    if charge:
        note = f"not computed: the molecule already carries a net charge of {charge:+d}"
        return [Row(key, f"{ion} adduct m/z", note) for key, ion, _ in ions]
    label = "adduct m/z (monoisotopic, z=1)"
    return [Row(key, f"{ion} {label}", exact_mass + shift, "Da", ".4f") for key, ion, shift in ions]


def profile(x: MolLike) -> Profile:
    """Every everyday property of one molecule as a labelled table with units: print it and read the row.

    Rows (key: quantity): smiles, formula, mw (average MolWt, g/mol), exact_mw (monoisotopic ExactMolWt,
    Da), mz_h / mz_na / mz_minus_h (adduct m/z), logp (Crippen), mr (molar refractivity), tpsa, hbd, hba
    (Lipinski definitions), rot_bonds, rings, aromatic_rings, ring_systems, stereocentres (incl.
    unassigned), stereocentre_labels, heavy_atoms, fsp3, qed, lipinski_violations, lipinski_passes, charge.
    """
    m = mol(x)
    p = _properties(m)
    violations = sum(p[key] > limit for key, limit in _RULE_OF_FIVE.items())
    centres = _stereocentres(m)
    rows = [
        Row("smiles", "canonical SMILES", p["smiles"]),
        Row("formula", "molecular formula", p["formula"]),
        Row("mw", "average molecular weight (MolWt)", p["mw"], "g/mol", ".4f"),
        Row("exact_mw", "monoisotopic mass (ExactMolWt)", p["exact_mw"], "Da", ".4f"),
        *_adducts(p["exact_mw"], p["charge"]),
        Row("logp", "logP (Wildman-Crippen MolLogP)", p["logp"], "", ".4f"),
        Row("mr", "molar refractivity (Crippen MolMR)", Crippen.MolMR(m), "cm^3/mol", ".4f"),
        Row("tpsa", "topological polar surface area (TPSA)", p["tpsa"], "Å^2", ".2f"),
        Row("hbd", "H-bond donors (Lipinski NumHDonors)", p["hbd"]),
        Row("hba", "H-bond acceptors (Lipinski NumHAcceptors)", p["hba"]),
        Row("rot_bonds", "rotatable bonds", p["rot_bonds"]),
        Row("rings", "rings (all, smallest set of smallest rings)", p["rings"]),
        Row("aromatic_rings", "aromatic rings", p["aromatic_rings"]),
        Row("ring_systems", "ring systems (fused rings count as one)", _ring_systems(m)),
        Row("stereocentres", "stereocentres (chiral centres, incl. unassigned)", len(centres)),
        Row("stereocentre_labels", "stereocentre CIP labels (atom: R/S)", ", ".join(centres) or "none"),
        Row("heavy_atoms", "heavy atoms (non-hydrogen)", p["heavy_atoms"]),
        Row("fsp3", "Fsp3 (fraction of sp3 carbons)", rdMolDescriptors.CalcFractionCSP3(m), "", ".4f"),
        Row("qed", "QED drug-likeness (0-1)", p["qed"], "", ".4f"),
        Row("lipinski_violations", "Lipinski violations (MW>500, logP>5, HBD>5, HBA>10)", violations),
        Row("lipinski_passes", "passes the rule of five (<= 1 violation)?", "yes" if violations <= 1 else "no"),
        Row("charge", "net formal charge", p["charge"], "e"),
    ]
    return Profile(f"chem.profile of {p['smiles']}", rows)


# name: (label, SMARTS); a count is the number of distinct matches, so each group is counted once.
_AMINE = "!$(N~[!#6;!#1]);!$(N[#6]=[O,S,N])"  # N on carbons only, not an amide, thioamide or amidine N
FUNCTIONAL_GROUPS: dict[str, tuple[str, str]] = {
    "carboxylic_acid": ("carboxylic acid (incl. carboxylate)", "[CX3](=O)[OX2H1,OX1-]"),
    "ester": ("ester (incl. lactone)", "[#6][CX3](=O)[OX2H0][#6]"),
    "amide": ("amide (incl. lactam; not urea)", "[#7X3][#6X3;$([#6H1]),$([#6][#6])](=[OX1])"),
    "urea": ("urea", "[#7X3][#6X3](=[OX1])[#7X3]"),
    "primary_amine": ("primary amine (incl. aniline, protonated)", f"[$([NX3;H2;+0]),$([NX4;H3;+1]);{_AMINE}]"),
    "secondary_amine": ("secondary amine (incl. protonated)", f"[$([NX3;H1;+0]),$([NX4;H2;+1]);{_AMINE}]"),
    "tertiary_amine": ("tertiary amine (incl. protonated)", f"[$([NX3;H0;+0]),$([NX4;H1;+1]);{_AMINE}]"),
    "quaternary_ammonium": ("quaternary ammonium", "[NX4;H0;+1;!$(N~[!#6])]"),
    "alcohol": ("alcohol (aliphatic OH)", "[OX2H][CX4]"),
    "phenol": ("phenol (aromatic OH)", "[OX2H]c"),
    "ketone": ("ketone", "[#6][CX3](=O)[#6]"),
    "aldehyde": ("aldehyde", "[$([CX3H1](=O)[#6]),$([CX3H2]=O)]=O"),
    "ether": ("ether (C-O-C, not ester)", "[OX2;!$(O[#6]=[O,S,N])]([#6])[#6]"),
    "nitrile": ("nitrile", "[NX1]#[CX2]"),
    "nitro": ("nitro", "[$([NX3](=O)=O),$([NX3+](=O)[O-])]"),
    "halogen": ("halogen atoms (F, Cl, Br, I)", "[F,Cl,Br,I]"),
    "sulfonamide": ("sulfonamide", "[SX4](=[OX1])(=[OX1])[NX3]"),
    "thiol": ("thiol (SH)", "[SX2H]"),
    "alkene": ("alkene (non-aromatic C=C)", "[CX3]=[CX3]"),
    "alkyne": ("alkyne (C#C)", "[CX2]#[CX2]"),
    "aromatic_atoms": ("aromatic ring atoms", "[a]"),
}


def functional_groups(x: MolLike) -> Profile:
    """How many of each common functional group the molecule has (by SMARTS): print it and read the row.

    Rows are the keys of ``FUNCTIONAL_GROUPS`` (carboxylic_acid, ester, amide, primary_amine, alcohol,
    phenol, ketone, ...) plus aromatic_rings; amines exclude amide, sulfonamide and amidine nitrogens.
    """
    m = mol(x)
    rows = [Row(key, label, count_matches(m, smarts)) for key, (label, smarts) in FUNCTIONAL_GROUPS.items()]
    rows.append(Row("aromatic_rings", "aromatic rings", Lipinski.NumAromaticRings(m)))
    return Profile(f"chem.functional_groups of {Chem.MolToSmiles(m)} (number of each group)", rows)


@lru_cache(maxsize=16)
def _morgan_generator(radius: int, n_bits: int) -> rdFingerprintGenerator.FingerprintGenerator64:
    return rdFingerprintGenerator.GetMorganGenerator(radius=radius, fpSize=n_bits)


def fingerprint(x: MolLike, kind: str = "morgan", radius: int = 2, n_bits: int = 2048) -> DataStructs.ExplicitBitVect:
    """A bit-vector fingerprint: ``kind="morgan"`` (ECFP-like, radius 2 = ECFP4) or ``"maccs"`` (166 keys)."""
    m = mol(x)
    if kind == "morgan":
        return _morgan_generator(radius, n_bits).GetFingerprint(m)
    if kind == "maccs":
        return rdMolDescriptors.GetMACCSKeysFingerprint(m)
    raise ValueError(f"unknown fingerprint kind {kind!r}: use 'morgan' or 'maccs'")


def tanimoto(a: MolLike, b: MolLike, kind: str = "morgan") -> float:
    """Tanimoto similarity (0-1) of two molecules' fingerprints; 1.0 for identical fingerprints."""
    return DataStructs.TanimotoSimilarity(fingerprint(a, kind), fingerprint(b, kind))


def similarity_search(
    query: MolLike, library: Molecules, top: int | None = 10, threshold: float = 0.0, kind: str = "morgan"
) -> pd.DataFrame:
    """The library molecules most similar to ``query`` (Tanimoto, most similar first), at most ``top`` rows.

    ``library`` is a list of molecules or a name -> molecule mapping; rows below ``threshold`` are dropped.
    """
    named = _named_mols(library)
    scores = DataStructs.BulkTanimotoSimilarity(fingerprint(query, kind), [fingerprint(m, kind) for _, m in named])
    table = pd.DataFrame(
        {
            "name": [name for name, _ in named],
            "smiles": [Chem.MolToSmiles(m) for _, m in named],
            "similarity": scores,
        }
    )
    table = table[table["similarity"] >= threshold].sort_values("similarity", ascending=False, kind="stable")
    return table.iloc[:top].reset_index(drop=True)


def _pattern(smarts: MolLike) -> Chem.Mol:
    if isinstance(smarts, Chem.Mol):
        return smarts
    if not isinstance(smarts, str):
        raise TypeError(f"expected a SMARTS string or a query Mol, got {type(smarts).__name__}")
    if not smarts.strip():
        raise ValueError("empty SMARTS pattern")
    with _rdkit_log() as capture:
        pattern = Chem.MolFromSmarts(smarts)
    if pattern is None:
        raise ValueError(f"invalid SMARTS {smarts!r}: {_reason(capture.messages)}")
    return pattern


def has_substructure(x: MolLike, smarts: MolLike) -> bool:
    """Whether the molecule contains the SMARTS pattern (e.g. ``"C(=O)[OX2H1]"`` for a carboxylic acid)."""
    return mol(x).HasSubstructMatch(_pattern(smarts))


def count_matches(x: MolLike, smarts: MolLike) -> int:
    """How many distinct (non-identical atom set) matches of the SMARTS pattern the molecule has."""
    return len(mol(x).GetSubstructMatches(_pattern(smarts), maxMatches=100000))


def substructure_filter(library: Molecules, smarts: MolLike) -> pd.DataFrame:
    """The library molecules containing the SMARTS pattern, with their match counts, in library order."""
    pattern = _pattern(smarts)
    named = _named_mols(library)
    rows = [(name, Chem.MolToSmiles(m), count_matches(m, pattern)) for name, m in named]
    table = pd.DataFrame(rows, columns=["name", "smiles", "matches"])
    return table[table["matches"] > 0].reset_index(drop=True)


def run_reaction(rxn_smarts: str, reactants: MolLike | Iterable[MolLike]) -> list[str]:
    """Unique canonical SMILES of every outcome of a reaction SMARTS applied to the reactants, in order.

    Reactants are given in the order of the reaction's templates (one molecule, or a list for several
    templates). An outcome with several products is one dot-separated SMILES; products RDKit cannot sanitise
    are skipped.
    """
    with _rdkit_log() as capture:
        try:
            rxn = AllChem.ReactionFromSmarts(rxn_smarts)
        except ValueError as error:
            reason = _reason(capture.messages, default=str(error).removeprefix("ChemicalReactionParserException: "))
            raise ValueError(f"invalid reaction SMARTS {rxn_smarts!r}: {reason}") from None
    molecules = [mol(r) for r in ([reactants] if isinstance(reactants, str | Chem.Mol) else reactants)]
    if len(molecules) != rxn.GetNumReactantTemplates():
        raise ValueError(
            f"reaction {rxn_smarts!r} takes {rxn.GetNumReactantTemplates()} reactant(s), got {len(molecules)}"
        )
    outcomes, failures = [], []
    with _rdkit_log():
        for products in rxn.RunReactants(tuple(molecules)):
            try:
                for product in products:
                    Chem.SanitizeMol(product)
            except Chem.MolSanitizeException as error:
                failures.append(str(error))
                continue
            smiles = ".".join(Chem.MolToSmiles(product) for product in products)
            if smiles not in outcomes:
                outcomes.append(smiles)
    if failures and not outcomes:
        raise ValueError(f"reaction {rxn_smarts!r} gave only products RDKit cannot sanitise: {failures[0]}")
    return outcomes


def _optimize(m: Chem.Mol) -> tuple[str, list[float]]:
    """Minimise every conformer with MMFF94, or UFF when MMFF lacks parameters; the force field and energies.

    With neither (e.g. some metals) the conformers stay as embedded and the energies are NaN.
    """
    with _rdkit_log():
        if AllChem.MMFFHasAllMoleculeParams(m):
            results = AllChem.MMFFOptimizeMoleculeConfs(m, numThreads=0, maxIters=2000)
            return "MMFF94", [energy for _, energy in results]
        if AllChem.UFFHasAllMoleculeParams(m):
            return "UFF", [energy for _, energy in AllChem.UFFOptimizeMoleculeConfs(m, numThreads=0, maxIters=2000)]
    return "none", [math.nan] * m.GetNumConformers()


def _embed(x: MolLike, n: int, seed: int) -> Chem.Mol:
    """A copy of the molecule with explicit hydrogens and ``n`` ETKDGv3 conformers."""
    if n < 1:
        raise ValueError(f"number of conformers must be at least 1, got {n}")
    m = Chem.AddHs(mol(x))
    params = AllChem.ETKDGv3()
    params.randomSeed = seed
    params.numThreads = 0
    with _rdkit_log():
        AllChem.EmbedMultipleConfs(m, n, params)
        if not m.GetNumConformers():  # large or strained molecules often embed from random coordinates only
            params.useRandomCoords = True
            AllChem.EmbedMultipleConfs(m, n, params)
    if not m.GetNumConformers():
        raise ValueError(f"could not generate 3D coordinates for {Chem.MolToSmiles(Chem.RemoveHs(m))!r}")
    return m


def embed_3d(x: MolLike, seed: int = 42) -> Chem.Mol:
    """A 3D structure: hydrogens added, ETKDGv3 embedding, MMFF94 (else UFF) minimisation; reproducible by seed.

    The returned Mol has one conformer and the properties ``energy`` (kcal/mol) and ``force_field``.
    """
    m = _embed(x, 1, seed)
    force_field, energies = _optimize(m)
    m.SetDoubleProp("energy", energies[0])
    m.SetProp("force_field", force_field)
    return m


def conformers(x: MolLike, n: int = 10, seed: int = 42) -> tuple[Chem.Mol, pd.DataFrame]:
    """``n`` minimised conformers: the Mol holding them and a table of conf_id, energy and rel_energy (kcal/mol).

    The table is sorted lowest energy first; ``m.GetConformer(conf_id)`` gives the coordinates.
    """
    m = _embed(x, n, seed)
    force_field, energies = _optimize(m)
    table = pd.DataFrame({"conf_id": [conf.GetId() for conf in m.GetConformers()], "energy": energies})
    table = table.assign(rel_energy=table["energy"] - table["energy"].min(), force_field=force_field)
    return m, table.sort_values("energy", kind="stable").reset_index(drop=True)


def _render(
    mols: list[Chem.Mol],
    legends: list[str],
    size: tuple[int, int],
    per_row: int,
    format: str | None,
    path: PathLike | None,
) -> Image.Image | str:
    if format is None:
        format = "svg" if path is not None and str(path).lower().endswith(".svg") else "png"
    if format not in ("png", "svg"):
        raise ValueError(f"unknown image format {format!r}: use 'png' or 'svg'")
    width, height = size
    rows = math.ceil(len(mols) / per_row)
    canvas = rdMolDraw2D.MolDraw2DSVG if format == "svg" else rdMolDraw2D.MolDraw2DCairo
    drawer = canvas(width * min(per_row, len(mols)), height * rows, width, height)
    with _rdkit_log():
        drawer.DrawMolecules(mols, legends=legends)
    drawer.FinishDrawing()
    if format == "svg":
        image = drawer.GetDrawingText()
        if path is not None:
            Path(path).write_text(image)
        return image
    image = Image.open(io.BytesIO(drawer.GetDrawingText()))
    if path is not None:
        image.save(path)
    return image


def draw(
    x: MolLike,
    size: tuple[int, int] = (300, 300),
    legend: str = "",
    format: str | None = None,
    path: PathLike | None = None,
) -> Image.Image | str:
    """A 2D depiction: a PIL image (``format="png"``) or SVG text (``"svg"``), also saved when ``path`` is given.

    The format defaults to the path's suffix (.svg or png). A PIL image shows inline as a cell's last value.
    """
    return _render([mol(x)], [legend], size, 1, format, path)


def draw_grid(
    molecules: Molecules,
    legends: list[str] | None = None,
    per_row: int = 4,
    size: tuple[int, int] = (250, 250),
    format: str | None = None,
    path: PathLike | None = None,
) -> Image.Image | str:
    """Several molecules in one image, ``per_row`` per row, each labelled by its legend (default: its name)."""
    named = _named_mols(molecules)
    if legends is None:
        legends = [name for name, _ in named]
    if len(legends) != len(named):
        raise ValueError(f"got {len(legends)} legends for {len(named)} molecules")
    if per_row < 1:
        raise ValueError(f"per_row must be at least 1, got {per_row}")
    return _render([m for _, m in named], [str(legend) for legend in legends], size, per_row, format, path)
