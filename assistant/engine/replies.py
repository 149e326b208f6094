"""Reading an LLM reply: the code to run, the final answer, or neither. Lenient, because small models drift."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

# A fence with its language tag, the body, and the closing fence (absent while a reply is still streaming).
# An empty block ("```python\n```") closes at once: its closing fence is not taken for the body.
_CODE_BLOCK = re.compile(
    r"```[ \t]*(?P<lang>[^\s`]*)[ \t]*\n(?P<body>.*?)(?:(?P<close>(?:(?<=\n)|\n)[ \t]*```)|\Z)", re.DOTALL
)
# Untagged fences count as Python; ```output / ```text blocks a model invents are never run.
_RUNNABLE = {"", "python", "python3", "py", "ipython"}
_ANSWER = re.compile(r"^[ \t>*_#-]*(?:final[ \t]+answer|answer)[ \t*_]*:(.*)", re.IGNORECASE | re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class Reply:
    text: str
    code: str | None
    answer: str | None


def _runnable_blocks(text: str) -> list[re.Match[str]]:
    return [m for m in _CODE_BLOCK.finditer(text) if m["lang"].lower() in _RUNNABLE and m["body"].strip()]


def has_complete_code_block(text: str) -> bool:
    """True once ``text`` holds a closed runnable code fence: the point to stop generating and run it."""
    return any(m["close"] is not None for m in _runnable_blocks(text))


def prose(text: str) -> str:
    """The reply's words without its code block: the reason the model gives for a step, shown with it."""
    blocks = _runnable_blocks(text)
    if blocks:
        text = text[: blocks[0].start()] + text[blocks[0].end() :]
    return text.strip()


def parse_reply(text: str) -> Reply:
    """Split a reply into its first runnable code block and/or its final answer.

    An answer written after code is kept but the loop runs the code first: an answer is only accepted
    once grounded in executed output.
    """
    blocks = _runnable_blocks(text)
    code = blocks[0]["body"].strip("\n") if blocks else None
    answer_match = _ANSWER.search(text)
    answer = _clean_answer(answer_match.group(1)) if answer_match else None
    return Reply(text=text, code=code, answer=answer or None)


def _clean_answer(raw: str) -> str:
    """The answer without the label's emphasis ("**Final answer:** x") or emphasis around all of it."""
    answer = raw.split("```", 1)[0].strip()
    for mark in ("**", "__", "*", "_"):
        if answer.startswith(mark) and answer.count(mark) % 2:  # the closing half of a bold label
            answer = answer[len(mark) :].strip()
        if answer.endswith(mark) and answer.count(mark) % 2:
            answer = answer[: -len(mark)].strip()
        wrapped = answer.startswith(mark) and answer.endswith(mark) and answer.count(mark) == 2
        if wrapped and len(answer) > 2 * len(mark):
            answer = answer[len(mark) : -len(mark)].strip()
    return answer


def is_cut_off(reply: Reply) -> bool:
    """The reply's code block never closed and does not parse: the model ran out of output tokens mid-code
    (retyping a long list), and running the fragment would only give "SyntaxError: incomplete input"."""
    if reply.code is None or has_complete_code_block(reply.text):
        return False
    try:
        ast.parse(reply.code)
    except SyntaxError:
        return True
    return False


def normalise_code(code: str) -> str:
    """Code compared for repetition: comment lines, blank lines and trailing spaces do not count."""
    lines = (line.rstrip() for line in code.strip().splitlines())
    return "\n".join(line for line in lines if line and not line.lstrip().startswith("#"))
