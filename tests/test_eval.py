"""``sciwand eval``: task suites, checks, the runner and the command, on real kernels with scripted models."""

from __future__ import annotations

import io
import json
import re
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import psutil
import pytest
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field, PrivateAttr
from rich.console import Console

from assistant.cli.main import main
from assistant.config import Settings
from assistant.engine.harness import HarnessConfig
from assistant.engine.numbers import numbers_in, pick_number
from assistant.runs.evaluation import evaluate
from assistant.runs.runner import ResultsLog, RunOptions, run_tasks
from assistant.runs.scores import render_table, summarize
from assistant.runs.tasks import Check, check_answer, load_suite, parse_suite
from domain_tools.catalog import Catalog

from conftest import python_block, read_results, results_by_id, wait_for

DATA = Path(__file__).parent / "data"
DEV_SUITE = Path(__file__).parent.parent / "benchmarks" / "tasks" / "dev.jsonl"
RECORD_FIELDS = {
    "id",
    "tokens_cached",
    "notices",
    "domain",
    "ok",
    "answer",
    "expected",
    "detail",
    "turns",
    "steps",
    "seconds",
    "tokens_in",
    "tokens_out",
    "errors_seen",
    "recovered",
    "model",
    "ablation",
    "error",
    "notebook",
}
# The domain imports take seconds per kernel; the runner's mechanics need none of them.
ROUTED = Settings(model="routed", timeout=30)  # the scripted model of these tests, by name
FAST = {
    "setup_code": None,
    "catalog": Catalog(),
    "harness": HarnessConfig(examples_per_question=0, api_names=0, vote_samples=0, check_answers=False),
}


class RoutedModel(BaseChatModel):
    """Replies chosen by the ``<<tag>>`` in the current question, in order per tag.

    Unlike a single scripted list, the replies a task gets do not depend on how workers interleave, so
    runs with 1 and 2 workers must produce the same records. ``RAISE`` makes the call fail.
    """

    routes: dict[str, list[str]]
    calls: list[str] = Field(default_factory=list)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _next: Counter = PrivateAttr(default_factory=Counter)

    @property
    def _llm_type(self) -> str:
        return "routed"

    def _reply(self, messages: list[BaseMessage]) -> str:
        asked = "\n".join(str(m.content) for m in messages if m.type == "human")
        tag = re.findall(r"<<(\w+)>>", asked)[-1]
        with self._lock:
            number = self._next[tag]
            self._next[tag] += 1
            self.calls.append(tag)
        reply = self.routes[tag][number]
        if reply == "RAISE":
            raise RuntimeError(f"backend down for {tag}")
        return reply

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=AIMessage(self._reply(messages)))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        yield ChatGenerationChunk(message=AIMessageChunk(content=self._reply(messages)))


# -- parsing ----------------------------------------------------------------------------------------------


def test_every_check_type_parses_and_unknown_fields_are_ignored():
    lines = [
        '{"id": "n", "domain": "chemistry", "turns": ["Q?"], "check": {"type": "number", "value": 206.285, '
        '"tol": 0.02}, "notes": "ignored", "check_extra": 1}',
        '{"id": "r", "domain": "biology", "turns": ["Q?"], "check": {"type": "number", "value": 5, "rel": 0.001}}',
        '{"id": "c", "domain": "biology", "turns": ["Q?"], "check": {"type": "contains", "value": "MAIVMGR"}}',
        '{"id": "x", "domain": "astronomy", "turns": ["Q?"], "check": {"type": "regex", "pattern": "0?5h\\\\d+"}}',
        '{"id": "p", "turns": ["Q1?", "Q2?"], "check": {"type": "python", "expr": "abs(mw - 206.28) < 0.01"}}',
    ]
    suite = parse_suite(lines)
    assert suite.problems == []
    checks = {task.id: task.check for task in suite.tasks}
    assert checks["n"] == Check("number", value=206.285, tol=0.02)
    assert checks["r"] == Check("number", value=5.0, rel=0.001)
    assert checks["c"] == Check("contains", value="MAIVMGR")
    assert checks["x"] == Check("regex", pattern=r"0?5h\d+")
    assert checks["p"] == Check("python", expr="abs(mw - 206.28) < 0.01")
    assert suite.tasks[-1].turns == ("Q1?", "Q2?")
    assert suite.tasks[-1].domain == "general"  # a task without a domain still counts, under "general"
    assert checks["n"].to_dict() == {"type": "number", "value": 206.285, "tol": 0.02}
    assert checks["p"].to_dict() == {"type": "python", "expr": "abs(mw - 206.28) < 0.01"}


