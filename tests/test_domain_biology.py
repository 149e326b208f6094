"""The biology helpers against hand-computed and literature values, their input checks, and the biology catalog.

Examples and hint triggers run in a real kernel in tests/test_catalog.py; here everything runs in-process.
"""

from __future__ import annotations

import gzip
import inspect
import math
import re
import subprocess
import sys
import warnings

import pytest
from Bio import SeqIO
from Bio.Seq import Seq
from Bio.SeqRecord import SeqRecord
from Bio.SeqUtils import MeltingTemp, gc_fraction, molecular_weight
from Bio.SeqUtils.ProtParam import ProteinAnalysis

from domain_tools import biology as bio
from domain_tools.catalog import load, select
from domain_tools.catalog_biology import ENTRIES, HINTS

from conftest import assert_printed_with_units

ECORI_x3 = "GAATTCAAGAATTCTTGAATTC"  # EcoRI G^AATTC at bases 1, 9 and 17
CDS = "ATGGCCATTGTAATGGGCCGCTGA"  # MAIVMGR*
# human ubiquitin: 76 aa, one Tyr, no Trp or Cys (ExPASy ProtParam: 8564.84 Da, pI 6.56, epsilon 1490;
# Biopython's average residue masses give 8564.74)
UBIQUITIN = "MQIFVKTLTGKTITLEVEPSDTIENVKAKIQDKEGIPPDQQRLIFAGKQLEDGRTLSDYNIQKESTLHLVLRLRGG"


# --- composition -----------------------------------------------------------------------------------


def test_gc_content_is_a_fraction():
    assert bio.gc_content("ATGCGCGTTAGC") == pytest.approx(7 / 12)
    assert bio.gc_content(Seq("gcau")) == pytest.approx(0.5)  # RNA, lower case
    assert bio.gc_content("ATGC\nGGCC ") == pytest.approx(0.75)  # pasted with whitespace


def test_gc_content_ambiguous_modes():
    assert bio.gc_content("GGNN") == pytest.approx(1.0)  # N left out of the length
    assert bio.gc_content("GGNN", ambiguous="ignore") == pytest.approx(0.5)


def test_records_table_reports_gc_for_nucleotides_only():
    table = bio.records_table(">a first\nATGC\n>b\nMKTW\n")
    assert list(table.columns) == ["id", "description", "length", "gc"]
    assert table["id"].tolist() == ["a", "b"] and table["length"].tolist() == [4, 4]
    assert table.loc[0, "gc"] == pytest.approx(0.5)
    assert math.isnan(table.loc[1, "gc"])  # MKTW: IUPAC letters, but a protein


# --- reading ---------------------------------------------------------------------------------------


def test_read_fasta_and_fastq_text():
    records = bio.read_sequences(">a one\nACGT\nGG\n>b\nTTT\n")
    assert [(r.id, str(r.seq)) for r in records] == [("a", "ACGTGG"), ("b", "TTT")]
    (read,) = bio.read_sequences("@r1\nACGT\n+\nII#I\n")
    assert read.letter_annotations["phred_quality"] == [40, 40, 2, 40]


def test_read_fasta_with_a_comment_or_a_blank_line_first():
    (record,) = bio.read_sequences("# exported by a tool\n>a\nACGT\n")
    assert str(record.seq) == "ACGT"
    (record,) = bio.read_sequences("\n>a\nACGT\n")  # a triple-quoted string; SeqIO's 'fasta' rejects it
    assert str(record.seq) == "ACGT"


def test_read_genbank_and_gzipped_files(tmp_path):
    record = SeqRecord(Seq("ATGAAATAG"), id="X1", name="X1", description="toy", annotations={"molecule_type": "DNA"})
    SeqIO.write(record, tmp_path / "toy.gbk", "genbank")
    (back,) = bio.read_sequences(tmp_path / "toy.gbk")
    assert (back.id, str(back.seq)) == ("X1", "ATGAAATAG")
    with gzip.open(tmp_path / "reads.fq.gz", "wt") as handle:
        handle.write("@r1\nACGT\n+\nIIII\n")
    assert str(bio.read_sequences(str(tmp_path / "reads.fq.gz"))[0].seq) == "ACGT"
    (tmp_path / "noext").write_text("LOCUS" + (tmp_path / "toy.gbk").read_text()[5:])
    assert str(bio.read_sequences(tmp_path / "noext")[0].seq) == "ATGAAATAG"


