"""The cells that ran successfully in a kernel, in order: what it takes to rebuild its state after a crash.

A kernel's state is whatever its successful cells built, so replaying them in a fresh kernel rebuilds it,
except where a cell reached outside the kernel: writing files, deleting them, calling the network or
other programs. Those are marked here (a conservative reading of the code, by its syntax tree) so a
replay can skip them rather than write a file twice or post a request again.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

# Calls whose effect lives outside the kernel, by the last part of their dotted name.
_OUTSIDE_CALLS = {
    "remove": "deletes files",
    "unlink": "deletes files",
    "rmtree": "deletes files",
    "rmdir": "deletes files",
    "rename": "moves files",
    "replace": "moves files",
    "move": "moves files",
    "copy": "copies files",
    "copyfile": "copies files",
    "copytree": "copies files",
    "write_text": "writes files",
    "write_bytes": "writes files",
    "to_csv": "writes files",
    "to_excel": "writes files",
    "to_parquet": "writes files",
    "to_json": "writes files",
    "to_pickle": "writes files",
    "savefig": "writes files",
    "savetxt": "writes files",
    "save": "writes files",
    "dump": "writes files",
    "mkdir": "creates directories",
    "makedirs": "creates directories",
    "system": "runs programs",
    "Popen": "runs programs",
    "run": "runs programs",
    "check_call": "runs programs",
    "check_output": "runs programs",
    "urlopen": "uses the network",
    "urlretrieve": "uses the network",
    "get": "uses the network",
    "post": "uses the network",
    "put": "uses the network",
    "request": "uses the network",
    "connect": "uses the network",
}
# ``get``, ``run``, ``replace`` … are common names; they count only when called on these modules.
_AMBIGUOUS = {"get", "post", "put", "request", "run", "dump", "replace", "copy", "connect", "move"}
_NETWORK_AND_PROCESS_MODULES = {"requests", "httpx", "urllib", "subprocess", "socket", "shutil", "os", "pickle", "json"}
_WRITE_MODES = set("wax+")
# Magics and shell escapes a notebook cell may hold, and what they reach.
_OUTSIDE_MAGICS = {
    "%%writefile": "writes files",
    "!": "runs programs",
    "%system": "runs programs",
    "%%bash": "runs programs",
}


def _dotted(node: ast.expr) -> list[str]:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return parts[::-1]


def _opens_for_writing(call: ast.Call) -> bool:
    mode = call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg == "mode"), None)
    return isinstance(mode, ast.Constant) and isinstance(mode.value, str) and bool(_WRITE_MODES & set(mode.value))


def side_effects(code: str) -> list[str]:
    """What ``code`` does outside the kernel ("writes files", "uses the network"…); empty if nothing seen."""
    found: list[str] = []
    for line in code.splitlines():
        stripped = line.strip()
        for prefix, effect in _OUTSIDE_MAGICS.items():
            if stripped.startswith(prefix):
                found.append(effect)
    try:
        tree = ast.parse(code)
    except SyntaxError:  # IPython syntax (magics) the checks above did not cover: assume the worst
        return sorted(set(found)) or ["could not be read as Python"]
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _dotted(node.func)
        if not name:
            continue
        last = name[-1]
        if last == "open" and _opens_for_writing(node):
            found.append("writes files")
        elif last in _OUTSIDE_CALLS:
            if last in _AMBIGUOUS and (len(name) < 2 or name[0] not in _NETWORK_AND_PROCESS_MODULES):
                continue  # dict.get, str.replace, df.copy: not an effect outside
            found.append(_OUTSIDE_CALLS[last])
    return sorted(set(found))


@dataclass
class Entry:
    code: str
    effects: list[str]


@dataclass
class Journal:
    """Successful cells in order; ``limit`` bounds what is kept (older cells drop first, and are counted)."""

    limit: int = 1000
    entries: list[Entry] = field(default_factory=list)
    dropped: int = 0

    def record(self, code: str) -> None:
        self.entries.append(Entry(code, side_effects(code)))
        if len(self.entries) > self.limit:
            self.entries.pop(0)
            self.dropped += 1

    def clear(self) -> None:
        self.entries.clear()
        self.dropped = 0

    def __len__(self) -> int:
        return len(self.entries)
