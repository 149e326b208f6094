"""Biology helpers for the sciwand kernel (``bio``): validated wrappers over the installed Biopython.

Each helper checks its input first and raises a ``ValueError`` naming the argument and the cause (for a
sequence: the illegal letters and where they are), so a failed step tells the model what to fix. Results
are plain values, pandas DataFrames or SeqRecords; ``dna_profile`` and ``protein_profile`` answer the
everyday questions in one labelled table (a ``Profile``) to print. Coordinates are 1-based and inclusive on the plus
strand, as in GenBank files and papers. ``Bio.Restriction`` and ``MeltingTemp`` load on first use.
"""

from __future__ import annotations

import gzip
import re
from collections import Counter
from collections.abc import Callable, Iterable
from functools import cache, partial
from io import StringIO
from itertools import pairwise
from pathlib import Path
from typing import TextIO

import pandas as pd
from Bio import Align, SeqIO
from Bio.Align import substitution_matrices
from Bio.Data import CodonTable, IUPACData
from Bio.Seq import MutableSeq, Seq
from Bio.SeqRecord import SeqRecord
from Bio.SeqUtils import gc_fraction, molecular_weight
from Bio.SeqUtils.ProtParam import ProteinAnalysis

from domain_tools.profile import Profile, Row

# (what the message calls it, the letters allowed); sequences are upper-cased and whitespace removed first.
_AMBIGUITY = "RYSWKMBDHVN"
_DNA = ("DNA (A, C, G, T)", "ACGT")
_DNA_IUPAC = ("DNA (A, C, G, T and IUPAC codes)", "ACGT" + _AMBIGUITY)
_NUCLEOTIDE = ("DNA or RNA (A, C, G, T/U and IUPAC codes)", "ACGTU" + _AMBIGUITY)
_CODING = ("DNA or RNA without ambiguity codes (A, C, G, T/U)", "ACGTU")
_PROTEIN = ("a protein (the 20 standard amino acids)", "ACDEFGHIKLMNPQRSTVWY")
_LETTERS = ("letters", "ABCDEFGHIJKLMNOPQRSTUVWXYZ*")
_NUCLEIC = (_DNA, _DNA_IUPAC, _NUCLEOTIDE, _CODING)

# The common cloning enzymes: what restriction_sites and dna_profile look for unless told otherwise.
DEFAULT_ENZYMES = (
    *("EcoRI", "BamHI", "HindIII", "NotI", "XhoI", "PstI", "SalI", "XbaI", "NcoI", "NdeI", "KpnI", "SmaI"),
    *("SacI", "EcoRV"),
)

_EXTENSIONS = {
    **dict.fromkeys((".fa", ".fasta", ".fna", ".faa", ".ffn", ".frn", ".fas", ".fsa"), "fasta"),
    **dict.fromkeys((".fq", ".fastq"), "fastq"),
    **dict.fromkeys((".gb", ".gbk", ".gbff", ".genbank"), "genbank"),
    ".embl": "embl",
}


def _describe(bad: list[tuple[int, str]]) -> str:
    """'X' at 5, 9 (2x); '1' at 12 -- each illegal letter with its first 1-based positions."""
    where: dict[str, list[int]] = {}
    for position, letter in bad:
        where.setdefault(letter, []).append(position)
    parts = []
    for letter, positions in where.items():
        shown = ", ".join(map(str, positions[:5])) + (", ..." if len(positions) > 5 else "")
        parts.append(f"{letter!r} at {shown} ({len(positions)}x)")
    return "; ".join(parts)


def _letters(seq: str | Seq | SeqRecord, alphabet: tuple[str, str], name: str = "seq") -> str:
    """``seq`` as an upper-case str without whitespace, after checking every letter is in ``alphabet``."""
    if isinstance(seq, SeqRecord):
        seq = seq.seq
    if not isinstance(seq, str | Seq | MutableSeq):
        raise ValueError(f"{name} must be a str, Seq or SeqRecord, not {type(seq).__name__}")
    text = "".join(str(seq).split()).upper()
    if not text:
        raise ValueError(f"{name} is empty")
    label, allowed = alphabet
    bad = [(position, letter) for position, letter in enumerate(text, 1) if letter not in allowed]
    if bad:
        message = f"{name} has letters not allowed in {label}: {_describe(bad)}"
        letters = {letter for _, letter in bad}
        if alphabet in _NUCLEIC and letters <= (set(_PROTEIN[1]) - set(_NUCLEOTIDE[1])) | {"*"}:
            message += " -- is it a protein sequence? bio.protein_profile(seq) describes a protein"
        raise ValueError(message)
    if alphabet in _NUCLEIC and "T" in text and "U" in text:
        raise ValueError(f"{name} mixes T (DNA) and U (RNA); use one of them")
    return text


