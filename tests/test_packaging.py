"""sciwand beside another distribution that installs a top-level package of the same name (issue 14).

Hugging Face's ``kernels`` (PyPI) installs a top-level ``kernels/`` as sciwand does, and pip overwrites the
other's files without a word. The network tests install both into fresh virtual environments, in both orders,
and check what the user gets: one message naming both distributions with their versions and what to do, from
``import assistant``, ``import kernels`` (where ``kernels/__init__.py`` is still ours) and the ``sciwand``
command (exit 2, no traceback). They are skipped only when PyPI cannot be reached.

``kernels`` is installed as a user would, with its dependencies. sciwand is installed from a wheel built from
this tree by its own build backend (hatchling, SKIP_JUPYTER_BUILDER=1 so that npm does not rebuild the lab
extension already built into ``assistant/labextension``), with ``--no-deps``: its dependencies (RDKit,
JupyterLab, LangChain: over 1 GB) are never reached, because the check runs before any of them is imported,
as the control step shows (``import assistant`` works in the venv before ``kernels`` arrives).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
VERSION = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
PYPI_PROBE = "https://pypi.org/simple/kernels/"
# Pinned, so that an upstream release cannot change what this test installs (0.19.1 moved its modules).
HF_KERNELS = "kernels==0.19.1"
BUILD_BACKEND = ("hatchling==1.33.0", "hatch-jupyter-builder==0.10.0")
SCIWAND_SCRIPT = Path(sys.executable).parent / "sciwand"


def _run(command: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """A command in ``cwd`` (never the repository, whose folders would shadow the installed packages)."""
    base = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, f"{result.args} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


def _venv(path: Path) -> Path:
    """A fresh virtual environment; its bin/ directory."""
    _ok(_run([sys.executable, "-m", "venv", path], cwd=path.parent))
    return path / "bin"


def assert_names_both(text: str, other: str) -> None:
    """The clash message: both distributions with versions, the shared package, and what to do."""
    assert f"sciwand {VERSION} and {other}" in text, text
    assert "both install the top-level Python package 'kernels'" in text, text
    assert "separate virtual environments" in text, text
    assert "pip uninstall kernels sciwand" in text, text


# -- without the network: a distribution's metadata is enough to trip the check ---------------------------


def _fake_distribution(root: Path, name: str, version: str, files: list[str]) -> None:
    info = root / f"{name}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: Download compute kernels\n"
    )
    (info / "RECORD").write_text("".join(f"{file},,\n" for file in [*files, f"{info.name}/METADATA"]))


def test_a_foreign_kernels_distribution_stops_every_entry_with_one_message(tmp_path):
    _fake_distribution(tmp_path / "site", "kernels", "0.17.2", ["kernels/__init__.py", "kernels/layer.py"])
    env = {"PYTHONPATH": str(tmp_path / "site")}

    for module in ("assistant", "kernels"):
        result = _run([sys.executable, "-c", f"import {module}"], cwd=tmp_path, env=env)
        assert result.returncode == 1
        assert "DistributionClash" in result.stderr
        assert_names_both(result.stderr, "kernels 0.17.2 (Download compute kernels)")

    cli = _run([SCIWAND_SCRIPT, "--help"], cwd=tmp_path, env=env)
    assert cli.returncode == 2
    assert cli.stderr.startswith("sciwand: sciwand ") and "Traceback" not in cli.stderr
    assert_names_both(cli.stderr, "kernels 0.17.2")


def test_a_distribution_named_like_a_package_but_not_installing_it_is_no_clash(tmp_path):
    _fake_distribution(tmp_path / "site", "assistant", "1.0", ["assistant_tools/__init__.py"])
    env = {"PYTHONPATH": str(tmp_path / "site")}
    result = _run([sys.executable, "-c", "import assistant, kernels"], cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr


# -- with PyPI: Hugging Face's kernels and a wheel of this tree, in fresh venvs -----------------------------


@pytest.fixture(scope="module")
def pypi() -> None:
    try:
        urllib.request.urlopen(PYPI_PROBE, timeout=20).close()
    except urllib.error.HTTPError:
        pass  # PyPI answered: reachable (pip will say what is wrong)
    except OSError as exc:
        pytest.skip(f"PyPI is unreachable ({exc}): cannot install Hugging Face's kernels beside sciwand")


@pytest.fixture(scope="module")
def sciwand_wheel(pypi, tmp_path_factory) -> Path:
    """This tree built into a wheel by its own backend, in a build venv of its own."""
    root = tmp_path_factory.mktemp("build")
    bin_dir = _venv(root / "venv")
    _ok(_run([bin_dir / "pip", "install", *BUILD_BACKEND], cwd=root))
    command = [bin_dir / "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", root / "dist", REPO]
    _ok(_run(command, cwd=root, env={"SKIP_JUPYTER_BUILDER": "1"}))
    (wheel,) = (root / "dist").glob("sciwand-*.whl")
    return wheel


@pytest.mark.parametrize("order", [("sciwand", "kernels"), ("kernels", "sciwand")], ids=" then ".join)
def test_hugging_face_kernels_beside_sciwand(order, sciwand_wheel, tmp_path):
    bin_dir = _venv(tmp_path / "venv")
    python = bin_dir / "python"
    installs = {"sciwand": ["--no-deps", sciwand_wheel], "kernels": [HF_KERNELS]}
    for step, name in enumerate(order):
        _ok(_run([bin_dir / "pip", "install", *installs[name]], cwd=tmp_path))
        if step == 0 and name == "sciwand":  # control: alone, sciwand imports without complaint
            _ok(_run([python, "-c", "import assistant"], cwd=tmp_path))

    def ask(code: str) -> str:
        return _ok(_run([python, "-c", code], tmp_path)).strip()

    hf_version = ask("import importlib.metadata as m; print(m.version('kernels'))")
    other = f"kernels {hf_version} ("
    site = Path(ask("import sysconfig; print(sysconfig.get_paths()['purelib'])"))
    init = (site / "kernels" / "__init__.py").read_text()
    # pip wrote both into one folder: the last install's __init__.py won, the other's modules stay beside it.
    assert ("refuse_clashes" in init) == (order[-1] == "sciwand")
    assert (site / "kernels" / "session.py").is_file()

    cli = _run([bin_dir / "sciwand", "--help"], cwd=tmp_path)
    assert cli.returncode == 2, cli.stderr
    assert cli.stderr.startswith("sciwand: ") and "Traceback" not in cli.stderr, cli.stderr
    assert_names_both(cli.stderr, other)

    result = _run([python, "-c", "import assistant"], cwd=tmp_path)
    assert result.returncode == 1 and "DistributionClash" in result.stderr, result.stderr
    assert_names_both(result.stderr, other)

    result = _run([python, "-c", "import kernels"], cwd=tmp_path)
    if order[-1] == "sciwand":  # kernels/__init__.py is ours: its check speaks first
        assert result.returncode == 1 and "DistributionClash" in result.stderr, result.stderr
        assert_names_both(result.stderr, other)
    else:  # kernels/__init__.py is Hugging Face's: their package is what `import kernels` gives
        assert "DistributionClash" not in result.stderr
