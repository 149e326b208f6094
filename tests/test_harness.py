"""What the loop does to make a small model useful: kernel preamble, context window, resampling."""

from __future__ import annotations

import re

import pytest

from assistant.engine import prompts
from assistant.engine.events import LoopEvents
from assistant.engine.harness import DEFAULT
from assistant.engine.hints import MAX_HINTS, hints_for
from domain_tools.catalog import Catalog, Entry, Hint, select
from domain_tools.catalog import load as load_catalog
from kernels import ExecutionResult, KernelError, Status


def test_prompt_lists_exactly_the_names_the_preamble_imports():
    from domain_tools import preamble

    listed = prompts.SYSTEM_PROMPT.split("Already imported in the kernel", 1)[1].split("\n", 3)[:3]
    listed_names = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", " ".join(listed)))
    missing = set(preamble.__all__) - listed_names
    assert not missing, f"prompt does not mention {missing}"


def test_preamble_defines_its_names_in_a_real_kernel(make_kernel):
    kernel = make_kernel()
    assert kernel.execute(prompts.KERNEL_SETUP, timeout=120).ok
    check = kernel.execute(
        "print(Descriptors.MolWt(Chem.MolFromSmiles('O')), gc_fraction('GGCC'), "
        "round(Planck18.luminosity_distance(1).to(u.Mpc).value), iers.conf.auto_download "
        "if 'iers' in dir() else __import__('astropy.utils.iers').utils.iers.conf.auto_download)"
    )
    assert check.ok, check.error
    assert check.outputs[0].text.split() == ["18.015", "1.0", "6791", "False"]


class Recorder(LoopEvents):
    def __init__(self) -> None:
        self.setups: list[str] = []
        self.notices: list[str] = []

    def setup(self, step) -> None:
        self.setups.append(step.result.status.value)

    def notice(self, text: str) -> None:
        self.notices.append(text)


def test_setup_runs_once_before_the_first_step_and_again_after_a_crash(make_chat, make_kernel, code_reply):
    py = code_reply
    kernel = make_kernel()
    events = Recorder()
    session = make_chat(
        [
            py("print(setup_marker)"),
            py("import os; os._exit(1)"),
            py("print(setup_marker + 1)"),
            "Final answer: done",
        ],
        executor=kernel,
        events=events,
        setup_code="setup_marker = 41",
    )
    result = session.ask("q")
    assert [step.result.status.value for step in result.steps] == ["ok", "died", "ok"]
    assert result.steps[0].result.outputs[0].text == "41\n"
    assert result.steps[2].result.outputs[0].text == "42\n"  # the restarted kernel was set up again
    assert events.setups == ["ok", "ok"]


def test_a_failing_setup_is_reported_and_the_loop_goes_on(make_chat, make_kernel, code_reply):
    py = code_reply
    events = Recorder()
    session = make_chat(
        [py("print('still works')"), "Final answer: yes"],
        executor=make_kernel(),
        events=events,
        setup_code="import no_such_module_anywhere",
    )
    result = session.ask("q")
    assert result.answer == "yes" and result.steps[0].ok
    assert events.setups == ["error"]
    assert any("setup failed" in notice and "ModuleNotFoundError" in notice for notice in events.notices)


def test_old_failed_attempts_shrink_to_their_error_line(make_chat, code_reply):
    py = code_reply
    failing = [py(f"raise ValueError('attempt {n}')") for n in range(DEFAULT.context_window + 2)]
    session = make_chat([*failing, py("print('fine')"), "Final answer: fine"])
    result = session.ask("the question")
    assert result.answer == "fine"
    last_context = session.model.calls[-2]  # the call that wrote the working code
    text = "\n".join(str(message.content) for message in last_context)
    assert "raise ValueError('attempt 0')" not in text  # the failed code itself is gone ...
    assert "ValueError: attempt 0" in text  # ... its error line stays, at the end (the prefix cache holds)
    assert "raise ValueError('attempt 3')" in text  # the recent window is kept whole
    question = next(m for m in last_context if m.type == "human")
    assert question.content == "the question" and prompts.EARLIER_FAILURES in last_context[-1].content


def test_successful_steps_stay_in_context_however_old(make_chat, code_reply):
    py = code_reply
    replies = [py("print('value A is 17')")] + [py(f"raise KeyError({n})") for n in range(DEFAULT.context_window + 1)]
    session = make_chat([*replies, "Final answer: 17"])
    session.ask("q")
    text = "\n".join(str(message.content) for message in session.model.calls[-1])
    assert "value A is 17" in text


@pytest.mark.parametrize("repeats", [1, 2])
def test_repeated_code_is_resampled_hotter(make_chat, code_reply, repeats):
    py = code_reply
    same = py("raise RuntimeError('same')")
    session = make_chat([same] * (repeats + 1) + ["Final answer: gave up"], max_turns=repeats + 3)
    session.ask("q")
    temperatures = [kwargs.get("temperature") for kwargs in session.model.call_kwargs]
    assert temperatures[0] is None  # the backend's own tuned default at first
    assert temperatures[repeats + 1] == DEFAULT.repeat_temperatures[min(repeats, len(DEFAULT.repeat_temperatures)) - 1]


