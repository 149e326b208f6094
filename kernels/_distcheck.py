"""Refuse to run beside another distribution that installs one of sciwand's top-level packages.

sciwand installs the top-level packages ``assistant``, ``kernels`` and ``domain_tools``. PyPI has other
distributions that install packages of the same names: Hugging Face's kernel hub ``kernels`` and
``assistant``. pip writes both into one folder without a warning, and whichever was installed last has
overwritten the other's files. ``kernels/__init__.py`` and ``assistant/__init__.py`` call
:func:`refuse_clashes` before anything else, so the user reads one message naming both distributions
instead of a confusing error from half-replaced code. ``assistant/__init__.py`` loads this file by its path:
when the other ``kernels`` was installed after sciwand, ``kernels/__init__.py`` is theirs.

Standard library only, and cheap: one metadata lookup per package name, for a distribution *named* like the
package (both known clashes are), ~0.1 ms each once ``importlib.metadata`` is loaded (ipykernel and
jupyter_client load it anyway). A full ``importlib.metadata.packages_distributions()`` scan would find
differently named distributions too, but costs 120-190 ms in the dev environment and misses editable installs.
"""

from __future__ import annotations

import os
import re
import sys
from importlib import metadata

OURS = "sciwand"
PACKAGES = ("assistant", "kernels", "domain_tools")
EXIT_CLASH = 2  # the CLI's exit status for setup errors


class DistributionClash(ImportError):
    """Another distribution installs one of our top-level packages into this environment."""


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _installs(dist: metadata.Distribution, package: str) -> bool:
    """Whether ``dist`` puts ``package`` on the import path: files under ``package/``, a ``.pth`` file (an editable
    install), or no file list at all (then its ``top_level.txt``, if any, decides)."""
    files = dist.files
    if files is None:
        top_level = dist.read_text("top_level.txt")
        return top_level is None or package in top_level.split()
    return any(file.parts[0] in (package, f"{package}.py") or file.name.endswith(".pth") for file in files)


def foreign_distributions() -> list[tuple[str, metadata.Distribution]]:
    """``(package, distribution)`` for each distribution other than sciwand that installs one of our packages."""
    found = []
    for package in PACKAGES:
        try:
            dist = metadata.distribution(package)
        except metadata.PackageNotFoundError:
            continue
        if _normal(dist.metadata["Name"] or package) != OURS and _installs(dist, package):
            found.append((package, dist))
    return found


def _ours() -> str:
    try:
        return f"{OURS} {metadata.version(OURS)}"
    except metadata.PackageNotFoundError:
        return f"{OURS} (not installed; running from {os.path.dirname(os.path.dirname(os.path.abspath(__file__)))})"


def clash_message(clashes: list[tuple[str, metadata.Distribution]]) -> str:
    """One paragraph per clash naming both distributions with their versions, then what to do."""
    ours = _ours()
    lines = []
    for package, dist in clashes:
        summary = (dist.metadata["Summary"] or "").strip()
        where = dist.locate_file("")
        lines.append(
            f"{ours} and {dist.metadata['Name']} {dist.version}{f' ({summary})' if summary else ''} both install "
            f"the top-level Python package '{package}' (the other one here: {where}): one has overwritten or "
            "hides the other's files, so neither works reliably in this environment."
        )
    others = " ".join(sorted({dist.metadata["Name"] for _, dist in clashes}))
    lines.append(
        f"What to do: install {OURS} and {others} in separate virtual environments, e.g. "
        f"`python -m venv ~/.venvs/{OURS}` and install {OURS} there. If this environment does not need "
        f"{others}: `pip uninstall {others} {OURS}`, then install {OURS} again (the two share files)."
    )
    return "\n".join(lines)


def refuse_clashes() -> None:
    """Raise :class:`DistributionClash` naming both distributions; under the ``sciwand`` command print the
    message and exit 2 instead, so the user reads it without a traceback."""
    clashes = foreign_distributions()
    if not clashes:
        return
    message = clash_message(clashes)
    argv = getattr(sys, "argv", None) or [""]
    if os.path.basename(argv[0]) in (OURS, f"{OURS}.exe"):
        print(f"{OURS}: {message}", file=sys.stderr)
        raise SystemExit(EXIT_CLASH)
    raise DistributionClash(message)
