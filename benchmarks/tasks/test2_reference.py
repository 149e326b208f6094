"""Held-out suite ``test2``: every task's questions, tags and a reference solution that computes its expected value.

Run ``python benchmarks/tasks/test2_reference.py`` to execute every reference solution (RDKit, Biopython,
astropy) and write ``test2.jsonl`` next to this file; ``--selftest`` also judges a correct and a wrong answer
with each task's check (the python checks through the same ``eval`` the judge uses) before writing. Expected
values are never typed by hand: each comes from running the solution below the task's questions.

Each task is one function decorated with ``@task(id, tags, *turns)``; it returns a ``Ref``: the check, a
correct answer text, a wrong one, and the variables a correct session leaves in the kernel (for python checks).
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import math
import re
import sys
import warnings
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

import astropy.units as u
import numpy as np
import pandas as pd
from astropy import constants as const
from astropy.coordinates import AltAz, EarthLocation, SkyCoord, get_body
from astropy.cosmology import WMAP9, FlatLambdaCDM, Planck18, z_at_value
from astropy.time import Time
from astropy.utils import iers
from Bio import Align, SeqIO
from Bio.Align import substitution_matrices
from Bio.Data import CodonTable
from Bio.Restriction import BglII, BsaI, BsmBI, SpeI
from Bio.Seq import Seq
from Bio.SeqRecord import SeqRecord
from Bio.SeqUtils import GC_skew, gc_fraction, molecular_weight
from Bio.SeqUtils import MeltingTemp as mt
from Bio.SeqUtils.ProtParam import ProteinAnalysis
from Bio.SeqUtils.ProtParamData import kd as KYTE_DOOLITTLE
from rdkit import Chem, DataStructs, RDLogger
from rdkit.Chem import AllChem, Crippen, Descriptors, Lipinski, rdCIPLabeler, rdFingerprintGenerator, rdMolDescriptors
from rdkit.Chem.EnumerateStereoisomers import EnumerateStereoisomers
from rdkit.Chem.MolStandardize import rdMolStandardize
from rdkit.Chem.Scaffolds import MurckoScaffold

iers.conf.auto_download = False
iers.conf.auto_max_age = None
RDLogger.DisableLog("rdApp.*")
warnings.filterwarnings("ignore", module="astropy")
warnings.filterwarnings("ignore", module="erfa")

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "test2.jsonl"


# ================================================================ the machinery


@dataclass
class Ref:
    """What a reference solution returns: the check, a correct and a wrong answer, and the session's variables."""

    check: dict[str, Any]
    good: str
    bad: str = "0"
    namespace: dict[str, Any] = field(default_factory=dict)
    margin: str = ""  # for "which" answers: how far ahead the winner is (printed by --selftest)


@dataclass
class Spec:
    id: str
    domain: str
    tags: list[str]
    turns: list[str]
    solve: Callable[[], Ref]


TASKS: list[Spec] = []
DOMAINS = {"chem": "chemistry", "bio": "biology", "astro": "astronomy"}
TAGS = {"multi-step", "off-table", "follow-up"}


def task(task_id: str, tags: Iterable[str], *turns: str) -> Callable[[Callable[[], Ref]], Callable[[], Ref]]:
    """Register a reference solution under its id (t2-<chem|bio|astro>-...), tags and question turns."""
    tags = list(tags)
    assert set(tags) <= TAGS, tags
    domain = DOMAINS[task_id.split("-")[1]]

    def register(solve: Callable[[], Ref]) -> Callable[[], Ref]:
        TASKS.append(Spec(task_id, domain, tags, [re.sub(r"\n[ \t]+", " ", t).strip() for t in turns], solve))
        return solve

    return register


def _decimals(tol: float) -> int:
    return max(0, math.ceil(-math.log10(tol))) if tol > 0 else 0


def number(value: float, tol: float = 0.0, rel: float = 0.0, unit: str = "") -> Ref:
    """A numeric check; the correct answer text shows the value rounded as the tolerance allows."""
    value = float(value)
    check: dict[str, Any] = {"type": "number", "value": float(f"{value:.10g}"), "tol": tol}
    if rel:
        check["rel"] = rel
    shown = f"{value:.{_decimals(tol)}f}" if tol or not rel else f"{value:.5g}"
    if not tol and not rel:
        assert value == round(value), value
        shown = str(round(value))
    wrong = "0" if abs(value) > max(tol, rel * abs(value)) + 1 else "1000000"
    return Ref(check, f"The result is {shown} {unit}".strip() + ".", f"The result is {wrong}.")


def number_expr(value: float, tol: float) -> str:
    """The python-check form of a numeric check, for follow-ups that also inspect variables."""
    return f"number is not None and abs(number - {float(f'{value:.10g}')!r}) <= {tol!r}"


def first_named_expr(correct: str, names: Iterable[str]) -> str:
    """True when ``correct`` is named in the answer and is the first of ``names`` the answer mentions."""
    names = [n.lower() for n in names]
    assert correct.lower() in names
    for a, b in combinations(names, 2):
        assert a not in b and b not in a, (a, b)
    return (
        f"min(((answer.lower().find(n), n) for n in {names!r} if n in answer.lower()), default=(0, ''))[1]"
        f" == {correct.lower()!r}"
    )


def which(correct: str, scores: dict[str, float], best: str = "max") -> Ref:
    """A "which one" question: the answer must name ``correct`` before any other candidate."""
    ranked = sorted(scores, key=scores.get, reverse=best == "max")
    assert ranked[0] == correct, (ranked, correct)
    gap = abs(scores[ranked[0]] - scores[ranked[1]])
    wrong = next(n for n in scores if n != correct)  # the first listed candidate that is not the answer
    return Ref(
        {"type": "python", "expr": first_named_expr(correct, scores)},
        f"It is {correct}.",
        f"It is {wrong}.",
        margin=f"{ranked[0]} {scores[ranked[0]]:.4g} vs {ranked[1]} {scores[ranked[1]]:.4g} (gap {gap:.3g})",
    )


def contains(text: str) -> Ref:
    return Ref({"type": "contains", "value": text}, f"Here it is: {text}", "Here it is: N/A")


def regex(pattern: str, good: str, bad: str) -> Ref:
    return Ref({"type": "regex", "pattern": pattern}, good, bad)


def session(variables: str, answer: Ref | str, namespace: dict[str, Any], good: str = "", bad: str = "") -> Ref:
    """A follow-up check: the session's variables (``variables``, an expression) and the last answer."""
    if isinstance(answer, str):
        inner, good_text, bad_text, margin = answer, good, bad, ""
    elif answer.check["type"] == "python":
        inner, good_text, bad_text, margin = answer.check["expr"], answer.good, answer.bad, answer.margin
    else:
        assert answer.check["type"] == "number"
        inner = number_expr(answer.check["value"], answer.check["tol"])
        good_text, bad_text, margin = answer.good, answer.bad, ""
    return Ref({"type": "python", "expr": f"({variables}) and ({inner})"}, good_text, bad_text, namespace, margin)


def listing(items: dict[str, str], sep: str = ": ") -> str:
    return "; ".join(f"{name}{sep}{value}" for name, value in items.items())


# ================================================================ chemistry


def mol(smiles: str) -> Chem.Mol:
    m = Chem.MolFromSmiles(smiles)
    assert m is not None, smiles
    return m


MORGAN2 = rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=2048)


def morgan_sim(a: str, b: str) -> float:
    return DataStructs.TanimotoSimilarity(MORGAN2.GetFingerprint(mol(a)), MORGAN2.GetFingerprint(mol(b)))


NSAIDS = {
    "ketoprofen": "CC(C(=O)O)c1cccc(c1)C(=O)c1ccccc1",
    "flurbiprofen": "CC(C(=O)O)c1ccc(c(F)c1)-c1ccccc1",
    "tolmetin": "Cc1ccc(cc1)C(=O)c1ccc(CC(=O)O)n1C",
    "piroxicam": "CN1C(C(=O)Nc2ccccn2)=C(O)c2ccccc2S1(=O)=O",
    "mefenamic acid": "Cc1cccc(Nc2ccccc2C(=O)O)c1C",
    "fenoprofen": "CC(C(=O)O)c1cccc(Oc2ccccc2)c1",
    "ketorolac": "OC(=O)C1CCn2c1ccc2C(=O)c1ccccc1",
    "meloxicam": "CN1C(C(=O)Nc2ncc(C)s2)=C(O)c2ccccc2S1(=O)=O",
    "tolfenamic acid": "Cc1c(Cl)cccc1Nc1ccccc1C(=O)O",
    "diflunisal": "OC(=O)c1cc(ccc1O)-c1ccc(F)cc1F",
}


@task(
    "t2-chem-nsaid-closest-pair",
    ["multi-step", "off-table"],
    f"""I'm clustering a small NSAID panel before a selectivity screen. SMILES: {listing(NSAIDS)}. Using RDKit
    Morgan fingerprints (radius 2, 2048 bits) and Tanimoto similarity, which two compounds of the panel form the
    most similar pair? Name the two.""",
)
def chem_nsaid_pair() -> Ref:
    pairs = {(a, b): morgan_sim(NSAIDS[a], NSAIDS[b]) for a, b in combinations(NSAIDS, 2)}
    ranked = sorted(pairs, key=pairs.get, reverse=True)
    best = ranked[0]
    names = list(NSAIDS)
    expr = (
        f"{{n for _, n in sorted((answer.lower().find(n), n) for n in {names!r} if n in answer.lower())[:2]}}"
        f" == {set(best)!r}"
    )
    margin = f"{best} {pairs[best]:.3f} vs {ranked[1]} {pairs[ranked[1]]:.3f}"
    good, bad = f"{best[0]} and {best[1]}", f"{names[0]} and {names[1]}"
    return Ref({"type": "python", "expr": expr}, good, bad, margin=margin)


RO5_PANEL = {
    "nilotinib": "Cc1cn(cn1)-c1cc(NC(=O)c2ccc(C)c(Nc3nccc(n3)-c3cccnc3)c2)cc(c1)C(F)(F)F",
    "levetiracetam": "CC[C@@H](N1CCCC1=O)C(N)=O",
    "lapatinib": "CS(=O)(=O)CCNCc1ccc(o1)-c1ccc2ncnc(Nc3ccc(OCc4cccc(F)c4)c(Cl)c3)c2c1",
    "venlafaxine": "COc1ccc(cc1)C(CN(C)C)C1(O)CCCCC1",
    "raffinose": "OC[C@H]1O[C@@](CO)(O[C@H]2O[C@H](CO[C@H]3O[C@H](CO)[C@H](O)[C@H](O)[C@H]3O)[C@@H](O)[C@H](O)"
    "[C@H]2O)[C@@H](O)[C@@H]1O",
    "lamotrigine": "Nc1nnc(c(N)n1)-c1cccc(Cl)c1Cl",
    "ramipril": "CCOC(=O)[C@H](CCc1ccccc1)N[C@@H](C)C(=O)N1[C@H]2CCC[C@H]2C[C@H]1C(=O)O",
    "vardenafil": "CCCc1nc(C)c2c(=O)[nH]c(-c3cc(ccc3OCC)S(=O)(=O)N3CCN(CC)CC3)nn12",
    "oseltamivir": "CCC(CC)O[C@@H]1C=C(C[C@@H](N)[C@H]1NC(C)=O)C(=O)OCC",
    "tadalafil": "CN1CC(=O)N2[C@@H](c3[nH]c4ccccc4c3C[C@@H]2C1=O)c1ccc2OCOc2c1",
}


def ro5_violations(m: Chem.Mol) -> int:
    limits = [
        (Descriptors.MolWt(m), 500),
        (Crippen.MolLogP(m), 5),
        (Lipinski.NumHDonors(m), 5),
        (Lipinski.NumHAcceptors(m), 10),
    ]
    return sum(value > limit for value, limit in limits)


@task(
    "t2-chem-ro5-panel-count",
    ["multi-step"],
    f"""Quick triage for the formulation group. For each compound below, count rule-of-five violations (average
    MW > 500, Crippen logP > 5, Lipinski H-bond donors > 5, Lipinski H-bond acceptors > 10). A compound passes if
    it has at most one violation. How many of these 10 pass? {listing(RO5_PANEL)}""",
)
def chem_ro5_count() -> Ref:
    return number(sum(ro5_violations(mol(s)) <= 1 for s in RO5_PANEL.values()))


HYPNOTICS = {
    "zaleplon": "CCN(C(C)=O)c1cccc(c1)-c1ccnc2c(cnn12)C#N",
    "eszopiclone": "CN1CCN(CC1)C(=O)O[C@@H]1N(C(=O)c2nccnc12)c1ccc(Cl)cn1",
    "ramelteon": "CCC(=O)NCC[C@@H]1CCc2ccc3OCCc3c21",
    "melatonin": "COc1ccc2[nH]cc(CCNC(C)=O)c2c1",
    "suvorexant": "Cc1ccc(n2nccn2)c(c1)C(=O)N1CCN(CC[C@H]1C)c1nc2cc(Cl)ccc2o1",
    "triazolam": "Cc1nnc2CN=C(c3ccccc3Cl)c3cc(Cl)ccc3-n12",
    "indiplon": "CN(C(C)=O)c1cccc(c1)-c1ccnc2c(cnn12)C(=O)c1cccs1",
    "buspirone": "O=C1CC2(CCCC2)CC(=O)N1CCCCN1CCN(CC1)c1ncccn1",
}
ZOLPIDEM = "Cc1ccc(cc1)-c1nc2ccc(C)cn2c1CC(=O)N(C)C"


@task(
    "t2-chem-maccs-nearest-hypnotic",
    ["multi-step", "off-table"],
    f"""Which compound in this sleep-drug library is closest to zolpidem ({ZOLPIDEM}) when compared by Tanimoto
    similarity of RDKit's 166-bit MACCS keys? Library: {listing(HYPNOTICS)}.""",
)
def chem_maccs_nearest() -> Ref:
    query = rdMolDescriptors.GetMACCSKeysFingerprint(mol(ZOLPIDEM))
    scores = {
        n: DataStructs.TanimotoSimilarity(query, rdMolDescriptors.GetMACCSKeysFingerprint(mol(s)))
        for n, s in HYPNOTICS.items()
    }
    return which(max(scores, key=scores.get), scores)


SERTRALINE_HCL = "CN[C@H]1CC[C@@H](c2ccc(Cl)c(Cl)c2)c2ccccc21.Cl"