def _codon_table(table: int | str) -> CodonTable.CodonTable:
    """The NCBI genetic code by id (1 standard, 2 vertebrate mitochondrial, 11 bacterial...) or name."""
    by = CodonTable.unambiguous_dna_by_name if isinstance(table, str) else CodonTable.unambiguous_dna_by_id
    try:
        return by[table]
    except KeyError:
        ids = ", ".join(map(str, sorted(CodonTable.unambiguous_dna_by_id)))
        raise ValueError(
            f"table={table!r} is not an NCBI genetic code; use an id ({ids}) or a name like 'Vertebrate Mitochondrial'"
        ) from None


def _reverse_complement(text: str) -> str:
    return str(Seq(text).reverse_complement_rna() if "U" in text else Seq(text).reverse_complement())


# --- reading -------------------------------------------------------------------------------------------


def _detect_format(text: str, origin: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    for prefix, fmt in ((">", "fasta"), ("@", "fastq"), ("LOCUS", "genbank"), ("ID ", "embl")):
        if first.startswith(prefix):
            return fmt
    if "\n>" in text:
        return "fasta-pearson"  # FASTA with comment lines before the first record, which 'fasta' rejects
    raise ValueError(f"could not tell the format of {origin}; pass format='fasta', 'fastq' or 'genbank'")


def read_sequences(source: str | Path | TextIO, format: str | None = None) -> list[SeqRecord]:
    """Records from FASTA/FASTQ/GenBank/EMBL text, a file path (``.gz`` too) or an open handle.

    Use instead of ``SeqIO.parse`` when the data is a string (SeqIO treats a str as a file name). With
    ``format=None`` the format comes from the file extension, else from the first line of the content.
    """
    if hasattr(source, "read"):
        text, origin = source.read(), "the handle"
    elif isinstance(source, str) and ("\n" in source or source.lstrip().startswith((">", "@", "LOCUS"))):
        text, origin = source, "the text"
    else:
        path = Path(source)
        if not path.is_file():
            raise FileNotFoundError(
                f"source {str(source)[:60]!r} is neither an existing file nor FASTA/FASTQ/GenBank text "
                "(a bare sequence needs no reading: use Seq('ACGT'))"
            )
        origin = str(path)
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt") as handle:
            text = handle.read()
        suffix = Path(path.stem).suffix if path.suffix == ".gz" else path.suffix
        format = format or _EXTENSIONS.get(suffix.lower())
    text = text.lstrip()  # since 1.87 the 'fasta' parser rejects even a blank line before the first '>'
    format = format or _detect_format(text, origin)
    records = list(SeqIO.parse(StringIO(text), format))
    if not records:
        raise ValueError(f"no {format} records in {origin}")
    return records


def records_table(records: Iterable[SeqRecord] | str | Path | TextIO) -> pd.DataFrame:
    """One row per record: id, description, length, gc (0-1; NaN for proteins). Accepts read_sequences input."""
    if isinstance(records, str | Path) or hasattr(records, "read"):
        records = read_sequences(records)
    rows = []
    for record in records:
        text = str(record.seq).upper()
        molecule = record.annotations.get("molecule_type", "")
        # IUPAC codes overlap amino-acid letters, so call it nucleic when labelled or >= 90% A/C/G/T/U/N
        nucleic = "NA" in molecule or (not molecule and sum(map(text.count, "ACGTUN")) >= 0.9 * len(text) > 0)
        gc = gc_fraction(text) if nucleic else float("nan")
        rows.append({"id": record.id, "description": record.description, "length": len(record.seq), "gc": gc})
    return pd.DataFrame(rows, columns=["id", "description", "length", "gc"])


# --- composition, transcription, translation --------------------------------------------------------


def gc_content(seq: str | Seq | SeqRecord, ambiguous: str = "remove") -> float:
    """G+C fraction from 0 to 1 (multiply by 100 for percent), after validating a DNA/RNA sequence.

    ``ambiguous`` is gc_fraction's: "remove" leaves N, R, Y... out of the length, "ignore" counts them
    as non-GC, "weighted" counts each by its chance of being G or C.
    """
    return gc_fraction(_letters(seq, _NUCLEOTIDE), ambiguous)


def transcribe(seq: str | Seq | SeqRecord) -> str:
    """The mRNA of a DNA coding strand: T becomes U (no reverse complement is taken)."""
    return _letters(seq, _DNA_IUPAC).replace("T", "U")


def reverse_complement(seq: str | Seq | SeqRecord) -> str:
    """The reverse complement, IUPAC-aware; an RNA input (has U) gives RNA."""
    return _reverse_complement(_letters(seq, _NUCLEOTIDE))


def _translate_frame(text: str, offset: int, table: int | str, to_stop: bool = False) -> str:
    """Translate from ``offset``, dropping a trailing partial codon (which Biopython warns about)."""
    end = offset + (len(text) - offset) // 3 * 3
    return str(Seq(text[offset:end]).translate(table=_codon_table(table).id, to_stop=to_stop))


def translate(seq: str | Seq | SeqRecord, table: int | str = 1, to_stop: bool = False, cds: bool = False) -> str:
    """Protein of frame 1 ('*' marks stops); ``to_stop`` ends at the first stop, ``table`` is the NCBI code.

    A trailing partial codon is dropped. ``cds=True`` requires a complete CDS (start..stop, no internal
    stop), translates an alternative start codon as M and omits the final stop.
    """
    text = _letters(seq, _NUCLEOTIDE)
    if len(text) < 3:
        raise ValueError(f"seq has {len(text)} nucleotides, fewer than one codon")
    if not cds:
        return _translate_frame(text, 0, table, to_stop)
    try:
        return str(Seq(text).translate(table=_codon_table(table).id, cds=True))
    except CodonTable.TranslationError as error:
        raise ValueError(f"seq is not a complete CDS: {error}") from None


def _strands(text: str) -> list[tuple[str, str]]:
    return [("+", text), ("-", _reverse_complement(text))]


def six_frames(seq: str | Seq | SeqRecord, table: int | str = 1) -> pd.DataFrame:
    """Translations of all six reading frames: strand (+/-), frame (1-3 from that strand's 5' end), protein."""
    text = _letters(seq, _NUCLEOTIDE)
    rows = [
        {"strand": strand, "frame": frame, "protein": _translate_frame(strand_text, frame - 1, table)}
        for strand, strand_text in _strands(text)
        for frame in (1, 2, 3)
    ]
    return pd.DataFrame(rows, columns=["strand", "frame", "protein"])


def find_orfs(
    seq: str | Seq | SeqRecord, min_protein_length: int = 100, table: int | str = 1, alternative_starts: bool = False
) -> pd.DataFrame:
    """Open reading frames (start codon .. stop codon) on both strands, longest first.

    Each ORF begins at the first start codon after the previous in-frame stop (ATG only, or every start
    codon of ``table`` with ``alternative_starts``) and must end in a stop. Columns: strand, frame,
    start, end (1-based, inclusive, stop included, start <= end on both strands -- a minus-strand ORF
    reads from ``end`` down to ``start``), length (amino acids, stop excluded), protein.
    """
    text = _letters(seq, _NUCLEOTIDE).replace("U", "T")
    code = _codon_table(table)
    starts = set(code.start_codons) if alternative_starts else {"ATG"}
    stops = set(code.stop_codons)
    n = len(text)
    rows = []
    for strand, strand_text in _strands(text):
        for frame in (1, 2, 3):
            begin = None
            for index in range(frame - 1, n - 2, 3):
                codon = strand_text[index : index + 3]
                if begin is None:
                    begin = index if codon in starts else None
                elif codon in stops:
                    length = (index - begin) // 3
                    if length >= min_protein_length:
                        protein = "M" + _translate_frame(strand_text[begin + 3 : index], 0, code.id)
                        first, last = (begin + 1, index + 3) if strand == "+" else (n - index - 2, n - begin)
                        rows.append((strand, frame, first, last, length, protein))
                    begin = None
    orfs = pd.DataFrame(rows, columns=["strand", "frame", "start", "end", "length", "protein"])
    return orfs.sort_values(["length", "start"], ascending=[False, True], ignore_index=True)


def codon_usage(seq: str | Seq | SeqRecord | Iterable[str | Seq | SeqRecord], table: int | str = 1) -> pd.DataFrame:
    """Counts of all 64 codons in one coding sequence or a list of them (in frame 1).

    Columns: codon, amino_acid ('*' for stops), count, fraction (of that amino acid's codons, NaN if the
    amino acid is absent), per_thousand (per 1000 codons). Each sequence's length must be a multiple of 3.
    """
    sequences = [seq] if isinstance(seq, str | Seq | MutableSeq | SeqRecord) else list(seq)
    counts: Counter[str] = Counter()
    for number, item in enumerate(sequences):
        name = "seq" if len(sequences) == 1 else f"seq[{number}]"
        text = _letters(item, _CODING, name).replace("U", "T")
        if len(text) % 3:
            raise ValueError(f"{name} has {len(text)} nucleotides, not a multiple of 3; trim it to whole codons")
        counts.update(text[i : i + 3] for i in range(0, len(text), 3))
    code = _codon_table(table)
    amino_acid = {**code.forward_table, **dict.fromkeys(code.stop_codons, "*")}
    frame = pd.DataFrame(
        [(codon, amino_acid[codon], counts[codon]) for codon in sorted(amino_acid)],
        columns=["codon", "amino_acid", "count"],
    )
    per_amino_acid = frame.groupby("amino_acid")["count"].transform("sum")
    frame["fraction"] = (frame["count"] / per_amino_acid.where(per_amino_acid > 0)).astype(float)
    frame["per_thousand"] = 1000 * frame["count"] / frame["count"].sum()
    return frame.sort_values(["amino_acid", "codon"], ignore_index=True)


# --- motifs, restriction enzymes, primers -----------------------------------------------------------


def _motif_pattern(motif: str) -> str:
    """Regex for an IUPAC motif: each code matches its bases (T also U) and the same code in the sequence."""
    classes = []
    for letter in motif:
        bases = IUPACData.ambiguous_dna_values[letter] + letter
        classes.append("[" + "".join(sorted(set(bases + ("U" if "T" in bases else "")))) + "]")
    return "".join(classes)


def find_motif(
    seq: str | Seq | SeqRecord, motif: str, both_strands: bool = True, overlapping: bool = True
) -> pd.DataFrame:
    """Occurrences of a DNA motif with IUPAC codes (e.g. 'GAATTC', 'TATAWAW', 'CANNTG'), sorted by position.

    Columns: strand, start, end (1-based, inclusive, on the plus strand), match (as read 5'->3' on its
    strand). A palindromic motif (equal to its reverse complement) is reported once, on the plus strand.
    """
    text = _letters(seq, _NUCLEOTIDE)
    motif = _letters(motif, _NUCLEOTIDE, "motif").replace("U", "T")
    reverse = str(Seq(motif).reverse_complement())
    searches = [("+", motif)] + ([("-", reverse)] if both_strands and reverse != motif else [])
    rows = []
    for strand, pattern in searches:
        regex = _motif_pattern(pattern)
        for found in re.finditer(f"(?=({regex}))" if overlapping else f"({regex})", text):
            start, match = found.start(), found.group(1)
            rows.append((strand, start + 1, start + len(match), match if strand == "+" else _reverse_complement(match)))
    frame = pd.DataFrame(rows, columns=["strand", "start", "end", "match"])
    return frame.sort_values(["start", "strand"], ignore_index=True)


@cache
def _enzymes_by_name() -> dict:
    from Bio import Restriction

    return {str(enzyme).lower(): enzyme for enzyme in Restriction.AllEnzymes}


def _cuts(seq: str | Seq | SeqRecord, enzymes: Iterable[str] | str, linear: bool) -> tuple[int, list[tuple]]:
    """(sequence length, [(enzyme, recognition site, 1-based position after the cut), ...])."""
    text = _letters(seq, _DNA_IUPAC)
    names = [enzymes] if isinstance(enzymes, str) else [str(name) for name in enzymes]
    if not names:
        raise ValueError("enzymes is empty; name at least one, e.g. ('EcoRI', 'BamHI')")
    known = _enzymes_by_name()
    unknown = [name for name in names if name.lower() not in known]
    if unknown:
        raise ValueError(f"unknown restriction enzyme(s) {unknown}; use REBASE names such as 'EcoRI', 'HindIII'")
    cuts = []
    for enzyme in (known[name.lower()] for name in names):
        cuts += [(str(enzyme), enzyme.site, position) for position in enzyme.search(Seq(text), linear=linear)]
    return len(text), cuts


def restriction_sites(
    seq: str | Seq | SeqRecord, enzymes: Iterable[str] | str = DEFAULT_ENZYMES, linear: bool = True
) -> pd.DataFrame:
    """Where restriction enzymes cut: enzyme, site (recognition sequence), position, sorted by position.

    ``position`` is Biopython's: the 1-based index of the first base after the cut on the top strand
    (EcoRI G^AATTC at bases 1-6 gives 2). Enzymes that do not cut are absent; ``linear=False`` for plasmids.
    """
    _, cuts = _cuts(seq, enzymes, linear)
    frame = pd.DataFrame(cuts, columns=["enzyme", "site", "position"])
    return frame.sort_values(["position", "enzyme"], ignore_index=True)


def digest(seq: str | Seq | SeqRecord, enzymes: Iterable[str] | str, linear: bool = True) -> list[int]:
    """Fragment lengths (bp, in sequence order) after cutting with all ``enzymes`` together.

    A circular molecule (``linear=False``) with k distinct cuts gives k fragments, the last spanning the
    origin; with no cut it stays one fragment of full length.
    """
    n, cuts = _cuts(seq, enzymes, linear)
    positions = sorted({position for _, _, position in cuts})
    # circular: from each cut to the next, the last fragment wrapping round the origin to the first cut
    bounds = [1, *positions, n + 1] if linear or not positions else [*positions, positions[0] + n]
    return [b - a for a, b in pairwise(bounds) if b > a]


def melting_temp(
    primer: str | Seq,
    method: str = "nn",
    Na: float = 50.0,
    K: float = 0.0,
    Tris: float = 0.0,
    Mg: float = 0.0,
    dNTPs: float = 0.0,
    dnac1: float = 25.0,
    dnac2: float = 25.0,
) -> float:
    """Primer melting temperature in degrees C with ``Bio.SeqUtils.MeltingTemp``.

    method: "nn" nearest-neighbour (Tm_NN, Allawi & SantaLucia 1997 table; salts in mM, dnac1/dnac2 the
    two strand concentrations in nM), "gc" (Tm_GC, Primer3Plus formula with Na/K/Tris/Mg/dNTPs) or
    "wallace" (Tm_Wallace = 2(A+T) + 4(G+C), for primers under ~14 nt; ignores salts).
    """
    from Bio.SeqUtils import MeltingTemp

    text = _letters(primer, _DNA, "primer")
    salts = {"Na": Na, "K": K, "Tris": Tris, "Mg": Mg, "dNTPs": dNTPs}
    if method == "nn":
        return float(MeltingTemp.Tm_NN(text, dnac1=dnac1, dnac2=dnac2, **salts))
    if method == "gc":
        return float(MeltingTemp.Tm_GC(text, **salts))
    if method == "wallace":
        return float(MeltingTemp.Tm_Wallace(text))
    raise ValueError(f"method={method!r} is unknown; use 'nn', 'gc' or 'wallace'")


# --- proteins and alignment ---------------------------------------------------------------------------


_THREE_LETTER = {code.upper(): letter for code, letter in IUPACData.protein_letters_3to1.items()} | {"TER": "*"}


def three_to_one(seq: str) -> str:
    """The one-letter sequence of a three-letter one: "Met-Ala-Ser", "MetAlaSer" or "MET ALA SER" give "MAS".

    A final stop ("Ter") is dropped; an unknown code raises ``ValueError`` naming it and its position.
    """
    if not isinstance(seq, str):
        raise ValueError(f"seq must be a str of three-letter codes, not {type(seq).__name__}")
    codes = [word[i : i + 3] for word in re.split(r"[^A-Za-z]+", seq) for i in range(0, len(word), 3)]
    if not codes:
        raise ValueError("seq is empty")
    bad = [(number, code) for number, code in enumerate(codes, 1) if code.upper() not in _THREE_LETTER]
    if bad:
        raise ValueError(f"seq has codes that are not three-letter amino acids: {_describe(bad)}")
    return "".join(_THREE_LETTER[code.upper()] for code in codes).removesuffix("*")


def _from_three_letter(text: str) -> str | None:
    """``text`` in one-letter code if it is unmistakably three-letter ("MetAla", "ALA-GLY"), else None."""
    words = [word for word in re.split(r"[^A-Za-z]+", text) if word]
    camel = bool(words) and all(re.fullmatch(r"(?:[A-Z][a-z]{2})+", word) for word in words)
    separated = len(words) > 1 and all(len(word) == 3 for word in words)
    if not (camel or separated):
        return None
    try:
        return three_to_one(text)
    except ValueError:
        return None


def _protein(seq: str | Seq | SeqRecord, name: str = "seq") -> str:
    """A validated one-letter protein: a trailing '*' dropped, three-letter codes converted, and DNA/RNA refused."""
    if isinstance(seq, SeqRecord):
        seq = seq.seq
    if isinstance(seq, str | Seq | MutableSeq):
        seq = _from_three_letter(str(seq)) or "".join(str(seq).split())
        seq = seq.removesuffix("*")
        letters = set(seq.upper())
        rna = "U" in letters
        if letters <= set("ACGTUN") and (rna or (len(letters - {"N"}) >= 3 and len(seq) >= 12)):
            raise ValueError(
                f"{name} looks like {'RNA' if rna else 'DNA'} (only A, C, G, {'U' if rna else 'T'}, N), "
                "not a protein: use bio.dna_profile(seq), or bio.translate(seq) first"
            )
    return _letters(seq, _PROTEIN, name)


def protein_params(seq: str | Seq | SeqRecord, monoisotopic: bool = False) -> dict:
    """ProtParam-style properties of a protein (a trailing '*' from translation is dropped, three-letter code
    such as "Met-Ala-Ser" is converted, and a DNA/RNA sequence is refused rather than read as amino acids).

    Keys: length, molecular_weight (Da, average unless ``monoisotopic``), isoelectric_point, gravy,
    instability_index (>40 suggests unstable), aromaticity (0-1), charge_at_pH7,
    extinction_coefficient (M^-1 cm^-1 at 280 nm, cysteines reduced), extinction_coefficient_cystines
    (all cysteines paired), amino_acid_percent (0-100).
    """
    text = _protein(seq)
    analysis = ProteinAnalysis(text, monoisotopic=monoisotopic)
    return {
        "length": len(text),
        "molecular_weight": analysis.molecular_weight(),
        "isoelectric_point": analysis.isoelectric_point(),
        "gravy": analysis.gravy(),
        "instability_index": analysis.instability_index(),
        "aromaticity": analysis.aromaticity(),
        "charge_at_pH7": analysis.charge_at_pH(7.0),
        "extinction_coefficient": analysis.molar_extinction_coefficient()[0],
        "extinction_coefficient_cystines": analysis.molar_extinction_coefficient()[1],
        "amino_acid_percent": dict(analysis.amino_acids_percent),
    }


def _matrix(matrix: str | substitution_matrices.Array) -> substitution_matrices.Array:
    if not isinstance(matrix, str):
        return matrix
    names = substitution_matrices.load()
    if matrix.upper() not in names:
        raise ValueError(f"matrix={matrix!r} is unknown; use one of {', '.join(names)}")
    return substitution_matrices.load(matrix.upper())


def align(
    a: str | Seq | SeqRecord,
    b: str | Seq | SeqRecord,
    mode: str = "global",
    matrix: str | substitution_matrices.Array | None = None,
    match: float = 1.0,
    mismatch: float = 0.0,
    open_gap: float | None = None,
    extend_gap: float | None = None,
) -> dict:
    """Best pairwise alignment with ``Align.PairwiseAligner`` (Needleman-Wunsch / Smith-Waterman, affine gaps).

    ``matrix`` (e.g. "BLOSUM62", "PAM250", "NUC.4.4") replaces match/mismatch. Gap values are scores,
    so negative: the first gap position scores ``open_gap``, each further one ``extend_gap``; end gaps
    count too. Defaults: -10/-0.5 with a matrix (EMBOSS's), else -1/-1 (Biopython's since 1.86).
    Returns score, identity (identities / alignment columns), identities, mismatches, gaps, length
    (columns) and alignment (the text, target above query).
    """
    if mode not in ("global", "local"):
        raise ValueError(f"mode={mode!r} is unknown; use 'global' or 'local'")
    aligner = Align.PairwiseAligner(mode=mode)
    if matrix is None:
        aligner.match_score, aligner.mismatch_score = match, mismatch
        alphabet, gaps = _LETTERS, (-1.0, -1.0)
    else:
        aligner.substitution_matrix = _matrix(matrix)
        label = f"the {matrix} alphabet" if isinstance(matrix, str) else "the matrix alphabet"
        alphabet, gaps = (label, "".join(aligner.substitution_matrix.alphabet)), (-10.0, -0.5)
    for name, value in (("open_gap", open_gap), ("extend_gap", extend_gap)):
        if value is not None and value > 0:
            raise ValueError(f"{name}={value} is a score, not a penalty: pass a negative number such as {-value}")
    aligner.open_gap_score = gaps[0] if open_gap is None else open_gap
    aligner.extend_gap_score = gaps[1] if extend_gap is None else extend_gap
    alignments = aligner.align(_letters(a, alphabet, "a"), _letters(b, alphabet, "b"))
    if mode == "local" and alignments.score <= 0:  # Biopython yields no alignment when none scores above 0
        return dict.fromkeys(("score", "identity", "identities", "mismatches", "gaps", "length"), 0) | {"alignment": ""}
    best = alignments[0]
    counts = best.counts()
    return {
        "score": float(best.score),
        "identity": counts.identities / best.length,
        "identities": counts.identities,
        "mismatches": counts.mismatches,
        "gaps": counts.gaps,
        "length": best.length,
        "alignment": str(best),
    }


# --- answer helpers: one labelled table per sequence ---------------------------------------------------


def _short(text: str, limit: int = 30) -> str:
    """A profile title's view of a long sequence."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} letters)"


def _row_or_reason(key: str, label: str, compute: Callable[[], float], unit: str, fmt: str) -> Row:
    """A row with the computed value, or with why it does not apply (the ValueError of the helper it calls)."""
    try:
        return Row(key, label, compute(), unit, fmt)
    except ValueError as error:
        return Row(key, label, f"n/a: {error}")


def _with_caret(site: str, cut: int) -> str:
    """The recognition site with '^' where the top strand is cut (G^AATTC), when the cut lies inside it."""
    return f"{site[:cut]}^{site[cut:]}" if 0 <= cut <= len(site) else site


def _restriction_rows(text: str, enzymes: Iterable[str] | str) -> list[Row]:
    """Which enzymes cut, and per cutter its cut count, site starts, cut positions and linear digest fragments."""
    sites = restriction_sites(text, enzymes)  # checks the names first
    known = _enzymes_by_name()
    names = [str(known[name.lower()]) for name in ([enzymes] if isinstance(enzymes, str) else enzymes)]
    cutters = [name for name in names if name in set(sites["enzyme"])]
    rows = [
        Row("cutters", "enzymes that cut (of the panel)", ", ".join(cutters) or "none"),
        Row("non_cutters", "enzymes that do not cut", ", ".join(n for n in names if n not in cutters) or "none"),
    ]
    for name in cutters:
        enzyme = known[name.lower()]
        cuts = sites.loc[sites["enzyme"] == name, "position"].tolist()
        starts = sorted(set(find_motif(text, str(enzyme.site))["start"]))
        value = (
            f"{len(cuts)} cut(s); site at {', '.join(map(str, starts))}; "
            f"cut after base {', '.join(str(c - 1) for c in cuts)}; "
            f"fragments {', '.join(map(str, digest(text, name)))} bp (linear, this enzyme alone)"
        )
        rows.append(Row(f"sites_{name}", f"{name} ({_with_caret(str(enzyme.site), enzyme.fst5)})", value))
    return rows


def _orf_rows(text: str, min_orf_aa: int) -> list[Row]:
    """How many ORFs reach ``min_orf_aa``, and the longest ORF of any length with where it lies."""
    orfs = find_orfs(text, min_protein_length=1)
    label = f"open reading frames (ATG..stop, both strands, >= {min_orf_aa} aa)"
    rows = [Row("orfs", label, int((orfs["length"] >= min_orf_aa).sum()))]
    if not orfs.empty:
        best = orfs.iloc[0]
        where = f"{best.strand} strand, frame {best.frame}, bases {best.start}-{best.end}, {best.length} aa"
        rows += [
            Row("longest_orf", "longest ORF protein (any length, stop excluded)", best.protein),
            Row("longest_orf_location", "longest ORF location (1-based, stop codon included)", where),
        ]
    return rows


def dna_profile(
    seq: str | Seq | SeqRecord, min_orf_aa: int = 30, enzymes: Iterable[str] | str = DEFAULT_ENZYMES
) -> Profile:
    """Everything usually asked about a DNA (or RNA, with U) sequence as a labelled table: print it and read the row.

    Rows (key: quantity): kind, length, gc_percent, count_A/C/G/T (U for RNA), count_other (IUPAC codes),
    mw_single / mw_double (Da, Biopython molecular_weight), reverse_complement, mrna, protein (frame 1 to the
    first stop), protein_full (frame 1, '*' = stop), orfs (ATG..stop on both strands, >= ``min_orf_aa``),
    longest_orf, longest_orf_location, tm_wallace, tm_nn (°C; Na 50 mM, 25 nM strands), cutters,
    non_cutters and sites_<Enzyme> for every enzyme of ``enzymes`` that cuts (DNA only). Positions are
    1-based; long sequences print in full, so they can be copied.
    """
    try:
        text = _letters(seq, _NUCLEOTIDE)
    except ValueError as error:
        raise ValueError(f"dna_profile: {error}") from None
    kind, bases = ("RNA", "ACGU") if "U" in text else ("DNA", "ACGT")
    counts = Counter(text)
    rows = [
        Row("kind", "sequence type (DNA with T, RNA with U)", kind),
        Row("length", "length", len(text), "nt"),
        Row("gc_percent", "GC content (ambiguous bases left out)", gc_content(text) * 100, "%", ".2f"),
        *(Row(f"count_{base}", f"{base} count", counts[base], "nt") for base in bases),
        Row("count_other", "other (IUPAC ambiguity) letters", len(text) - sum(counts[b] for b in bases), "nt"),
        *(
            _row_or_reason(key, label, partial(molecular_weight, text, kind, double_stranded=double), "Da", ".2f")
            for key, label, double in (
                ("mw_single", "molecular weight, single strand", False),
                ("mw_double", "molecular weight, double strand (with its complement)", True),
            )
        ),
        Row("reverse_complement", "reverse complement (5'->3')", reverse_complement(text)),
        Row("mrna", "mRNA (transcript of this coding strand, T->U)", transcribe(text) if kind == "DNA" else text),
    ]
    if len(text) >= 3:
        rows += [
            Row("protein", "protein, frame 1 from base 1 to the first stop", translate(text, to_stop=True)),
            Row("protein_full", "protein, frame 1, all codons ('*' = stop)", translate(text)),
        ]
    rows += _orf_rows(text, min_orf_aa)
    if kind == "RNA":
        dna_only = "n/a: Tm and restriction sites are computed for DNA; give the sequence with T instead of U"
        rows += [Row(key, label, dna_only) for key, label in (("tm_wallace", "Tm"), ("cutters", "restriction sites"))]
    else:
        wallace, nearest_neighbour = partial(melting_temp, text, "wallace"), partial(melting_temp, text, "nn")
        rows += [
            _row_or_reason("tm_wallace", "Tm, Wallace 2(A+T)+4(G+C), primers < 14 nt", wallace, "°C", ".1f"),
            _row_or_reason("tm_nn", "Tm, nearest-neighbour (Na 50 mM, 25 nM)", nearest_neighbour, "°C", ".2f"),
            *_restriction_rows(text, enzymes),
        ]
    return Profile(f"bio.dna_profile of {_short(text)} ({kind})", rows)


def _percent(count: int, total: int) -> str:
    return f"{100 * count / total:.2f}%"


def protein_profile(seq: str | Seq | SeqRecord) -> Profile:
    """Everything usually asked about a protein as a labelled table: print it and read the row.

    Rows (key: quantity): sequence, length (aa), mw (average, Da), mw_kda, mw_monoisotopic (Da), pi,
    charge_ph7, gravy, instability_index, stable (index < 40), aromaticity, extinction_reduced /
    extinction_cystines (M^-1 cm^-1 at 280 nm), abs01_reduced / abs01_cystines (absorbance of 1 g/L, 1 cm),
    acidic (D+E), basic (K+R), most_common, composition. Accepts one-letter or three-letter code
    ("Met-Ala-Ser"); a trailing '*' is dropped; a DNA or RNA sequence is refused (use dna_profile).
    """
    text = _protein(seq)
    params = protein_params(text)
    mw, n = params["molecular_weight"], len(text)
    monoisotopic = protein_params(text, monoisotopic=True)["molecular_weight"]
    ranked = Counter(text).most_common()
    ranked.sort(key=lambda item: (-item[1], item[0]))
    top = ranked[0][1]
    common = ", ".join(letter for letter, count in ranked if count == top)
    instability = params["instability_index"]
    rows = [
        Row("sequence", "sequence (one-letter)", text),
        Row("length", "length", n, "aa"),
        Row("mw", "molecular weight (average)", mw, "Da", ".2f"),
        Row("mw_kda", "molecular weight (average) in kDa", mw / 1000, "kDa", ".4f"),
        Row("mw_monoisotopic", "monoisotopic mass", monoisotopic, "Da", ".4f"),
        Row("pi", "isoelectric point pI", params["isoelectric_point"], "pH", ".2f"),
        Row("charge_ph7", "net charge at pH 7.0", params["charge_at_pH7"], "e", ".2f"),
        Row("gravy", "GRAVY (mean Kyte-Doolittle hydropathy)", params["gravy"], "", ".4f"),
        Row("instability_index", "instability index (Guruprasad)", instability, "", ".2f"),
        Row("stable", "stable? (instability index < 40)", "yes" if instability < 40 else "no (unstable)"),
        Row("aromaticity", "aromaticity (fraction F+W+Y)", params["aromaticity"], "", ".4f"),
    ]
    for key, label, epsilon in (
        ("reduced", "cysteines reduced", params["extinction_coefficient"]),
        ("cystines", "all Cys paired as cystines", params["extinction_coefficient_cystines"]),
    ):
        rows += [
            Row(f"extinction_{key}", f"extinction coefficient at 280 nm, {label}", epsilon, "M^-1 cm^-1"),
            Row(f"abs01_{key}", f"Abs 0.1% (1 g/L, 1 cm) at 280 nm, {label}", epsilon / mw, "L g^-1 cm^-1", ".4f"),
        ]
    rows += [
        Row("acidic", "negatively charged residues (D+E)", text.count("D") + text.count("E"), "aa"),
        Row("basic", "positively charged residues (K+R)", text.count("K") + text.count("R"), "aa"),
        Row("most_common", "most common residue(s)", f"{common} ({top} each, {_percent(top, n)})"),
        Row("composition", "composition (count, %)", ", ".join(f"{a} {c} ({_percent(c, n)})" for a, c in ranked)),
    ]
    return Profile(f"bio.protein_profile of {_short(text)}", rows)
