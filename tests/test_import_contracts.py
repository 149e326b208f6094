"""The import-linter contracts of pyproject.toml ([tool.importlinter]): kept by the code, and broken by a
reversed import (issue 14). `.ci/run` runs `lint-imports` as well; this shows that the check has teeth."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
PACKAGES = ("assistant", "kernels", "domain_tools")

# One reversed import per contract: (new module, its import, the line lint-imports must report).
REVERSED = [
    # front-ends -> runs -> engine -> llm: the engine reaching up to a front-end
    ("assistant/engine/_reversed.py", "import assistant.cli.main", "assistant.engine._reversed -> assistant.cli.main"),
    # the model cache naming the task model again (llm -> runs)
    ("assistant/llm/_reversed.py", "import assistant.runs.tasks", "assistant.llm._reversed -> assistant.runs.tasks"),
    # front-ends are independent of each other (the command line starts them, from above)
    ("assistant/magics/_reversed.py", "import assistant.lab.chat", "assistant.magics._reversed -> assistant.lab.chat"),
    ("assistant/mcp_server/_reversed.py", "import assistant.cli", "assistant.mcp_server._reversed -> assistant.cli"),
    ("kernels/_reversed.py", "import assistant.config", "kernels._reversed -> assistant.config"),
    ("assistant/inkernel/_reversed.py", "import assistant.config", "assistant.inkernel._reversed -> assistant.config"),
    ("domain_tools/_reversed.py", "import assistant.engine.loop", "domain_tools._reversed -> assistant.engine.loop"),
]


def lint_imports(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), *args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False)


def test_the_code_keeps_every_contract():
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 broken." in result.stdout


def test_a_reversed_import_breaks_its_contract(tmp_path):
    """A copy of the three packages (Python files only) and of pyproject.toml, with one reversed import per
    contract: lint-imports, run where the copy shadows the installed packages, fails and names each import."""
    for package in PACKAGES:
        shutil.copytree(
            REPO / package,
            tmp_path / package,
            ignore=lambda folder, names: (
                [name for name in names if not name.endswith(".py") and not (Path(folder) / name).is_dir()]
                + [name for name in names if name in ("__pycache__", "labextension")]
            ),
        )
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    for path, statement, _ in REVERSED:
        (tmp_path / path).write_text(f"{statement}\n")

    # lint-imports puts its working directory first on sys.path, so the copy is what it analyses.
    result = lint_imports(tmp_path, "--no-cache")
    assert result.returncode == 1, result.stdout + result.stderr
    assert " kept, 4 broken." in result.stdout, result.stdout
    for _, _, reported in REVERSED:  # the _reversed modules exist only in the copy
        assert f"{reported} (l.1)" in result.stdout, result.stdout