def test_read_rejects_unknown_format_missing_file_and_empty_text():
    with pytest.raises(ValueError, match="Unknown format 'fuzzy'"):
        bio.read_sequences(">a\nAC\n", format="fuzzy")
    with pytest.raises(FileNotFoundError, match="use Seq"):
        bio.read_sequences("ACGT")
    with pytest.raises(ValueError, match="could not tell the format"):
        bio.read_sequences("hello\nworld\n")
    with pytest.raises(ValueError, match="no fasta records"):
        bio.read_sequences("\n\n", format="fasta")


# --- transcription, translation, frames, ORFs -----------------------------------------------------


def test_transcribe_and_reverse_complement():
    assert bio.transcribe("ATGC") == "AUGC"
    assert bio.reverse_complement("ATGCRYN") == "NRYGCAT"  # R (A/G) pairs with Y (C/T)
    assert bio.reverse_complement("AUGC") == "GCAU"  # RNA stays RNA
    assert bio.reverse_complement(SeqRecord(Seq("AAC"))) == "GTT"


def test_translate_standard_and_other_tables():
    assert bio.translate(CDS) == "MAIVMGR*"
    assert bio.translate(CDS, to_stop=True) == "MAIVMGR"
    assert bio.translate(CDS, cds=True) == "MAIVMGR"
    # NCBI table 2 (vertebrate mitochondrial): AGA is a stop, TGA is Trp
    assert bio.translate("ATGAGATGA") == "MR*"
    assert bio.translate("ATGAGATGA", table=2) == "M*W"
    assert bio.translate("ATGAGATGA", table="Vertebrate Mitochondrial") == "M*W"


def test_translate_drops_a_partial_codon_silently():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert bio.translate(CDS + "GC") == "MAIVMGR*"


def test_translate_errors():
    with pytest.raises(ValueError, match="table=99 is not an NCBI genetic code"):
        bio.translate(CDS, table=99)
    with pytest.raises(ValueError, match="fewer than one codon"):
        bio.translate("AT")
    with pytest.raises(ValueError, match="not a complete CDS"):
        bio.translate("ATGTAAGCC", cds=True)


def test_six_frames():
    frames = bio.six_frames(CDS)
    assert list(zip(frames.strand, frames.frame, strict=True)) == [(s, f) for s in "+-" for f in (1, 2, 3)]
    assert frames.protein[0] == "MAIVMGR*"
    assert frames.protein[3] == str(Seq(CDS).reverse_complement().translate())


def test_orf_on_the_minus_strand_at_known_coordinates():
    # bases 4-18 hold the reverse complement of ATG AAA CCC GGG TAA (M K P G stop)
    seq = "CCC" + "TTACCCGGGTTTCAT" + "GG"
    orfs = bio.find_orfs(seq, min_protein_length=4)
    assert orfs.to_dict("records") == [
        {"strand": "-", "frame": 3, "start": 4, "end": 18, "length": 4, "protein": "MKPG"}
    ]


def test_orfs_on_both_strands_slice_back_to_their_proteins():
    plus = "GG" + "ATGAAATTTGGGTGA" + "C"  # M K F G, bases 3-17
    minus = str(Seq("ATGCCCAAATTTCCCTAG").reverse_complement())  # M P K F P, bases 19-36
    seq = plus + minus
    orfs = bio.find_orfs(seq, min_protein_length=4)
    found = {(row.strand, row.start, row.end, row.protein) for row in orfs.itertuples()}
    assert ("+", 3, 17, "MKFG") in found and ("-", 19, 36, "MPKFP") in found
    for row in orfs.itertuples():
        piece = Seq(seq[row.start - 1 : row.end])
        piece = piece if row.strand == "+" else piece.reverse_complement()
        assert str(piece.translate()) == row.protein + "*"
    assert orfs.length.tolist() == sorted(orfs.length, reverse=True)


def test_orfs_need_a_stop_and_the_minimum_length():
    assert bio.find_orfs("ATGAAAAAAAAA", min_protein_length=1).empty
    assert bio.find_orfs("ATGAAATAG", min_protein_length=3).empty
    assert bio.find_orfs("ATGAAATAG", min_protein_length=2).protein.tolist() == ["MK"]
    # table 11 alternative start GTG, translated as M
    assert bio.find_orfs("GTGAAATAG", 2, table=11, alternative_starts=True).protein.tolist() == ["MK"]


