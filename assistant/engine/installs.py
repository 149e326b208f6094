"""Spotting generated code that installs packages: it is not run without the user's approval.

Everything a task needs is installed; a small model that hits an ImportError of its own making reaches
for ``!pip install``, which at best wastes minutes and at worst changes the user's environment.
"""

from __future__ import annotations

import re

_INSTALL = re.compile(
    r"""(?mx)
    ^\s*[!%]\s*(?:pip3?|conda|mamba|uv|apt(?:-get)?)\b          # !pip, %pip, %conda, !apt-get
    | \b(?:pip3?|conda|mamba|uv)\s+(?:pip\s+)?install\b           # pip install inside a string or a shell call
    | -m\s+pip\b | ['"]pip3?['"]\s*,\s*['"]install['"]             # python -m pip, ["pip", "install", ...]
    | \bpip\.main\s*\(                                              # pip.main(["install", ...])
    """
)


def installs_packages(code: str) -> bool:
    """True when ``code`` would install packages (shell escapes, magics, pip through subprocess or os)."""
    return _INSTALL.search(code) is not None