def test_malformed_lines_are_reported_by_line_number_and_skipped():
    suite = load_suite(DATA / "eval_malformed.jsonl")
    assert [task.id for task in suite.tasks] == ["ok-number", "ok-python"]
    assert suite.tasks[0].line == 1 and suite.tasks[1].line == 13
    problems = dict(problem.split(": ", 1) for problem in suite.problems)
    assert set(problems) == {f"line {n}" for n in (2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14)}  # line 3 is blank
    assert "not valid JSON" in problems["line 2"]
    assert "id" in problems["line 4"]
    assert "turns" in problems["line 5"]
    assert "missing check" in problems["line 6"]
    assert "unknown check type 'fuzzy'" in problems["line 7"]
    assert "regular expression" in problems["line 8"]
    assert "Python expression" in problems["line 9"]
    assert "'../escape'" in problems["line 10"]  # ids name files, so no path tricks
    assert "value" in problems["line 11"]
    assert "duplicate id 'ok-number' (first on line 1)" in problems["line 12"]
    assert "object" in problems["line 14"]


def test_numbers_are_read_in_the_notations_answers_use():
    assert numbers_in("6,791.27 Mpc and 1,2,3") == [6791.27, 1, 2, 3]
    assert numbers_in("1.5e-3, 3 \u00d7 10^8 m/s, 1.5\u00d710⁻³, 10^-3, 2.5 \\times 10^{2}") == [
        0.0015,
        3e8,
        0.0015,
        0.001,
        250.0,
    ]
    assert numbers_in("Dec \u22125.39°, z=-1, range 10-20") == [-5.39, -1, 10, 20]
    # digits inside words and SMILES are not numbers
    assert numbers_in("C8H10N4O2 (Planck18, H2O, CN1CCC[C@H]1c1cccnc1) weighs 194.19") == [194.19]


def test_the_number_picked_is_the_first_that_is_not_in_the_question():
    question = "What is the luminosity distance at redshift 1 in Planck18, in Mpc?"
    assert pick_number("At z = 1, the luminosity distance is 6,791.27 Mpc.", question) == 6791.27
    assert pick_number("6791.27 Mpc (2.1e26 m)", question) == 6791.27
    assert pick_number("It is 1.", "What is 1 times 1?") == 1  # only the question's numbers: the first
    assert pick_number("no digits here", question) is None
    check = Check("number", value=206.285, tol=0.01)
    mw_question = "Molecular weight of ibuprofen, CC(C)Cc1ccc(cc1)C(C)C(=O)O?"
    assert check_answer(check, "206.29 g/mol", mw_question).ok
    # Listing candidates does not pass: the first number is the answer.
    verdict = check_answer(check, "206.13 (exact) or 206.29 (average)", mw_question)
    assert not verdict.ok and "picked 206.13" in verdict.detail
    assert not check_answer(Check("number", value=58.33, tol=0.01), "0.5833", "GC content as a percentage?").ok
    assert check_answer(Check("number", value=2919.6, rel=0.001), "2.9186e3 Mpc").ok


def test_text_checks():
    contains = Check("contains", value="Final  protein:\nMAIVMGR")
    assert check_answer(contains, "Final protein: MAIVMGR").ok  # whitespace normalised
    assert not check_answer(Check("contains", value="MAIVMGR"), "maivmgr").ok  # case-sensitive
    regex = Check("regex", pattern=r"(?<![A-Z*])MAIVMGR(?![A-Z*])")
    assert check_answer(regex, "The protein is MAIVMGR.").ok
    assert not check_answer(regex, "MAIVMGR*KGAR*").ok
    assert check_answer(contains, None).detail == "no answer"


