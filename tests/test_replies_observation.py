"""Reading LLM replies (assistant.engine.replies) and describing results to the LLM (assistant.engine.observation)."""

from __future__ import annotations

import pytest

from assistant.engine.observation import OUTPUT_BUDGET, clip, format_observation, outputs_text, trim_traceback
from assistant.engine.replies import has_complete_code_block, normalise_code, parse_reply
from kernels.result import ExecutionResult, KernelError, Output, Status

# -- parse_reply: code ------------------------------------------------------------------------------


@pytest.mark.parametrize("fence", ["```python", "```py", "```", "```Python", "```python3", "``` python "])
def test_code_is_read_from_python_py_and_bare_fences(fence):
    reply = parse_reply(f"Let me compute.\n{fence}\nx = 1\nprint(x)\n```\n")
    assert reply.code == "x = 1\nprint(x)"
    assert reply.answer is None


def test_first_non_empty_block_wins():
    reply = parse_reply("```python\n\n```\nthen\n```python\nprint(1)\n```\n```python\nprint(2)\n```")
    assert reply.code == "print(1)"


def test_unclosed_block_still_yields_code():
    assert parse_reply("```python\nprint('cut off')").code == "print('cut off')"


def test_output_fence_after_code_is_not_code():
    text = "```python\nprint(6 * 7)\n```\n```output\n42\n```\n"
    assert parse_reply(text).code == "print(6 * 7)"


@pytest.mark.parametrize("label", ["output", "text", "console"])
def test_invented_output_fence_is_never_run(label):
    # A model that writes the output of code it did not run: the closing fence must not open a code block.
    reply = parse_reply(f"```{label}\n42\n```\nFinal answer: 42")
    assert reply.code is None
    assert reply.answer == "42"


def test_hash_inside_a_string_is_code_not_a_comment():
    code = 'from rdkit import Chem\nmol = Chem.MolFromSmiles("C#N")  # hydrogen cyanide\nprint(mol.GetNumAtoms())'
    reply = parse_reply(f"```python\n{code}\n```")
    assert reply.code == code
    assert 'Chem.MolFromSmiles("C#N")' in normalise_code(code)


# -- parse_reply: answers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("Final answer: 42", "42"),
        ("final answer: 42 g/mol", "42 g/mol"),
        ("FINAL ANSWER:   206.29 g/mol  ", "206.29 g/mol"),
        ("**Final answer:** 42", "42"),
        ("**Final answer: 42**", "42"),
        ("_Final answer:_ 42", "42"),
        ("> Final answer: 42", "42"),
        ("## Final answer: 42", "42"),
        ("- Answer: 7 atoms", "7 atoms"),
        ("The output shows it.\nFinal answer: 13 heavy atoms", "13 heavy atoms"),
        ("Final answer: **42**", "42"),
        # Emphasis inside the answer is the answer's own Markdown, kept for the panel and the notebook.
        ("Final answer: **42 mg** in two doses.", "**42 mg** in two doses."),
        ("Final answer: the_value is 4", "the_value is 4"),
    ],
)
def test_final_answer_variants(text, answer):
    reply = parse_reply(text)
    assert reply.answer == answer
    assert reply.code is None


def test_answer_after_code_is_kept_with_the_code():
    reply = parse_reply("Computing.\n```python\nprint(2 + 2)\n```\nFinal answer: 4")
    assert reply.code == "print(2 + 2)"
    assert reply.answer == "4"


def test_answer_stops_at_a_following_fence():
    reply = parse_reply("Final answer: 4\n```python\nprint(4)\n```")
    assert reply.answer == "4"
    assert reply.code == "print(4)"


@pytest.mark.parametrize("text", ["I am not sure yet.", "", "   ", "The answer is in the output", "my answer: 3"])
def test_no_code_and_no_answer(text):
    reply = parse_reply(text)
    assert reply.code is None
    assert reply.answer is None
    assert reply.text == text


def test_empty_final_answer_is_no_answer():
    assert parse_reply("Final answer:   ").answer is None


# -- has_complete_code_block ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "complete"),
    [
        ("```python\nprint(1)\n```", True),
        ("intro\n```\nprint(1)\n```\ntrailing", True),
        ("```python\nprint(1)\n", False),
        ("```python\nprint(1)\n``", False),
        ("```python\nprint(1)", False),
        ("no code at all", False),
    ],
)
def test_has_complete_code_block(text, complete):
    assert has_complete_code_block(text) is complete


@pytest.mark.parametrize("label", ["output", "text"])
def test_output_fence_is_not_a_block_to_stop_at(label):
    # Stopping here would cut off the 'Final answer:' line that follows the invented output.
    assert has_complete_code_block(f"The result:\n```{label}\n42\n```") is False


# -- normalise_code ---------------------------------------------------------------------------------


def test_normalise_ignores_comments_blank_lines_and_trailing_spaces():
    a = "# compute\nx = 6 * 7   \n\n\nprint(x)\n"
    b = "x = 6 * 7\n    # note\nprint(x)"
    assert normalise_code(a) == normalise_code(b) == "x = 6 * 7\nprint(x)"


def test_normalise_keeps_indentation_and_real_differences():
    assert normalise_code("if x:\n    y = 1") == "if x:\n    y = 1"
    assert normalise_code("print(1)") != normalise_code("print(2)")
    assert normalise_code('s = "C#N"') != normalise_code('s = "CN"')


# -- clip -------------------------------------------------------------------------------------------


def test_clip_leaves_short_text_alone():
    text = "x" * OUTPUT_BUDGET
    assert clip(text) == text
    assert clip("abc", 3) == "abc"


