"""The README stays a short front door and its links into the documentation site (docs/, mkdocs.yml) hold.

No model, no network: the files are read as text. `mkdocs build --strict` (in .ci/run) checks the links
between the docs pages themselves.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
MKDOCS = ROOT / "mkdocs.yml"


def nav_pages(node: object) -> list[str]:
    """Every page path in mkdocs.yml's nav, however deeply its sections nest."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [page for item in node for page in nav_pages(item)]
    if isinstance(node, dict):
        return [page for value in node.values() for page in nav_pages(value)]
    return []


def readme_links() -> list[str]:
    """The targets of the README's Markdown links and images, without their #anchors."""
    text = README.read_text(encoding="utf-8")
    return [target.split("#")[0] for target in re.findall(r"\]\(([^)\s]+)\)", text)]


def test_readme_is_short() -> None:
    assert len(README.read_text(encoding="utf-8")) < 10_000


@pytest.mark.parametrize("command", ["bash .ci/run", 'pytest -m "not model"'])
def test_readme_keeps_the_test_commands(command: str) -> None:
    assert command in README.read_text(encoding="utf-8")


def test_every_nav_page_exists() -> None:
    config = yaml.safe_load(MKDOCS.read_text(encoding="utf-8"))
    docs_dir = ROOT / config.get("docs_dir", "docs")
    pages = nav_pages(config["nav"])
    assert len(pages) >= 14
    missing = [page for page in pages if not (docs_dir / page).is_file()]
    assert not missing, f"pages in mkdocs.yml's nav that do not exist: {missing}"


def test_readme_links_into_docs_exist() -> None:
    targets = [target for target in readme_links() if target.startswith("docs/")]
    assert targets, "the README links to no docs page"
    missing = [target for target in targets if not (ROOT / target).exists()]
    assert not missing, f"README links to missing files: {missing}"