# --- codon usage, motifs ---------------------------------------------------------------------------


def test_codon_usage():
    usage = bio.codon_usage("ATGGCCGCAGCCTAA").set_index("codon")
    assert len(usage) == 64
    assert usage.loc["GCC", "count"] == 2 and usage.loc["GCC", "amino_acid"] == "A"
    assert usage.loc["GCC", "fraction"] == pytest.approx(2 / 3)
    assert usage.loc["GCT", "fraction"] == 0
    assert math.isnan(usage.loc["TGG", "fraction"])  # no Trp at all
    assert usage["per_thousand"].sum() == pytest.approx(1000)
    pooled = bio.codon_usage(["ATGTAA", "AUGUAG"]).set_index("codon")
    assert pooled.loc["ATG", "count"] == 2 and pooled.loc["TAG", "fraction"] == pytest.approx(0.5)


def test_codon_usage_rejects_partial_codons():
    with pytest.raises(ValueError, match="seq has 4 nucleotides, not a multiple of 3"):
        bio.codon_usage("ATGA")


def test_iupac_motif_on_both_strands():
    seq = "CAATCC" + "GAATGC" + "CATTC"  # CAAT at 1-4, AATG at 8-11 (CATT on the minus strand), CATT at 13-16
    hits = bio.find_motif(seq, "CAWT")  # W = A or T; reverse complement AWTG
    assert [tuple(row) for row in hits.itertuples(index=False)] == [
        ("+", 1, 4, "CAAT"),
        ("-", 8, 11, "CATT"),
        ("+", 13, 16, "CATT"),
    ]
    assert bio.find_motif(seq, "CAWT", both_strands=False).strand.tolist() == ["+", "+"]


def test_motif_overlaps_and_palindromes():
    assert bio.find_motif("AAAA", "AA", both_strands=False).start.tolist() == [1, 2, 3]
    assert bio.find_motif("AAAA", "AA", both_strands=False, overlapping=False).start.tolist() == [1, 3]
    sites = bio.find_motif(ECORI_x3, "GAATTC")  # palindromic: each site once
    assert sites.start.tolist() == [1, 9, 17] and set(sites.strand) == {"+"}
    assert bio.find_motif("ACGT", "GGGG").empty


# --- restriction enzymes, primers ------------------------------------------------------------------


def test_ecori_sites_and_digest():
    sites = bio.restriction_sites(ECORI_x3, ["EcoRI"])
    assert sites.position.tolist() == [2, 10, 18]  # first base after G^AATTC
    assert set(sites.site) == {"GAATTC"}
    assert bio.digest(ECORI_x3, ["EcoRI"]) == [1, 8, 8, 5]
    assert bio.digest(ECORI_x3, "ecori", linear=False) == [8, 8, 6]
    assert bio.digest("ACGTACGT", ["EcoRI"], linear=False) == [8]


def test_restriction_panel_and_two_enzyme_digest():
    seq = "GAATTCAAGGATCCTT"  # EcoRI at 1, BamHI G^GATCC at 9
    sites = bio.restriction_sites(seq)
    assert list(zip(sites.enzyme, sites.position, strict=True)) == [("EcoRI", 2), ("BamHI", 10)]
    assert bio.digest(seq, ["EcoRI", "BamHI"]) == [1, 8, 7]


def test_restriction_errors():
    with pytest.raises(ValueError, match=r"unknown restriction enzyme\(s\) \['FooI'\]"):
        bio.restriction_sites(ECORI_x3, ["EcoRI", "FooI"])
    with pytest.raises(ValueError, match="enzymes is empty"):
        bio.digest(ECORI_x3, [])


def test_melting_temperatures():
    assert bio.melting_temp("ATGCATGCAT", "wallace") == 2 * 6 + 4 * 4  # 2(A+T) + 4(G+C)
    primer = "AGCGGATAACAATTTCACACAGGA"
    tm = bio.melting_temp(primer)
    assert 45 < tm < 70
    assert bio.melting_temp(primer, Na=200) > tm  # more salt stabilises the duplex
    assert 45 < bio.melting_temp(primer, "gc") < 75
    with pytest.raises(ValueError, match="method='salt' is unknown"):
        bio.melting_temp(primer, "salt")
    with pytest.raises(ValueError, match=r"primer has letters not allowed in DNA .*'N' at 4"):
        bio.melting_temp("ACGNT")


