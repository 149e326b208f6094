"""Where sciwand keeps what it builds once per machine: the API index (``domain_tools.api_index``), and the
embedded model's assembled weights and prompt cache (``assistant.llm``). Standard library only: the
domain tools sit below the assistant and import nothing of it."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """``$SCIWAND_CACHE_DIR``, else ``$XDG_CACHE_HOME/sciwand``, else ``~/.cache/sciwand``."""
    explicit = os.environ.get("SCIWAND_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "sciwand"
