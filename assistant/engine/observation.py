"""What the LLM is told after a step ran: short, explicit, and shaped to make the next move obvious."""

from __future__ import annotations

from kernels import ExecutionResult, Output, Status

OUTPUT_BUDGET = 2500  # characters of output shown to the LLM per step
TRACEBACK_BUDGET = 1500
MESSAGE_BUDGET = 600  # an exception's message or a session note: a 100k-character ValueError stays short
_FRAME_LINES = 12


def clip(text: str, budget: int = OUTPUT_BUDGET) -> str:
    """Keep the head and the tail around a marker: results usually sit at the end, context at the start."""
    if len(text) <= budget:
        return text
    head = budget * 2 // 3
    tail = budget - head
    omitted = len(text) - head - tail
    return f"{text[:head]}\n[... {omitted} characters omitted ...]\n{text[len(text) - tail :]}"  # tail may be 0


def _describe(output: Output) -> str:
    if output.output_type == "stream":
        return output.text or ""
    images = [mime for mime in output.data if mime.startswith("image/")]
    text = output.data.get("text/plain", "")
    if images:
        return f"[{images[0]} image shown to the user; you cannot see it]\n"
    return f"{text}\n" if text else ""


def outputs_text(result: ExecutionResult) -> str:
    return "".join(_describe(output) for output in result.outputs)


def trim_traceback(lines: list[str]) -> str:
    """Keep the frames of the user's cell and the innermost library frame; drop the long middle."""
    frames = [line for line in lines if line.strip() and not set(line.strip()) <= {"-"}]
    if not frames:
        return ""
    cell_frames = [f for f in frames[:-1] if "Cell In[" in f or 'File "<' in f]
    library_frames = [f for f in frames[:-1] if f not in cell_frames and "Traceback (most recent" not in f]
    chosen = cell_frames[-2:] + library_frames[-1:] + frames[-1:]
    shortened = ["\n".join(frame.splitlines()[-_FRAME_LINES:]) for frame in chosen]
    return clip("\n".join(shortened), TRACEBACK_BUDGET)


def format_observation(result: ExecutionResult, hints: list[str] | None = None) -> str:
    shown = clip(outputs_text(result).strip("\n"))
    if result.status is Status.OK:
        if not shown.strip():
            return "The code ran without error but showed nothing. Use print() to display the values you need."
        return f"The code ran. Output:\n```\n{shown}\n```"
    parts: list[str] = []
    if result.status is Status.ERROR and result.error is not None:
        parts.append(clip(f"The code failed with {result.error.ename}: {result.error.evalue}", MESSAGE_BUDGET))
        trace = trim_traceback(result.error.traceback)
        if trace:
            parts.append(f"Traceback (trimmed):\n```\n{trace}\n```")
    elif result.status is Status.TIMEOUT:
        stopped = clip(f"The code was stopped: {result.note}", MESSAGE_BUDGET)
        parts.append(f"{stopped} Make it faster or do less work per step.")
    elif result.status is Status.DIED and result.restarted:
        parts.append(clip(result.note, MESSAGE_BUDGET))  # what died, what the replay brought back, what not
    elif result.status is Status.DIED:
        parts.append(
            "The kernel process crashed while running this code (a segfault, out of memory or exit). "
            "It was restarted: re-create any variables you still need."
        )
    if shown.strip():
        parts.append(f"Output before that:\n```\n{shown}\n```")
    parts += [f"Hint: {hint}" for hint in hints or []]
    parts.append("Fix the problem and reply with a corrected ```python block.")
    return "\n".join(parts)


def failure_line(result: ExecutionResult) -> str:
    """One line naming how a step failed, for the summary of earlier attempts."""
    if result.status is Status.TIMEOUT:
        return "the code timed out"
    if result.error is not None:
        return clip(f"{result.error.ename}: {result.error.evalue}".splitlines()[0], 200)
    return "the code crashed the kernel"
