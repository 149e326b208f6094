"""Turns one request's iopub messages into ordered outputs, with a cap so a flood cannot exhaust memory."""

from __future__ import annotations

from typing import Any

from kernels.result import ExecutionResult, KernelError, Output, Status, strip_ansi

# Content field of a ``stream`` message by which the kernel reports text it dropped (kernels/outstream.py).
DROPPED_KEY = "sciwand_dropped_chars"
OUTPUT_LIMIT_CHARS = 1_000_000  # per cell, what a kernel keeps of its output by default (head and tail)


class OutputCollector:
    def __init__(self, limit_chars: int) -> None:
        self.limit_chars = limit_chars
        self.outputs: list[Output] = []
        self.error: KernelError | None = None
        self.execution_count: int | None = None
        self.kept_chars = 0
        self.dropped_chars = 0

    def add(self, msg: dict[str, Any]) -> bool:
        """Record one message; True when it is the kernel's final ``idle`` for this request."""
        kind = msg["header"]["msg_type"]
        content = msg["content"]
        if kind == "status":
            return content.get("execution_state") == "idle"
        if kind == "execute_input":
            self.execution_count = content.get("execution_count")
        elif kind == "stream":
            self.dropped_chars += int(content.get(DROPPED_KEY, 0))  # what the kernel dropped (kernels/outstream.py)
            if content["text"]:
                self._add_stream(content["name"], content["text"])
        elif kind in ("execute_result", "display_data"):
            self._add_bundle(kind, content)
        elif kind == "error":
            self.error = KernelError(
                ename=content.get("ename", ""),
                evalue=content.get("evalue", ""),
                traceback=[strip_ansi(line) for line in content.get("traceback", [])],
            )
        elif kind == "clear_output":
            self.outputs.clear()
        return False

    def _add_stream(self, name: str, text: str) -> None:
        room = self.limit_chars - self.kept_chars
        if room <= 0:
            self.dropped_chars += len(text)
            return
        kept = text[:room]
        self.dropped_chars += len(text) - len(kept)
        self.kept_chars += len(kept)
        last = self.outputs[-1] if self.outputs else None
        if last is not None and last.output_type == "stream" and last.name == name:
            last.text = (last.text or "") + kept  # merge consecutive chunks, as notebooks do
        else:
            self.outputs.append(Output("stream", name=name, text=kept))

    def _add_bundle(self, kind: str, content: dict[str, Any]) -> None:
        size = sum(len(str(value)) for value in content.get("data", {}).values())
        if self.kept_chars + size > self.limit_chars:
            self.dropped_chars += size
            return
        self.kept_chars += size
        self.outputs.append(Output(kind, data=content.get("data", {}), metadata=content.get("metadata", {})))

    def result(self, status: Status, duration: float, note: str) -> ExecutionResult:
        if self.dropped_chars:
            self.outputs.append(
                Output("stream", name="stderr", text=f"\n[... {self.dropped_chars} characters of output dropped ...]\n")
            )
        return ExecutionResult(
            status=status,
            outputs=self.outputs,
            error=self.error,
            execution_count=self.execution_count,
            duration=duration,
            note=note,
            truncated_chars=self.dropped_chars,
        )
