"""KernelSession against real ipykernels: outputs, errors, hangs, deaths, limits, environment, cleanup."""

from __future__ import annotations

import base64
import json
import os
import time

import psutil
import pytest

from kernels import AsyncKernelSession, KernelConfig, KernelSession, Output, Status
from kernels.environment import kernel_environment, looks_secret

from conftest import stdout_text, wait_for

# A valid 1x1 PNG.
TINY_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def streams(result) -> list[tuple[str | None, str | None]]:
    return [(o.name, o.text) for o in result.outputs if o.output_type == "stream"]


def process_gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.fixture(scope="module")
def limited_kernel(tmp_path_factory):
    config = KernelConfig(
        cwd=tmp_path_factory.mktemp("limited"), output_limit_chars=10_000, memory_limit_bytes=2 * 1024**3
    )
    session = KernelSession(config).start()
    yield session
    session.shutdown()


# -- outputs ----------------------------------------------------------------------------------------


def test_stdout_and_stderr_keep_their_order(kernel):
    code = [
        "import sys",
        "print('one', flush=True)",
        "print('two', file=sys.stderr, flush=True)",
        "print('three', flush=True)",
    ]
    result = kernel.execute("\n".join(code))
    assert result.status is Status.OK
    assert result.error is None
    assert streams(result) == [("stdout", "one\n"), ("stderr", "two\n"), ("stdout", "three\n")]


def test_last_expression_is_an_execute_result(kernel):
    result = kernel.execute("print('side')\n6 * 7")
    assert result.ok
    assert [o.output_type for o in result.outputs] == ["stream", "execute_result"]
    assert result.outputs[-1].data["text/plain"] == "42"
    assert result.outputs[-1].plain_text() == "42"


def test_display_data_carries_png(kernel):
    code = (
        "import base64\n"
        "from IPython.display import Image, display\n"
        f"display(Image(data=base64.b64decode({base64.b64encode(TINY_PNG).decode()!r})))"
    )
    result = kernel.execute(code)
    assert result.ok
    [image] = [o for o in result.outputs if o.output_type == "display_data"]
    assert base64.b64decode(image.data["image/png"]) == TINY_PNG


def test_matplotlib_figure_is_an_inline_png(kernel):
    result = kernel.execute("import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()")
    assert result.ok, result.error
    images = [o for o in result.outputs if "image/png" in o.data]
    assert len(images) == 1
    assert images[0].output_type == "display_data"
    assert base64.b64decode(images[0].data["image/png"]).startswith(PNG_SIGNATURE)


def test_dataframe_gives_a_rich_bundle_with_html(kernel):
    result = kernel.execute("import pandas as pd\npd.DataFrame({'mass': [1.5, 2.5]}, index=['a', 'b'])")
    assert result.ok
    [bundle] = result.outputs
    assert bundle.output_type == "execute_result"
    assert "<table" in bundle.data["text/html"]
    assert "mass" in bundle.data["text/plain"]


def test_error_has_name_value_and_plain_traceback(kernel):
    result = kernel.execute("print('before')\ndef divide(x):\n    return x / 0\ndivide(1)")
    assert result.status is Status.ERROR
    assert not result.ok
    assert result.error is not None
    assert result.error.ename == "ZeroDivisionError"
    assert result.error.evalue == "division by zero"
    assert result.error.traceback
    assert all("\x1b" not in line for line in result.error.traceback)
    assert any("Cell In[" in line for line in result.error.traceback)
    assert result.error.traceback[-1].startswith("ZeroDivisionError")
    assert stdout_text(result) == "before\n"  # output before the error is kept


def test_execution_count_increases_and_duration_is_measured(kernel):
    first = kernel.execute("1")
    second = kernel.execute("2")
    assert first.execution_count is not None
    assert second.execution_count == first.execution_count + 1
    assert first.duration > 0
    assert second.duration > 0


def test_evaluate_reads_a_value_back_without_a_trace_in_the_kernel(kernel):
    kernel.execute("molecules = {'water': 18.015}")
    count = kernel.execute("1").execution_count
    assert kernel.evaluate("sorted(molecules.items())") == [["water", 18.015]]
    assert kernel.evaluate("undefined_name") is None  # raised in the kernel: None, never an exception here
    assert kernel.evaluate("object()") is None  # not JSON-able
    assert kernel.execute("len(In)").outputs[0].data["text/plain"] == str(count + 2)  # no history entry (In[0] is "")
    assert kernel.execute("2").execution_count == count + 2  # the counter moved for cells only


def test_working_directory_is_the_configured_cwd(kernel):
    result = kernel.execute("import os\nprint(os.getcwd())")
    assert os.path.realpath(stdout_text(result).strip()) == os.path.realpath(kernel.session.config.cwd)


# -- hangs, interrupts and deaths -------------------------------------------------------------------


