"""What one execution produced, as plain data that the agent, the CLI and the notebook writer share."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


def strip_ansi(text: str) -> str:
    """Remove terminal colour codes, which IPython puts in tracebacks and which mean nothing to an LLM."""
    return _ANSI.sub("", text)


class Status(StrEnum):
    OK = "ok"
    ERROR = "error"
    TIMEOUT = "timeout"
    DIED = "died"


@dataclass
class Output:
    """One output in kernel order: a stream chunk (``name``/``text``) or a MIME bundle (``data``)."""

    output_type: str  # "stream" | "execute_result" | "display_data"
    name: str | None = None
    text: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)

    def plain_text(self) -> str:
        """Best text view of this output: the stream text, or the bundle's ``text/plain``."""
        if self.output_type == "stream":
            return self.text or ""
        return str(self.data.get("text/plain", ""))


@dataclass
class KernelError:
    ename: str
    evalue: str
    traceback: list[str]  # ANSI-free lines


@dataclass
class ExecutionResult:
    status: Status
    outputs: list[Output] = field(default_factory=list)
    error: KernelError | None = None
    execution_count: int | None = None
    duration: float = 0.0
    note: str = ""  # what the session did about a timeout or a death
    truncated_chars: int = 0  # output dropped past the session's cap
    restarted: bool = False  # the executor restarted the kernel after this cell (kernels.recovery)
    restored: bool = False  # ... and replayed its journal in full: the state from before this cell is back

    @property
    def ok(self) -> bool:
        return self.status is Status.OK

    def to_dict(self) -> dict[str, Any]:
        record = asdict(self)
        record["status"] = self.status.value
        return record