ENTRY_MW = Entry(
    name="Descriptors.MolWt",
    signature="Descriptors.MolWt(mol) -> float",
    purpose="average molecular weight in g/mol.",
    example="print(1)",
    domain="chemistry",
    keywords=("molecular weight", "mass"),
)
ENTRY_TIME = Entry(
    name="Time",
    signature="Time(value, scale='utc')",
    purpose="a time; .jd, .mjd, .iso.",
    example="print(1)",
    domain="astronomy",
    keywords=("julian", "mjd"),
)


def test_select_picks_entries_by_keyword_within_budget():
    assert select([ENTRY_TIME, ENTRY_MW], "What is the molecular weight of caffeine?") == [ENTRY_MW]
    assert select([ENTRY_TIME, ENTRY_MW], "Tell me a joke") == []
    assert select([ENTRY_MW], "molecular weight?", budget_chars=10) == []


def test_relevant_catalog_entries_go_with_the_question_and_the_system_prompt_stays_fixed(make_chat):
    session = make_chat(
        ["Final answer: a", "Final answer: a", "Final answer: b", "Final answer: b"],
        catalog=Catalog(entries=[ENTRY_MW, ENTRY_TIME]),
    )
    session.ask("What is the molecular weight of water?")
    session.ask("What is the MJD today?")
    first, second = session.model.calls[0], session.model.calls[2]
    assert first[0].content == second[0].content  # byte-identical system prompt: its cache stays valid
    assert ENTRY_MW.render() in first[-1].content and ENTRY_TIME.render() not in first[-1].content
    assert ENTRY_TIME.render() in second[-1].content and ENTRY_MW.render() not in second[-1].content
    assert "molecular weight of water" in str(second)  # memory keeps the bare question ...
    assert sum(ENTRY_MW.render() in str(m.content) for m in second) == 0  # ... not its catalog block


def test_catalog_budget_zero_sends_no_entries(make_chat):
    session = make_chat(["Final answer: a"] * 2, catalog=Catalog(entries=[ENTRY_MW]), catalog_budget=0)
    session.ask("What is the molecular weight of water?")
    assert session.model.calls[0][-1].content == "What is the molecular weight of water?"


def test_a_matching_hint_is_appended_to_the_failure_observation(make_chat, code_reply):
    hint = Hint(error=r"ImportError: cannot import name 'GC'", text="use gc_fraction", trigger="", domain="biology")
    replies = [code_reply("from Bio.SeqUtils import GC"), "Final answer: x"] * 2
    with_hints = make_chat(replies, catalog=Catalog(hints=[hint]))
    result = with_hints.ask("GC?")
    assert "Hint: use gc_fraction" in result.steps[0].observation
    without = make_chat(replies, catalog=Catalog(hints=[hint]), use_hints=False)
    assert "Hint:" not in without.ask("GC?").steps[0].observation


def _failed(ename: str, evalue: str) -> ExecutionResult:
    return ExecutionResult(status=Status.ERROR, error=KernelError(ename, evalue, []))


def test_reimporting_a_preamble_name_from_the_wrong_place_gets_told_it_is_there():
    result = _failed("ImportError", "cannot import name 'u' from 'astropy' (/site-packages/astropy/__init__.py)")
    [hint] = hints_for(result, "from astropy import u", load_catalog())
    assert "`u` is already imported" in hint


def test_a_catalog_name_called_under_the_wrong_module_gets_the_right_call():
    result = _failed("AttributeError", "module 'Bio.Restriction' has no attribute 'restriction_sites'")
    hints = hints_for(result, "Restriction.restriction_sites(seq)", load_catalog())
    assert any("bio.restriction_sites" in hint for hint in hints)
    assert hints_for(_failed("NameError", "name 'frobnicate' is not defined"), "frobnicate()", load_catalog()) == []


def test_hints_are_capped_and_only_for_failures():
    catalog = load_catalog()
    ok = ExecutionResult(status=Status.OK)
    assert hints_for(ok, "x", catalog) == []
    result = _failed("AttributeError", "'Seq' object has no attribute 'gc_content'")
    assert 1 <= len(hints_for(result, "Seq('ACGT').gc_content", catalog)) <= MAX_HINTS


def test_after_a_repeated_failure_the_model_restarts_from_the_question_and_error_lines(make_chat, code_reply):
    failing = code_reply("raise ValueError('stuck here')")
    session = make_chat([failing, failing, code_reply("print('new idea')"), "Final answer: new idea"])
    result = session.ask("the question")
    assert result.answer == "new idea"
    after_repeat = "\n".join(str(message.content) for message in session.model.calls[2])
    assert "raise ValueError('stuck here')" not in after_repeat  # the code it kept copying is gone
    assert "ValueError: stuck here" in after_repeat  # what went wrong is still said
