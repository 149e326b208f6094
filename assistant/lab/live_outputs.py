"""A running step's kernel messages as notebook outputs, so the panel shows each one as the kernel sends it."""

from __future__ import annotations

from typing import Any

from nbformat.v4 import new_output

from kernels.result import strip_ansi

_BUNDLES = ("display_data", "execute_result")


def iopub_output(message: dict[str, Any]) -> dict[str, Any] | None:
    """The nbformat v4 output an iopub ``message`` carries; None for status, input and other messages."""
    kind, content = message["header"]["msg_type"], message["content"]
    if kind == "stream" and content.get("text"):
        return new_output("stream", name=content["name"], text=content["text"])
    if kind in _BUNDLES:
        extra = {"execution_count": content.get("execution_count")} if kind == "execute_result" else {}
        return new_output(kind, data=content.get("data", {}), metadata=content.get("metadata", {}), **extra)
    if kind == "error":
        traceback = [strip_ansi(line) for line in content.get("traceback", [])]
        ename, evalue = content.get("ename", ""), content.get("evalue", "")
        return new_output("error", ename=ename, evalue=evalue, traceback=traceback)
    return None