@task(
    "t2-chem-sertraline-salt-correction",
    ["multi-step"],
    f"""The in-vivo protocol calls for 25 mg of sertraline as the free base, but what we have on the shelf is
    sertraline hydrochloride, {SERTRALINE_HCL}. How many mg of the hydrochloride salt should I weigh out? Use
    average molecular weights and give mg to two decimals.""",
)
def chem_salt_correction() -> Ref:
    salt = mol(SERTRALINE_HCL)
    base = rdMolStandardize.LargestFragmentChooser().choose(salt)
    return number(25 * Descriptors.MolWt(salt) / Descriptors.MolWt(base), tol=0.02, unit="mg")


LACOSAMIDE = "COC[C@@H](NC(C)=O)C(=O)NCc1ccccc1"


@task(
    "t2-chem-lacosamide-stock-mM",
    ["multi-step"],
    f"""I dissolved 4.7 mg of lacosamide ({LACOSAMIDE}) in 1.5 mL of DMSO. What is the stock concentration in
    millimolar (average MW), to two decimals?""",
)
def chem_stock() -> Ref:
    mw = Descriptors.MolWt(mol(LACOSAMIDE))
    return number(4.7e-3 / mw / 1.5e-3 * 1e3, tol=0.02, unit="mM")


LORATADINE = "CCOC(=O)N1CCC(=C2c3ccc(Cl)cc3CCc3cccnc23)CC1"


@task(
    "t2-chem-loratadine-murcko",
    ["off-table"],
    f"""For an SAR table I group compounds by their Bemis-Murcko framework. Using RDKit's Murcko scaffold (ring
    systems plus linkers, side chains removed, exocyclic double bonds kept as RDKit does), what is the scaffold of
    loratadine, {LORATADINE}? Give RDKit's canonical SMILES of the scaffold.""",
)
def chem_murcko() -> Ref:
    return contains(Chem.MolToSmiles(MurckoScaffold.GetScaffoldForMol(mol(LORATADINE))))


MEMANTINE = "CC12CC3CC(C)(C1)CC(N)(C3)C2"


@task(
    "t2-chem-memantine-wiener",
    ["off-table"],
    f"""Topological-index exercise: compute the Wiener index of memantine, {MEMANTINE}, i.e. the sum over all
    unordered pairs of heavy atoms of the number of bonds on the shortest path between them (hydrogens ignored).""",
)
def chem_wiener() -> Ref:
    return number(int(Chem.GetDistanceMatrix(mol(MEMANTINE)).sum() / 2))


EPOTHILONE_B = "C[C@H]1CCC[C@@]2(C)O[C@@H]2C[C@@H](OC(=O)C[C@H](O)C(C)(C)C(=O)[C@H](C)[C@@H]1O)/C(C)=C/c1csc(C)n1"


@task(
    "t2-chem-epothilone-largest-ring",
    ["off-table"],
    f"""How many atoms are in the largest ring of epothilone B? SMILES: {EPOTHILONE_B}. (Count ring members of
    the smallest set of smallest rings.)""",
)
def chem_largest_ring() -> Ref:
    m = mol(EPOTHILONE_B)  # keep the Mol alive while its ring info is read
    return number(max(len(r) for r in m.GetRingInfo().AtomRings()))


ARTEMISININ = "C[C@@H]1CC[C@H]2[C@@H](C)C(=O)O[C@@H]3O[C@@]4(C)CC[C@@H]1[C@]32OO4"


@task(
    "t2-chem-artemisinin-morgan-bits",
    ["off-table"],
    f"""For a fingerprint-density check: how many bits are switched on in the RDKit Morgan fingerprint of
    artemisinin ({ARTEMISININ}) with radius 2 and 2048 bits (default atom invariants, chirality not used)?""",
)
def chem_morgan_bits() -> Ref:
    return number(MORGAN2.GetFingerprint(mol(ARTEMISININ)).GetNumOnBits())


LINCOMYCIN = "CCC[C@@H]1C[C@H](N(C)C1)C(=O)N[C@@H]([C@@H]2[C@@H]([C@@H]([C@H]([C@H](O2)SC)O)O)O)[C@@H](C)O"


@task(
    "t2-chem-lincomycin-secondary-alcohols",
    ["off-table"],
    f"""Planning a selective protection step on lincomycin ({LINCOMYCIN}): how many secondary alcohol groups does
    it have? Count matches of the SMARTS [CX4;H1]([#6])([#6])[OX2H1] (an sp3 CH bearing OH and two carbons).""",
)
def chem_secondary_alcohols() -> Ref:
    pattern = Chem.MolFromSmarts("[CX4;H1]([#6])([#6])[OX2H1]")
    return number(len(mol(LINCOMYCIN).GetSubstructMatches(pattern)))


ABIETIC_ACID = "CC(C)C1=CC2=CCC3C(C)(CCCC3(C)C(=O)O)C2CC1"


@task(
    "t2-chem-abietic-quaternary-carbons",
    ["off-table"],
    f"""How many quaternary carbons does abietic acid ({ABIETIC_ACID}) have, counting sp3 carbons that are bonded
    to four other carbon atoms?""",
)
def chem_quaternary() -> Ref:
    pattern = Chem.MolFromSmarts("[CX4]([#6])([#6])([#6])[#6]")
    return number(len(mol(ABIETIC_ACID).GetSubstructMatches(pattern)))


STRYCHNINE = "O=C1C[C@H]2OCC=C3CN4CC[C@]56[C@@H]4C[C@H]3[C@H]2[C@H]5N1c1ccccc16"


@task(
    "t2-chem-strychnine-bertz",
    ["off-table"],
    f"""Strychnine is the textbook example of a complex alkaloid. What is its Bertz complexity index (RDKit's
    BertzCT descriptor) for {STRYCHNINE}? One decimal is enough.""",
)
def chem_bertz() -> Ref:
    return number(Descriptors.BertzCT(mol(STRYCHNINE)), tol=0.1)


FAMOTIDINE = "NC(N)=Nc1nc(CSCCC(N)=NS(N)(=O)=O)cs1"


@task(
    "t2-chem-famotidine-tpsa-with-sulfur",
    ["off-table"],
    f"""Famotidine ({FAMOTIDINE}) has three sulfur atoms, which the classic Ertl TPSA ignores. What is its
    topological polar surface area in Å² when the sulfur and phosphorus contributions are included (RDKit's TPSA
    with that option switched on)? Two decimals.""",
)
def chem_tpsa_sp() -> Ref:
    return number(rdMolDescriptors.CalcTPSA(mol(FAMOTIDINE), includeSandP=True), tol=0.02, unit="Å²")


SPHINGOSINE_FLAT = "CCCCCCCCCCCCCC=CC(O)C(N)CO"


@task(
    "t2-chem-sphingosine-stereoisomers",
    ["off-table"],
    f"""This sphingoid base was drawn without any stereochemistry: {SPHINGOSINE_FLAT}. How many distinct
    stereoisomers are possible if every unspecified stereocentre and every stereogenic double bond is enumerated
    (as RDKit's stereoisomer enumeration does)?""",
)
def chem_stereoisomers() -> Ref:
    return number(len(set(Chem.MolToSmiles(m) for m in EnumerateStereoisomers(mol(SPHINGOSINE_FLAT)))))


ACYCLOVIR = "Nc1nc2n(COCCO)cnc2c(=O)[nH]1"


@task(
    "t2-chem-acyclovir-nitrogen-percent",
    ["multi-step", "off-table"],
    f"""For the elemental-analysis request on acyclovir ({ACYCLOVIR}) I need the theoretical nitrogen content.
    What percentage of its molecular mass is nitrogen (average atomic masses)? Two decimals.""",
)
def chem_n_percent() -> Ref:
    m = Chem.AddHs(mol(ACYCLOVIR))
    table = Chem.GetPeriodicTable()
    n_mass = sum(table.GetAtomicWeight(7) for a in m.GetAtoms() if a.GetAtomicNum() == 7)
    return number(100 * n_mass / Descriptors.MolWt(m), tol=0.02, unit="%")


KETAMINE = "CNC1(CCCCC1=O)c1ccccc1Cl"


@task(
    "t2-chem-ketamine-unsaturation",
    ["off-table"],
    f"""What's the degree of unsaturation (double-bond equivalents: rings plus pi bonds, from the molecular
    formula with halogens counted like hydrogen) of ketamine, {KETAMINE}?""",
)
def chem_dbe() -> Ref:
    m = Chem.AddHs(mol(KETAMINE))
    counts = Counter(a.GetSymbol() for a in m.GetAtoms())
    monovalent = counts["H"] + counts["F"] + counts["Cl"] + counts["Br"] + counts["I"]
    dbe = counts["C"] - monovalent / 2 + counts["N"] / 2 + 1
    return number(dbe)


VARENICLINE = "C1C2CNCC1c1cc3nccnc3cc21"


@task(
    "t2-chem-varenicline-valence-electrons",
    ["off-table"],
    f"""Setting up a semi-empirical calculation on varenicline ({VARENICLINE}) and I want to double-check the electron
    count: how many valence electrons does the neutral molecule have, hydrogens included?""",
)
def chem_valence_electrons() -> Ref:
    return number(Descriptors.NumValenceElectrons(mol(VARENICLINE)))


ERGOTAMINE = (
    "CN1C[C@@H](C=C2c3cccc4[nH]cc(C[C@@H]12)c34)C(=O)N[C@]1(C)O[C@@]2(O)[C@@H]3CCCN3C(=O)[C@H](Cc3ccccc3)N2C1=O"
)


@task(
    "t2-chem-ergotamine-aliphatic-heterocycles",
    ["off-table"],
    f"""Ergotamine ({ERGOTAMINE}): of its rings (smallest set of smallest rings), how many are non-aromatic rings
    containing at least one heteroatom?""",
)
def chem_aliphatic_heterocycles() -> Ref:
    return number(rdMolDescriptors.CalcNumAliphaticHeterocycles(mol(ERGOTAMINE)))


RIMANTADINE = "CC(N)C12CC3CC(CC(C3)C1)C2"


@task(
    "t2-chem-rimantadine-bridgeheads",
    ["off-table"],
    f"""The antiviral rimantadine ({RIMANTADINE}) is built on an adamantane cage. How many bridgehead atoms does
    it have according to RDKit's bridgehead-atom count?""",
)
def chem_bridgeheads() -> Ref:
    return number(rdMolDescriptors.CalcNumBridgeheadAtoms(mol(RIMANTADINE)))


ACID = "OC(=O)c1cccnc1Cl"
ANILINE = "Nc1ccc(cc1)C(F)(F)F"
PROTON = 1.007276


@task(
    "t2-chem-amide-coupling-mh",
    ["multi-step"],
    f"""We ran an amide coupling of 2-chloronicotinic acid ({ACID}) with 4-(trifluoromethyl)aniline ({ANILINE}).
    At what m/z should the LC-MS show the [M+H]+ ion of the amide product? Use monoisotopic masses and a proton
    mass of 1.007276 Da; four decimals.""",
)
def chem_amide_mh() -> Ref:
    rxn = AllChem.ReactionFromSmarts("[C:1](=[O:2])[OX2H1].[N;H2:3][c:4]>>[C:1](=[O:2])[N:3][c:4]")
    products = {Chem.MolToSmiles(p[0]) for p in rxn.RunReactants((mol(ACID), mol(ANILINE)))}
    assert len(products) == 1, products
    product = mol(products.pop())
    return number(Descriptors.ExactMolWt(product) + PROTON, tol=0.0006)


STEROIDS = {
    "norethisterone": "C#C[C@]1(O)CC[C@H]2[C@@H]3CCC4=CC(=O)CC[C@@H]4[C@H]3CC[C@@]21C",
    "progesterone": "CC(=O)[C@H]1CC[C@H]2[C@@H]3CCC4=CC(=O)CC[C@]4(C)[C@H]3CC[C@]12C",
    "dexamethasone": "C[C@@H]1C[C@H]2[C@@H]3CCC4=CC(=O)C=C[C@]4(C)[C@@]3(F)[C@@H](O)C[C@]2(C)[C@@]1(O)C(=O)CO",
    "nandrolone": "C[C@]12CC[C@H]3[C@@H](CCC4=CC(=O)CC[C@@H]34)[C@@H]1CC[C@@H]2O",
    "prednisolone": "C[C@]12C[C@H](O)[C@H]3[C@@H](CCC4=CC(=O)C=C[C@@]34C)[C@@H]1CC[C@]2(O)C(=O)CO",
    "androstenedione": "C[C@]12CC[C@H]3[C@@H](CCC4=CC(=O)CC[C@@]34C)[C@@H]1CCC2=O",
}


@task(
    "t2-chem-steroid-mean-similarity",
    ["multi-step", "off-table"],
    f"""How diverse is this steroid set? Report the mean pairwise Tanimoto similarity over all distinct pairs,
    using RDKit Morgan fingerprints with radius 2 and 2048 bits. Three decimals. {listing(STEROIDS)}""",
)
def chem_mean_similarity() -> Ref:
    sims = [morgan_sim(a, b) for a, b in combinations(STEROIDS.values(), 2)]
    return number(float(np.mean(sims)), tol=0.0015)


VEBER_PANEL = {
    "aliskiren": "COCCCOc1cc(C[C@@H](C[C@H](N)[C@@H](O)C[C@@H](C(C)C)C(=O)NCC(C)(C)C(N)=O)C(C)C)ccc1OC",
    "captopril": "C[C@H](CS)C(=O)N1CCC[C@H]1C(=O)O",
    "zanamivir": "CC(=O)N[C@@H]1[C@@H](NC(N)=N)C=C(O[C@H]1[C@H](O)[C@H](O)CO)C(=O)O",
    "valsartan": "CCCCC(=O)N(Cc1ccc(cc1)-c1ccccc1-c1nnn[nH]1)[C@@H](C(C)C)C(=O)O",
    "glutathione": "N[C@@H](CCC(=O)N[C@@H](CS)C(=O)NCC(=O)O)C(=O)O",
    "enalapril": "CCOC(=O)[C@H](CCc1ccccc1)N[C@@H](C)C(=O)N1CCC[C@H]1C(=O)O",
    "lisinopril": "NCCCC[C@H](N[C@@H](CCc1ccccc1)C(=O)O)C(=O)N1CCC[C@H]1C(=O)O",
    "clopidogrel": "COC(=O)[C@H](c1ccccc1Cl)N1CCc2sccc2C1",
}


