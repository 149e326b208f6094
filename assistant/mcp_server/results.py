"""What an MCP client gets back from a kernel call: structured fields, a readable text, and the images.

An agent reads the text; a client program reads ``structuredContent``; both see the same facts: the status,
the outputs clipped to a budget with their head and tail kept, the error line and the pitfall hints that
fit it, and what sciwand did about a timeout or a crash. A failed cell is ``isError``: the agent should fix
the code, as sciwand's own loop does.
"""

from __future__ import annotations

from typing import Any

from mcp.types import CallToolResult, ContentBlock, ImageContent, TextContent

from assistant.engine.hints import hints_for
from assistant.engine.observation import clip, trim_traceback
from domain_tools.catalog import Catalog
from kernels import ExecutionResult, Output

OUTPUT_BUDGET = 20_000  # characters of output per call; an agent's context is larger than the loop's model
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")  # base64 in a bundle: MCP image content


def _text(output: Output) -> str:
    if output.output_type == "stream":
        return output.text or ""
    image = next((mime for mime in IMAGE_TYPES if mime in output.data), None)
    if image is not None:
        return f"[{image} image: attached below]\n"
    text = output.data.get("text/plain", "")
    return f"{text}\n" if text else ""


def images(result: ExecutionResult) -> list[ImageContent]:
    found = []
    for output in result.outputs:
        mime = next((mime for mime in IMAGE_TYPES if mime in output.data), None)
        if mime is not None:
            data = output.data[mime]
            found.append(ImageContent(type="image", data="".join(data).strip(), mimeType=mime))
    return found


def execution_fields(result: ExecutionResult, code: str, catalog: Catalog) -> dict[str, Any]:
    """The facts of one execution, as ``structuredContent``."""
    output = "".join(_text(output) for output in result.outputs)
    error = result.error
    return {
        "status": result.status.value,
        "execution_count": result.execution_count,
        "seconds": round(result.duration, 3),
        "output": clip(output, OUTPUT_BUDGET),
        "output_chars": len(output) + result.truncated_chars,
        "error": f"{error.ename}: {error.evalue}" if error is not None else None,
        "traceback": trim_traceback(error.traceback) if error is not None else None,
        "hints": hints_for(result, code, catalog),
        "note": result.note or None,
        "restarted": result.restarted,
        "restored": result.restored,
        "images": len(images(result)),
    }


def render(fields: dict[str, Any]) -> str:
    """The same facts as text, for the agent's context."""
    head = f"status: {fields['status']}"
    if fields.get("execution_count") is not None:
        head += f" (cell [{fields['execution_count']}], {fields['seconds']:g} s)"
    parts = [head]
    if fields.get("note"):
        parts.append(f"note: {fields['note']}")
    if fields["output"]:
        parts.append(f"output:\n{fields['output'].rstrip()}")
    if fields.get("error"):
        parts.append(f"error: {fields['error']}")
    if fields.get("traceback"):
        parts.append(f"traceback (trimmed):\n{fields['traceback']}")
    parts += [f"hint: {hint}" for hint in fields.get("hints") or []]
    return "\n".join(parts)


def execution_result(result: ExecutionResult, code: str, catalog: Catalog, session: str) -> CallToolResult:
    fields = {"session": session, **execution_fields(result, code, catalog)}
    content: list[ContentBlock] = [TextContent(type="text", text=render(fields)), *images(result)]
    return CallToolResult(content=content, structuredContent=fields, isError=not result.ok)


def text_result(text: str, fields: dict[str, Any], images_: list[ImageContent] | None = None) -> CallToolResult:
    content: list[ContentBlock] = [TextContent(type="text", text=text), *(images_ or [])]
    return CallToolResult(content=content, structuredContent=fields)
