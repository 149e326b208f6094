"""Biology catalog: the ``bio`` helpers and Biopython entry points the prompt may list, and Biopython pitfalls.

Names are as the kernel's preamble binds them (``bio``, ``Seq``, ``SeqIO``, ``Align``, ``gc_fraction``,
``molecular_weight``, ``ProteinAnalysis``). Every hint's trigger was checked to fail as described in
Biopython 1.88; tests/test_catalog.py re-runs the examples and triggers in a real kernel.
"""

from domain_tools.catalog import Entry, Hint


def _entry(name: str, signature: str, purpose: str, example: str, keywords: tuple[str, ...]) -> Entry:
    return Entry(name, signature, purpose, example, "biology", keywords)


def _hint(error: str, text: str, trigger: str, code: str = "") -> Hint:
    return Hint(error=error, text=text, trigger=trigger, code=code, domain="biology")


ENTRIES: list[Entry] = [
    # --- answer helpers first: one call prints every everyday quantity as a labelled row with its unit ---
    _entry(
        "bio.dna_profile",
        "bio.dna_profile(seq)",
        "GC %, MW, revcomp, mRNA, protein, ORFs, Tm, restriction sites: print it and read the row",
        "print(bio.dna_profile('ATGGCCTAA'))",
        (
            *("dna", "rna", "sequence", "nucleotide", "nucleotides", "gc", "gc content", "gc-content", "at content"),
            *("molecular weight", "molecular", "weight", "mass", "double stranded", "double-stranded", "dsdna"),
            *("single stranded", "single-stranded", "ssdna"),
            *("reverse complement", "reverse-complement", "complement", "mrna", "transcribe", "transcription"),
            *("translate", "translation", "orf", "orfs", "open reading frame", "open reading frames", "melting"),
            *("tm", "melting temperature", "primer", "oligo", "restriction", "enzyme", "enzymes", "ecori", "bamhi"),
            *("hindiii", "noti", "xhoi", "psti", "cut", "cuts", "digest", "fragments", "bp", "length", "how many"),
        ),
    ),
    _entry(
        "bio.protein_profile",
        "bio.protein_profile(seq)",
        "MW Da/kDa, pI, charge, GRAVY, instability, A280 ext. coeff.: print it and read the row",
        "print(bio.protein_profile('MKTAYIAKQR'))",
        (
            *("protein", "peptide", "amino acid", "amino acids", "residues", "molecular weight", "molecular"),
            *("weight", "mass", "kda"),
            *("dalton", "daltons", "monoisotopic", "isoelectric", "isoelectric point", "pi", "charge", "net charge"),
            *("gravy", "hydropathy", "hydrophobicity", "instability", "instability index", "stable", "stability"),
            *("aromaticity", "extinction", "extinction coefficient", "absorbance", "a280", "280 nm", "composition"),
            *("most common", "most abundant", "protparam", "length"),
        ),
    ),
    _entry(
        "bio.three_to_one",
        "bio.three_to_one(text) -> str",
        "one-letter protein from three-letter codes.",
        "print(bio.three_to_one('Met-Ala-Ser'))",
        ("three-letter", "three letter", "3-letter", "one-letter", "one letter", "single letter", "met-", "ala-"),
    ),
    # --- the other bio helpers (domain_tools/biology.py) ---
    _entry(
        "bio.read_sequences",
        "bio.read_sequences(text_or_path, format=None) -> list[SeqRecord]",
        "FASTA/FASTQ/GenBank, auto-detected.",
        r"print(bio.read_sequences('>a\nATGC\n')[0].seq)",
        ("fasta", "fastq", "genbank", "read", "parse", "file", "records", "sequences"),
    ),
    _entry(
        "bio.records_table",
        "bio.records_table(records_or_text) -> DataFrame",
        "id, description, length, gc (0-1) per record.",
        r"print(bio.records_table('>a\nATGC\n>b\nGGCC\n'))",
        ("fasta", "records", "lengths", "length", "table", "summary", "multi-fasta"),
    ),
    _entry(
        "bio.gc_content",
        "bio.gc_content(seq) -> float",
        "validated GC fraction 0-1 (x100 for %).",
        "print(bio.gc_content('ATGCGCGTTAGC') * 100)",
        ("gc", "gc content", "guanine", "cytosine", "percentage", "composition"),
    ),
    _entry(
        "bio.transcribe",
        "bio.transcribe(dna) -> str",
        "mRNA of a coding strand (T->U).",
        "print(bio.transcribe('ATGGCC'))",
        ("transcribe", "transcription", "mrna", "rna"),
    ),
    _entry(
        "bio.translate",
        "bio.translate(seq, table=1, to_stop=False) -> str",
        "protein; table is the NCBI code id.",
        "print(bio.translate('ATGGCCATTGTAATGGGCCGCTGA'))",
        ("translate", "translation", "protein", "genetic code", "mitochondrial", "amino acid", "amino acids"),
    ),
    _entry(
        "bio.six_frames",
        "bio.six_frames(seq, table=1) -> DataFrame",
        "strand, frame, protein for all 6 frames.",
        "print(bio.six_frames('ATGGCCATTGTAATGGGC'))",
        ("six frames", "six-frame", "6 frames", "reading frames", "frames", "translate"),
    ),
    _entry(
        "bio.find_orfs",
        "bio.find_orfs(seq, min_protein_length=100, table=1) -> DataFrame",
        "both strands, 1-based, longest first.",
        "print(bio.find_orfs('CCATGAAACCCTAGG', 3))",
        ("orf", "orfs", "open reading frame", "open reading frames", "reading frame", "start codon", "stop codon"),
    ),
    _entry(
        "bio.reverse_complement",
        "bio.reverse_complement(seq) -> str",
        "IUPAC-aware; RNA in, RNA out.",
        "print(bio.reverse_complement('ATGCRN'))",
        ("reverse complement", "reverse-complement", "complement", "minus strand", "antisense", "opposite strand"),
    ),
    _entry(
        "bio.align",
        "bio.align(a, b, mode='global'|'local', matrix=None, open_gap=, extend_gap=)",
        "score, identity, alignment.",
        "print(bio.align('GATTACA', 'GCATGC')['score'])",
        ("align", "alignment", "pairwise", "needleman", "smith", "waterman", "blosum62", "identity", "similarity"),
    ),
    _entry(
        "bio.restriction_sites",
        "bio.restriction_sites(seq, enzymes=['EcoRI', ...], linear=True)",
        "DataFrame enzyme, site, 1-based cut.",
        "print(bio.restriction_sites('GAATTCGGATCC'))",
        ("restriction", "enzyme", "enzymes", "ecori", "bamhi", "hindiii", "cut site", "cuts", "recognition site"),
    ),
    _entry(
        "bio.digest",
        "bio.digest(seq, enzymes, linear=True) -> list[int]",
        "fragment lengths (bp) after cutting.",
        "print(bio.digest('GAATTCAAGAATTCTTGAATTC', ['EcoRI']))",
        ("digest", "digestion", "fragments", "fragment", "plasmid", "gel", "restriction"),
    ),
    _entry(
        "bio.melting_temp",
        "bio.melting_temp(primer, method='nn'|'gc'|'wallace', Na=50, Mg=0) -> float",
        "Tm in C; salts in mM.",
        "print(bio.melting_temp('GCTAGCTTACGGATCCAAGT'))",
        ("primer", "primers", "melting", "tm", "melting temperature", "annealing", "oligo", "oligonucleotide"),
    ),
    _entry(
        "bio.protein_params",
        "bio.protein_params(seq) -> dict",
        "molecular_weight, isoelectric_point, gravy, instability_index, aromaticity, ...",
        "print(bio.protein_params('MKTAYIAKQR'))",
        ("protein", "peptide", "molecular weight", "isoelectric", "pi", "gravy", "instability", "aromaticity"),
    ),
    _entry(
        "bio.codon_usage",
        "bio.codon_usage(cds, table=1) -> DataFrame",
        "codon, amino_acid, count, fraction, per_thousand.",
        "print(bio.codon_usage('ATGGCCGCATAA').query('count > 0'))",
        ("codon", "codons", "codon usage", "codon bias", "synonymous", "rscu"),
    ),
    _entry(
        "bio.find_motif",
        "bio.find_motif(seq, motif, both_strands=True) -> DataFrame",
        "IUPAC codes; strand, start, end, match.",
        "print(bio.find_motif('TATAAAGCTATATAT', 'TATAWAW'))",
        ("motif", "motifs", "iupac", "pattern", "binding site", "occurrences", "occurrence", "tata box"),
    ),
    # --- Biopython entry points, by their preamble names ---
    _entry(
        "Seq.translate",
        "Seq(s).translate(table=1, to_stop=False, cds=False)",
        "protein Seq; '*' is stop.",
        "print(Seq('ATGGCCATTGTAATGGGCCGCTGA').translate(to_stop=True))",
        ("translate", "translation", "protein", "codon"),
    ),
    _entry(
        "Seq.reverse_complement",
        "Seq(s).reverse_complement() / .complement()",
        "DNA strands; RNA: reverse_complement_rna().",
        "print(Seq('ATGCCG').reverse_complement())",
        ("reverse complement", "complement", "strand"),
    ),
    _entry(
        "Seq.transcribe",
        "Seq(dna).transcribe() / Seq(rna).back_transcribe()",
        "T<->U on the coding strand.",
        "print(Seq('ATGGCC').transcribe())",
        ("transcribe", "transcription", "mrna", "rna", "back transcribe"),
    ),
    _entry(
        "Seq.count_overlap",
        "Seq(s).count(sub) / .count_overlap(sub)",
        "non-overlapping / overlapping counts.",
        "print(Seq('AAAA').count('AA'), Seq('AAAA').count_overlap('AA'))",
        ("count", "occurrences", "overlapping", "how many times", "dinucleotide"),
    ),
    _entry(
        "gc_fraction",
        "gc_fraction(seq, ambiguous='remove') -> float",
        "GC 0-1 (replaces the removed GC(), which gave %).",
        "print(gc_fraction('ATGCGCGTTAGC') * 100)",
        ("gc", "gc content", "guanine", "cytosine", "percentage"),
    ),
    _entry(
        "molecular_weight",
        "molecular_weight(seq, seq_type='DNA'|'RNA'|'protein')",
        "Da; DNA unless seq_type.",
        "print(molecular_weight('MKT', seq_type='protein'))",
        ("molecular weight", "mass", "weight", "dalton", "da", "kda"),
    ),
    _entry(
        "ProteinAnalysis",
        "ProteinAnalysis(seq)",
        ".isoelectric_point() .gravy() ...; amino_acids_percent (property, 0-100).",
        "print(ProteinAnalysis('MKTAYIAKQR').isoelectric_point())",
        ("protein", "peptide", "isoelectric", "pi", "gravy", "protparam", "molecular weight", "charge"),
    ),
    _entry(
        "SeqIO.parse",
        "SeqIO.parse(path_or_handle, 'fasta'|'fastq'|'genbank')",
        "a str is a path.",
        r"import io; print([r.id for r in SeqIO.parse(io.StringIO('>a\nAC\n'), 'fasta')])",
        ("fasta", "fastq", "genbank", "parse", "file", "records", "read"),
    ),
    _entry(
        "SeqIO.write",
        "SeqIO.write(records, path_or_handle, 'fasta')",
        "returns the count.",
        r"import sys; SeqIO.write(bio.read_sequences('>a\nAC\n'), sys.stdout, 'fasta')",
        ("write", "save", "export", "fasta", "convert"),
    ),
    _entry(
        "Align.PairwiseAligner",
        "Align.PairwiseAligner(mode='local', mismatch_score=-1, open_gap_score=-2)",
        ".score(a, b), .align(a, b)[0]",
        "print(Align.PairwiseAligner().score('GAT', 'GT'))",
        ("align", "alignment", "pairwise", "aligner", "needleman", "smith", "waterman", "score"),
    ),
    _entry(
        "Align.substitution_matrices.load",
        "Align.substitution_matrices.load('BLOSUM62')",
        "for .substitution_matrix.",
        "print(Align.substitution_matrices.load('BLOSUM62')['W', 'W'])",
        ("blosum62", "blosum", "pam250", "pam", "substitution matrix", "scoring matrix"),
    ),
]