def test_timeout_interrupts_and_keeps_state(kernel):
    assert kernel.execute("kept_before_hang = 41").ok
    started = time.monotonic()
    result = kernel.execute("while True:\n    pass", timeout=1)
    elapsed = time.monotonic() - started
    assert result.status is Status.TIMEOUT
    assert elapsed < 1 + 3
    assert "intact" in result.note
    assert result.error is not None and result.error.ename == "KeyboardInterrupt"
    after = kernel.execute("print(kept_before_hang + 1)")
    assert after.ok
    assert stdout_text(after) == "42\n"


def test_interrupted_request_does_not_leak_into_the_next(kernel):
    hung = kernel.execute(
        "import time\nwhile True:\n    print('tick', flush=True)\n    time.sleep(0.005)",
        timeout=1,
    )
    assert hung.status is Status.TIMEOUT
    assert "intact" in hung.note
    assert "tick" in stdout_text(hung)
    result = kernel.execute("print('mine')")
    assert result.ok
    assert result.outputs == [Output("stream", name="stdout", text="mine\n")]


def test_ignored_interrupt_restarts_the_kernel(make_kernel):
    session = make_kernel(interrupt_grace_s=0.5)
    assert session.execute("lost_on_restart = 1").ok
    old_pid = session.pid
    result = session.execute(
        "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass",
        timeout=1,
    )
    assert result.status is Status.TIMEOUT
    assert "restarted" in result.note
    assert session.pid != old_pid
    assert process_gone(old_pid)
    assert stdout_text(session.execute("print('alive')")) == "alive\n"
    gone = session.execute("lost_on_restart")
    assert gone.status is Status.ERROR
    assert gone.error is not None and gone.error.ename == "NameError"


def test_death_is_detected_quickly_and_restart_recovers(make_kernel):
    session = make_kernel()
    started = time.monotonic()
    result = session.execute("import os\nos._exit(1)", timeout=60)
    elapsed = time.monotonic() - started
    assert result.status is Status.DIED
    assert elapsed < 5
    assert "died" in result.note
    assert not session.is_alive()
    session.restart()
    assert session.is_alive()
    assert stdout_text(session.execute("print('back')")) == "back\n"


# -- limits -----------------------------------------------------------------------------------------


def test_output_flood_is_capped_and_counted(limited_kernel):
    result = limited_kernel.execute("print('x' * 1_000_000)")
    assert result.ok
    kept = sum(len(o.text or "") + sum(len(str(v)) for v in o.data.values()) for o in result.outputs)
    assert kept < 20_000
    assert result.truncated_chars > 0
    stdout = stdout_text(result)
    assert len(stdout) + result.truncated_chars == 1_000_001  # every character is kept or counted
    marker = result.outputs[-1]
    assert marker.name == "stderr"
    assert f"{result.truncated_chars} characters of output dropped" in (marker.text or "")


def test_memory_limit_turns_a_huge_allocation_into_memory_error(limited_kernel):
    result = limited_kernel.execute("b = bytearray(8 * 1024**3)")
    assert result.status is Status.ERROR
    assert result.error is not None and result.error.ename == "MemoryError"
    after = limited_kernel.execute("print(sum(range(10)))")
    assert after.ok
    assert stdout_text(after) == "45\n"


# -- environment ------------------------------------------------------------------------------------


def test_kernel_environment_filters_an_explicit_parent():
    parent = {
        "PATH": "/opt/bin:/usr/bin",
        "HOME": "/home/someone",
        "LC_ALL": "C.UTF-8",
        "XDG_DATA_HOME": "/data",
        "OPENAI_API_KEY": "sk-secret",
        "ANTHROPIC_API_KEY": "sk-ant-secret",
        "MY_SERVICE_TOKEN": "tok",
        "JUPYTER_TOKEN": "allowed-prefix-but-secret",
        "AWS_SECRET_ACCESS_KEY": "aws",
        "DATABASE_PASSWORD": "pw",
        "RANDOM_SETTING": "not-allowlisted",
    }
    env = kernel_environment(parent, extra={"MY_EXPLICIT": "given"})
    assert env["PATH"] == "/opt/bin:/usr/bin"
    assert env["HOME"] == "/home/someone"
    assert env["LC_ALL"] == "C.UTF-8"
    assert env["XDG_DATA_HOME"] == "/data"
    assert env["MY_EXPLICIT"] == "given"
    for name in (
        "OPENAI_API_KEY",
        "ANTHROPIC_API_KEY",
        "MY_SERVICE_TOKEN",
        "JUPYTER_TOKEN",
        "AWS_SECRET_ACCESS_KEY",
        "DATABASE_PASSWORD",
        "RANDOM_SETTING",
    ):
        assert name not in env
    assert not any(looks_secret(name) for name in set(env) - {"MY_EXPLICIT"})


def test_kernel_environment_supplies_a_path():
    env = kernel_environment({"HOME": "/h"})
    assert env["PATH"] == os.defpath
    assert "HOME" in env


