"""``%ask``/``%%ask`` in a real IPython shell in this process: options, memory, context, insert, errors.

The notebook-only parts (display in a real kernel, the stop button, set_next_input payloads) are in
``test_magics_notebook.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell

from assistant import load_ipython_extension
from assistant.inkernel.namespace import describe_value, resolve_references, summarize_namespace
from assistant.magics.ask import AskMagics, keep_question_marks
from assistant.runs.ask_options import ask_parser, split_options

from conftest import ScriptedChatModel, python_block


@pytest.fixture(scope="module")
def shell() -> InteractiveShell:
    shell = InteractiveShell.instance()
    load_ipython_extension(shell)
    return shell


@pytest.fixture
def ask(shell: InteractiveShell) -> Iterator[Any]:
    """``ask(replies)`` gives %ask a fresh conversation on a scripted model and returns the model."""
    registered: dict[str, Any] = {}

    def script(replies: list[str]) -> ScriptedChatModel:
        model = ScriptedChatModel(responses=list(replies))
        magics = AskMagics(shell, model_factory=lambda settings, progress=None: model)
        shell.register_magics(magics)
        registered["magics"] = magics
        return model

    yield script
    shell.user_ns.pop("answer", None)


def run(shell: InteractiveShell, cell: str) -> Any:
    return shell.run_cell(cell, store_history=True)


def test_line_magic_runs_in_the_users_namespace_and_stores_the_answer(shell, ask, capsys):
    ask([python_block("total = base * 7\nprint(total)"), "Final answer: 42"])
    run(shell, "base = 6")
    result = run(shell, "%ask -o answer what is base times seven?")
    assert result.success
    assert shell.user_ns["total"] == 42  # the step ran in the user's namespace
    assert shell.user_ns["answer"] == "42"
    out = capsys.readouterr().out
    assert "── step 1 ──\ntotal = base * 7" in out
    assert "Answer: 42" in out


def test_trailing_question_mark_is_not_taken_for_help(shell, ask, capsys):
    ask([python_block("print(2 + 2)"), "Final answer: 4"])
    run(shell, "%ask what is two plus two?")
    out = capsys.readouterr().out
    assert "Answer: 4" in out
    assert "not found" not in out


def test_follow_up_sees_earlier_question_answer_and_new_variables(shell, ask):
    model = ask([python_block("mw = 46.07\nprint(mw)"), "Final answer: 46.07", "Final answer: 92.14"])
    run(shell, "%%ask\nWhat is the molecular weight of ethanol?")
    run(shell, "%ask and twice that?")
    follow_up = "\n".join(str(message.content) for message in model.calls[-1])
    assert "What is the molecular weight of ethanol?" in follow_up
    assert "Final answer: 46.07" in follow_up
    assert "- mw: float" in follow_up  # the namespace summary names the variable the first question made


def test_reset_forgets_the_conversation_but_keeps_variables(shell, ask, capsys):
    model = ask(
        [python_block("kept = 1\nprint(kept)"), "Final answer: 1", python_block("print(kept)"), "Final answer: 1"]
    )
    run(shell, "%ask first question")
    run(shell, "%ask --reset")
    assert "conversation forgotten" in capsys.readouterr().out
    run(shell, "%ask second question")
    second = "\n".join(str(message.content) for message in model.calls[-2])
    assert "first question" not in second
    assert shell.user_ns["kept"] == 1


def test_a_named_variable_shows_its_first_rows_and_the_others_no_contents(shell, ask):
    model = ask(["Final answer: nothing to compute"])
    run(shell, "import pandas as pd\nsecret_table = pd.DataFrame({'smiles': ['CCO', 'SECRET'], 'mw': [46.07, 1.0]})")
    run(shell, "named_table = pd.DataFrame({'smiles': ['c1ccccc1'], 'mw': [78.11]})")
    run(shell, "%ask how many rows does {named_table} have")
    prompt = str(model.calls[0][-1].content)
    assert "how many rows does `named_table` have" in prompt
    assert "- secret_table: DataFrame 2x2 (columns: smiles, mw)" in prompt
    assert "SECRET" not in prompt  # a variable the question does not name shows its type and size only
    assert "- named_table: DataFrame 1 rows; columns: smiles (" in prompt and "c1ccccc1" in prompt


def test_dry_run_proposes_code_and_runs_nothing(shell, ask, capsys):
    ask([python_block("dry_run_marker = 1")])
    run(shell, "%ask --dry-run --insert set a marker")
    out = capsys.readouterr().out
    assert "proposed code (dry run, not executed)" in out
    assert "dry_run_marker" not in shell.user_ns
    assert shell.rl_next_input == "dry_run_marker = 1"


def test_insert_puts_only_the_successful_steps_below(shell, ask):
    ask(
        [
            python_block("first = 10"),
            python_block("oops = undefined_name"),
            python_block("second = first * 2\nprint(second)"),
            "Final answer: 20",
        ]
    )
    run(shell, "%ask --insert double ten")
    assert shell.rl_next_input == "first = 10\n\nsecond = first * 2\nprint(second)"


def test_step_output_and_traceback_are_fed_back(shell, ask):
    model = ask([python_block("1 / 0"), python_block("6 * 7"), "Final answer: 42"])
    run(shell, "%ask divide")
    feedback = [str(call[-1].content) for call in model.calls[1:]]
    assert "ZeroDivisionError" in feedback[0]
    assert "42" in feedback[1]  # the execute_result of the last expression reaches the LLM
    assert shell.user_ns["_"] == 42  # and IPython's own display hook saw it


def test_timeout_interrupts_only_the_step(shell, ask):
    model = ask([python_block("while True:\n    pass"), "Final answer: gave up"])
    run(shell, "%ask --timeout 0.5 loop forever")
    assert "timeout" in str(model.calls[1][-1].content).lower()
    assert run(shell, "print('still here')").success


def test_unreachable_llm_is_one_clear_line(shell, capsys):
    shell.register_magics(AskMagics(shell))
    run(shell, "%ask_config -m openai:gpt-4o-mini --base-url http://127.0.0.1:9/v1")
    result = run(shell, "%ask what is 2 + 2?")
    assert result.success  # the cell itself does not fail
    out = capsys.readouterr().out
    assert "sciwand: the LLM call failed" in out
    assert "Traceback" not in out


def test_bad_options_are_usage_errors(shell, ask, capsys):
    ask([])
    assert not run(shell, "%ask --max-turns many what?").success
    assert not run(shell, "%ask -o 3x what?").success
    assert not run(shell, "%ask").success
    assert "UsageError" in capsys.readouterr().err


def test_ask_config_sets_defaults(shell, ask, capsys):
    ask([])
    run(shell, "%ask_config --max-turns 3 --timeout 9")
    assert "max_turns=3, timeout=9.0" in capsys.readouterr().out


def test_split_options_keeps_the_question_verbatim():
    options, question = split_options(ask_parser(), "-o mw --timeout 5 what's the MW of 2-butanol?  ")
    assert (options.output, options.timeout) == ("mw", 5.0)
    assert question == "what's the MW of 2-butanol?"


def test_keep_question_marks_rewrites_only_ask_lines():
    lines = ["x = 1\n", "  %ask what is x?\n", "%ask?\n", "%%ask\n"]
    rewritten = keep_question_marks(lines)
    assert rewritten[1] == "  get_ipython().run_line_magic('ask', 'what is x?')\n"
    assert rewritten[0] == lines[0] and rewritten[2:] == lines[2:]


def test_describe_value_gives_types_and_sizes_not_contents():
    import numpy as np

    assert describe_value(np.zeros((3, 2))) == "ndarray 3x2 float64"
    assert describe_value("CCO") == "str, 3 chars"
    assert describe_value([1, 2, 3]) == "list of 3 int"
    assert describe_value({"a": 1}) == "dict of 1 (keys: 'a')"


def test_summary_lists_newest_first_and_skips_modules_and_hidden():
    import math

    namespace = {"math": math, "_private": 1, "old": 1, "In": [], "new": 2.0}
    summary = summarize_namespace(namespace, hidden={"In"})
    assert summary.splitlines()[1:] == ["- new: float", "- old: int"]


def test_short_strings_and_numbers_are_referenced_with_their_value():
    question, _ = resolve_references("GC of {seq} at {n} and {flag}", {"seq": "ATGC", "n": 3, "flag": True})
    assert question == "GC of `seq` (= 'ATGC') at `n` (= 3) and `flag`"
    assert resolve_references("{long}", {"long": "A" * 1000})[0] == "`long`"


def test_resolve_references_leaves_non_variables_alone():
    question, names = resolve_references("sum {x} over {x | x > 0} and {missing}", {"x": [1]})
    assert question == "sum `x` over {x | x > 0} and {missing}"
    assert names == ["x"]


def test_ipython_terminal_gets_plain_text(tmp_path):
    """The real terminal IPython, lines typed on stdin: steps and answer as plain text, no Markdown."""
    replies = tmp_path / "replies.json"
    replies.write_text(json.dumps([python_block("x = 6 * 7\nprint(x)"), "Final answer: 42"]))
    typed = f"%load_ext assistant\n%ask_config -m scripted:{replies}\n%ask what is six times seven?\nprint(x + 1)\n"
    session = subprocess.run(
        [sys.executable, "-m", "IPython", "--simple-prompt", "--no-banner", "--colors=NoColor"],
        input=typed,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert "── step 1 ──\nx = 6 * 7\nprint(x)\n42\nAnswer: 42" in session.stdout
    assert "43" in session.stdout
    assert "**" not in session.stdout
