"""State recovery after a kernel crash: the journal of successful cells, replayed in a restarted kernel."""

from __future__ import annotations

import nbformat
import pytest

from kernels import Status
from kernels.journal import Journal, side_effects
from kernels.recovery import RecoveringKernel, ReplayPolicy

from conftest import python_block

SEGFAULT = "import ctypes\nctypes.string_at(0)"


@pytest.fixture
def recovering(make_kernel):
    def make(**policy) -> RecoveringKernel:
        return RecoveringKernel(make_kernel(), ReplayPolicy(**policy))

    return make


def test_variables_come_back_after_a_segfault(recovering):
    kernel = recovering()
    assert kernel.execute("x = 41").ok
    assert kernel.execute("y = x + 1\nprint(y)").ok
    assert not kernel.execute("z = 1 / 0").ok  # failed cells are not journaled
    died = kernel.execute(SEGFAULT)
    assert died.status is Status.DIED and died.restarted and died.restored
    assert "killed the kernel" in died.note and "2 of 2 earlier successful cells were replayed" in died.note
    assert "variables from before this cell are back" in died.note
    assert kernel.execute("print(x, y)").outputs[0].text == "41 42\n"
    assert kernel.kernel.restarts == 1


def test_cells_that_write_files_are_not_replayed_and_are_reported(recovering, tmp_path):
    kernel = recovering()
    log = tmp_path / "kernel-cwd" / "log.txt"
    assert kernel.execute("open('log.txt', 'a').write('once\\n')\nvalue = 7").ok
    died = kernel.execute("import os\nos._exit(3)")
    assert died.restarted and not died.restored
    assert "1 skipped because they reach outside the kernel" in died.note and "writes files" in died.note
    assert log.read_text() == "once\n"  # written once, not again by the replay
    assert "NameError" in str(kernel.execute("value").error)  # its variable is honestly gone


def test_replay_is_bounded_by_cells_and_can_be_turned_off(recovering):
    bounded = recovering(max_cells=1)
    for code in ("a = 1", "b = 2", "c = 3"):
        bounded.execute(code)
    died = bounded.execute(SEGFAULT)
    assert "1 of 3" in died.note and "2 not replayed: the replay budget ran out" in died.note
    assert bounded.execute("print(a)").ok and not bounded.execute("print(b)").ok

    off = recovering(enabled=False)
    off.execute("a = 1")
    died = off.execute(SEGFAULT)
    assert died.restarted and "replay is turned off" in died.note
    assert not off.execute("print(a)").ok


def test_a_timeout_that_forces_a_restart_is_recovered_too(recovering):
    kernel = recovering()
    kernel.execute("total = 99")
    # The interrupt is ignored, so the session restarts the kernel; the journal brings `total` back.
    hung = kernel.execute("import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True: pass", 2)
    assert hung.status is Status.TIMEOUT and hung.restarted and hung.restored
    assert "time limit" in hung.note and "1 of 1" in hung.note
    assert kernel.execute("print(total)").outputs[0].text == "99\n"


def test_the_loop_tells_the_llm_what_was_restored(make_kernel, make_chat):
    executor = RecoveringKernel(make_kernel())
    session = make_chat(
        [
            python_block("masses = [12.011, 1.008]\nprint(len(masses))"),
            python_block(SEGFAULT),
            python_block("print(sum(masses))"),
            "Final answer: 13.019",
        ],
        executor=executor,
    )
    result = session.ask("Sum the masses")
    assert result.answer == "13.019"
    crashed, after = result.steps[1], result.steps[2]
    assert (
        crashed.result.status is Status.DIED and "1 of 1 earlier successful cells were replayed" in crashed.observation
    )
    assert after.ok and after.result.outputs[0].text.startswith("13.01")


@pytest.mark.parametrize(
    ("code", "effects"),
    [
        ("x = 1\nprint(x)", []),
        ("df.to_csv('out.csv')", ["writes files"]),
        ("with open('a.txt', 'w') as f:\n    f.write('x')", ["writes files"]),
        ("text = open('a.txt').read()", []),
        ("import requests\nr = requests.get('http://example.org')", ["uses the network"]),
        ("value = {'a': 1}.get('a')", []),
        ("import subprocess\nsubprocess.run(['ls'])", ["runs programs"]),
        ("import os\nos.remove('x')", ["deletes files"]),
        ("!ls", ["runs programs"]),
        ("%timeit x", ["could not be read as Python"]),
        ("plt.savefig('fig.png')", ["writes files"]),
    ],
)
def test_side_effects_are_read_from_the_code(code, effects):
    assert side_effects(code) == sorted(effects)


def test_journal_keeps_a_bounded_history():
    journal = Journal(limit=2)
    for code in ("a = 1", "b = 2", "c = 3"):
        journal.record(code)
    assert [entry.code for entry in journal.entries] == ["b = 2", "c = 3"] and journal.dropped == 1


def test_the_transcript_keeps_what_the_recovery_said(tmp_path):
    from assistant.engine.events import Step
    from assistant.runs.notebook import NotebookTranscript
    from kernels import ExecutionResult

    transcript = NotebookTranscript(tmp_path / "run.ipynb")
    note = "This cell killed the kernel; the kernel was restarted and 2 of 2 earlier successful cells were replayed"
    transcript.step(Step(SEGFAULT, ExecutionResult(Status.DIED, note=note, restarted=True, restored=True), ""))
    cell = nbformat.read(str(tmp_path / "run.ipynb"), as_version=4).cells[-1]
    assert cell.metadata["sciwand"]["note"] == note
    assert cell.outputs[-1]["text"] == f"[sciwand] {note}\n"
