"""Settings from, in rising precedence: defaults, the config file, ``SCIWAND_*`` variables, CLI flags.

API keys are never read from or written to the config file: providers take them from their own
environment variables (``OPENAI_API_KEY``, ``ANTHROPIC_API_KEY``, …), which the kernel never sees.
"""

from __future__ import annotations

import argparse
import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from assistant.errors import InputError
from kernels import KernelConfig
from kernels.recovery import ReplayPolicy

# The kernel layer's own defaults (it knows nothing of settings): the settings take theirs from them.
_KERNEL = KernelConfig()
_REPLAY = ReplayPolicy()
_GB = 1024**3


@dataclass(frozen=True)
class Settings:
    model: str = "local"  # "local" or "provider:name"
    model_path: str | None = None  # another GGUF file for the local backend
    base_url: str | None = None  # OpenAI-compatible endpoint
    temperature: float | None = None  # None: the backend's tuned default
    max_turns: int = 8
    timeout: float = 120.0  # seconds per executed cell
    memory_limit_gb: float = _KERNEL.memory_limit_bytes / _GB  # per kernel (address space)
    max_file_gb: float = _KERNEL.max_file_bytes / _GB  # per file a kernel writes
    max_processes: int = _KERNEL.max_processes  # processes and threads of a kernel and its children
    # Remote backends: seconds an attempt may wait for a byte, and retries of a failed or rate-limited call
    # (exponential back-off with jitter). Worst case per call, a hung server: 120 s x 4 + 3.5 s, about 8 min.
    llm_timeout: float = 120.0
    llm_retries: int = 3
    llm_concurrency: int = 4  # remote backends: LLM calls in flight at once per process (batch workers share it)
    replay_max_cells: int = _REPLAY.max_cells  # after a crash, replay up to this many successful cells (0: none)
    replay_max_seconds: float = _REPLAY.max_seconds  # ... within this time
    lab_models: str = ""  # more models the JupyterLab panel offers besides ``model``, comma-separated
    approve: bool = True  # ``sciwand chat`` in a terminal asks before each step runs; False: only with --approve
    inline_completion: bool = True  # the JupyterLab editor's suggestions as you type (the model's FIM completion)


DEFAULTS = Settings()  # the one place defaults live: sessions, runs and front-ends read them from here

_ENV_PREFIX = "SCIWAND_"
_TRUE, _FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off"}
_SECRET_KEYS = {"api_key", "openai_api_key", "anthropic_api_key", "key", "token"}


def config_path() -> Path:
    explicit = os.environ.get("SCIWAND_CONFIG")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "sciwand" / "config.toml"


def _coerce(name: str, raw: Any, source: str) -> Any:
    kind = {f.name: f.type for f in fields(Settings)}[name]
    if kind == "bool":
        return _boolean(name, raw, source)
    if "float" not in kind and "int" not in kind:
        return str(raw)
    number: float | None = None
    if not isinstance(raw, bool):
        try:
            number = float(raw)
        except (TypeError, ValueError):
            number = None
    if number is None or ("int" in kind and not number.is_integer()):
        expected = "a whole number" if "int" in kind else "a number"
        raise InputError(f"{source}: {name} must be {expected}, got {raw!r}")
    return int(number) if "int" in kind else number


def _boolean(name: str, raw: Any, source: str) -> bool:
    """A TOML boolean, or a variable's ``true/false``, ``1/0``, ``yes/no``, ``on/off``."""
    if isinstance(raw, bool):
        return raw
    word = str(raw).strip().lower()
    if word in _TRUE | _FALSE:
        return word in _TRUE
    raise InputError(f"{source}: {name} must be true or false, got {raw!r}")


def _secret_keys(table: dict[str, Any]) -> set[str]:
    """Credential-like keys anywhere in the file, nested tables included."""
    found = {key for key in table if key.lower() in _SECRET_KEYS}
    for value in table.values():
        if isinstance(value, dict):
            found |= _secret_keys(value)
    return found


def load_settings(overrides: dict[str, Any] | None = None, path: Path | None = None) -> Settings:
    """Merge the sources; ``overrides`` (CLI flags) may hold None for 'not given'."""
    settings = Settings()
    known = {f.name for f in fields(Settings)}
    path = path or config_path()
    if path.exists():
        try:
            document = tomllib.loads(path.read_text())
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"{path}: not valid TOML ({exc})") from None
        secrets = _secret_keys(document)
        if secrets:
            raise InputError(
                f"{path}: remove {', '.join(sorted(secrets))}; keys belong in the provider's environment "
                "variable (e.g. OPENAI_API_KEY), never in a file"
            )
        table = document.get("sciwand", {})
        unknown = set(table) - known
        if unknown:
            raise InputError(f"{path}: unknown setting(s) {', '.join(sorted(unknown))}")
        settings = replace(settings, **{k: _coerce(k, v, str(path)) for k, v in table.items()})
    from_env = {
        name: _coerce(name, os.environ[_ENV_PREFIX + name.upper()], _ENV_PREFIX + name.upper())
        for name in known
        if os.environ.get(_ENV_PREFIX + name.upper())
    }
    settings = replace(settings, **from_env)
    given = {k: v for k, v in (overrides or {}).items() if v is not None and k in known}
    return replace(settings, **given)


def add_settings_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags that override settings, shared by the CLI and ``%ask``/``%ask_config``."""
    parser.add_argument("-m", "--model", help="'local' (default, the embedded model) or PROVIDER:NAME")
    parser.add_argument("--model-path", help="another GGUF file for the local backend")
    parser.add_argument("--base-url", help="OpenAI-compatible endpoint (vLLM, llama.cpp server, LM Studio)")
    parser.add_argument("--temperature", type=float, help="sampling temperature (default: tuned per backend)")
    parser.add_argument("--max-turns", type=int, help=f"LLM replies per question (default {DEFAULTS.max_turns})")
    parser.add_argument("--timeout", type=float, help=f"seconds per executed cell (default {DEFAULTS.timeout:g})")


SETTINGS_FLAGS = ("model", "model_path", "base_url", "temperature", "max_turns", "timeout")


def flag_overrides(options: argparse.Namespace) -> dict[str, Any]:
    """The settings given as flags (None means not given)."""
    return {name: getattr(options, name, None) for name in SETTINGS_FLAGS}


def kernel_limits(settings: Settings) -> dict[str, int]:
    """The ``KernelConfig`` limits the settings ask for (docs/limits.md)."""
    return {
        "memory_limit_bytes": int(settings.memory_limit_gb * _GB),
        "max_file_bytes": int(settings.max_file_gb * _GB),
        "max_processes": settings.max_processes,
    }


def replay_policy(settings: Settings) -> ReplayPolicy:
    """How a kernel's state is rebuilt after a crash (``kernels/recovery.py``)."""
    return ReplayPolicy(
        enabled=settings.replay_max_cells > 0,
        max_cells=settings.replay_max_cells,
        max_seconds=settings.replay_max_seconds,
    )