# --- the answer helpers: bio.dna_profile and bio.protein_profile ----------------------------------


def test_dna_profile_rows_equal_the_raw_biopython_calls():
    seq = CDS + "AAGGGTGCCCGATAGGAATTCNA"
    p = bio.dna_profile(seq.lower())  # lower case is read as upper case
    assert (p["kind"], p["length"]) == ("DNA", len(seq))
    assert p["gc_percent"] == pytest.approx(gc_fraction(seq, "remove") * 100)
    assert [p[f"count_{base}"] for base in "ACGT"] == [seq.count(base) for base in "ACGT"]
    assert p["count_other"] == 1
    assert p["reverse_complement"] == str(Seq(seq).reverse_complement())
    assert p["mrna"] == seq.replace("T", "U")
    assert (p["protein"], p["protein_full"]) == ("MAIVMGR", str(Seq(seq[:45]).translate()))
    assert "n/a" in p["mw_single"] and "n/a" in p["tm_wallace"]  # N has no mass and no Tm contribution
    clean = seq.replace("N", "")
    q = bio.dna_profile(clean)
    assert q["mw_single"] == pytest.approx(molecular_weight(clean, "DNA"))
    assert q["mw_double"] == pytest.approx(molecular_weight(clean, "DNA", double_stranded=True))
    assert q["tm_wallace"] == pytest.approx(MeltingTemp.Tm_Wallace(clean))
    assert q["tm_nn"] == pytest.approx(MeltingTemp.Tm_NN(clean, Na=50, dnac1=25, dnac2=25))
    assert q["tm_wallace"] == 2 * (clean.count("A") + clean.count("T")) + 4 * (clean.count("G") + clean.count("C"))


def test_dna_profile_restriction_sites_per_enzyme():
    p = bio.dna_profile(ECORI_x3)
    assert p["cutters"] == "EcoRI" and "BamHI" in p["non_cutters"] and "EcoRV" in p["non_cutters"]
    assert p["sites_EcoRI"] == "3 cut(s); site at 1, 9, 17; cut after base 1, 9, 17; fragments 1, 8, 8, 5 bp " + (
        "(linear, this enzyme alone)"
    )
    assert "EcoRI (G^AATTC)" in str(p)
    two = bio.dna_profile("GAATTCAAGGATCCTTGATATC")  # EcoRI at 1, BamHI at 9, EcoRV GAT^ATC at 17
    assert two["cutters"] == "EcoRI, BamHI, EcoRV"
    assert two["sites_BamHI"].startswith("1 cut(s); site at 9; cut after base 9;")
    assert two["sites_EcoRV"].startswith("1 cut(s); site at 17; cut after base 19;")
    assert "EcoRV (GAT^ATC)" in str(two)
    only = bio.dna_profile(ECORI_x3, enzymes=["ecori"])
    assert only["cutters"] == "EcoRI" and only["non_cutters"] == "none"


def test_dna_profile_orfs_count_the_threshold_and_report_the_longest():
    plus = "GG" + "ATGAAATTTGGGTGA" + "C"  # M K F G, bases 3-17
    minus = str(Seq("ATGCCCAAATTTCCCTAG").reverse_complement())  # M P K F P, bases 19-36
    p = bio.dna_profile(plus + minus, min_orf_aa=4)
    assert p["orfs"] == 2 and p["longest_orf"] == "MPKFP"
    assert p["longest_orf_location"] == "- strand, frame 1, bases 19-36, 5 aa"
    assert "open reading frames (ATG..stop, both strands, >= 4 aa)" in str(p)
    assert bio.dna_profile(plus + minus, min_orf_aa=5)["orfs"] == 1


