"""The API index (domain_tools.api_index) and its search (assistant.engine.api_lookup).

The index is built once for the session, through the same subprocess path the assistant takes on first use.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from assistant.engine import api_lookup
from assistant.errors import SciwandError
from domain_tools import api_index

QUESTIONS = [
    ("How many rings does caffeine have? Count rings with RDKit", ("CalcNumRings", "RingCount")),
    ("What is the Murcko scaffold of ibuprofen CC(C)Cc1ccc(cc1)C(C)C(=O)O?", ("MurckoScaffold",)),
    ("Compute a reaction fingerprint for CCO>>CC=O", ("FingerprintForReaction",)),
    ("precession of coordinates to J2025", ("FK5", "Precessed")),
    ("doppler equivalency for a velocity", ("u.doppler_",)),
    ("convert TT to TDB", ("Time.tdb",)),
    ("melting temperature of a primer ACGTACGTACGTAGCTAGCT", ("MeltingTemp.Tm_",)),
    ("molecular weight of aspirin", ("Descriptors.MolWt",)),
    ("luminosity distance at redshift 0.5", ("Planck18.luminosity_distance",)),
    ("isoelectric point of a protein", ("isoelectric_point",)),
]


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> tuple[Path, Path, list[str]]:
    """(cache dir, index file, progress lines) of one real build in a subprocess."""
    cache = tmp_path_factory.mktemp("sciwand-cache")
    lines: list[str] = []
    started = time.monotonic()
    path = api_lookup.ensure_index(cache, lines.append)
    assert time.monotonic() - started < 120
    return cache, path, lines


@pytest.fixture(scope="session")
def index(built) -> api_lookup.ApiIndex:
    return api_lookup.load(built[0])


def entries(path: Path) -> dict[str, dict]:
    return {entry["n"]: entry for entry in json.loads(path.read_text())["entries"]}


def test_the_index_holds_the_kernels_names_with_signatures(built):
    cache, path, lines = built
    assert path.parent == cache / "api" and path.name.startswith("index-")
    assert lines[0].startswith("sciwand: building the API index") and "written to" in lines[-1]
    found = entries(path)
    assert len(found) > 3000 and path.stat().st_size < 5_000_000
    assert found["Descriptors.MolWt"]["s"].startswith("(mol")
    assert found["rdMolDescriptors.CalcNumRings"]["s"] == "(mol) -> int"
    assert found["rdMolDescriptors.CalcNumRings"]["d"] == "returns the number of rings for a molecule"
    assert found["Bio.SeqUtils.MeltingTemp.Tm_NN"]["s"].startswith("(seq, ")
    assert found["u.spectral"]["k"] == "function"
    assert found["Time"]["k"] == "class" and "tdb" in found["Time.tdb"]["d"].lower()
    assert found["Chem.DeleteSubstructs"]["s"].startswith("(mol, query, onlyFrags=False")
    assert found["Planck18.luminosity_distance"]["s"] == "(z)"
    assert found["Seq.reverse_complement"]["k"] == "method"
    assert found["const.G"]["k"] == "data"
    assert not any(name.startswith("Bio.Restriction.EcoRI") and entry["k"] == "class" for name, entry in found.items())
    assert not any("._" in name or ".tests." in name for name in found)


@pytest.mark.parametrize(("question", "wanted"), QUESTIONS)
def test_questions_find_the_right_names_in_the_top_five(index, question, wanted):
    lines = api_lookup.lookup(question, k=5, budget_chars=2000, index=index)
    assert any(name in line for line in lines for name in wanted), "\n".join(lines)


def test_lines_fit_the_budget_and_read_as_calls(index):
    lines = api_lookup.lookup("What is the Murcko scaffold of ibuprofen?", budget_chars=600, index=index)
    assert lines and sum(len(line) + 1 for line in lines) <= 600
    assert all(line.startswith("- ") for line in lines)
    assert "- rdMolDescriptors.CalcNumRings(mol) -> int: returns the number of rings for a molecule" in "\n".join(
        api_lookup.lookup("number of rings calc", k=5, budget_chars=2000, index=index)
    )
    assert api_lookup.lookup("zzzqqq xxyyzz", index=index) == []
    # words every docstring shares are no match: below MIN_SCORE nothing is sent
    assert api_lookup.lookup("Give it to four decimal places in positive mode.", index=index) == []
    assert api_lookup.lookup("What is the melting temperature of ACGTTGCA?", index=index, domain="chemistry") == []


def test_the_cache_is_reused_not_rebuilt(built):
    cache, path, _ = built
    stamp = path.stat().st_mtime_ns
    assert api_lookup.ensure_index(cache, lambda line: pytest.fail(f"rebuilt: {line}")) == path
    assert path.stat().st_mtime_ns == stamp
    assert api_lookup.load(cache) is api_lookup.load(cache)  # read once per process


def test_the_key_follows_the_library_versions(monkeypatch, tmp_path):
    installed = api_index.versions()
    assert set(installed) == set(api_index.DISTRIBUTIONS) and "missing" not in installed.values()
    assert api_index.cache_key(installed) == api_index.cache_key(dict(installed))
    assert api_index.cache_key(installed) != api_index.cache_key({**installed, "rdkit": "1999.09.1"})
    monkeypatch.setenv("SCIWAND_CACHE_DIR", str(tmp_path))
    before = api_index.default_path()
    assert before.parent == tmp_path / "api"
    monkeypatch.setattr(api_index, "versions", lambda: {**installed, "astropy": "0.1"})
    assert api_index.default_path() != before


def test_concurrent_first_uses_build_once(monkeypatch, tmp_path):
    builds: list[Path] = []

    def slow_build(path: Path, progress: api_lookup.Progress) -> None:
        builds.append(path)
        time.sleep(0.3)
        path.write_text("{}")

    monkeypatch.setattr(api_lookup, "_build", slow_build)
    threads = [threading.Thread(target=api_lookup.ensure_index, args=(tmp_path,)) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(builds) == 1


def test_a_failed_build_says_why_and_lookup_gives_nothing(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "executable", "/bin/false")  # the subprocess fails at once
    with pytest.raises(SciwandError, match="exit 1"):
        api_lookup.ensure_index(tmp_path, lambda line: None)
    monkeypatch.setenv("SCIWAND_CACHE_DIR", str(tmp_path))
    assert api_lookup.lookup("molecular weight") == []
    monkeypatch.setattr(api_lookup, "_build", lambda path, progress: pytest.fail("a failed build was retried"))
    assert api_lookup.lookup("molecular weight") == []  # remembered: not built again in this process


def test_lookup_need_not_wait_for_a_build_in_progress(index):
    with api_lookup._loading:  # a prefetch thread holds it while it builds
        assert api_lookup.lookup("molecular weight", wait=False) == []
    assert api_lookup.lookup("molecular weight", index=index, wait=False)


def test_the_assistant_process_never_imports_the_libraries(built):
    cache = built[0]
    probe = (
        "import sys\nfrom assistant.engine import api_lookup\n"
        "lines = api_lookup.lookup('molecular weight of aspirin')\n"
        "print(bool(lines), sorted(m for m in ('rdkit', 'Bio', 'astropy', 'scipy') if m in sys.modules))"
    )
    env = {**os.environ, "SCIWAND_CACHE_DIR": str(cache)}
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True []"