def test_clip_keeps_head_and_tail_around_a_marker():
    text = "".join(f"line {i}\n" for i in range(2000))
    clipped = clip(text, 300)
    head, marker_and_tail = clipped.split("\n[... ", 1)
    marker, tail = marker_and_tail.split(" ...]\n", 1)
    assert text.startswith(head)
    assert text.endswith(tail)
    assert len(head) + len(tail) == 300
    assert len(head) > len(tail)  # more context at the start
    assert marker == f"{len(text) - 300} characters omitted"


# -- outputs_text and format_observation ------------------------------------------------------------


def ok_result(*outputs: Output) -> ExecutionResult:
    return ExecutionResult(status=Status.OK, outputs=list(outputs), execution_count=1, duration=0.1)


def test_ok_observation_shows_output():
    observation = format_observation(ok_result(Output("stream", name="stdout", text="42\n")))
    assert observation.startswith("The code ran. Output:")
    assert "```\n42\n```" in observation


def test_empty_output_asks_for_print():
    observation = format_observation(ok_result())
    assert "print()" in observation
    assert "showed nothing" in observation
    assert "print()" in format_observation(ok_result(Output("stream", name="stdout", text="\n")))


def test_long_output_is_clipped_for_the_llm():
    text = "".join(f"{i}\n" for i in range(5000))
    observation = format_observation(ok_result(Output("stream", name="stdout", text=text)))
    assert "characters omitted" in observation
    assert len(observation) < OUTPUT_BUDGET + 200
    assert "4999" in observation  # the tail, where results usually are


def test_image_output_becomes_a_placeholder():
    image = Output("display_data", data={"image/png": "iVBORw0KGgo" * 500, "text/plain": "<Figure size 640x480>"})
    text = outputs_text(ok_result(Output("stream", name="stdout", text="plotted\n"), image))
    assert text == "plotted\n[image/png image shown to the user; you cannot see it]\n"
    assert "iVBORw0KGgo" not in format_observation(ok_result(image))


def test_rich_bundle_uses_text_plain():
    bundle = Output("execute_result", data={"text/plain": "   mass\na   1.5", "text/html": "<table></table>"})
    assert outputs_text(ok_result(bundle)) == "   mass\na   1.5\n"


IPYTHON_TRACEBACK = [
    "---------------------------------------------------------------------------",
    "JSONDecodeError                           Traceback (most recent call last)",
    'Cell In[4], line 5\n      3     return json.loads(t)\n      4 print("before")\n----> 5 load("{")\n',
    "Cell In[4], line 3, in load(t)\n      2 def load(t):\n----> 3     return json.loads(t)\n",
    "File /usr/lib/python3.11/json/__init__.py:346, in loads(s)\n--> 346     return _default_decoder.decode(s)\n",
    "File /usr/lib/python3.11/json/decoder.py:337, in JSONDecoder.decode(self, s, _w)\n"
    "--> 337     obj, end = self.raw_decode(s, idx=_w(s, 0).end())\n",
    "File /usr/lib/python3.11/json/decoder.py:353, in JSONDecoder.raw_decode(self, s, idx)\n"
    "--> 353     obj, end = self.scan_once(s, idx)\n",
    "JSONDecodeError: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
]


def test_trim_traceback_keeps_cell_frames_innermost_library_frame_and_final_line():
    trace = trim_traceback(IPYTHON_TRACEBACK)
    assert "Cell In[4], line 5" in trace
    assert "Cell In[4], line 3, in load(t)" in trace
    assert "raw_decode" in trace  # innermost library frame
    assert "json/__init__.py" not in trace  # the middle is dropped
    assert "JSONDecoder.decode(" not in trace
    assert "-----" not in trace
    assert "Traceback (most recent call last)" not in trace
    assert trace.endswith(
        "JSONDecodeError: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"
    )


def test_trim_traceback_of_nothing_is_empty():
    assert trim_traceback([]) == ""
    assert trim_traceback(["-----", "   "]) == ""


def test_error_observation_has_header_trace_and_prior_output():
    result = ExecutionResult(
        status=Status.ERROR,
        outputs=[Output("stream", name="stdout", text="before\n")],
        error=KernelError("JSONDecodeError", "Expecting property name", IPYTHON_TRACEBACK),
    )
    observation = format_observation(result)
    assert observation.startswith("The code failed with JSONDecodeError: Expecting property name")
    assert "Cell In[4]" in observation
    assert "Output before that:\n```\nbefore\n```" in observation
    assert observation.rstrip().endswith("```python block.")


def test_long_traceback_is_bounded():
    frame = "Cell In[1], line 1\n" + "\n".join(f"  {i} x" for i in range(40))
    trace = trim_traceback(["Traceback (most recent call last)", frame, "File lib.py:1\n" + "y" * 5000, "E: boom"])
    assert len(trace) < 1600
    assert trace.endswith("E: boom")


def test_timeout_observation_quotes_the_note():
    note = "Stopped after the 1 s time limit; the kernel and its variables are intact."
    result = ExecutionResult(status=Status.TIMEOUT, error=KernelError("KeyboardInterrupt", "", []), note=note)
    observation = format_observation(result)
    assert observation.startswith(f"The code was stopped: {note}")
    assert "faster" in observation


def test_died_observation_says_restarted():
    result = ExecutionResult(status=Status.DIED, outputs=[Output("stream", name="stdout", text="partial\n")])
    observation = format_observation(result)
    assert "crashed" in observation
    assert "restarted" in observation
    assert "re-create" in observation
    assert "partial" in observation
