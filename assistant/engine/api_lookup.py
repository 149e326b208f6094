"""The real library names that fit a question, from the API index, for the LLM to call instead of guessing.

The index (``domain_tools.api_index``) is built once per installed set of library versions, in a
subprocess: importing RDKit, Biopython, astropy and scipy would cost this process seconds and hundreds of
MB that only the kernel needs. Here it is only read, searched with BM25 over each entry's name (weighted:
names carry the meaning, ``CalcNumRings``), first docstring line and module, and rendered as one line per
entry: ``- rdMolDescriptors.CalcNumRings(mol) -> int: Returns the number of rings for a molecule``.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from assistant.engine.retrieval import BM25, tokens
from assistant.errors import SciwandError
from domain_tools.api_index import SCHEMA, default_path

Progress = Callable[[str], None]

BUILD_TIMEOUT_S = 600.0
LINE_CHARS = 220  # one entry's line; a longer docstring is cut
SIGNATURE_CHARS = 90  # arguments shown per entry: Tm_NN has 20, the first few are the ones that matter
NAME_WEIGHT = 2  # an entry's name words count this many times in its search text
# Words a question uses for what the names abbreviate or count ("how many rings" -> CalcNumRings).
SYNONYMS = {
    "many": "num number count",
    "number": "num count",
    "count": "num",
    "temperature": "temp tm",
    "melting": "tm",
    "weight": "wt",
    "fingerprint": "fp",
    "similarity": "tanimoto",
    "distance": "dist",
    "polar": "tpsa",
}
SYNONYM_WEIGHT = 0.5  # a synonym's match counts half: "how many" should not fetch every count_* function
# numpy and scipy are general-purpose and well known to any model; on a tie the domain libraries' names win.
PRIORS = {"np.": 0.8, "scipy.": 0.9}
# BM25 score below which an entry only shares a common word with the question ("positive", "round"): on the
# dev questions, wrong names scored up to ~12.6 and the right ones from ~14.7 (Chem.MolToSmiles) to 40.
MIN_SCORE = 13.0
# The names each domain's libraries are reached by in the kernel (see domain_tools/preamble.py).
DOMAIN_PREFIXES = {
    "chemistry": ("Chem.", "AllChem.", "Descriptors.", "Crippen.", "Lipinski.", "rdMolDescriptors.", "Draw.", "rdkit."),
    "biology": ("Bio.", "Seq.", "SeqIO.", "Align.", "gc_fraction", "molecular_weight", "ProteinAnalysis"),
    "astronomy": ("u.", "const.", "SkyCoord", "Time", "Planck18", "astropy."),
}
# Words of how a question is asked, not of what it asks about.
QUESTION_WORDS = frozenset(
    ("have", "has", "had", "much", "many", "can", "could", "would", "should", "please", "find", "tell", "show", "give")
)
# Whitespace-separated chunks that are data, not words: SMILES, sequences, numbers with units glued on.
_DATA_CHUNK = re.compile(r"^(?=.*[=#()\[\]@/\\]).+$|^[ACGTUN]{8,}$|^[ACDEFGHIKLMNPQRSTVWY]{12,}$")
_STEM_RULES = (
    ("ies", "y"),
    ("sses", "ss"),
    ("ations", "ate"),
    ("ation", "ate"),
    ("ions", ""),
    ("ion", ""),
    ("ings", ""),
    ("ing", ""),
    ("ed", ""),
    ("s", ""),
)


@dataclass(frozen=True)
class ApiEntry:
    name: str  # as the kernel reaches it: "rdMolDescriptors.CalcNumRings", "Time.tdb"
    signature: str  # "(mol) -> int", or "" for properties and data
    doc: str  # the docstring's first line
    kind: str  # module, class, function, method, property or data

    def render(self) -> str:
        head = f"{self.name} (module)" if self.kind == "module" else f"{self.name}{_short(self.signature)}"
        line = f"- {head}: {self.doc}" if self.doc else f"- {head}"
        return line if len(line) <= LINE_CHARS else line[: LINE_CHARS - 1] + "…"


def _short(signature: str) -> str:
    """Arguments past ``SIGNATURE_CHARS`` become "...": the leading ones are the ones a call needs."""
    arguments, arrow, returns = signature.partition(" -> ")
    if len(arguments) <= SIGNATURE_CHARS:
        return signature
    cut = arguments.rfind(", ", 0, SIGNATURE_CHARS)
    shortened = f"{arguments[:cut]}, ...)" if cut > 0 else arguments[: SIGNATURE_CHARS - 1] + "…"
    return shortened + arrow + returns


def _stem(word: str) -> str:
    """Crude suffix stripping, so "precession", "precessed" and "rings"/"ring" meet; a final e goes too."""
    for suffix, replacement in _STEM_RULES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4 and not word.endswith(("ss", "us", "is")):
            word = word[: len(word) - len(suffix)] + replacement
            break
    return word[:-1] if len(word) > 4 and word.endswith("e") else word


def _words(text: str) -> str:
    return " ".join(_stem(word) for word in tokens(text))


def _query(question: str) -> tuple[str, str]:
    """The question's searched words, and the synonyms they bring (which count for less)."""
    kept = " ".join(chunk for chunk in question.split() if not _DATA_CHUNK.match(chunk))
    words = tokens(kept)
    extra = " ".join(SYNONYMS[word] for word in words if word in SYNONYMS)
    return _words(" ".join(word for word in words if word not in QUESTION_WORDS)), _words(extra)