def test_ablations_switch_the_session_knobs():
    assert RunOptions(ablation="catalog").chat_options()["harness"].catalog_budget == 0
    assert RunOptions(ablation="hints").chat_options()["harness"].use_hints is False
    assert RunOptions(Settings(max_turns=8), ablation="feedback").chat_options()["harness"].feedback is False
    # an ablation goes on top of the harness a run names, not instead of it
    hinted = RunOptions(ablation="hints", session_options=FAST).chat_options()["harness"]
    assert (hinted.use_hints, hinted.vote_samples) == (False, 0)
    with pytest.raises(ValueError, match="unknown ablation"):
        RunOptions(ablation="everything")


def test_the_dev_suite_parses_cleanly_with_twenty_tasks_per_domain():
    suite = load_suite(DEV_SUITE)
    assert suite.problems == []  # includes: no duplicate ids
    domains = Counter(task.domain for task in suite.tasks)
    assert set(domains) == {"chemistry", "biology", "astronomy"}
    assert min(domains.values()) >= 20
    assert len({task.id for task in suite.tasks}) == len(suite.tasks)
    kinds = Counter(task.check.type for task in suite.tasks)
    assert set(kinds) == {"number", "contains", "regex", "python"}
    multi_turn_python = [t for t in suite.tasks if len(t.turns) > 1 and t.check.type == "python"]
    assert len(multi_turn_python) >= 5
    for task in suite.tasks:  # an expected number the question already states could never be picked
        if task.check.type == "number":
            assert task.check.value not in numbers_in(task.question_text), task.id


# -- python checks in a kernel -------------------------------------------------------------------------------


def test_python_checks_read_the_kernel_and_the_answer_safely(kernel):
    assert kernel.execute("mw = 206.28").ok
    passing = Check("python", expr="abs(mw - 206.28) < 0.01 and number == 42")
    assert check_answer(passing, "42 g", "", kernel).ok
    tricky = "it's \"42\"\n'''\\ \"\"\" 42 ✓ ''' + exit()"
    verdict = check_answer(Check("python", expr=f"answer == {tricky!r}"), tricky, "", kernel)
    assert verdict.ok, verdict.detail
    failing = check_answer(Check("python", expr="undefined_name > 1"), "42", "", kernel)
    assert not failing.ok and "NameError" in failing.detail and "undefined_name" in failing.detail
    assert check_answer(Check("python", expr="(leak := 1) == 1"), "x", "", kernel).ok
    assert "NameError" in check_answer(Check("python", expr="leak == 1"), "x", "", kernel).detail  # a copy


# -- the runner ---------------------------------------------------------------------------------------------

TASKS = "\n".join(
    json.dumps(task)
    for task in [
        {
            "id": "t-pass",
            "domain": "chemistry",
            "turns": ["<<pass>> six times seven?"],
            "check": {"type": "number", "value": 42},
        },
        {
            "id": "t-fail",
            "domain": "chemistry",
            "turns": ["<<fail>> two plus three?"],
            "check": {"type": "number", "value": 6},
        },
        {
            "id": "t-multi",
            "domain": "astronomy",
            "turns": ["<<m1>> store 21 in x", "<<m2>> twice x?"],
            "check": {"type": "python", "expr": "x == 21 and number == 42"},
        },
        {
            "id": "t-crash",
            "domain": "biology",
            "turns": ["<<crash>> anything?"],
            "check": {"type": "contains", "value": "x"},
        },
        {"id": "t-recover", "domain": "biology", "turns": ["<<rec>> seven?"], "check": {"type": "number", "value": 7}},
    ]
).splitlines()
ROUTES = {
    "pass": [python_block("print(6 * 7)"), "Final answer: 42"],
    "fail": [python_block("print(2 + 3)"), "Final answer: 5"],
    "m1": [python_block("x = 21\nprint(x)"), "Final answer: x is 21"],
    "m2": [python_block("print(x * 2)"), "Final answer: 42"],
    "crash": ["RAISE"],
    "rec": [python_block("raise ValueError('not yet')"), python_block("print(7)"), "Final answer: 7"],
}


