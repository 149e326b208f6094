"""What the chat shows of a step and an answer: Markdown bodies, and images as MIME bundles the chat renders.

Pure functions of the loop's results, so what a reader sees in the chat can be checked without a server.
"""

from __future__ import annotations

import re
from typing import Any

from assistant.engine.events import Figures, Step
from kernels import Output

# Past this, a step's text output is cut in the chat (the kernel has its own, larger cap): a message is read,
# not scrolled, and the model saw the same output anyway.
OUTPUT_CHARS = 4000
TRACEBACK_LINES = 12
# The image types a MIME bundle in the chat renders, in the order a bundle is searched.
IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml")


def fenced(text: str, language: str = "") -> str:
    """``text`` in a code fence longer than any run of backticks inside it, so the output cannot close it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text.rstrip(chr(10))}\n{fence}"


def _clipped(text: str) -> str:
    if len(text) <= OUTPUT_CHARS:
        return text
    return f"{text[:OUTPUT_CHARS]}\n[... {len(text) - OUTPUT_CHARS:,} more characters not shown]"


def _text(output: Output) -> str:
    """An output's text: a stream chunk, or a bundle's ``text/plain`` unless the bundle is an image (shown apart)."""
    if output.output_type == "stream":
        return output.text or ""
    if image_type(output) is not None:
        return ""
    plain = str(output.data.get("text/plain", ""))
    return plain + "\n" if plain and not plain.endswith("\n") else plain


def image_type(output: Output) -> str | None:
    return next((kind for kind in IMAGE_TYPES if kind in output.data), None)


def step_markdown(number: int, step: Step, explanation: str = "") -> str:
    """Step ``number``: why (the model's words), the code, what it printed, its error and what recovery did."""
    result = step.result
    parts = [f"**Step {number}**" + (f": {explanation}" if explanation else "")]
    parts.append(fenced(step.code, "python"))
    printed = "".join(_text(output) for output in result.outputs)
    if printed.strip():
        parts.append(fenced(_clipped(printed)))
    if result.error is not None:
        lines = result.error.traceback[-TRACEBACK_LINES:] or [f"{result.error.ename}: {result.error.evalue}"]
        parts.append(f"**{result.error.ename}**: {result.error.evalue}\n\n" + fenced("\n".join(lines)))
    elif not result.ok:
        parts.append(f"**{result.status.value}**")
    if result.note:
        parts.append(f"*{result.note}*")
    return "\n\n".join(parts)


def image_bundles(step: Step) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """The step's images as (data, metadata) MIME bundles: the image and its text description."""
    bundles = []
    for output in step.result.outputs:
        kind = image_type(output)
        if kind is not None:
            data = {kind: output.data[kind], "text/plain": str(output.data.get("text/plain", "a figure"))}
            bundles.append((data, dict(output.metadata)))
    return bundles


def answer_markdown(answer: str | None, figures: Figures) -> str:
    """The answer as its own message, with what it took; an unanswered question says so."""
    if answer is None:
        body = f"**No answer** within {figures.turns} turn(s): the steps above show what ran."
    else:
        body = f"**Answer:** {answer}"
    return f"{body}\n\n*{figures.summary()}*"