class ApiIndex:
    """The entries of one index file and their BM25 search."""

    def __init__(self, entries: list[ApiEntry], contexts: list[str]) -> None:
        """``contexts[i]``: searched words of entry i beyond its name and docstring (its module, hints)."""
        self.entries = entries
        documents = [
            " ".join([_words(entry.name)] * NAME_WEIGHT + [_words(entry.doc), _words(context)])
            for entry, context in zip(entries, contexts, strict=True)
        ]
        self.bm25 = BM25(documents)
        self.priors = [next((w for p, w in PRIORS.items() if entry.name.startswith(p)), 1.0) for entry in entries]

    @classmethod
    def read(cls, path: Path) -> ApiIndex:
        try:
            document = json.loads(path.read_text())
            if document.get("schema") != SCHEMA:
                raise SciwandError(f"{path} has schema {document.get('schema')}, expected {SCHEMA}")
            raw = document["entries"]
            entries = [ApiEntry(item["n"], item["s"], item["d"], item["k"]) for item in raw]
            contexts = [f"{document['contexts'][item['c']]} {item.get('w', '')}" for item in raw]
            return cls(entries, contexts)
        except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
            raise SciwandError(f"cannot read the API index {path}: {exc}") from exc

    def search(self, question: str, k: int = 5, domain: str | None = None) -> list[ApiEntry]:
        """The ``k`` best entries; with a ``domain``, only that domain's libraries (numpy and scipy are
        general-purpose noise beside a SMILES or a sequence)."""
        words, synonyms = _query(question)
        scores = self.bm25.scores(words)
        if synonyms:
            scores = [a + SYNONYM_WEIGHT * b for a, b in zip(scores, self.bm25.scores(synonyms), strict=True)]
        prefixes = DOMAIN_PREFIXES.get(domain or "")
        ranked = sorted(
            (-score * self.priors[index], index)
            for index, score in enumerate(scores)
            if score >= MIN_SCORE and (prefixes is None or self.entries[index].name.startswith(prefixes))
        )
        return [self.entries[index] for _, index in ranked[:k]]


_loaded: dict[Path, ApiIndex] = {}
_failed: dict[Path, str] = {}  # index file -> why it could not be had
_loading = threading.Lock()
_loading_started = threading.Lock()


def _stderr_progress(line: str) -> None:
    """The build's first and last lines only: per-module lines are for ``python -m domain_tools.api_index``."""
    if not line.startswith(" "):
        print(line, file=sys.stderr, flush=True)


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """Across processes: two sessions starting at once build the index once; the second waits, then reads."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _build(path: Path, progress: Progress) -> None:
    """Run the build in a subprocess of this interpreter, passing its stderr lines to ``progress``."""
    root = Path(__file__).resolve().parents[1]  # domain_tools importable even without an installed sciwand
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
    command = [sys.executable, "-m", "domain_tools.api_index", "--out", str(path)]
    process = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env
    )
    watchdog = threading.Timer(BUILD_TIMEOUT_S, process.kill)
    watchdog.start()
    tail: list[str] = []
    try:
        assert process.stderr is not None
        for line in process.stderr:
            line = line.rstrip("\n")
            tail = [*tail[-4:], line]
            progress(line)
        code = process.wait()
    finally:
        watchdog.cancel()
    if code != 0 or not path.exists():
        raise SciwandError(f"building the API index failed (exit {code}): {' | '.join(tail)}")


def ensure_index(cache_dir: Path | None = None, progress: Progress | None = None) -> Path:
    """The index file for the installed library versions, built first if there is none yet."""
    path = default_path(cache_dir)
    if path.exists():
        return path
    with _file_lock(path.with_suffix(".lock")):
        if not path.exists():  # another process may have built it while this one waited
            _build(path, progress or _stderr_progress)
    return path


def load(cache_dir: Path | None = None, progress: Progress | None = None, wait: bool = True) -> ApiIndex:
    """The searchable index, read once per process (and built once per install). A build that failed is
    not retried in this process: every question would pay for it again. ``wait=False``: raise instead of
    waiting for another thread's build or read."""
    if not _loading.acquire(blocking=wait):
        raise SciwandError("the API index is still being built or read")
    try:
        path = default_path(cache_dir)
        if path in _failed:
            raise SciwandError(_failed[path])
        if path not in _loaded:
            try:
                _loaded[path] = ApiIndex.read(ensure_index(cache_dir, progress))
            except (SciwandError, OSError) as exc:
                _failed[path] = str(exc)
                raise
        return _loaded[path]
    finally:
        _loading.release()


_prefetching: list[threading.Thread] = []


def prefetch(progress: Progress | None = None) -> threading.Thread:
    """Start building or reading the index in the background, so the first question does not wait for it;
    once per process (every session calls it)."""

    def run() -> None:
        with contextlib.suppress(Exception):  # lookup() reports nothing either; the loop goes on without it
            load(progress=progress)

    with _loading_started:
        if not _prefetching:
            _prefetching.append(threading.Thread(target=run, name="sciwand-api-index", daemon=True))
            _prefetching[0].start()
    return _prefetching[0]


def lookup(
    question: str,
    k: int = 5,
    budget_chars: int = 600,
    index: ApiIndex | None = None,
    wait: bool = True,
    domain: str | None = None,
) -> list[str]:
    """Up to ``k`` rendered entries for ``question``, best first, within ``budget_chars`` in all; [] when
    nothing matches or the index cannot be had (the loop then simply sends none). ``wait=False``: [] while
    a ``prefetch`` is still building, rather than holding up the question."""
    try:
        searched = (index or load(wait=wait)).search(question, k, domain)
    except Exception:
        return []
    lines: list[str] = []
    used = 0
    for entry in searched:
        line = entry.render()
        if used + len(line) + 1 > budget_chars:
            continue
        lines.append(line)
        used += len(line) + 1
    return lines