def _comparable(record: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if key != "seconds"}


def test_runner_records_every_outcome_and_workers_do_not_change_them(tmp_path):
    tasks = parse_suite(TASKS).tasks
    options = RunOptions(ROUTED, session_options=FAST)
    one, two = tmp_path / "one", tmp_path / "two"
    model = RoutedModel(routes=ROUTES)
    run_tasks(tasks, model, one, options, workers=1, log=ResultsLog(one / "results.jsonl"))
    run_tasks(tasks, RoutedModel(routes=ROUTES), two, options, workers=2, log=ResultsLog(two / "results.jsonl"))

    records = results_by_id(one)
    assert len(read_results(one)) == 5 and set(records) == {task.id for task in tasks}
    for record in records.values():
        assert set(record) == RECORD_FIELDS
        assert record["model"] == "routed" and record["ablation"] is None and record["seconds"] > 0

    passed, failed, multi = records["t-pass"], records["t-fail"], records["t-multi"]
    crashed, recovered = records["t-crash"], records["t-recover"]
    assert passed["ok"] and passed["answer"] == "42" and passed["turns"] == 2 and passed["steps"] == 1
    assert passed["expected"] == {"type": "number", "value": 42.0} and passed["error"] is None
    assert passed["tokens_out"] > 0
    assert not failed["ok"] and failed["answer"] == "5" and "picked 5" in failed["detail"] and failed["error"] is None
    assert multi["ok"] and multi["turns"] == 4 and multi["detail"] == "the python check returned True"
    assert not crashed["ok"] and "backend down for crash" in crashed["error"] and crashed["answer"] is None
    assert recovered["ok"] and recovered["errors_seen"] == 1 and recovered["recovered"] is True
    assert passed["errors_seen"] == 0 and passed["recovered"] is False

    for record in records.values():  # every session's notebook, the crashed one included
        notebook = nbformat.read(one / record["notebook"], as_version=4)
        nbformat.validate(notebook)
        assert record["notebook"] == f"notebooks/{record['id']}.ipynb"
    multi_notebook = nbformat.read(one / multi["notebook"], as_version=4)
    assert sum("**Question:**" in cell.source for cell in multi_notebook.cells) == 2
    assert "**Check (python):** passed" in multi_notebook.cells[-1].source
    assert "The task failed" in nbformat.read(one / crashed["notebook"], as_version=4).cells[-1].source

    second = {task_id: _comparable(record) for task_id, record in results_by_id(two).items()}
    assert second == {task_id: _comparable(record) for task_id, record in records.items()}

    # The table of those records: a row per domain and the overall one.
    rows = {row.name: row for row in summarize(list(records.values()))}
    assert list(rows) == ["astronomy", "biology", "chemistry", "overall"]
    assert (rows["overall"].tasks, rows["overall"].solved, rows["overall"].crashed) == (5, 3, 1)
    assert (rows["overall"].with_errors, rows["overall"].recovered) == (1, 1)
    assert rows["chemistry"].success == 0.5 and rows["overall"].median_turns == 2

    # A rerun in the same directory skips every finished task: no LLM call, no duplicated record.
    calls = len(model.calls)
    outcome = evaluate(tasks, model, one, options, console=Console(file=io.StringIO()))
    assert (outcome.ran, outcome.skipped, len(outcome.records)) == (0, 5, 5)
    assert len(model.calls) == calls
    assert len(read_results(one)) == 5
    # ... but another ablation in the same directory is a different run.
    other = RunOptions(ROUTED, ablation="hints", session_options=FAST)
    outcome = evaluate(tasks[:1], RoutedModel(routes=ROUTES), one, other, console=Console(file=io.StringIO()))
    assert (outcome.ran, outcome.skipped) == (1, 0)
    assert (one / "notebooks" / "hints" / "t-pass.ipynb").exists()