def test_dna_profile_reads_rna():
    rna = CDS.replace("T", "U")
    p = bio.dna_profile(rna)
    assert (p["kind"], p["mrna"], p["protein"], p["count_U"]) == ("RNA", rna, "MAIVMGR", rna.count("U"))
    assert p["reverse_complement"] == str(Seq(rna).reverse_complement_rna())
    assert p["mw_single"] == pytest.approx(molecular_weight(rna, "RNA"))
    assert "n/a" in p["tm_wallace"] and "n/a" in p["cutters"]


def test_dna_profile_prints_long_sequences_in_full_with_units():
    seq = (CDS + "GATTACA") * 20
    p = bio.dna_profile(seq)
    printed = str(p)
    assert p["reverse_complement"] in printed and seq.replace("T", "U") in printed
    assert f"length : {len(seq)} nt" in " ".join(printed.split())
    assert_printed_with_units(p, unitless=set())
    assert [p.unit(key) for key in ("gc_percent", "mw_single", "mw_double", "tm_nn")] == ["%", "Da", "Da", "°C"]


def test_dna_profile_refuses_a_protein_and_names_the_letters():
    with pytest.raises(ValueError, match=r"dna_profile: seq has letters .*'I' at 6.*bio\.protein_profile"):
        bio.dna_profile("MKTAYIAKQR")
    with pytest.raises(ValueError, match=r"'X' at 3"):
        bio.dna_profile("ACXGT")
    with pytest.raises(ValueError, match="seq is empty"):
        bio.dna_profile(" ")


def test_protein_profile_rows_equal_protparam():
    p = bio.protein_profile(UBIQUITIN + "*")
    analysis = ProteinAnalysis(UBIQUITIN)
    assert (p["sequence"], p["length"]) == (UBIQUITIN, 76)
    assert p["mw"] == pytest.approx(analysis.molecular_weight())
    assert p["mw"] == pytest.approx(8564.84, abs=0.15)
    assert p["mw_kda"] == pytest.approx(p["mw"] / 1000)
    assert p["mw_monoisotopic"] == pytest.approx(ProteinAnalysis(UBIQUITIN, monoisotopic=True).molecular_weight())
    assert p["pi"] == pytest.approx(analysis.isoelectric_point()) and p["pi"] == pytest.approx(6.56, abs=0.05)
    assert p["charge_ph7"] == pytest.approx(analysis.charge_at_pH(7.0))
    assert p["gravy"] == pytest.approx(analysis.gravy())
    assert p["instability_index"] == pytest.approx(analysis.instability_index())
    assert p["stable"] == ("yes" if analysis.instability_index() < 40 else "no (unstable)")
    assert p["aromaticity"] == pytest.approx(analysis.aromaticity())
    extinction = (p["extinction_reduced"], p["extinction_cystines"])
    assert extinction == analysis.molar_extinction_coefficient() == (1490, 1490)
    assert p["abs01_reduced"] == pytest.approx(1490 / p["mw"])
    assert (p["acidic"], p["basic"]) == (UBIQUITIN.count("D") + UBIQUITIN.count("E"), 7 + 4)  # 7 K, 4 R
    assert p["most_common"] == "L (9 each, 11.84%)"
    assert p["composition"].startswith("L 9 (11.84%), ")


def test_protein_profile_cystines_and_units():
    p = bio.protein_profile("MCWCYK")
    assert p["extinction_reduced"] == 5500 + 1490  # one Trp, one Tyr
    assert p["extinction_cystines"] == 5500 + 1490 + 125  # two Cys make one cystine
    assert "1.2 kDa" not in str(p) and f"{p['mw_kda']:.4f} kDa" in str(p)
    assert_printed_with_units(p, unitless={"gravy", "instability_index", "aromaticity"})


def test_protein_profile_reads_three_letter_code():
    assert bio.protein_profile("Met-Lys-Thr-Ala-Tyr")["sequence"] == "MKTAY"
    assert bio.protein_profile("MetLysThr")["sequence"] == "MKT"
    assert bio.protein_profile("MET LYS THR")["sequence"] == "MKT"
    assert bio.three_to_one("Met-Ala-Ser-Ter") == "MAS"
    assert bio.three_to_one("MetAlaSer") == "MAS"
    with pytest.raises(ValueError, match=r"'Xyz' at 2"):
        bio.three_to_one("Met-Xyz-Ser")