def test_kernel_environment_passes_explicit_extra_through():
    env = kernel_environment({"PATH": "/bin"}, extra={"PATH": "/custom", "SERVICE_TOKEN": "chosen"})
    assert env["PATH"] == "/custom"
    assert env["SERVICE_TOKEN"] == "chosen"


def test_parent_secrets_never_reach_the_kernel(make_kernel, monkeypatch):
    secrets = {"OPENAI_API_KEY": "sk-test-1", "ANTHROPIC_API_KEY": "sk-ant-2", "MY_SERVICE_TOKEN": "tok-3"}
    for name, value in secrets.items():
        monkeypatch.setenv(name, value)
    session = make_kernel()
    result = session.execute("import json, os\nprint(json.dumps(dict(os.environ)))")
    kernel_env = json.loads(stdout_text(result))
    assert "PATH" in kernel_env
    for name, value in secrets.items():
        assert name not in kernel_env
        assert value not in kernel_env.values()


# -- lifecycle --------------------------------------------------------------------------------------


def test_shutdown_leaves_no_processes_and_is_idempotent(tmp_path):
    session = KernelSession(KernelConfig(cwd=tmp_path)).start()
    try:
        kernel_pid = session.pid
        assert kernel_pid is not None and psutil.pid_exists(kernel_pid)
        result = session.execute("import subprocess\nchild = subprocess.Popen(['sleep', '300'])\nprint(child.pid)")
        child_pid = int(stdout_text(result))
        assert psutil.Process(child_pid).ppid() == kernel_pid
    finally:
        session.shutdown()
    assert process_gone(kernel_pid)
    assert process_gone(child_pid)
    assert session.pid is None
    session.shutdown()  # a second shutdown is a no-op


def test_context_manager_starts_and_stops(tmp_path):
    with KernelSession(KernelConfig(cwd=tmp_path)) as session:
        pid = session.pid
        assert session.is_alive()
        assert stdout_text(session.execute("print('inside')")) == "inside\n"
    assert process_gone(pid)


async def test_async_session_runs_code_and_shuts_down(tmp_path):
    session = AsyncKernelSession(KernelConfig(cwd=tmp_path))
    await session.start()
    try:
        assert await session.is_alive()
        result = await session.execute("value = 3\nprint(value * 2)\nvalue")
        assert result.ok
        assert [o.output_type for o in result.outputs] == ["stream", "execute_result"]
        assert result.outputs[0].text == "6\n"
        assert result.outputs[1].data["text/plain"] == "3"
        timed_out = await session.execute("import time\ntime.sleep(30)", timeout=0.5)
        assert timed_out.status is Status.TIMEOUT
        again = await session.execute("print(value)")
        assert again.outputs[0].text == "3\n"
        pid = session.pid
    finally:
        await session.shutdown()
    assert process_gone(pid)
    assert session.pid is None
    await session.shutdown()


async def test_sync_facade_works_inside_a_running_event_loop(kernel):
    # The facade runs its own loop in a thread, so a caller that already runs a loop (Jupyter) can use it.
    result = kernel.execute("print('from a loop')")
    assert stdout_text(result) == "from a loop\n"


def test_shutdown_from_another_thread_ends_a_pending_execute(make_kernel, tmp_path):
    import concurrent.futures
    import threading

    session = make_kernel()
    running = tmp_path / "running"
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(session.execute(f"open({str(running)!r}, 'w').close()\nwhile True: pass", timeout=600))
        except concurrent.futures.CancelledError as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    wait_for(running.exists, 30, "the execute to start")  # the kernel is inside the loop once the file exists
    session.shutdown()
    worker.join(timeout=30)
    assert not worker.is_alive(), "execute still blocked after shutdown"
    [result] = outcome
    assert isinstance(result, concurrent.futures.CancelledError) or result.status is Status.DIED


async def test_two_sessions_attached_to_one_kernel_in_one_process_both_get_their_replies(tmp_path):
    """The panel and the Jupyter AI persona may attach to one notebook kernel in the server's process at once:
    each must get its own replies (with the manager's one Session, both had one ZeroMQ identity)."""
    from jupyter_client.manager import AsyncKernelManager

    manager = AsyncKernelManager()
    await manager.start_kernel(cwd=str(tmp_path))
    first, second = AsyncKernelSession(KernelConfig(startup_timeout_s=20)), AsyncKernelSession()
    try:
        await first.attach(manager)
        await second.attach(manager)
        assert (await first.execute("shared = 20", timeout=20)).ok
        from_second = await second.execute("print(shared + 1)", timeout=20)
        from_first = await first.execute("print(shared + 2)", timeout=20)
        assert (stdout_text(from_second), stdout_text(from_first)) == ("21\n", "22\n")
    finally:
        await first.shutdown()
        await second.shutdown()
        await manager.shutdown_kernel(now=True)
