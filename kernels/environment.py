"""The environment a kernel starts with: an allowlist, so secrets in the parent never reach generated code."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

# Variables a scientific Python kernel needs to behave like the user's own shell.
_ALLOWED_NAMES = {
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "SHELL",
    "LANG",
    "LANGUAGE",
    "TZ",
    "TERM",
    "TMPDIR",
    "VIRTUAL_ENV",
    "CONDA_PREFIX",
    "PYTHONPATH",
    "PYTHONHASHSEED",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "OPENBLAS_CORETYPE",
    "OPENBLAS_L2_SIZE",
    "MPLCONFIGDIR",
    "IPYTHONDIR",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "REQUESTS_CA_BUNDLE",
}
_ALLOWED_PREFIXES = ("LC_", "XDG_", "JUPYTER_")
# Whatever the allowlist says, a name that looks like a credential is dropped.
_SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSW|CREDENTIAL|AUTH|COOKIE|SESSION", re.IGNORECASE)


def looks_secret(name: str) -> bool:
    return bool(_SECRET_NAME.search(name))


def kernel_environment(
    parent: Mapping[str, str] | None = None, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Allowed, non-secret variables of ``parent`` (default: this process), plus ``extra`` as given.

    ``extra`` is the caller's explicit choice and is passed through unfiltered.
    """
    source = os.environ if parent is None else parent
    env = {
        name: value
        for name, value in source.items()
        if (name in _ALLOWED_NAMES or name.startswith(_ALLOWED_PREFIXES)) and not looks_secret(name)
    }
    env.setdefault("PATH", os.defpath)
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # silences a debugpy warning on every start
    env.update(extra or {})
    return env