def test_protein_profile_refuses_dna_rna_and_bad_letters():
    with pytest.raises(ValueError, match=r"seq looks like DNA .*bio\.dna_profile"):
        bio.protein_profile("ATGGCCATTGTAATGGGC")
    with pytest.raises(ValueError, match=r"seq looks like RNA .*bio\.dna_profile"):
        bio.protein_profile("AUGGCC")
    with pytest.raises(ValueError, match=r"'X' at 3 \(1x\); 'B' at 4"):
        bio.protein_profile("MKXB")
    assert bio.protein_profile("GAGAGAGAGAGAGAGA")["length"] == 16  # a poly-GA peptide stays a protein


# --- proteins, alignment ---------------------------------------------------------------------------


def test_protein_params():
    params = bio.protein_params("MKTAYIAKQR*")  # stop from a translation is dropped
    assert params["length"] == 10
    assert params["molecular_weight"] == pytest.approx(1209.46, abs=0.01)
    assert params["gravy"] == pytest.approx(-7.8 / 10)  # Kyte-Doolittle sum / length
    assert params["aromaticity"] == pytest.approx(0.1)  # one Y
    assert params["amino_acid_percent"]["A"] == pytest.approx(20.0)
    assert sum(params["amino_acid_percent"].values()) == pytest.approx(100)
    assert 9 < params["isoelectric_point"] < 11.5  # 2 K + 1 R, no acidic residues


def test_protein_params_rejects_nonstandard_letters():
    with pytest.raises(ValueError, match=r"'X' at 3.*'B' at 4"):
        bio.protein_params("MKXB")


def test_global_alignment_score_by_hand():
    # match +1, mismatch -1, gap -1: the textbook Needleman-Wunsch example, optimum 0
    result = bio.align("GATTACA", "GCATGCU", match=1, mismatch=-1, open_gap=-1, extend_gap=-1)
    assert result["score"] == 0
    assert result["identities"] + result["mismatches"] + result["gaps"] == result["length"]
    assert result["identity"] == pytest.approx(result["identities"] / result["length"])
    # one gap: ACGT vs AGT scores 3 matches - 1
    assert bio.align("ACGT", "AGT")["score"] == 2


def test_blosum_alignments_match_durbin():
    # Durbin et al., Biological Sequence Analysis, fig. 2.5/2.6: BLOSUM50, linear gap -8
    scores = dict(matrix="BLOSUM50", open_gap=-8, extend_gap=-8)
    assert bio.align("HEAGAWGHEE", "PAWHEAE", **scores)["score"] == 1
    local = bio.align("HEAGAWGHEE", "PAWHEAE", mode="local", **scores)
    assert local["score"] == 28 and "AWGHE" in local["alignment"] and "AW-HE" in local["alignment"]


def test_blosum62_self_score_and_identity():
    result = bio.align("MKTAYIAKQR", "mktayiakqr", matrix="BLOSUM62")
    assert result["score"] == 5 + 5 + 5 + 4 + 7 + 4 + 4 + 5 + 5 + 5  # BLOSUM62 diagonal
    assert result["identity"] == 1.0


def test_local_alignment_without_a_positive_score():
    assert bio.align("AAAA", "CCCC", mode="local", mismatch=-1)["score"] == 0


def test_alignment_errors():
    with pytest.raises(ValueError, match="open_gap=5 is a score, not a penalty"):
        bio.align("AC", "AG", open_gap=5)
    with pytest.raises(ValueError, match="a has letters not allowed in the BLOSUM62 alphabet: 'J' at 3"):
        bio.align("MKJ", "MK", matrix="BLOSUM62")
    with pytest.raises(ValueError, match="matrix='BLOSUM99' is unknown"):
        bio.align("MK", "MK", matrix="BLOSUM99")
    with pytest.raises(ValueError, match="mode='semiglobal' is unknown"):
        bio.align("MK", "MK", mode="semiglobal")


# --- input checks shared by all helpers ---------------------------------------------------------


def test_illegal_letters_are_named_with_positions():
    with pytest.raises(ValueError, match=r"'X' at 4 \(1x\); 'Z' at 6 \(1x\); '1' at 7"):
        bio.gc_content("ACGXTZ1")
    with pytest.raises(ValueError, match=r"'X' at 1, 2, 3, 4, 5, \.\.\. \(6x\)"):
        bio.reverse_complement("XXXXXX")
    with pytest.raises(ValueError, match="is it a protein sequence"):
        bio.translate("MKTEQW")
    with pytest.raises(ValueError, match="'U' at 2"):
        bio.transcribe("AUG")  # already RNA