def test_feedback_ablation_answers_from_the_first_steps_output(tmp_path):
    lines = [
        '{"id": "single", "domain": "chemistry", "turns": ["<<one>> six times seven?"], '
        '"check": {"type": "number", "value": 42}}',
        '{"id": "broken", "domain": "chemistry", "turns": ["<<two>> and now?"], '
        '"check": {"type": "number", "value": 3}}',
    ]
    routes = {
        # The second reply of "one" is never asked for; nor is the repair turn of "two".
        "one": [python_block("print('the product is', 6 * 7)"), "Final answer: 41"],
        "two": [python_block("print(1 + 2\n"), python_block("print(1 + 2)"), "Final answer: 3"],
    }
    model = RoutedModel(routes=routes)
    options = RunOptions(ROUTED, ablation="feedback", session_options=FAST)
    records = {r.id: r for r in run_tasks(parse_suite(lines).tasks, model, tmp_path, options, workers=2)}
    single, broken = records["single"], records["broken"]
    assert single.ok and single.answer == "the product is 42" and single.turns == 1 and single.steps == 1
    assert not broken.ok and broken.answer is None and broken.turns == 1 and broken.errors_seen == 1
    assert sorted(model.calls) == ["one", "two"]  # one LLM call per question
    assert single.ablation == "feedback"
    assert (tmp_path / "notebooks" / "feedback" / "single.ipynb").exists()


def test_the_table_names_every_domain():
    records = [
        {"id": "a", "domain": "chemistry", "ok": True, "turns": 2, "seconds": 1.0, "errors_seen": 0},
        {"id": "b", "domain": "biology", "ok": False, "turns": 4, "seconds": 3.0, "errors_seen": 2, "recovered": True},
    ]
    console = Console(file=io.StringIO(), width=120)
    console.print(render_table(summarize(records), "dev"))
    text = console.file.getvalue()
    for row in ("chemistry", "biology", "overall", "1/2", "50%", "1/1 100%"):
        assert row in text


# -- the command ----------------------------------------------------------------------------------------------


def _eval_command(suite: Path, replies: Path, out: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "assistant.cli.main",
        "eval",
        str(suite),
        "--model",
        f"scripted:{replies}",
        "--out",
        str(out),
        *extra,
    ]


def test_eval_command_runs_scores_and_resumes(tmp_path, cli_env):
    replies = tmp_path / "replies.json"
    replies.write_text(
        json.dumps(
            [
                python_block("print(6 * 7)"),
                "Final answer: 42",
                python_block("base = 'thymine'\nprint(base)"),
                "Final answer: thymine",
                python_block("x = 21\nprint(x)"),
                "Final answer: x is 21",
                python_block("print(x * 2"),
                python_block("print(x * 2)"),
                "Final answer: 42",
            ]
        )
    )
    out = tmp_path / "out"
    command = _eval_command(DATA / "eval_mini.jsonl", replies, out)
    first = subprocess.run(command, capture_output=True, text=True, env=cli_env, timeout=120, check=False)
    assert first.returncode == 0, first.stderr
    assert "eval_mini.jsonl line 3: not valid JSON" in first.stderr
    assert "Traceback" not in first.stderr
    for row in ("astronomy", "biology", "chemistry", "overall"):
        assert row in first.stdout
    assert re.search(r"overall\s+2/3\s+67%", first.stdout), first.stdout

    records = results_by_id(out)
    assert list(records) == ["mini-pass", "mini-fail", "mini-multi"]
    assert all(set(record) == RECORD_FIELDS for record in records.values())
    assert records["mini-pass"]["ok"] and not records["mini-fail"]["ok"] and records["mini-multi"]["ok"]
    assert records["mini-multi"]["recovered"] and records["mini-multi"]["errors_seen"] == 1
    assert records["mini-pass"]["model"] == f"scripted:{replies}"
    for record in records.values():
        nbformat.validate(nbformat.read(out / "notebooks" / f"{record['id']}.ipynb", as_version=4))

    replies.write_text(json.dumps(["Final answer: a rerun must not ask the model anything"]))
    second = subprocess.run(command, capture_output=True, text=True, env=cli_env, timeout=120, check=False)
    assert second.returncode == 0, second.stderr
    assert "3 task(s) already have a result" in second.stderr
    assert len(read_results(out)) == 3
    assert re.search(r"overall\s+2/3\s+67%", second.stdout), second.stdout