@task(
    "t2-chem-veber-panel-count",
    ["multi-step"],
    f"""Veber's oral-bioavailability filter: at most 10 rotatable bonds (RDKit's default count) and a TPSA of at
    most 140 Å² (RDKit default TPSA). How many of these 8 pass both criteria? {listing(VEBER_PANEL)}""",
)
def chem_veber_count() -> Ref:
    passes = [
        Lipinski.NumRotatableBonds(m) <= 10 and rdMolDescriptors.CalcTPSA(m) <= 140
        for m in map(mol, VEBER_PANEL.values())
    ]
    return number(sum(passes))


ANTIDEPRESSANTS = {
    "sertraline": "CN[C@H]1CC[C@@H](c2ccc(Cl)c(Cl)c2)c2ccccc21",
    "paroxetine": "Fc1ccc(cc1)[C@@H]1CCNC[C@H]1COc1ccc2OCOc2c1",
    "citalopram": "CN(C)CCCC1(OCc2cc(ccc12)C#N)c1ccc(F)cc1",
    "trazodone": "O=c1n(CCCN2CCN(CC2)c2cccc(Cl)c2)nc2ccccn12",
    "duloxetine": "CNCC[C@H](Oc1cccc2ccccc12)c1cccs1",
    "mirtazapine": "CN1CCN2C(C1)c1ccccc1Cc1cccnc12",
    "moclobemide": "Clc1ccc(cc1)C(=O)NCCN1CCOCC1",
    "vortioxetine": "Cc1ccc(Sc2ccccc2N2CCNCC2)c(C)c1",
    "agomelatine": "COc1ccc2cccc(CCNC(C)=O)c2c1",
}


@task(
    "t2-chem-antidepressant-max-tpsa",
    ["multi-step"],
    f"""Thinking about CNS penetration: among these antidepressants, which one has the largest topological polar
    surface area (RDKit TPSA, N and O contributions only)? {listing(ANTIDEPRESSANTS)}""",
)
def chem_max_tpsa() -> Ref:
    scores = {n: rdMolDescriptors.CalcTPSA(mol(s)) for n, s in ANTIDEPRESSANTS.items()}
    return which(max(scores, key=scores.get), scores)


TRETINOIN_9CIS = "CC1=C(C(C)(C)CCC1)/C=C/C(C)=C\\C=C\\C(C)=C\\C(=O)O"


@task(
    "t2-chem-retinoid-z-bonds",
    ["off-table"],
    f"""A retinoid isomer from our photo-isomerisation run was registered as {TRETINOIN_9CIS}. Assigning CIP
    descriptors to its stereo-defined C=C double bonds, how many of them are Z?""",
)
def chem_z_bonds() -> Ref:
    m = mol(TRETINOIN_9CIS)
    rdCIPLabeler.AssignCIPLabels(m)
    labels = [b.GetProp("_CIPCode") for b in m.GetBonds() if b.HasProp("_CIPCode")]
    return number(labels.count("Z"))


MIRTAZAPINE = "CN1CCN2C(C1)c1ccccc1Cc1cccnc12"


@task(
    "t2-chem-mirtazapine-balaban",
    ["off-table"],
    f"""What is the Balaban J topological index (RDKit's BalabanJ) of mirtazapine, {MIRTAZAPINE}? Three decimals.""",
)
def chem_balaban() -> Ref:
    return number(Descriptors.BalabanJ(mol(MIRTAZAPINE)), tol=0.0015)


OPIOIDS = {
    "oxycodone": "COc1ccc2C[C@H]3N(C)CC[C@@]45[C@@H](Oc1c24)C(=O)CC[C@@]35O",
    "fentanyl": "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1",
    "naloxone": "Oc1ccc2C[C@H]3N(CC=C)CC[C@@]45[C@@H](Oc1c24)C(=O)CC[C@@]35O",
    "methadone": "CCC(=O)C(CC(C)N(C)C)(c1ccccc1)c1ccccc1",
    "pethidine": "CCOC(=O)C1(CCN(C)CC1)c1ccccc1",
    "naltrexone": "O=C1CC[C@@]2(O)[C@H]3Cc4ccc(O)c5O[C@@H]1[C@]2(CCN3CC1CC1)c45",
}


@task(
    "t2-chem-opioids-followup-bertz",
    ["follow-up", "multi-step", "off-table"],
    f"""Please build a dict called `opioids` that maps each of these names to its RDKit Mol object:
    {listing(OPIOIDS)}.""",
    """Which entry of `opioids` has the highest Bertz complexity (RDKit BertzCT)?""",
)
def chem_opioids() -> Ref:
    opioids = {n: mol(s) for n, s in OPIOIDS.items()}
    scores = {n: Descriptors.BertzCT(m) for n, m in opioids.items()}
    variables = (
        "isinstance(opioids, dict) and len(opioids) == 6 and all(type(m).__name__ == 'Mol' for m in opioids.values())"
    )
    return session(variables, which(max(scores, key=scores.get), scores), {"opioids": opioids})


TERPENES = {
    "citronellol": "CC(C)=CCC[C@@H](C)CCO",
    "alpha-pinene": "CC1=CC[C@@H]2C[C@H]1C2(C)C",
    "eucalyptol": "CC12CCC(CC1)C(C)(C)O2",
    "pulegone": "C[C@@H]1CCC(=C(C)C)C(=O)C1",
    "beta-caryophyllene": "C/C1=C\\CCC(=C)[C@H]2CC(C)(C)[C@@H]2CC1",
    "borneol": "CC1(C)[C@@H]2CC[C@@]1(C)[C@@H](O)C2",
    "nerolidol": "CC(C)=CCC/C(C)=C/CCC(C)(O)C=C",
    "alpha-terpineol": "CC1=CC[C@@H](CC1)C(C)(C)O",
}


def sp3_carbons(m: Chem.Mol) -> int:
    return sum(a.GetAtomicNum() == 6 and a.GetHybridization() == Chem.HybridizationType.SP3 for a in m.GetAtoms())


@task(
    "t2-chem-terpenes-followup-sp3",
    ["follow-up", "multi-step", "off-table"],
    f"""Make a pandas DataFrame named `terp` with columns `name` and `smiles`, one row per terpene:
    {listing(TERPENES)}.""",
    """Add a column `n_sp3_C` to `terp` holding the number of sp3-hybridised carbon atoms of each molecule (as
    RDKit assigns hybridisation).""",
    """How many of the 8 terpenes in `terp` have more than seven sp3 carbons?""",
)
def chem_terpenes() -> Ref:
    terp = pd.DataFrame({"name": list(TERPENES), "smiles": list(TERPENES.values())})
    terp["n_sp3_C"] = [sp3_carbons(mol(s)) for s in terp["smiles"]]
    expected = sorted(terp["n_sp3_C"].tolist())
    variables = f"len(terp) == 8 and sorted(int(x) for x in terp['n_sp3_C']) == {expected!r}"
    return session(variables, number(int((terp["n_sp3_C"] > 7).sum())), {"terp": terp})


SALTS = [
    "COCCCC/C(=N\\OCCN)c1ccc(cc1)C(F)(F)F.OC(=O)/C=C\\C(=O)O",
    "CCOC(=O)C1=C(COCCN)NC(C)=C(C1c1ccccc1Cl)C(=O)OC.OS(=O)(=O)c1ccccc1",
    "CCCNCC(O)COc1ccccc1C(=O)CCc1ccccc1.Cl",
    "COCCCC/C(=N\\OCCN)c1ccc(cc1)C(F)(F)F",
    "N[C@@H](Cc1cc(I)c(Oc2cc(I)c(O)c(I)c2)c(I)c1)C(=O)[O-].[Na+]",
    "CC(C)NCC(O)COc1ccc(COCCOC(C)C)cc1.OC(=O)/C=C/C(=O)O",
    "CCOC(=O)C1=C(COCCN)NC(C)=C(C1c1ccccc1Cl)C(=O)OC.OC(=O)/C=C\\C(=O)O",
    "CNCC[C@@H](Oc1ccccc1C)c1ccccc1.Cl",
]

SALTS_TEXT = "\n".join(SALTS)


def parent(smiles: str) -> str:
    m = rdMolStandardize.LargestFragmentChooser(preferOrganic=True).choose(mol(smiles))
    return Chem.MolToSmiles(rdMolStandardize.Uncharger().uncharge(m))


@task(
    "t2-chem-salts-followup-parents",
    ["follow-up", "multi-step"],
    f"""Store these 8 registry entries, in this order, as a list of SMILES strings called `salts` (one entry per
    line):\n{SALTS_TEXT}""",
    """For each entry of `salts`, strip counter-ions (keep the largest organic fragment) and neutralise it; keep
    the parents' canonical SMILES, in the same order, in a list called `parents`.""",
    """How many distinct parent compounds are in `parents`?""",
)
def chem_salts() -> Ref:
    salts = list(SALTS)
    parents = [parent(s) for s in salts]
    variables = "len(salts) == 8 and len(parents) == 8"
    return session(variables, number(len(set(parents))), {"salts": salts, "parents": parents})


ANTIHISTAMINES = {
    "cyproheptadine": "CN1CCC(=C2c3ccccc3C=Cc3ccccc23)CC1",
    "promethazine": "CC(CN1c2ccccc2Sc2ccccc12)N(C)C",
    "azatadine": "CN1CCC(=C2c3ccccc3CCc3cccnc23)CC1",
    "chlorpheniramine": "CN(C)CCC(c1ccc(Cl)cc1)c1ccccn1",
    "ketotifen": "CN1CCC(=C2c3ccccc3CC(=O)c3sccc23)CC1",
    "doxylamine": "CN(C)CCOC(C)(c1ccccc1)c1ccccn1",
    "hydroxyzine": "OCCOCCN1CCN(CC1)C(c1ccccc1)c1ccc(Cl)cc1",
}
DESLORATADINE = "Clc1ccc2c(c1)CCc1cccnc1C2=C1CCNCC1"


@task(
    "t2-chem-antihistamines-followup-nearest",
    ["follow-up", "multi-step", "off-table"],
    f"""Create a dict `probes` mapping each name to its SMILES: {listing(ANTIHISTAMINES)}.""",
    """Now compute an RDKit Morgan fingerprint (radius 2, 2048 bits) for every entry and keep them in a dict
    `fps` with the same keys.""",
    f"""Which of the probes is most similar (Tanimoto on those fingerprints) to desloratadine,
    {DESLORATADINE}?""",
)
def chem_antihistamines() -> Ref:
    probes = dict(ANTIHISTAMINES)
    fps = {n: MORGAN2.GetFingerprint(mol(s)) for n, s in probes.items()}
    query = MORGAN2.GetFingerprint(mol(DESLORATADINE))
    scores = {n: DataStructs.TanimotoSimilarity(query, fp) for n, fp in fps.items()}
    variables = "len(probes) == 7 and len(fps) == 7 and set(fps) == set(probes)"
    return session(variables, which(max(scores, key=scores.get), scores), {"probes": probes, "fps": fps})


OXCARBAZEPINE = "NC(=O)N1c2ccccc2CC(=O)c2ccccc12"


@task(
    "t2-chem-oxcarbazepine-exact-mass",
    [],
    f"""HRMS calibration check: what's the monoisotopic mass of oxcarbazepine ({OXCARBAZEPINE}) in Da, to four
    decimals?""",
)
def chem_exact_mass() -> Ref:
    return number(Descriptors.ExactMolWt(mol(OXCARBAZEPINE)), tol=0.0006, unit="Da")


LINEZOLID = "CC(=O)NC[C@H]1CN(C(=O)O1)c1ccc(N2CCOCC2)c(F)c1"


@task(
    "t2-chem-linezolid-formula",
    [],
    f"""I'm filling in the compound registration form for linezolid, {LINEZOLID}. What molecular formula (Hill
    order) goes in the box?""",
)
def chem_formula() -> Ref:
    return contains(rdMolDescriptors.CalcMolFormula(mol(LINEZOLID)))


ARIPIPRAZOLE = "Clc1cccc(N2CCN(CCCCOc3ccc4CCC(=O)Nc4c3)CC2)c1Cl"


@task(
    "t2-chem-aripiprazole-clogp",
    [],
    f"""What's the clogP of aripiprazole ({ARIPIPRAZOLE}) by the Wildman-Crippen method in RDKit? Two decimals.""",
)
def chem_clogp() -> Ref:
    return number(Crippen.MolLogP(mol(ARIPIPRAZOLE)), tol=0.01)


ZIDOVUDINE = "Cc1cn([C@H]2C[C@H](N=[N+]=[N-])[C@@H](CO)O2)c(=O)[nH]c1=O"


@task(
    "t2-chem-zidovudine-molar-mass",
    [],
    f"""How many Da does one molecule of zidovudine weigh on average (average molecular weight of {ZIDOVUDINE})?
    Two decimals.""",
)
def chem_molar_mass() -> Ref:
    return number(Descriptors.MolWt(mol(ZIDOVUDINE)), tol=0.01, unit="g/mol")


# ================================================================ biology