@pytest.mark.parametrize(
    "call",
    [bio.gc_content, bio.translate, bio.reverse_complement, bio.find_orfs, bio.protein_params, bio.codon_usage],
    ids=lambda f: f.__name__,
)
def test_empty_sequences_are_rejected(call):
    with pytest.raises(ValueError, match="seq is empty"):
        call("  ")


def test_other_bad_sequences():
    with pytest.raises(ValueError, match=r"mixes T .* and U"):
        bio.gc_content("ACGTU")
    with pytest.raises(ValueError, match="must be a str, Seq or SeqRecord, not int"):
        bio.gc_content(123)
    with pytest.raises(ValueError, match=r"motif has letters not allowed.*'Z' at 2"):
        bio.find_motif("ACGT", "GZ")


def test_import_is_cheap():
    code = "import sys, domain_tools.biology; print('Bio.Restriction' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


# --- catalog ---------------------------------------------------------------------------------------


def test_catalog_covers_every_public_helper():
    helpers = {
        f"bio.{name}"
        for name, value in vars(bio).items()
        if inspect.isfunction(value) and value.__module__ == bio.__name__ and not name.startswith("_")
    }
    names = [entry.name for entry in ENTRIES]
    assert helpers <= set(names)
    assert len(names) == len(set(names)) >= 20
    for raw in ("Seq.translate", "Seq.reverse_complement", "gc_fraction", "ProteinAnalysis", "SeqIO.parse"):
        assert raw in names


def test_catalog_entries_are_short_and_well_formed():
    for entry in ENTRIES:
        assert entry.domain == "biology"
        assert len(entry.render()) <= 165, entry.name
        assert "\n" not in entry.example
        assert entry.keywords and all(k == k.lower() for k in entry.keywords), entry.name


def test_catalog_hints_are_well_formed():
    assert len(HINTS) >= 6
    for hint in HINTS:
        assert hint.domain == "biology" and hint.trigger
        re.compile(hint.error)
        re.compile(hint.code)


def test_answer_helpers_come_first_and_say_how_to_use_them():
    assert [entry.name for entry in ENTRIES[:2]] == ["bio.dna_profile", "bio.protein_profile"]
    for entry in ENTRIES[:2]:
        assert "print it and read the row" in entry.purpose and entry.example.startswith("print(bio.")


@pytest.mark.parametrize(
    ("question", "helper"),
    [
        ("What is the GC content of the DNA sequence ATGCGCGTTAGC?", "bio.dna_profile"),
        ("What is the molecular weight of the double-stranded DNA ATGCGCGTTAGC?", "bio.dna_profile"),
        ("Give the reverse complement and the mRNA of ATGGCCATTGTAATGGGCCGCTGA", "bio.dna_profile"),
        ("What is the melting temperature (Tm) of the primer AGCGGATAACAATTTCACACAGGA?", "bio.dna_profile"),
        ("How many times does EcoRI cut this DNA: GAATTCAAGAATTC?", "bio.dna_profile"),
        ("What is the molecular weight in kDa of the protein MKTAYIAKQR?", "bio.protein_profile"),
        ("What is the isoelectric point of the peptide MKTAYIAKQR?", "bio.protein_profile"),
        ("What is the extinction coefficient at 280 nm of this protein: MKWVTFISLLFLFSSAYS?", "bio.protein_profile"),
    ],
)
def test_questions_route_to_the_answer_helper_first(question, helper):
    assert select(load().entries, question)[0].name == helper


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What is the GC content of ATGCGCGTTAGC?", "bio.gc_content"),
        ("Find all open reading frames longer than 50 aa in this sequence", "bio.find_orfs"),
        ("Where does EcoRI cut this plasmid?", "bio.restriction_sites"),
        ("What is the melting temperature of the primer AGCGGATAAC?", "bio.melting_temp"),
        ("Give the reverse complement of ATGC", "bio.reverse_complement"),
        ("What is the isoelectric point of this protein?", "bio.protein_params"),
    ],
)
def test_questions_select_the_right_entry(question, expected):
    assert expected in [entry.name for entry in select(ENTRIES, question)]