def test_setup_errors_exit_2_with_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SCIWAND_CONFIG", str(tmp_path / "no-config.toml"))
    empty = tmp_path / "empty.jsonl"
    empty.write_text("not json\n")
    cases = [
        (["eval", str(tmp_path / "missing.jsonl"), "--model", "scripted:x.json"], "missing.jsonl"),
        (["eval", str(empty), "--model", "scripted:x.json"], "no valid task (line 1: not valid JSON"),
        (["eval", str(DATA / "eval_mini.jsonl"), "--model", "scripted:x.json", "--workers", "0"], "--workers"),
    ]
    for argv, fragment in cases:
        assert main(argv) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("sciwand: ") and fragment in err[0], err


def test_ctrl_c_stops_running_kernels_and_keeps_finished_results(tmp_path, cli_env):
    suite = tmp_path / "suite.jsonl"
    suite.write_text(
        '{"id": "quick", "turns": ["Six times seven?"], "check": {"type": "number", "value": 42}}\n'
        '{"id": "slow", "turns": ["Take your time?"], "check": {"type": "number", "value": 1}}\n'
    )
    replies = tmp_path / "replies.json"
    slow_code = "open('started', 'w').close()\nimport time\ntime.sleep(120)"
    replies.write_text(
        json.dumps([python_block("print(6 * 7)"), "Final answer: 42", python_block(slow_code), "Final answer: 1"])
    )
    out = tmp_path / "out"
    process = subprocess.Popen(
        _eval_command(suite, replies, out), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env
    )
    started = out / "work" / "slow" / "started"
    wait_for(lambda: started.exists() or process.poll() is not None, 90, "the slow task to start")
    assert started.exists(), process.communicate(timeout=5)
    kernels = [proc for proc in psutil.process_iter(["cwd"]) if (proc.info["cwd"] or "") == str(started.parent)]
    assert kernels  # the slow task's kernel, busy sleeping
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    # Checked at once: ipykernel's own parent poller would only notice the exit a second later.
    assert not [proc for proc in kernels if proc.is_running()], "the interrupted task's kernel was left running"
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert [record["id"] for record in read_results(out)] == ["quick"]
    assert "overall" in stdout  # the score of what finished is still shown
    interrupted_cell = nbformat.read(out / "notebooks" / "slow.ipynb", as_version=4).cells[-1]
    assert interrupted_cell.outputs[-1].ename == "KeyboardInterrupt"  # the running cell was interrupted


def test_the_tag_table_counts_each_tag_and_the_last_record_of_a_task(tmp_path):
    from benchmarks.tags import per_tag

    suite = tmp_path / "suite.jsonl"
    tasks = [("a", ["multi-step"]), ("b", ["multi-step", "follow-up"]), ("c", [])]
    suite.write_text("\n".join(json.dumps({"id": i, "tags": t, "question": "q"}) for i, t in tasks))
    results = tmp_path / "results.jsonl"
    records = [("a", False, 9.0), ("a", True, 3.0), ("b", False, 5.0), ("c", True, 1.0)]
    results.write_text("\n".join(json.dumps({"id": i, "ok": ok, "seconds": s}) for i, ok, s in records))
    assert per_tag(suite, results) == [("follow-up", 0, 1, 5.0), ("multi-step", 1, 2, 4.0), ("all", 2, 3, 3.0)]
