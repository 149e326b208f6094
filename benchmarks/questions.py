"""Questions with independently computed answers, for the engine figures and the harness ablations.

Expected values were computed with RDKit, Biopython and astropy directly (see the README's Figures);
numbers match within 0.02 % (at least 0.01), text by substring.
"""

from __future__ import annotations

import re

# (domain, question, expected)
QUESTIONS: list[tuple[str, str, float | str]] = [
    ("chemistry", "What is the average molecular weight of ibuprofen, SMILES CC(C)Cc1ccc(cc1)C(C)C(=O)O?", 206.285),
    ("chemistry", "How many hydrogen bond donors does paracetamol (SMILES CC(=O)Nc1ccc(O)cc1) have?", 2),
    ("biology", "What is the GC content of the DNA sequence ATGCGCGTTAGC, as a percentage?", 58.33),
    ("biology", "Translate the DNA sequence ATGGCCATTGTAATGGGCCGCTGA into protein.", "MAIVMGR"),
    ("astronomy", "What is the luminosity distance at redshift 1 in the Planck18 cosmology, in Mpc?", 6791.27),
    ("chemistry", "What is the molecular formula of caffeine, SMILES Cn1cnc2c1c(=O)n(C)c(=O)n2C?", "C8H10N4O2"),
    ("chemistry", "Calculate the Crippen logP of aspirin, SMILES CC(=O)Oc1ccccc1C(=O)O.", 1.3101),
    ("chemistry", "What is the topological polar surface area of caffeine (Cn1cnc2c1c(=O)n(C)c(=O)n2C)?", 61.82),
    ("biology", "What is the reverse complement of ATGCGTACGTTAGC?", "GCTAACGTACGCAT"),
    ("biology", "What is the molecular weight in daltons of the protein sequence MKTAYIAKQR?", 1209.46),
    ("biology", "How many times does the EcoRI site GAATTC occur in GAATTCAAGAATTCTTGAATTC?", 3),
    ("astronomy", "Convert a wavelength of 500 nm to frequency in THz.", 599.585),
    ("astronomy", "What is the age of the universe today in the Planck18 cosmology, in Gyr?", 13.787),
    (
        "astronomy",
        "What is the angular separation in degrees between RA=10.684 deg, Dec=41.269 deg and "
        "RA=83.822 deg, Dec=-5.391 deg?",
        81.078,
    ),
    ("astronomy", "What is the Julian Date of 2024-01-01T00:00:00 UTC?", 2460310.5),
]
ENGINE_QUESTIONS = QUESTIONS[:5]  # one or two per domain, for benchmarks/engine.py


def answer_matches(answer: str | None, expected: float | str) -> bool:
    if answer is None:
        return False
    if isinstance(expected, str):
        return expected in answer
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", answer.replace(",", ""))]
    return any(abs(n - expected) <= max(2e-4 * abs(expected), 0.01) for n in numbers)