# Made-up sequences (seeded random, with planted features), written out literally.
CONTIG_T11 = (
    "TATCCGCATGCCACTGCTATCTGACATGTGGAAGTGTCTCGCGCTATATTACAAAAGAAGGAACTCAATCTCATTCTCTATCTAGAACATCTTCACAGGA"
    "TAGACTGCGGATTCTACGGGCGCGCGTCCATGTTGAGCTCCCTAAACTACCACGGCAACTTCCTGCTGCCGCGAAACAGATCCATTGGGAGTGAATGATG"
    "TGTGATTTGGTAGATGCATCGCCTGCATGATGGGTGGAAACACATGGAAGTTCCGATAATGCACACCGTAACGAGTCCCTGGCCATTGGGTCATCCTTTG"
    "ATCCTAAAGCCGACCGCGAAGCGAAGTGAGAAAAACCATTGTGGATGCACCGGCACCACACTTATCAGGCCCCAGCAGGTCTCCCAACTCGTTTTACTAT"
    "TGAG"
)
ANTISENSE = (
    "GGGCAGACCCACCTTTCAAATTACCAGGGACTAGGTAAGCTTAAACGTGGAGTTGAGCGATTTTGTGAGTTGGGCATTCGTCTCAGTACTCGTTGGCGGG"
    "GGACCGCACAACCGTCCCAATAGTCTAGTCATCTGTGCGAAATGTCTTGCTGATTCC"
)
PLASMID = (
    "GTACTCGTGCTGCGCCAGCGACTATCCAAGGATTCAGTAAAGTCCTTTCTAGAGTTAATGGGGCTTCCGGTCTGGTGGACGTCGCTCTATGGAGAAACGA"
    "TGTGGCTGGCTATGCGTGCGAAGCAAGATGGCCTCGTCCGCCGGGCCTGGTACGGAACTAAGACCGACGGTCCGACTCACGGGTAACGAAGCCCGTATAT"
    "TCGACGCGGTTTGGACGCGGTTCTAACGGTTCGCCTTGGACCATGCAGCCTGGCCACCGCCGTCACTTATATAAATTTGTGCGTCGAGGACTCCAGGGGC"
    "GAGTTGGCTAAGCAAATTGGTGCTACTCACTGTTGGGCTTGGCATTTAGCCTCCCGACTAAGCTAGTGATGACCTACGATGGAGATCTGGGGAACCAATT"
    "AAGGATGTGTCTCATGGAGACACGGCACTGGGATTTATGCTAATTAGTTATGTAAGCAGGTCGCATGTACCGGCTAATATCAAAGCTACCCCTCCAACTC"
    "CGGCTTATATGGGAGAGATTGCAAAGCTGGGCCCGTGGAGCGCGGCCGCGGTGTGATGGGTGACCGAGGCGGCAATCCTTAGTTGAGGATCACTAGAAAT"
    "CCCACTCCCCTGCCTCGGGGAACATGGCCTTCACTTCCCCTTCAGACCAAAGGCAGTCGCTACCAAATTGGGCGTTCGCTACTGAATTTAACACGCCGGG"
    "CATTGTGAACCCATTTCGAACTTTAATCCCCGATTTCCCTGAGAGACATGGACCGTAAAGTGTGTACGCGAGGTCGAGAGTCCGCGGCATGCCACGAATA"
    "ATTCGTGGCACCCCAACATCGTAACTGAAACGGCGGATCCTAGGGTAGGATTTAAGTCACAGTCCTTGATTGTATCAAGATGATGACGCACCTCTAAGCT"
    "ATTCACAAGCTCCATCGGCCCGTTTTGGAACGCCGCAGACATCCACCGATAATATCTCTGGAGACGACGTTGATGAGCGGCAAGGTAAAATCAGACTGGC"
    "GCGGCGACCAATTGATATTCACTAGAGTACTAGTGACGCTGACGCGTCGATGAGTATACCTCCCCTGACTCCAGCCACAACGACTGCATTCTCGCCAGCA"
    "CGCTCTTCCTATACCTTGTGCGTTACTGAATTTGGGGTTACCCGGTTCTATAACCATTACAGGCGACCGAGATCGGCTGTGAAAGGTGAGAATCTTAACT"
    "GTCGTGGTTAGCAGCTTCCACCGGGACCAGTAATTTTCCATGTCACGGCACAAATACTCGTTACTGGGGAGGGGGTCATCAGAGAGCGCTTCAAGCGAGA"
    "CCGCAATTCTTGTATGGGGGCGGGGATCTCTGGTTAGGTCCTGACAGCTGCCGACTAACAGCGCCAACAGTGATCCGGGGCAGTGCAATATCCCCTGGCT"
    "AACTCTTATCTACTAGAATTAAGCCTACTATCTCGGAGCCTCGACGGTCGTTAGTGGTAAGCATACAGGCCGCTTAGCCGTCGTGTGGACCTTCGTTACT"
    "GAGCTGCGGTGCAATTCTATTTTTTAGCAAAAGTACTA"
)
GC_SET = {
    "ctg_alpha": "TTGTGTATGATAAGCAGTGGTTAGCGGCAAAGTACGCTATACCCTCGTCAGTGAGTTCCGT",
    "ctg_beta": "TATACACGCCGCTATCTACGGTTCGCAAGTATTGATTTCCCTCAGATGTGGCTACCCAAGTTTCGC",
    "ctg_gamma": "CCAGGTCTACTCCAGCCTATGCTAGCGTTACCAAAAACTGCCGCAAGGAGAGGTTCGTTCTAA",
    "ctg_delta": "ATCGAACCTCACGCGAATGTAATCTTTAGGCTCGCTGATTTTTGATAACGATCTGTGATGGCACA",
    "ctg_kappa": "AATCCGGCCTCGGACCGAGGTTGTGGCCCCGCTCCGCTCCCCTGGGCGTGCCGAGATACCATGCACCCCTCAC",
    "ctg_sigma": "TTTATGATCGCGGATTCTATGCGTCCTGAGCCAAAAGTCGTCTTCGTTGCGCGTCGGTCTCCGACTGCTCACGA",
    "ctg_omega": "CCCAGCCGCTGATCAGAAATGGAGCGGCTTGCTAACTGACTACGCAAATAGTGGACCTTGTGACTGTGGCACTCT",
    "ctg_lambda": "ATTCAACTGACCCGCATGGCCTAATCCCCCCCCCTGACGCCTGATCGTTGAGTCCGGTTCTACAAATCCAATGAGCAA",
}
PRIMERS = {
    "P01": "GGCAGGGAGTGATCTCACACG",
    "P02": "GGACCACGGACACGGGACCT",
    "P03": "CAGGTGGTGACCACTAAGCGGTAC",
    "P04": "TGTATCTATCCTGCCCTCAGAA",
    "P05": "TTAGTCAAGTGCCGTGGGGCATCC",
    "P06": "CGAGCGTGACATTAAGTCAAG",
    "P07": "TTTCTTCAGGTAGGTCCGAGT",
    "P08": "CCAATTGAACAGCAGTACA",
    "P09": "CGCGTGCGGTTAAAACTGAC",
    "P10": "TGAGTATGGGAGGTCGAGTA",
    "P11": "AACGGACGTCCCGAACAC",
    "P12": "ACTTCCAGGCATAGAACAAGTAG",
}
BARCODES = {
    "bcA": "AAGACGACTTCC",
    "bcB": "GCGAACGATGGT",
    "bcC": "GCGTTAGGGGGG",
    "bcD": "GAGCTTAACTAT",
    "bcE": "TTTTATTGTTGC",
    "bcF": "GTACTGGCACGA",
    "bcG": "GAGCTAAGCTAG",
}
PEPTIDES_PI = {
    "pep-ana": "CADINDHNYPGHQ",
    "pep-bel": "DIPECAQCKNVWCQGM",
    "pep-cor": "MAFKCTGYVFGGPA",
    "pep-dan": "KHFNGIIQLPDAL",
    "pep-eri": "HTNRWGQKWWM",
    "pep-fox": "KHKFLYHRYYTSYPVK",
    "pep-gil": "LNMVSWNWHQV",
    "pep-hal": "MDSMHRMRWRI",
}
MITO_CDS = "ATGTCCATCGATAATTCCAACTGAGACGGTAACGACCAGATAGATGCAGCGGATTGAGATGTATTTAAATGGGATAGATGCATAGAG"
CDS_ARG = (
    "ATGCAACACACGGTTAGCAACGTGTTATCCCTCGTCGGAAATTTGAGGGCTAGTCGGATCAGGGTACCAACAATATGGCCATACATTGTCTCAGAGCAAA"
    "TGCTAGATACCATACTAACAAGTATGAGGCTACGTCACGATAGACAACGAGACCTCACGCCCCTAACGAGGAACAGCTTGGTCTTACTCCCGATGTGCTG"
    "TTCAAACTTGAAGGGCAAGCCGGCCATCGCCGGGTCTGCATCGCTTTATCAGAACCTCAACCCCCGTCTTTAA"
)
CDS_TCC = (
    "ATGCGTCAGTGGAACTGCCTCCTATATGTGTCCCTGGTCCAGACTAGAAGGACCTCCTCCAAAATATGGCGCGTCAAAAATCTTGCCGGTGCCCAAGCGC"
    "AGGAAAGACTTTACATTAGCTGCGACACGCATTCCGGGGTTACTAGAGCTTCCATCCCGCGTTTACCTACATTTCGACTTCAAGGAACCTCCATTTAG"
)
ALN_A = "SFVKKEHRNVERLGLGILWWRFQDEFCICMRGDALEESMNIKFKPP"
ALN_B = "SFVKKEHRNYWRLGLGILWWDEICICMRGDALVESMGIKFKPP"
CPG_FRAG = (
    "AGGCAAAAGACGCCCCATCGTAAGGTCGACTTCTCTTTCTTGGGAAACGGTGGAAGAGTAATGTGTGGGGCCGGAACTATTCATCGCCACAAGCTCAAGC"
    "AGTCATGGACCGCGCGGCGAAGCGGACCCCCAGGAATCGAATGAGGCAGAGGGCACTCATGAGAACAGGGAATACCTTACAGCCAGGGAGCCGCAGTCTC"
    "TCTATAGATG"
)
GLYCO = (
    "SAKAWAKDLDFHNTSWWGIEQNGTTYTHQYGGWMCYLFTWCWPLAPNFSVRMSFNPSRPEGPGFVDLCWPKRYYMHTTGAPEINDSITKIPQRACPYDISPTKGIT"
    "SDGDRVQNHTMQMFYLMVVESRHA"
)
TRYP = "VKLQQSKTDAMHESSRYIIAIQKQEAVQHLICASEHQKVADNTFATWYYGVFNWLHFIAVWHLRSSKHVYLVLEHYRFKSWGERVFHAPVEVNEKGEARPHQGYFGESIR"
TM_PROT = "IRDLEKVLMHWTLSLKYDKVEQKSTGWLKWNLFGAVWWQGFFVGVVIWFLVMIGMWAFIVATMKMDINTDTDRFGFHKCGDKKQPSKTQHPVGNHQIIMNCHICWG"
CHARGE_PROT = "IYKTYLDSVQSCKHHDISTSDREHLPCGMGYKLRMWSRICQEHFFCLRELSQYKITHEMV"
TEMPLATE = (
    "AGCCGCCCTAAATTTGTGCAGGTATACACCCAACTAGTCTAAGGTCAGGCTTGTCAAGGCCGCTTCCAGCAGGAGGAGGAGAGCAGCTGTCCGCAGAGCA"
    "TGTATCAAAAGTGGGTAAATGACTACATAGATACCCGGCACTTGGCTCAACCGCGGGCGCACATGACTGTTACAAACTCTAACGATAGTACCATACACTT"
    "ATCACATACTTCCCCTATTCTCACATCAGTAGTTAGGTAAGCGCTTCGAAAGCTATCCGTTCACAACGAATAATTGCCGTCGAGCCCTGGGTATGTCGGA"
    "CAGATGTGGTACTAACAACA"
)
FWD_PRIMER = "GGTCAGGCTTGTCAAGGCCG"
REV_PRIMER = "TCCGACATACCCAGGGCTCG"
KMER_SEQ = (
    "TCGGAAGACCTTTTCGCTCGGTTATTGTACGTTATAATGAAATATCGCGCGGGCCTTACTGTTACGGAACATAAAACTGTTAGTCCCATATTGGCCGAAG"
    "GCAAAAGAATGTTATCGCAAGCTTGGAAATAAGTGTAACGTGCTGAGCTC"
)
SKEW_SEQ = (
    "GGGCTAAGTTCGTATCTAGGTCGGTTGAGTGCGGCGCTCTGGAACTCTTTTGATGGTGACTGTTGCCCACGGCCTTTCACACCCCAACGAGCCTTGTCCC"
    "GACCCGCCAATCCTCTCCTCACAGAGCAAAGAGACTACACTACCCGATAATCCTTTTGCCGTAGCGGAAGTAGTAAAACCCCGACCGGAAGGGTCTGTAA"
    "CGGGTTCATGAAGCGTCTTTCTACATGTGCTACGCCCTGCAAAGCTCGTGCAGCTCCTACATACTTCGCCTCTCTACACCGCTTCTTCTACCTCCCGGCC"
    "ATAATCGCCAGCGAAGCAGCTGAACACTTGTTGGACGTACACAGAAAGTGAGTGGCGTGATGCTTATCATCACCGCGACTGGAATCTGCGTACAAGATCC"
    "ACCTGAAATGTGAGTCCGTCATGGGGCGTCTCGAGATTTGATACATTCTAGCTAATGGAGATCGCCCGGCATCAAAGCGTGAGGCAAGAGGGCCGATCTT"
    "ATGTAGACGGCAATTTACGATTGAGAAACTCTATTTATAGTGAGAATGTAGCGCGCTAAATCTATGGATCGGTACCCTTACTGTTCCCGGATCTTGGGAC"
)
BSAI_INSERT = (
    "TCCGTGTATCACATGCGACAAGCCCAATCCAAGCTGAGCCGCACTTCACTGTGGGAAAGTAGTGTAAGACAGTCCAGCTAAAGTTTATTCCGACCACTGG"
    "GTATCACAACGGTCTCACTCGTGTCTGTGCAATCAGTCCGCAACATGGCTAAGACCCGTTAATCACCGTACTTAGGTGGGACCACCGTTGGTTCTTCAAT"
    "TTCTCTGGAAAAAATGAGAATTAATTCCAATATCGCATCCTAAGCCGACAACTGGGCGCTCCATGGGAGACCGCGCTGCAGCATGACTTGACGAAAGAGC"
    "GCCCAATACGCATGAAGGCTCCTTCCCGTAGGAACGATATACCGTTGCACCGGGCGCTCCCGCGAGTGCTCTCGAGGCCAATCTGGTCACCAGGTCTCCA"
    "GGGCCCTCAATGTTAGATTTGACAATCTTTTGCCAGATTTTCACACGCCTCTGATTGGGCTAAGTTTCCCTTTTGTGCGACGAACGAC"
)
OLIGO = "GGCGCACCTGTTACGGTGCACGACTTACTGTTGGCGAGGAAA"
FASTQ = """\
@rd1
GGGAGCTGATAGGAACTGATAGCTTAAGCC
+
AEAA>AHEHDDC:GEE::>@DBE?DD?JEH
@rd2
AACTCGATCATTAGAGGTAGGCTATCCAAT
+
88:;?=979B7=>4<B1:;7>;4@?@C=<5
@rd3
ACAAGTGGTTGCAGCTCAACAGCTGTCGAG
+
C=>:;=F69AGC73B<:EFAABHCCC8FEC
@rd4
AACTGACGCCCTGGTTTCATGTCAGCATAT
+
4:B4=C7F@=?A>C:;C>9BE;7==<E8D7
@rd5
TGGAGCGTCTGTCATCACACCTCGACGGGT
+
>EGFCBBDACDBEDJC?@AF@CJ5<CCC?E
@rd6
GTGCGGAGAGCCCGCGTGCCTTCAGTCGGC
+
;7F;7989,7?49>>A188=?,?2=2:?9:
"""
BSMBI_READS = {
    "r01": "GATCAGGGGAGATTGGGGTCGGGCGGCCCACGCTCTTATTCGCCTCATAAACTCCTGCGGGCAGGATAGGCGCCACTA",
    "r02": "AACCGGAATGCTATAGCGTAGGACTAGAGGTGGTGACTATAATCATGCATCGCATTCACGTACAATGTTGTTACCTGATCGACCGAACAC",
    "r03": "AGTTCTGAGGCATAAGTGCATCTTTCGATATGACCTACTGTAAACGTGGTAAGTTAGCTGAAATTTCTTCCTGTTGTGCAC",
    "r04": "GCTGCTGCGATAGACAGAATGACTAGGCAGCGCAAACCTAGGTGTGCCAGATATATTTTCTGGATCGGTACCCCCCGTCTCTCGAGGAAACTCGTTGCTCG",
    "r05": "AGTAACTTGTTTCATGGGAACCCGATGTGGGGTATGTGGTTCACTGTTGTACGGTTAGCCGTCCATACATTGCCCACGCGCGGACCCTCTATGTTTTCGCTA",
    "r06": "GCACCAGCAACTATTACAGTGATACTGACGGAGACGACCACATTGGATCCGCACGAACAATTAGATTCTTGGTTATCCAGTCACACGCGCGGA",
    "r07": "CGGTATGAGCTGGGTCAAAAACGCCGATCTATGCTGTTTCCCCAACAAAGAGGGCCTAGTCTTACCACTTTTGGTGTTGAGGAACAGCTGACAGGT",
    "r08": "TCAACTAGTCATTAACATTGGTCGCAGGCTTGCTGCGTTCGTCTAGGGGCTGTCGCTCCCTCTCACGGGCCACCTACACACATGATAGCGC",
}
PEPTIDES_CHG = {
    "MX-1": "EMCNWDAAVWQWEQNG",
    "MX-2": "VKMDETIWKPHK",
    "MX-3": "KRRKKNPYYAM",
    "MX-4": "KCDFDFFTNEHEELEQ",
    "MX-5": "EHEQMFAFCIKIHMA",
    "MX-6": "QQMHNETIA",
    "MX-7": "CNRCPTYWERQ",
}
MT_CDS2 = (
    "ATGTATCTGAATGCTCATGTTATAATACGATATAGCCGCAATTCAGTAAACGGCCGAGTGGTATTACTAGGGGGGCTATCGATACCCACTCCAGCTATCT"
    "TCCACGCCGTCAGCCGACCCGCGTAA"
)
PAIRS = {
    "pairA": ("ATATAAACCTCTAGGTTGAA", "ATCCGGCCCCGCGCCGTACA"),
    "pairB": ("GAGGCGAGGAACAGTCCGAT", "TTTAAAGTTCGGATGACAGC"),
    "pairC": ("AGAAACGGCGTATTGTTTGC", "CACAGTCTTGATCTGCCACA"),
    "pairD": ("TAAGGAGATGCCAGTCGACA", "CCTCCGAGCTCTTCAAAGTA"),
    "pairE": ("CTTACCTAAATACCATGCGG", "GTGCTCGTTATGTGATAAAA"),
}
AMPLICON = (
    "GGTAGGTGTAATAACTACTGGCATGGCCATTGAAATCGCCAGTCCCGAACCAGGCTCGTTGATCGTCAAAAACCTAGCCGCAGCCCTACCCTCCCAATCT"
    "GGATAGCCCCATATAAGATCATGGCCGCCGGTGACTGTGGCCCGGACCCTCACGAAAGCGGGTAGAATGCAGACCGGCCC"
)
PRIMER_RC = "AAGACACCCTGAGAACGGTATTA"
HIS_PROT = "MGSSHHHHHHSSGAKWRFHGFKRGEYVWVNRCCYDQRKTFSKEPAMDWGNENHPIHHNCIKWC"
CONSTRUCT = (
    "PYRFYLGCYVGEEFFCRGKQHGFFMGKESYQVTNRDEEMQPQNNHADPYYFSERWIIRVLTTMEFVTCICGWNDNSLCLVCGGCNEMSYVTPDRPWDAQW"
    "IAVYEFEWPNDHMFRNGIFPKNLGANSGMRIPPQEAWAWPVLHRIFHDCP"
)
PRIMER_TM = "TATTCCGTAATGTCCAAAATA"
SHORT_ORF = "ATGCTGACGATTAGGTTACATACGACTAGCTGGAATGCTCTCGGGACCTAA"
CDS_INSTAB = (
    "ATGGCGTTATTCAGCGGCTCGCGTACGGGTCGGTTGCGAGTCACTGGTATAATACGGAGGGTGGTGAACGTACCGCGGATCTTCCCTTACCAACCCTCTG"
    "GCCGGCCGATCCGAGTGCAAACACGTTGTGCACGGTCGATGTTTCGAAGAAGGCACCTCCTTACGCAGTTCGACCATCCGTATGCTGGTTCGTTCACTCA"
    "TTGCCTCCGCCTCTGA"
)


