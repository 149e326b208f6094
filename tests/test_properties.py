"""Property-based tests (hypothesis) of the pure parts the loop trusts: reply parsing and observation formatting.

Replies are built from the pieces that matter to the parser (fences, language tags, answer labels, emphasis,
newlines) mixed with arbitrary text; results carry arbitrary outputs, error names, values and tracebacks.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.engine.observation import OUTPUT_BUDGET, TRACEBACK_BUDGET, clip, format_observation
from assistant.engine.replies import has_complete_code_block, parse_reply
from kernels import ExecutionResult, KernelError, Output, Status

FAST = settings(max_examples=300, deadline=None)

# Pieces of LLM replies: the parser's own syntax, small models' habits, and awkward characters.
PIECES = [
    "```", "```python", "```py", "```output", "```text", "``", "`", "\n", " ", "\t", "\r\n",
    "python", "print(1)", "x = 2", "# comment", "Final answer:", "final answer :", "Answer:", "**", "__", "*",
    "_", ">", "-", "#", "42", "é", "\U0001d6fc", "\x00", "\x1b[31m", "\u2028", "\u00a0",
]  # fmt: skip
replies = st.one_of(st.lists(st.sampled_from(PIECES), max_size=40).map("".join), st.text(max_size=300))
# Fences at the start of a line, where the parser looks for them (spaces before them allowed).
FENCE_LINE = re.compile(r"^[ \t]*```", re.MULTILINE)

ANSI = st.sampled_from(["\x1b[0;31m", "\x1b[1m", "\x1b[0m", "\x1b[?25l", "\x1b]0;title\x07"])
nasty_text = st.one_of(
    st.text(max_size=200),
    st.lists(st.one_of(st.text(max_size=20), ANSI, st.sampled_from(["\r", "\b", "\x00", "\n" * 50])), max_size=30).map(
        "".join
    ),
    st.builds(lambda char, n: char * n, st.characters(), st.integers(0, 30_000)),  # huge
)
outputs = st.one_of(
    st.builds(Output, output_type=st.just("stream"), name=st.sampled_from(["stdout", "stderr"]), text=nasty_text),
    st.builds(
        Output, output_type=st.sampled_from(["execute_result", "display_data"]), data=st.fixed_dictionaries(
            {}, optional={"text/plain": nasty_text, "image/png": st.just("iVBORw0KGgo="), "text/html": nasty_text}
        )
    ),
)  # fmt: skip
short_text = st.text(max_size=200)
errors = st.builds(KernelError, ename=short_text, evalue=short_text, traceback=st.lists(nasty_text, max_size=20))
results = st.builds(
    ExecutionResult,
    status=st.sampled_from(list(Status)),
    outputs=st.lists(outputs, max_size=8),
    error=st.one_of(st.none(), errors),
    note=short_text,
)
hints = st.lists(st.text(max_size=100), max_size=3)


def clipped_length(budget: int, original: int) -> int:
    """The most ``clip(text, budget)`` returns: the budget plus its marker line naming what was omitted."""
    return budget + len(f"\n[... {original} characters omitted ...]\n")


# -- parse_reply and has_complete_code_block ------------------------------------------------------------


@FAST
@given(replies)
def test_parse_reply_never_raises_and_its_parts_come_from_the_text(text):
    reply = parse_reply(text)
    assert reply.text == text
    if reply.code is not None:
        assert reply.code.strip() and reply.code in text
        assert not FENCE_LINE.search(reply.code), "a fence line inside the code to run"
    if reply.answer is not None:
        assert reply.answer and reply.answer == reply.answer.strip()


@FAST
@given(replies, st.data())
def test_a_complete_code_block_stays_complete_as_the_reply_grows(text, data):
    """The loop stops streaming at the first prefix holding a complete block; more text must not undo it."""
    cut = data.draw(st.integers(0, len(text)))
    if has_complete_code_block(text[:cut]):
        assert has_complete_code_block(text)
        assert parse_reply(text).code is not None


def test_the_streaming_cut_point_is_the_first_complete_prefix():
    text = "Let me.\n```python\nprint(1)\n```\nFinal answer: 1"
    first = next(i for i in range(len(text) + 1) if has_complete_code_block(text[:i]))
    assert text[:first].endswith("print(1)\n```") and parse_reply(text[:first]).code == "print(1)"


# -- clip and format_observation ------------------------------------------------------------------------


@FAST
@given(st.text(max_size=5000) | nasty_text, st.integers(0, 3000))
def test_clip_respects_its_budget(text, budget):
    clipped = clip(text, budget)
    if len(text) <= budget:
        assert clipped == text
    else:
        assert len(clipped) <= clipped_length(budget, len(text))
        head = budget * 2 // 3
        assert clipped.startswith(text[:head]) and clipped.endswith(text[len(text) - (budget - head) :])


@FAST
@given(results, hints)
def test_format_observation_never_raises_and_stays_within_the_clip_budgets(result, hint_list):
    observation = format_observation(result, hint_list)
    assert isinstance(observation, str) and observation
    total_output = sum(len(output.plain_text()) + 1 for output in result.outputs)
    traceback_chars = sum(len(line) + 1 for line in result.error.traceback) if result.error else 0
    # Clipped parts: the output and the traceback. Verbatim parts: error name and value, the note, the hints.
    verbatim = len(result.note) + sum(len(hint) + len("Hint: \n") for hint in hint_list)
    if result.error is not None:
        verbatim += len(result.error.ename) + len(result.error.evalue)
    fixed = 400  # the sentences around them, the longest being the crashed-kernel one
    bound = clipped_length(OUTPUT_BUDGET, total_output) + clipped_length(TRACEBACK_BUDGET, traceback_chars)
    assert len(observation) <= bound + verbatim + fixed


def test_a_huge_exception_value_is_clipped():
    """Found by the properties below: an exception's message went to the LLM unclipped."""
    error = KernelError(ename="ValueError", evalue="x" * 100_000, traceback=["ValueError: " + "x" * 100_000])
    observation = format_observation(ExecutionResult(status=Status.ERROR, error=error))
    assert len(observation) < clipped_length(OUTPUT_BUDGET, 0) + clipped_length(TRACEBACK_BUDGET, 200_000) + 1000


@pytest.mark.parametrize("text", ["```\n```", "```python\n```\nprint(1)\n```", "```python\n  ```\n"])
def test_an_empty_block_closes_at_once_and_is_never_run(text):
    """Found by the property above: the closing fence of an empty block used to become the code to run."""
    assert parse_reply(text).code is None and not has_complete_code_block(text)


def test_clip_with_no_budget_keeps_only_the_marker():
    """Found by the property above: a zero budget used to keep the whole text (``text[-0:]``)."""
    assert clip("0123456789", 0) == "\n[... 10 characters omitted ...]\n"