HINTS: list[Hint] = [
    _hint(
        r"cannot import name 'GC' from|module 'Bio\.SeqUtils' has no attribute 'GC'",
        "Bio.SeqUtils.GC was removed: use gc_fraction(seq), 0-1 (x100 for percent), or print(bio.dna_profile(seq)).",
        "from Bio.SeqUtils import GC",
    ),
    _hint(
        r"'(Mutable)?Seq' object has no attribute '(?i:\w*gc\w*)'",
        "Seq has no GC method: use gc_fraction(seq) (0-1; x100 for percent), or print(bio.dna_profile(seq)) (GC %).",
        "Seq('ACGT').gc_content()",
    ),
    _hint(
        r"Bio\.Alphabet has been removed|unexpected keyword argument 'alphabet'|object has no attribute 'alphabet'",
        "Alphabets are gone: write Seq('ACGT') with none; for GenBank output set record.annotations['molecule_type'].",
        "from Bio.Alphabet import generic_dna",
    ),
    _hint(
        r"'(Mutable)?Seq' object has no attribute '(tostring|data)'",
        "Use str(seq) to get the letters of a Seq.",
        "Seq('ACGT').tostring()",
    ),
    _hint(
        r"'Seq' object (does not support item assignment|has no attribute '(ungap|tomutable)')",
        "Seq is immutable: seq.replace('-', '') drops gaps; to edit, from Bio.Seq import MutableSeq; MutableSeq(seq).",
        "Seq('AC-GT').ungap('-')",
    ),
    _hint(
        r"no attribute 'get_amino_acids_percent'",
        "Use ProteinAnalysis(seq).amino_acids_percent, a property giving percentages 0-100 (the old method gave 0-1); "
        "print(bio.protein_profile(seq)) lists the composition.",
        "ProteinAnalysis('MKTAYIAKQR').get_amino_acids_percent()",
    ),
    _hint(
        r"'dict' object is not callable",
        "amino_acids_percent and amino_acids_content are properties (dicts): drop the ().",
        "ProteinAnalysis('MKTAYIAKQR').amino_acids_percent()",
        code=r"amino_acids_(percent|content)\s*\(",
    ),
    _hint(
        r"is not a valid unambiguous letter for protein",
        "ProteinAnalysis takes the 20 standard amino acids only: strip the stop (seq.rstrip('*')) and remove X/B/Z/U; "
        "print(bio.protein_profile(seq)) drops a final '*' itself.",
        "ProteinAnalysis('MKTAYX*').molecular_weight()",
    ),
    _hint(
        r"is not a valid unambiguous letter for DNA",
        "molecular_weight assumes DNA: for a protein print(bio.protein_profile(seq)) (MW in Da and kDa), or "
        "molecular_weight(seq, seq_type='protein').",
        "molecular_weight('MKTAYIAKQR')",
    ),
    _hint(
        r"seq( argument)? (should|must) be a Seq or MutableSeq object",
        "SeqRecord needs a Seq, not a str: SeqRecord(Seq('ACGT'), id='x', description='') (from Bio.SeqRecord).",
        "from Bio.SeqRecord import SeqRecord; SeqRecord('ACGT', id='x')",
    ),
    _hint(
        r"missing molecule_type in annotations",
        "GenBank/EMBL output needs record.annotations['molecule_type'] = 'DNA' (or 'RNA', 'protein').",
        "import io; from Bio.SeqRecord import SeqRecord; SeqIO.write(SeqRecord(Seq('ACGT')), io.StringIO(), 'gb')",
    ),
    _hint(
        r"cannot import name '(three_to_one|one_to_three)'",
        "Removed: bio.three_to_one('Met-Ala') -> 'MA'; or from Bio.SeqUtils import seq1, seq3; seq1('AlaGly') -> 'AG'.",
        "from Bio.PDB.Polypeptide import three_to_one",
    ),
    _hint(
        r"No module named 'Bio\.SubsMat'|has no attribute 'SubsMat'",
        "Bio.SubsMat is gone: m = Align.substitution_matrices.load('BLOSUM62'); m['A', 'W'] is a score.",
        "from Bio.SubsMat import MatrixInfo",
    ),
    _hint(
        r"cannot import name 'UnknownSeq'",
        "UnknownSeq is gone: Seq(None, length=n) is a sequence of known length with undefined letters.",
        "from Bio.Seq import UnknownSeq",
    ),
    _hint(
        r"cannot import name 'CodonUsage'|No module named 'Bio\.SeqUtils\.CodonUsage'",
        "Bio.SeqUtils.CodonUsage was removed: use bio.codon_usage(cds) (count and per-amino-acid fraction per codon).",
        "from Bio.SeqUtils import CodonUsage",
    ),
    _hint(
        r"Tm_staluc",
        "Tm_staluc is gone: print(bio.dna_profile(primer)) (Tm rows) or bio.melting_temp(primer); raw: "
        "from Bio.SeqUtils import MeltingTemp as mt; mt.Tm_NN(s).",
        "from Bio.SeqUtils.MeltingTemp import Tm_staluc",
    ),
    _hint(
        r"No such file or directory: '(>|@|LOCUS)",
        "SeqIO.parse/read treat a str as a file name: pass io.StringIO(text), or use bio.read_sequences(text).",
        r"list(SeqIO.parse('>a\nACGT\n', 'fasta'))",
    ),
    _hint(
        r"(More than one record|No records) found in handle",
        "SeqIO.read expects exactly one record: use records = list(SeqIO.parse(handle, 'fasta')) and len(records).",
        r"import io; SeqIO.read(io.StringIO('>a\nAC\n>b\nGT\n'), 'fasta')",
    ),
    _hint(
        r"missing 1 required positional argument: 'format'",
        "SeqIO.parse/read/write need a format: SeqIO.parse(path, 'fasta') ('fastq', 'genbank'...).",
        r"import io; list(SeqIO.parse(io.StringIO('>a\nAC\n')))",
    ),
    _hint(
        r"contains comments at the beginning of the file",
        "'fasta' rejects anything before the first '>', even a blank line: parse text.strip(), or use 'fasta-pearson'.",
        r"import io; list(SeqIO.parse(io.StringIO('\n>a\nAC\n'), 'fasta'))",
    ),
    _hint(
        r"ValueError: expected a matrix",
        "Load the matrix first: aligner.substitution_matrix = Align.substitution_matrices.load('BLOSUM62').",
        "Align.PairwiseAligner(substitution_matrix='BLOSUM62')",
    ),
    _hint(
        r"'PairwiseAligner' object has no attribute",
        "PairwiseAligner attributes: mode, match_score, mismatch_score, open_gap_score, extend_gap_score (negative).",
        "Align.PairwiseAligner(gap_open=-10)",
    ),
    _hint(
        r"sequence contains letters not in the alphabet",
        "Matrix alphabets are upper case (BLOSUM62: ARNDCQEGHILKMFPSTWYVBZX*): pass seq.upper() without '-' or spaces.",
        "Align.PairwiseAligner(substitution_matrix=Align.substitution_matrices.load('BLOSUM62')).score('mkt', 'MKT')",
    ),
    _hint(
        r"number of optimal alignments is larger than",
        "Do not len() or list() all alignments: use aligner.score(a, b) or the first one, aligner.align(a, b)[0].",
        "len(Align.PairwiseAligner(mismatch_score=0, gap_score=0).align('A' * 300, 'A' * 150))",
    ),
    _hint(
        r"expected Seq or MutableSeq, got <class 'str'>",
        "Restriction enzymes need a Seq: EcoRI.search(Seq(s)); or print(bio.dna_profile(s)) for the common enzymes.",
        "from Bio.Restriction import EcoRI; EcoRI.search('GAATTC')",
    ),
    _hint(
        r"No module named 'Bio\.(\w+\.)?Applications?'",
        "Biopython's command-line wrappers are gone: run tools with subprocess.run; pairwise: Align.PairwiseAligner.",
        "from Bio.Align.Applications import ClustalwCommandline",
    ),
    _hint(
        r"SeqFeature\.__init__\(\) got an unexpected keyword argument '(strand|ref|ref_db)'",
        "strand belongs to the location: SeqFeature(SimpleLocation(start, end, strand=-1), type='CDS').",
        "from Bio.SeqFeature import SeqFeature, SimpleLocation; SeqFeature(SimpleLocation(0, 9), strand=-1)",
    ),
    _hint(
        r"DO NOT take a character string mapping table|KeyError: \d+",
        "table= is an NCBI code id (1 standard, 2 vertebrate mito, 11 bacterial) or name ('Yeast Mitochondrial').",
        "Seq('ATGGCC').translate(table='Mito')",
        code=r"translate\(",
    ),
]