def rc(seq: str) -> str:
    return str(Seq(seq).reverse_complement())


def fasta(records: dict[str, str]) -> str:
    return "\n".join(f">{name}\n{seq}" for name, seq in records.items())


def orf_lengths(seq: str, starts: set[str], stops: set[str]) -> list[int]:
    """Every ORF of both strands: from the first start codon after an in-frame stop to the next stop (aa, no stop)."""
    lengths = []
    for strand in (seq, rc(seq)):
        for frame in range(3):
            begin = None
            for i in range(frame, len(strand) - 2, 3):
                codon = strand[i : i + 3]
                if begin is None and codon in starts:
                    begin = i
                elif begin is not None and codon in stops:
                    lengths.append((i - begin) // 3)
                    begin = None
    return lengths


@task(
    "t2-bio-contig-longest-orf-bacterial-starts",
    ["multi-step", "off-table"],
    f"""Annotating a bacterial contig by hand. Search all six reading frames of the sequence below for open
    reading frames that run from a start codon to the next in-frame stop codon (TAA, TAG or TGA), accepting ATG,
    GTG and TTG as start codons (the usual bacterial trio; an ORF starts at the first start codon after the
    previous in-frame stop and must end in a stop inside the sequence). How long is the longest ORF, in amino
    acids, not counting the stop? {CONTIG_T11}""",
)
def bio_orf_bacterial() -> Ref:
    stops = set(CodonTable.unambiguous_dna_by_id[11].stop_codons)
    best = max(orf_lengths(CONTIG_T11, {"ATG", "GTG", "TTG"}, stops))
    assert best > max(orf_lengths(CONTIG_T11, {"ATG"}, stops))  # the alternative start matters
    return number(best, unit="aa")


@task(
    "t2-bio-antisense-read-protein",
    ["multi-step"],
    f"""This read came off the antisense strand, so the gene is on its reverse complement. Take the reverse
    complement, find the first ATG in it, and translate from there to the first stop codon (standard code). What
    protein do you get (one-letter code, stop not shown)? Read: {ANTISENSE}""",
)
def bio_antisense() -> Ref:
    sense = rc(ANTISENSE)
    protein = str(Seq(sense[sense.find("ATG") :]).translate(to_stop=True))
    assert len(protein) > 20
    return contains(protein)


def circular_fragments(seq: str, enzymes: list[Any]) -> list[int]:
    cuts = sorted({p for e in enzymes for p in e.search(Seq(seq), linear=False)})
    return [b - a for a, b in zip(cuts, [*cuts[1:], cuts[0] + len(seq)], strict=True)]


@task(
    "t2-bio-plasmid-double-digest",
    ["multi-step", "off-table"],
    f"""Planning a diagnostic double digest of my circular plasmid with BglII (A^GATCT) and SpeI (A^CTAGT). The
    sequence below is the complete circular plasmid (written from an arbitrary origin). What is the size in bp of
    the largest fragment? {PLASMID}""",
)
def bio_double_digest() -> Ref:
    fragments = circular_fragments(PLASMID, [BglII, SpeI])
    linear_cuts = BglII.search(Seq(PLASMID)) + SpeI.search(Seq(PLASMID))
    assert len(fragments) == len(linear_cuts) + 1  # one site spans the origin
    return number(max(fragments), unit="bp")


@task(
    "t2-bio-contigs-highest-gc",
    ["multi-step"],
    f"""Which of these contigs has the highest GC content?\n{fasta(GC_SET)}""",
)
def bio_highest_gc() -> Ref:
    scores = {n: gc_fraction(s) for n, s in GC_SET.items()}
    return which(max(scores, key=scores.get), scores)


def tm_mg(primer: str) -> float:
    return mt.Tm_NN(primer, Mg=2.0, dNTPs=0.8)


@task(
    "t2-bio-primers-tm-window",
    ["multi-step", "off-table"],
    f"""Screening primers for a PCR master mix with 2 mM Mg2+ and 0.8 mM total dNTPs. Using Biopython's
    nearest-neighbour Tm (Tm_NN with its default table, 50 mM Na+ and default strand concentrations, plus those
    magnesium and dNTP concentrations), how many of these 12 primers have a Tm between 59 and 66 °C inclusive?
    {listing(PRIMERS)}""",
)
def bio_tm_window() -> Ref:
    tms = {n: tm_mg(p) for n, p in PRIMERS.items()}
    assert all(abs(t - 59) > 0.3 and abs(t - 66) > 0.3 for t in tms.values()), tms
    return number(sum(59 <= t <= 66 for t in tms.values()))


def hamming(a: str, b: str) -> int:
    return sum(x != y for x, y in zip(a, b, strict=True))


@task(
    "t2-bio-barcodes-closest-pair",
    ["multi-step", "off-table"],
    f"""Checking a sample-barcode set for crosstalk risk. Which two barcodes are closest by Hamming distance, and
    what is that distance? {listing(BARCODES)}""",
)
def bio_barcodes() -> Ref:
    pairs = {(a, b): hamming(BARCODES[a], BARCODES[b]) for a, b in combinations(BARCODES, 2)}
    ranked = sorted(pairs, key=pairs.get)
    best = ranked[0]
    assert pairs[best] < pairs[ranked[1]]
    a, b = (name.lower() for name in best)
    expr = f"{a!r} in answer.lower() and {b!r} in answer.lower() and number == {pairs[best]}"
    good = f"{best[0]} and {best[1]}: {pairs[best]} mismatches"
    return Ref({"type": "python", "expr": expr}, good, f"bcA and bcB: {pairs[('bcA', 'bcB')]}", margin=str(pairs[best]))


@task(
    "t2-bio-peptides-highest-pi",
    ["multi-step"],
    f"""For cation-exchange capture I want the most basic peptide of this set: which one has the highest
    isoelectric point (Biopython ProteinAnalysis)? {listing(PEPTIDES_PI)}""",
)
def bio_highest_pi() -> Ref:
    scores = {n: ProteinAnalysis(s).isoelectric_point() for n, s in PEPTIDES_PI.items()}
    return which(max(scores, key=scores.get), scores)


@task(
    "t2-bio-mito-translation",
    ["off-table"],
    f"""This is a mitochondrial coding sequence from a vertebrate. Translate it with the vertebrate mitochondrial
    genetic code (NCBI table 2) from the first base up to, but not including, the first stop codon. Protein in
    one-letter code: {MITO_CDS}""",
)
def bio_mito() -> Ref:
    protein = str(Seq(MITO_CDS).translate(table=2, to_stop=True))
    assert protein != str(Seq(MITO_CDS).translate(table=1, to_stop=True))
    return contains(protein)


def codons_of(seq: str) -> list[str]:
    return [seq[i : i + 3] for i in range(0, len(seq) - 2, 3)]


@task(
    "t2-bio-cds-rare-arginine-codons",
    ["multi-step", "off-table"],
    f"""Before expressing this gene in E. coli I want to know how much it relies on the rare arginine codons AGA
    and AGG. Reading the CDS in frame from its first base, what percentage of all its arginine codons are AGA or
    AGG? One decimal. {CDS_ARG}""",
)
def bio_rare_arginine() -> Ref:
    table = CodonTable.unambiguous_dna_by_id[1].forward_table
    arg = [c for c in codons_of(CDS_ARG) if table.get(c) == "R"]
    rare = sum(c in ("AGA", "AGG") for c in arg)
    return number(100 * rare / len(arg), tol=0.06, unit="%")


@task(
    "t2-bio-cds-tcc-codons",
    ["off-table"],
    f"""How many TCC codons are in this open reading frame when it is read in frame from the ATG at base 1?
    {CDS_TCC}""",
)
def bio_tcc_count() -> Ref:
    count = codons_of(CDS_TCC).count("TCC")
    assert count != CDS_TCC.count("TCC")
    return number(count)


@task(
    "t2-bio-blosum62-global-score",
    ["off-table"],
    f"""Aligning two variants of a domain: what is the optimal global alignment score of {ALN_A} against
    {ALN_B} with Biopython's PairwiseAligner in global mode, BLOSUM62, gap open score -10 and gap extend score
    -0.5 (end gaps scored like any other gap)?""",
)
def bio_blosum() -> Ref:
    aligner = Align.PairwiseAligner(mode="global")
    aligner.substitution_matrix = substitution_matrices.load("BLOSUM62")
    aligner.open_gap_score, aligner.extend_gap_score = -10, -0.5
    return number(aligner.score(ALN_A, ALN_B), tol=0.01)


@task(
    "t2-bio-cpg-observed-expected",
    ["multi-step", "off-table"],
    f"""Is this promoter fragment CpG-island-like? Give its CpG observed/expected ratio, (number of CG
    dinucleotides x length) / (number of C x number of G), to three decimals. {CPG_FRAG}""",
)
def bio_cpg() -> Ref:
    n_cg = sum(CPG_FRAG[i : i + 2] == "CG" for i in range(len(CPG_FRAG) - 1))
    return number(n_cg * len(CPG_FRAG) / (CPG_FRAG.count("C") * CPG_FRAG.count("G")), tol=0.0015)


@task(
    "t2-bio-glycosylation-sequons",
    ["off-table"],
    f"""How many potential N-glycosylation sequons (N-X-S or N-X-T, where X is any residue except proline) are in
    this secreted protein? {GLYCO}""",
)
def bio_sequons() -> Ref:
    return number(len(re.findall(r"(?=N[^P][ST])", GLYCO)))


def trypsin(protein: str) -> list[str]:
    return [p for p in re.split(r"(?<=[KR])(?!P)", protein) if p]


@task(
    "t2-bio-tryptic-longest-peptide",
    ["multi-step", "off-table"],
    f"""In silico trypsin digest: cleave after every K or R except when the next residue is P (no missed
    cleavages). What is the average molecular weight, in Da, of the longest resulting peptide (Biopython
    ProteinAnalysis)? Two decimals. {TRYP}""",
)
def bio_tryptic() -> Ref:
    peptides = sorted(trypsin(TRYP), key=len, reverse=True)
    assert len(peptides[0]) > len(peptides[1])
    return number(ProteinAnalysis(peptides[0]).molecular_weight(), tol=0.02, unit="Da")


@task(
    "t2-bio-kyte-doolittle-max-window",
    ["multi-step", "off-table"],
    f"""Looking for a transmembrane helix: slide a 19-residue window along this protein and average the
    Kyte-Doolittle hydropathy values in each window. What is the highest window average? Three decimals.
    {TM_PROT}""",
)
def bio_kd_window() -> Ref:
    return number(max(ProteinAnalysis(TM_PROT).protein_scale(KYTE_DOOLITTLE, 19)), tol=0.0015)


@task(
    "t2-bio-charge-at-physiological-ph",
    ["off-table"],
    f"""What net charge does this protein carry at pH 7.4, using Biopython ProteinAnalysis charge_at_pH? Two
    decimals. {CHARGE_PROT}""",
)
def bio_charge() -> Ref:
    return number(ProteinAnalysis(CHARGE_PROT).charge_at_pH(7.4), tol=0.01)


@task(
    "t2-bio-pcr-product-length",
    ["multi-step"],
    f"""With forward primer {FWD_PRIMER} and reverse primer {REV_PRIMER} (both 5'->3'), how long in bp is the PCR
    product from this template (top strand shown)? {TEMPLATE}""",
)
def bio_pcr_product() -> Ref:
    start = TEMPLATE.find(FWD_PRIMER)
    site = TEMPLATE.find(rc(REV_PRIMER))
    assert start >= 0 and site > start and TEMPLATE.count(FWD_PRIMER) == 1
    return number(site + len(REV_PRIMER) - start, unit="bp")


@task(
    "t2-bio-most-frequent-4mer",
    ["off-table"],
    f"""Which 4-mer occurs most often (counting overlapping occurrences on this strand only) in {KMER_SEQ}?""",
)
def bio_kmer() -> Ref:
    counts = Counter(KMER_SEQ[i : i + 4] for i in range(len(KMER_SEQ) - 3))
    (best, n), (_, second) = counts.most_common(2)
    assert n > second
    return regex(f"(?<![ACGT]){best}(?![ACGT])", f"{best} ({n} times)", f"{counts.most_common()[-1][0]}")


@task(
    "t2-bio-gc-skew-window",
    ["multi-step", "off-table"],
    f"""Split this sequence into consecutive non-overlapping 100-bp windows and compute the GC skew (G - C) /
    (G + C) of each (as Biopython's GC_skew does). At which 1-based position does the window with the most
    negative skew start? {SKEW_SEQ}""",
)
def bio_gc_skew() -> Ref:
    skews = GC_skew(SKEW_SEQ, window=100)
    worst = int(np.argmin(skews))
    assert sorted(skews)[1] - skews[worst] > 0.05
    return number(worst * 100 + 1)


@task(
    "t2-bio-bsai-sites",
    ["off-table"],
    f"""Golden Gate domestication check: how many BsaI recognition sites (GGTCTC, on either strand) are in this
    insert? {BSAI_INSERT}""",
)
def bio_bsai() -> Ref:
    return number(len(BsaI.search(Seq(BSAI_INSERT))))


@task(
    "t2-bio-oligo-molarity",
    ["multi-step"],
    f"""My single-stranded DNA oligo {OLIGO} came back at 50 ng/µL. What's that in µM? Use Biopython's
    molecular_weight for single-stranded DNA; two decimals.""",
)
def bio_oligo_molarity() -> Ref:
    mw = molecular_weight(Seq(OLIGO), "DNA")
    return number(50e-9 / 1e-6 / mw * 1e6, tol=0.01, unit="µM")


def fastq_records() -> list[SeqRecord]:
    return list(SeqIO.parse(io.StringIO(FASTQ), "fastq"))


@task(
    "t2-bio-fastq-followup-q30",
    ["follow-up", "multi-step", "off-table"],
    f"""Parse these FASTQ records (Sanger/Illumina 1.8+ encoding, Phred+33) into a list of Biopython SeqRecords
    called `fq`:\n{FASTQ}""",
    """How many of the 6 reads in `fq` have a mean Phred quality of at least 30?""",
)
def bio_fastq() -> Ref:
    fq = fastq_records()
    means = [np.mean(r.letter_annotations["phred_quality"]) for r in fq]
    assert all(abs(m - 30) > 0.3 for m in means)
    variables = "len(fq) == 6 and all(type(r).__name__ == 'SeqRecord' for r in fq)"
    return session(variables, number(sum(m >= 30 for m in means)), {"fq": fq})


@task(
    "t2-bio-reads-followup-bsmbi",
    ["follow-up", "multi-step", "off-table"],
    f"""Load these sequences into a list of SeqRecord objects named `reads`:\n{fasta(BSMBI_READS)}""",
    """How many of the 8 sequences you loaded into `reads` contain at least one BsmBI site (CGTCTC on either
    strand)?""",
)
def bio_bsmbi() -> Ref:
    reads = [SeqRecord(Seq(s), id=n, description="") for n, s in BSMBI_READS.items()]
    count = sum(bool(BsmBI.search(r.seq)) for r in reads)
    variables = "len(reads) == 8 and all(type(r).__name__ == 'SeqRecord' for r in reads)"
    return session(variables, number(count), {"reads": reads})


@task(
    "t2-bio-peptides-followup-charge",
    ["follow-up", "multi-step", "off-table"],
    f"""Put these peptides into a dict called `peps` (name -> sequence): {listing(PEPTIDES_CHG)}.""",
    """Make a pandas DataFrame `charges` with one row per peptide in `peps` and a column `charge_7_4` holding the
    net charge at pH 7.4 from Biopython ProteinAnalysis.""",
    """How many of the 7 peptides in `peps` carry a net positive charge at pH 7.4?""",
)
def bio_peptide_charges() -> Ref:
    peps = dict(PEPTIDES_CHG)
    values = [ProteinAnalysis(s).charge_at_pH(7.4) for s in peps.values()]
    charges = pd.DataFrame({"charge_7_4": values}, index=list(peps))
    assert (charges["charge_7_4"].abs() > 0.1).all()
    expected = sorted(round(c, 3) for c in charges["charge_7_4"])
    variables = (
        "len(peps) == 7 and len(charges) == 7 and all(abs(a - b) < 0.05 for a, b in"
        f" zip(sorted(float(c) for c in charges['charge_7_4']), {expected!r}))"
    )
    return session(variables, number(int((charges["charge_7_4"] > 0).sum())), {"peps": peps, "charges": charges})


@task(
    "t2-bio-mtcds-followup-code-differences",
    ["follow-up", "multi-step", "off-table"],
    f"""Store this coding sequence as a Biopython Seq called `mt_cds`: {MT_CDS2}""",
    """Translate `mt_cds` over its full length twice, keeping stops as '*': with the standard code into
    `std_prot` and with the vertebrate mitochondrial code (table 2) into `mt_prot`.""",
    """At how many positions do `std_prot` and `mt_prot` differ?""",
)
def bio_mt_differences() -> Ref:
    mt_cds = Seq(MT_CDS2)
    std_prot, mt_prot = mt_cds.translate(table=1), mt_cds.translate(table=2)
    diff = sum(a != b for a, b in zip(str(std_prot), str(mt_prot), strict=True))
    variables = (
        f"str(mt_cds) == {MT_CDS2!r} and str(std_prot) == {str(std_prot)!r} and str(mt_prot) == {str(mt_prot)!r}"
    )
    namespace = {"mt_cds": mt_cds, "std_prot": std_prot, "mt_prot": mt_prot}
    return session(variables, number(diff), namespace)


@task(
    "t2-bio-primer-pairs-followup-tm-gap",
    ["follow-up", "multi-step"],
    f"""Keep these primer pairs in a dict `pairs` mapping each name to a (forward, reverse) tuple:
    {listing({n: f"{f} / {r}" for n, (f, r) in PAIRS.items()})}.""",
    """Which pair in `pairs` has the largest Tm difference between its forward and reverse primer, using
    Biopython's Tm_NN with default settings?""",
)
def bio_primer_pairs() -> Ref:
    pairs = dict(PAIRS)
    scores = {n: abs(mt.Tm_NN(f) - mt.Tm_NN(r)) for n, (f, r) in pairs.items()}
    variables = "len(pairs) == 5 and all(len(v) == 2 for v in pairs.values())"
    return session(variables, which(max(scores, key=scores.get), scores), {"pairs": pairs})


@task(
    "t2-bio-cds-protein-instability",
    ["multi-step"],
    f"""Will the protein from this ORF be stable in vitro? Translate it (standard code, stop excluded) and give
    the Guruprasad instability index from Biopython ProteinAnalysis, two decimals. {CDS_INSTAB}""",
)
def bio_instability() -> Ref:
    protein = str(Seq(CDS_INSTAB).translate(to_stop=True))
    return number(ProteinAnalysis(protein).instability_index(), tol=0.01)


@task(
    "t2-bio-amplicon-gc",
    [],
    f"""Before ordering qPCR reagents: what's the GC content of this amplicon, in percent with two decimals?
    {AMPLICON}""",
)
def bio_amplicon_gc() -> Ref:
    return number(100 * gc_fraction(AMPLICON), tol=0.01, unit="%")


@task(
    "t2-bio-primer-revcomp",
    [],
    f"""I need the reverse-strand version of this primer for the opposite direction: reverse complement of
    5'-{PRIMER_RC}-3', please.""",
)
def bio_revcomp() -> Ref:
    return contains(rc(PRIMER_RC))


@task(
    "t2-bio-histag-protein-pi",
    [],
    f"""What pI should I expect for my His-tagged construct (Biopython ProteinAnalysis isoelectric point, two
    decimals)? {HIS_PROT}""",
)
def bio_pi() -> Ref:
    return number(ProteinAnalysis(HIS_PROT).isoelectric_point(), tol=0.01)


@task(
    "t2-bio-construct-kda",
    [],
    f"""Roughly where should this protein run on the gel? Give its average molecular weight in kDa (Biopython),
    two decimals. {CONSTRUCT}""",
)
def bio_kda() -> Ref:
    return number(ProteinAnalysis(CONSTRUCT).molecular_weight() / 1000, tol=0.01, unit="kDa")


@task(
    "t2-bio-primer-tm-default",
    [],
    f"""Quick one: Tm of the primer {PRIMER_TM} by Biopython's nearest-neighbour method with all default settings,
    in °C to one decimal?""",
)
def bio_tm() -> Ref:
    return number(mt.Tm_NN(PRIMER_TM), tol=0.06, unit="°C")


@task(
    "t2-bio-short-orf-peptide",
    [],
    f"""What peptide does this small ORF encode (standard code, stop not included)? {SHORT_ORF}""",
)
def bio_short_orf() -> Ref:
    return contains(str(Seq(SHORT_ORF).translate(to_stop=True)))


# ================================================================ astronomy

STARS_A = {
    "Canopus": (95.9880, -52.6957),
    "Schedar": (10.1268, 56.5373),
    "Mirfak": (51.0807, 49.8612),
    "Kochab": (222.6764, 74.1555),
    "Dubhe": (165.9320, 61.7510),
    "Alkaid": (206.8852, 49.3133),
    "Eltanin": (269.1516, 51.4889),
    "Sadr": (305.5571, 40.2567),
}
QUERY_A = "14h05m12.0s +62d40m00s"


def star_listing(stars: dict[str, tuple[float, float]]) -> str:
    return "; ".join(f"{n} (RA {ra:.4f}°, Dec {dec:+.4f}°)" for n, (ra, dec) in stars.items())


def coords(stars: dict[str, tuple[float, float]]) -> SkyCoord:
    ra, dec = zip(*stars.values(), strict=True)
    return SkyCoord(ra=list(ra) * u.deg, dec=list(dec) * u.deg, frame="icrs")


@task(
    "t2-astro-closest-star-to-field",
    ["multi-step"],
    f"""My guide camera is pointed at {QUERY_A} (ICRS). Which of these bright stars is closest to the pointing on
    the sky? {star_listing(STARS_A)}""",
)
def astro_closest() -> Ref:
    pointing = SkyCoord(QUERY_A, frame="icrs")
    seps = coords(STARS_A).separation(pointing).deg
    scores = dict(zip(STARS_A, seps, strict=True))
    nearest_in_ra = min(STARS_A, key=lambda n: abs(STARS_A[n][0] - pointing.ra.deg))
    assert nearest_in_ra != min(scores, key=scores.get)  # RA alone does not give it away
    return which(min(scores, key=scores.get), scores, best="min")


@task(
    "t2-astro-redshift-at-quarter-age",
    ["multi-step", "off-table"],
    """In the Planck 2018 cosmology (astropy's Planck18), at what redshift was the universe a quarter of its
    present age? Three decimals.""",
)
def astro_z_at_age() -> Ref:
    return number(float(z_at_value(Planck18.age, Planck18.age(0) / 4)), tol=0.003)


STAR_P = ("05h33m47.9s", "-05d51m12s", 412.0)
STAR_Q = ("05h41m02.3s", "-02d11m40s", 388.0)


@task(
    "t2-astro-3d-separation",
    ["multi-step", "off-table"],
    f"""Two young stars in Orion: star P at RA {STAR_P[0]}, Dec {STAR_P[1]}, distance {STAR_P[2]:.0f} pc; star Q
    at RA {STAR_Q[0]}, Dec {STAR_Q[1]}, distance {STAR_Q[2]:.0f} pc (ICRS). How far apart are they in space, in
    parsecs? One decimal.""",
)
def astro_3d() -> Ref:
    p = SkyCoord(STAR_P[0], STAR_P[1], distance=STAR_P[2] * u.pc, frame="icrs")
    q = SkyCoord(STAR_Q[0], STAR_Q[1], distance=STAR_Q[2] * u.pc, frame="icrs")
    return number(p.separation_3d(q).to_value(u.pc), tol=0.06, unit="pc")


@task(
    "t2-astro-brightness-temperature",
    ["multi-step", "off-table"],
    """A compact source has a flux density of 3 mJy at 1.4 GHz in a circular Gaussian beam of 5 arcsec FWHM.
    What is its Rayleigh-Jeans brightness temperature in kelvin (beam solid angle = pi FWHM^2 / (4 ln 2))? One
    decimal.""",
)
def astro_tb() -> Ref:
    fwhm = 5 * u.arcsec
    beam = np.pi * fwhm**2 / (4 * np.log(2))
    tb = (3 * u.mJy / beam).to(u.K, equivalencies=u.brightness_temperature(1.4 * u.GHz))
    return number(tb.to_value(u.K), tol=0.06, rel=0.001, unit="K")


ECLIPSE_P, ECLIPSE_T0 = 2.4873, 2460100.1234
OBS_BJD = {
    "obs-a": 2460104.9102,
    "obs-b": 2460112.3311,
    "obs-c": 2460118.7790,
    "obs-d": 2460123.8850,
    "obs-e": 2460131.2204,
    "obs-f": 2460137.5418,
    "obs-g": 2460142.0073,
    "obs-h": 2460150.6632,
}


def phase(t: float) -> float:
    return ((t - ECLIPSE_T0) / ECLIPSE_P) % 1.0


@task(
    "t2-astro-eclipse-phase-closest",
    ["multi-step", "off-table"],
    f"""An eclipsing binary has period {ECLIPSE_P} d and primary-eclipse epoch BJD {ECLIPSE_T0}. Which of these
    exposures (mid-times in BJD) falls closest to phase 0.5, the secondary eclipse? {listing(OBS_BJD, " at BJD ")}""",
)
def astro_phase() -> Ref:
    scores = {n: abs(phase(t) - 0.5) for n, t in OBS_BJD.items()}
    return which(min(scores, key=scores.get), scores, best="min")


SITE_B = EarthLocation(lat=37.0662 * u.deg, lon=-3.3847 * u.deg, height=2896 * u.m)
SITE_B_TEXT = "latitude 37.0662° N, longitude 3.3847° W, height 2896 m"
TARGET_B = "20h30m12.0s +38d20m00s"
TIME_B = "2024-08-13T03:00:00"


def altaz(target: SkyCoord, when: str, site: EarthLocation) -> SkyCoord:
    return target.transform_to(AltAz(obstime=Time(when, scale="utc"), location=site))


@task(
    "t2-astro-airmass-site",
    ["off-table"],
    f"""From a site at {SITE_B_TEXT}, what is the airmass (sec z, no refraction, astropy AltAz) of the target at
    {TARGET_B} (ICRS) at {TIME_B.replace("T", " ")} UTC? Three decimals.""",
)
def astro_airmass() -> Ref:
    return number(float(altaz(SkyCoord(TARGET_B, frame="icrs"), TIME_B, SITE_B).secz), tol=0.002)


STARS_C = {
    "Alphard": (141.8968, -8.6586),
    "Hamal": (31.7934, 23.4624),
    "Markab": (346.1902, 15.2053),
    "Alpheratz": (2.0969, 29.0904),
    "Menkar": (45.5699, 4.0897),
    "Diphda": (10.8974, -17.9866),
    "Algol": (47.0422, 40.9556),
}
SITE_C = EarthLocation(lat=-31.6880 * u.deg, lon=-64.5540 * u.deg, height=1350 * u.m)
TIME_C = "2024-11-05T03:00:00"


@task(
    "t2-astro-highest-target",
    ["multi-step", "off-table"],
    f"""Observing from latitude 31.6880° S, longitude 64.5540° W (1350 m) at {TIME_C.replace("T", " ")} UTC: which
    of these stars stands highest above the horizon? {star_listing(STARS_C)}""",
)
def astro_highest() -> Ref:
    alts = altaz(coords(STARS_C), TIME_C, SITE_C).alt.deg
    scores = dict(zip(STARS_C, alts, strict=True))
    return which(max(scores, key=scores.get), scores)


PM_RA, PM_DEC = -812.6, 1032.9  # mas/yr, pmra includes cos(dec)


@task(
    "t2-astro-proper-motion-drift",
    ["off-table"],
    f"""A nearby red dwarf has proper motion mu_alpha* = {PM_RA} mas/yr (already multiplied by cos dec) and mu_delta =
    +{PM_DEC} mas/yr. How far, in arcseconds, does it move across the sky between epochs 2016.0 and 2050.0
    (linear motion is fine)? Two decimals.""",
)
def astro_pm() -> Ref:
    total = np.hypot(PM_RA, PM_DEC) * u.mas / u.yr * (34 * u.yr)
    return number(total.to_value(u.arcsec), tol=0.01, unit="arcsec")


TIME_D = "2025-02-14T06:30:00"


@task(
    "t2-astro-tcb-minus-tt",
    ["off-table"],
    f"""For a pulsar-timing sanity check: at {TIME_D.replace("T", " ")} UTC, by how many seconds does Barycentric
    Coordinate Time (TCB) lead Terrestrial Time (TT), according to astropy? Three decimals.""",
)
def astro_tcb() -> Ref:
    t = Time(TIME_D, scale="utc")
    tcb, tt = t.tcb, t.tt
    return number((tcb.jd1 - tt.jd1 + tcb.jd2 - tt.jd2) * 86400, tol=0.002, unit="s")


TIME_E = "2024-09-03T21:15:00"


@task(
    "t2-astro-greenwich-apparent-sidereal",
    ["off-table"],
    f"""What is the Greenwich apparent sidereal time at {TIME_E.replace("T", " ")} UTC, in hours to four decimals
    (astropy, IAU 2006/2000A model)?""",
)
def astro_gast() -> Ref:
    return number(Time(TIME_E, scale="utc").sidereal_time("apparent", "greenwich").hour, tol=0.0003, unit="h")


SITE_F_LON, SITE_F_LAT = -1.0163, 40.0419
TARGET_F = ("14h02m31.6s", "+21d34m12s")
TIME_F = "2024-05-20T22:40:00"


@task(
    "t2-astro-hour-angle",
    ["multi-step", "off-table"],
    f"""At a site at longitude {abs(SITE_F_LON)}° W, latitude {SITE_F_LAT}° N, what is the hour angle of a star at
    RA {TARGET_F[0]}, Dec {TARGET_F[1]} at {TIME_F.replace("T", " ")} UTC? Use the local mean sidereal time minus
    the RA (ignore precession), expressed in hours between -12 and +12, three decimals.""",
)
def astro_hour_angle() -> Ref:
    lst = Time(TIME_F, scale="utc").sidereal_time("mean", longitude=SITE_F_LON * u.deg)
    ha = (lst - SkyCoord(*TARGET_F, frame="icrs").ra).wrap_at(12 * u.hourangle).hour
    return number(ha, tol=0.0015, unit="h")


@task(
    "t2-astro-cepheid-apparent-mag",
    ["multi-step", "off-table"],
    """A Cepheid with absolute magnitude M_V = -3.9 sits at a distance of 2.35 kpc behind 0.82 mag of visual
    extinction. What apparent V magnitude should we expect? Two decimals.""",
)
def astro_cepheid() -> Ref:
    mu = 5 * np.log10((2.35 * u.kpc).to_value(u.pc) / 10)
    return number(-3.9 + mu + 0.82, tol=0.01, unit="mag")


@task(
    "t2-astro-water-line-wavelength",
    ["off-table"],
    """The 183.31 GHz water line sits in a submillimetre atmospheric window. What is its wavelength in millimetres,
    to four decimals?""",
)
def astro_water_line() -> Ref:
    return number((183.31 * u.GHz).to_value(u.mm, equivalencies=u.spectral()), tol=0.0002, unit="mm")


@task(
    "t2-astro-hi-radio-velocity",
    ["multi-step", "off-table"],
    """A galaxy's HI line is observed at 1413.95 MHz. Using the radio velocity convention and a rest frequency
    of 1420.405751768 MHz, what is its velocity in km/s? One decimal.""",
)
def astro_radio_velocity() -> Ref:
    rest = 1420.405751768 * u.MHz
    v = (1413.95 * u.MHz).to(u.km / u.s, equivalencies=u.doppler_radio(rest))
    return number(v.to_value(u.km / u.s), tol=0.06, unit="km/s")


@task(
    "t2-astro-ab-magnitude",
    ["off-table"],
    """Our radio-selected quasar has a flux density of 250 µJy in the r band. What is that as an AB magnitude?
    Three decimals.""",
)
def astro_ab_mag() -> Ref:
    return number((250 * u.uJy).to_value(u.ABmag), tol=0.0015, unit="mag")


@task(
    "t2-astro-elapsed-between-redshifts",
    ["multi-step"],
    """In a flat LambdaCDM cosmology with H0 = 70 km/s/Mpc and Omega_m = 0.3 (no radiation), how much cosmic time
    elapsed between z = 2.8 and z = 1.4, in Gyr? Three decimals.""",
)
def astro_elapsed() -> Ref:
    cosmo = FlatLambdaCDM(H0=70, Om0=0.3)
    return number((cosmo.age(1.4) - cosmo.age(2.8)).to_value(u.Gyr), tol=0.0015, unit="Gyr")


@task(
    "t2-astro-angular-size-disc",
    ["multi-step"],
    """A disc galaxy 25 kpc across lies at z = 0.73. What angular diameter does it subtend in arcseconds, for the
    Planck18 cosmology? Two decimals.""",
)
def astro_angular_size() -> Ref:
    scale = Planck18.kpc_proper_per_arcmin(0.73).to(u.kpc / u.arcsec)
    return number((25 * u.kpc / scale).to_value(u.arcsec), tol=0.01, unit="arcsec")


@task(
    "t2-astro-comoving-shell-volume",
    ["multi-step"],
    """What comoving volume (whole sky) lies between z = 1.1 and z = 2.3 in the WMAP9 cosmology, in Gpc^3? One
    decimal.""",
)
def astro_shell() -> Ref:
    shell = WMAP9.comoving_volume(2.3) - WMAP9.comoving_volume(1.1)
    return number(shell.to_value(u.Gpc**3), tol=0.06, unit="Gpc^3")


SITE_G = EarthLocation(lat=-30.4710 * u.deg, lon=-70.7650 * u.deg, height=2200 * u.m)
SITE_G_TEXT = "latitude 30.4710° S, longitude 70.7650° W, height 2200 m"
TARGET_G = "07h12m44.3s -19d05m36s"
MJD_G = 60372.0841


@task(
    "t2-astro-barycentric-light-time",
    ["multi-step", "off-table"],
    f"""We observed a target at {TARGET_G} (ICRS) at MJD {MJD_G} (UTC) from {SITE_G_TEXT}. What is the
    barycentric light-travel-time correction (the amount added to go from the observatory's TDB time to BJD_TDB),
    in seconds? Use astropy's light_travel_time with its built-in ephemeris. One decimal.""",
)
def astro_ltt() -> Ref:
    t = Time(MJD_G, format="mjd", scale="utc", location=SITE_G)
    return number(t.light_travel_time(SkyCoord(TARGET_G, frame="icrs")).to_value(u.s), tol=0.06, unit="s")


TARGET_H = "19h38m05.2s +11d27m49s"
TIME_H = "2024-07-02T05:10:00"


@task(
    "t2-astro-rv-correction",
    ["off-table"],
    f"""For our radial-velocity run: what is the barycentric radial-velocity correction in km/s for a star at
    {TARGET_H} (ICRS) observed at {TIME_H.replace("T", " ")} UTC from {SITE_G_TEXT}? Use astropy's
    radial_velocity_correction (barycentric); three decimals.""",
)
def astro_rv() -> Ref:
    c = SkyCoord(TARGET_H, frame="icrs")
    rv = c.radial_velocity_correction("barycentric", obstime=Time(TIME_H, scale="utc"), location=SITE_G)
    return number(rv.to_value(u.km / u.s), tol=0.002, unit="km/s")


TARGET_I = "00h42m10.0s +02d15m00s"
TIME_I = "2024-10-15T02:00:00"
SITE_I = EarthLocation(lat=19.8261 * u.deg, lon=-155.4720 * u.deg, height=4200 * u.m)


@task(
    "t2-astro-moon-separation",
    ["multi-step", "off-table"],
    f"""Will moonlight bother us? From latitude 19.8261° N, longitude 155.4720° W (4200 m), at
    {TIME_I.replace("T", " ")} UTC, what is the angular distance in degrees between the Moon (topocentric, astropy
    get_body with the site location) and the target at {TARGET_I} (ICRS)? Measure it in the Moon's own topocentric
    frame (the target transformed to it, not the Moon to ICRS). One decimal.""",
)
def astro_moon() -> Ref:
    t = Time(TIME_I, scale="utc")
    moon = get_body("moon", t, SITE_I)
    return number(moon.separation(SkyCoord(TARGET_I, frame="icrs")).deg, tol=0.11, unit="deg")


SITE_J = EarthLocation(lat=59.9343 * u.deg, lon=30.3351 * u.deg, height=10 * u.m)
TIME_J = "2024-06-23T21:00:00"


@task(
    "t2-astro-sun-altitude-white-night",
    ["off-table"],
    f"""During the white nights at latitude 59.9343° N, longitude 30.3351° E (10 m), how far below the horizon is the
    Sun at {TIME_J.replace("T", " ")} UTC? Give the Sun's altitude in degrees (astropy AltAz, no refraction), two
    decimals.""",
)
def astro_sun_alt() -> Ref:
    t = Time(TIME_J, scale="utc")
    sun = get_body("sun", t, SITE_J).transform_to(AltAz(obstime=t, location=SITE_J))
    return number(sun.alt.deg, tol=0.02, unit="deg")


@task(
    "t2-astro-parallax-distance-modulus",
    ["multi-step", "off-table"],
    """A star has a Gaia parallax of 3.125 mas. Ignoring the parallax error and any zero-point offset, what is its
    distance modulus? Three decimals.""",
)
def astro_parallax_mu() -> Ref:
    d = (3.125 * u.mas).to(u.pc, equivalencies=u.parallax())
    return number(5 * np.log10(d.to_value(u.pc) / 10), tol=0.0015, unit="mag")


@task(
    "t2-astro-hot-jupiter-semimajor-axis",
    ["multi-step", "off-table"],
    """A hot Jupiter orbits a 1.12 solar-mass star every 3.524 days. Neglecting the planet's mass, what is the
    orbital semi-major axis in AU (Kepler's third law, astropy constants)? Four decimals.""",
)
def astro_kepler() -> Ref:
    period, mass = 3.524 * u.day, 1.12 * const.M_sun
    a = (const.G * mass * period**2 / (4 * np.pi**2)) ** (1 / 3)
    return number(a.to_value(u.AU), tol=0.0002, unit="AU")


@task(
    "t2-astro-stellar-luminosity",
    ["off-table"],
    """An F star has radius 1.85 R_sun and effective temperature 6350 K. What is its luminosity in solar units
    from the Stefan-Boltzmann law (astropy's sigma_sb, R_sun and L_sun)? Two decimals.""",
)
def astro_luminosity() -> Ref:
    lum = 4 * np.pi * (1.85 * const.R_sun) ** 2 * const.sigma_sb * (6350 * u.K) ** 4
    return number((lum / const.L_sun).decompose().value, tol=0.01, unit="L_sun")


@task(
    "t2-astro-wien-peak",
    ["off-table"],
    """At what wavelength, in nm, does a 3450 K blackbody peak per unit wavelength (Wien's displacement law,
    b = 2.897771955e-3 m K)? One decimal.""",
)
def astro_wien() -> Ref:
    return number((2.897771955e-3 * u.m * u.K / (3450 * u.K)).to_value(u.nm), tol=0.06, unit="nm")


CAT_A = [
    (150.11232, 2.20581),
    (150.09817, 2.21944),
    (150.13420, 2.18876),
    (150.12004, 2.23190),
    (150.08751, 2.19502),
    (150.14388, 2.21025),
]
CAT_B = [
    (150.11238, 2.20585),
    (150.09850, 2.21944),
    (150.13436, 2.18851),
    (150.12011, 2.23204),
    (150.14402, 2.21027),
    (150.10500, 2.20000),
    (150.08700, 2.19600),
]


def pairs_text(points: list[tuple[float, float]]) -> str:
    return ", ".join(f"({ra:.5f}, {dec:.5f})" for ra, dec in points)


@task(
    "t2-astro-crossmatch-count",
    ["multi-step"],
    f"""Cross-matching an optical list against our radio list (all positions ICRS, RA and Dec in degrees). For how
    many of the 6 optical sources is the nearest radio source within 1.5 arcsec? Optical: {pairs_text(CAT_A)}. Radio:
    {pairs_text(CAT_B)}.""",
)
def astro_crossmatch() -> Ref:
    a = SkyCoord([p[0] for p in CAT_A] * u.deg, [p[1] for p in CAT_A] * u.deg)
    b = SkyCoord([p[0] for p in CAT_B] * u.deg, [p[1] for p in CAT_B] * u.deg)
    _, sep, _ = a.match_to_catalog_sky(b)
    assert np.all(np.abs(sep.arcsec - 1.5) > 0.1), sep.arcsec
    return number(int((sep.arcsec <= 1.5).sum()))


STARS_K = {
    "Shaula": (263.4022, -37.1038),
    "Nunki": (283.8164, -26.2967),
    "Wezen": (107.0978, -26.3932),
    "Hadar": (210.9559, -60.3730),
    "Acrux": (186.6496, -63.0991),
    "Peacock": (306.4119, -56.7351),
    "Alnair": (332.0583, -46.9610),
    "Adhara": (104.6565, -28.9721),
}


@task(
    "t2-astro-closest-to-galactic-plane",
    ["multi-step"],
    f"""Which of these southern stars lies closest to the Galactic plane (smallest absolute galactic latitude)?
    {star_listing(STARS_K)}""",
)
def astro_galactic_plane() -> Ref:
    b = np.abs(coords(STARS_K).galactic.b.deg)
    scores = dict(zip(STARS_K, b, strict=True))
    return which(min(scores, key=scores.get), scores, best="min")


STARS_L = {
    "Pollux": (116.3290, 28.0262),
    "Castor": (113.6495, 31.8883),
    "Bellatrix": (81.2828, 6.3497),
    "Alnilam": (84.0534, -1.2019),
    "Saiph": (86.9391, -9.6696),
    "Denebola": (177.2649, 14.5721),
    "Mirzam": (95.6749, -17.9559),
}
SITE_L = EarthLocation(lat=35.2117 * u.deg, lon=24.8983 * u.deg, height=1750 * u.m)
TIME_L = "2025-01-20T02:15:00"


@task(
    "t2-astro-targets-followup-airmass",
    ["follow-up", "multi-step", "off-table"],
    f"""Make an ICRS SkyCoord array called `targets` from these stars, in this order, and a list `target_names`
    with their names: {star_listing(STARS_L)}.""",
    f"""Observing from latitude 35.2117° N, longitude 24.8983° E, height 1750 m at {TIME_L.replace("T", " ")} UTC:
    which of the `targets` has the lowest airmass?""",
)
def astro_targets_airmass() -> Ref:
    targets = coords(STARS_L)
    target_names = list(STARS_L)
    secz = altaz(targets, TIME_L, SITE_L).secz
    alt = altaz(targets, TIME_L, SITE_L).alt.deg
    scores = {n: (float(z) if a > 0 else 99.0) for n, z, a in zip(STARS_L, secz, alt, strict=True)}
    variables = "type(targets).__name__ == 'SkyCoord' and len(targets) == 7 and len(target_names) == 7"
    answer = which(min(scores, key=scores.get), scores, best="min")
    return session(variables, answer, {"targets": targets, "target_names": target_names})


OBS_MJD = [60400.3212, 60401.0423, 60401.8766, 60402.5391, 60403.3320, 60404.1115, 60404.9600, 60405.6172, 60406.4021]
FOLD_P, FOLD_T0 = 0.81234, 60400.2175


@task(
    "t2-astro-times-followup-fold",
    ["follow-up", "multi-step", "off-table"],
    f"""Create an astropy Time array `obs` (scale UTC, format MJD) from these mid-exposure times: {OBS_MJD}.""",
    """Convert `obs` to the TDB scale and store it as `obs_tdb`.""",
    f"""Fold `obs_tdb` on the period {FOLD_P} d with primary-eclipse epoch MJD {FOLD_T0} (TDB). How many of the
    exposures fall within 0.1 in phase of the primary eclipse (phase below 0.1 or above 0.9)?""",
)
def astro_fold() -> Ref:
    obs = Time(OBS_MJD, format="mjd", scale="utc")
    obs_tdb = obs.tdb
    phases = ((obs_tdb.mjd - FOLD_T0) / FOLD_P) % 1
    assert np.all(np.abs(phases - 0.1) > 0.01) and np.all(np.abs(phases - 0.9) > 0.01), phases
    variables = "type(obs).__name__ == 'Time' and len(obs) == 9 and obs_tdb.scale == 'tdb' and len(obs_tdb) == 9"
    count = int(((phases < 0.1) | (phases > 0.9)).sum())
    return session(variables, number(count), {"obs": obs, "obs_tdb": obs_tdb})


@task(
    "t2-astro-cosmo-followup-lookback",
    ["follow-up", "multi-step", "off-table"],
    """Set up a cosmology object named `cosmo`: flat LambdaCDM with H0 = 67.0 km/s/Mpc and Omega_m = 0.32 (astropy's
    FlatLambdaCDM, other parameters left at their defaults).""",
    """Using `cosmo`, at what redshift was the lookback time 8 Gyr? Three decimals.""",
)
def astro_cosmo() -> Ref:
    cosmo = FlatLambdaCDM(H0=67.0, Om0=0.32)
    z = float(z_at_value(cosmo.lookback_time, 8 * u.Gyr))
    variables = "abs(cosmo.H0.value - 67.0) < 1e-6 and abs(cosmo.Om0 - 0.32) < 1e-6"
    return session(variables, number(z, tol=0.003), {"cosmo": cosmo})


STARS_M = {
    "Avior": (195.0, 1.86),
    "Alphecca": (23.0, 2.22),
    "Rasalhague": (14.9, 2.07),
    "Vindemiatrix": (33.6, 2.79),
    "Mizar": (26.3, 2.23),
    "Gacrux": (27.2, 1.64),
}


@task(
    "t2-astro-stars-followup-absolute-mag",
    ["follow-up", "multi-step"],
    f"""Make a pandas DataFrame `stars` with columns `name`, `distance_pc` and `V` (apparent magnitude) from:
    {"; ".join(f"{n}: {d} pc, V = {v}" for n, (d, v) in STARS_M.items())}.""",
    """Add a column `M_V` with each star's absolute magnitude (no extinction).""",
    """Which star in `stars` is intrinsically the most luminous in V?""",
)
def astro_stars() -> Ref:
    stars = pd.DataFrame(
        {"name": list(STARS_M), "distance_pc": [d for d, _ in STARS_M.values()], "V": [v for _, v in STARS_M.values()]}
    )
    stars["M_V"] = stars["V"] - 5 * np.log10(stars["distance_pc"] / 10)
    scores = dict(zip(stars["name"], stars["M_V"], strict=True))
    expected = sorted(round(m, 3) for m in stars["M_V"])
    variables = (
        "len(stars) == 6 and all(abs(a - b) < 0.01 for a, b in"
        f" zip(sorted(float(m) for m in stars['M_V']), {expected!r}))"
    )
    return session(variables, which(min(scores, key=scores.get), scores, best="min"), {"stars": stars})


TARGET_N = "18h36m12.5s -10d48m20s"


@task(
    "t2-astro-galactic-longitude",
    [],
    f"""For the Galactic-structure plot I need the galactic longitude l of {TARGET_N} (ICRS), in degrees to three
    decimals.""",
)
def astro_gal_l() -> Ref:
    return number(SkyCoord(TARGET_N, frame="icrs").galactic.l.deg, tol=0.0015, unit="deg")


@task(
    "t2-astro-luminosity-distance",
    [],
    """What's the luminosity distance to a supernova host at z = 0.415 in Planck18, in Mpc (one decimal)?""",
)
def astro_dl() -> Ref:
    return number(Planck18.luminosity_distance(0.415).to_value(u.Mpc), tol=0.06, unit="Mpc")


# ================================================================ running and checking


def _load_pick_number() -> Callable[[str, str], float | None]:
    """The judge's number rule (assistant/engine/numbers.py), loaded from the file so nothing else is imported."""
    path = HERE.parents[1] / "assistant" / "engine" / "numbers.py"
    spec = importlib.util.spec_from_file_location("_sciwand_numbers", path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.pick_number


def judge(check: dict[str, Any], answer: str, question: str, namespace: dict[str, Any], pick: Callable) -> bool:
    """The judge's verdict, re-implemented for the check types (python checks through the same eval)."""
    kind = check["type"]
    if kind == "number":
        picked = pick(answer, question)
        allowed = max(check["tol"], check.get("rel", 0) * abs(check["value"]))
        return picked is not None and abs(picked - check["value"]) <= allowed
    if kind == "contains":
        return " ".join(check["value"].split()) in " ".join(answer.split())
    if kind == "regex":
        return re.search(check["pattern"], answer) is not None
    scope = dict(namespace)
    scope["answer"], scope["number"] = answer, pick(answer, question)
    try:
        return bool(eval(check["expr"], scope))
    except Exception:
        return False


def selftest(spec: Spec, ref: Ref, pick: Callable) -> list[str]:
    """Problems with one task: its check must pass a correct answer and fail a wrong one (and empty variables)."""
    question = "\n".join(spec.turns)
    problems = []
    if not judge(ref.check, ref.good, question, ref.namespace, pick):
        problems.append(f"correct answer {ref.good!r} fails")
    if judge(ref.check, ref.bad, question, ref.namespace, pick):
        problems.append(f"wrong answer {ref.bad!r} passes")
    if ref.namespace and judge(ref.check, ref.good, question, {}, pick):
        problems.append("passes without the session's variables")
    if ref.check["type"] == "number" and any(abs(q - ref.check["value"]) < 1e-9 for q in _numbers(question)):
        problems.append(f"expected value {ref.check['value']} also appears in the question")
    if ref.check["type"] == "python" and "number" in ref.check["expr"]:
        value = pick(ref.good, question)
        if value is not None and any(abs(q - value) < 1e-9 for q in _numbers(question)):
            problems.append(f"expected value {value} also appears in the question")
    return problems


def _numbers(text: str) -> list[float]:
    module = sys.modules.get("_sciwand_numbers")
    return module.numbers_in(text) if module else []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--selftest", action="store_true", help="judge a correct and a wrong answer for every task")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    pick = _load_pick_number() if args.selftest else None
    lines, failures = [], 0
    for spec in TASKS:
        ref = spec.solve()
        record = {"id": spec.id, "domain": spec.domain, "tags": spec.tags, "turns": spec.turns, "check": ref.check}
        lines.append(json.dumps(record, ensure_ascii=False))
        if args.selftest:
            problems = selftest(spec, ref, pick)
            failures += bool(problems)
            status = "FAIL " + "; ".join(problems) if problems else "ok"
            print(f"{spec.id:48s} {status}  {ref.margin}")
    ids = [spec.id for spec in TASKS]
    assert len(ids) == len(set(ids)), "duplicate ids"
    args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} tasks to {args.output}")
    by_domain = Counter(spec.domain for spec in TASKS)
    by_tag = Counter(tag for spec in TASKS for tag in spec.tags)
    print("per domain:", dict(sorted(by_domain.items())))
    print("per tag:", dict(sorted(by_tag.items())))
    for domain in sorted(by_domain):
        tags = Counter(tag for spec in TASKS if spec.domain == domain for tag in spec.tags)
        print(f"  {domain}: {dict(sorted(tags.items()))}")
    if args.selftest:
        print(f"selftest: {failures} task(s) with problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
