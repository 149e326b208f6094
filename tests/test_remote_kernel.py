"""A notebook's kernel on a real `jupyter server` subprocess, reached over HTTP and its kernel websocket alone."""

from __future__ import annotations

import os
import signal
import uuid

import pytest

from kernels import KernelSession, Status
from kernels.recovery import RecoveringKernel
from kernels.remote import JupyterServer, RemoteKernelError, RemoteKernelManager, notebook_kernel

from conftest import ServedJupyter, free_port, stdout_text, wait_for

SEGFAULT = "import ctypes\nctypes.string_at(0)"


def attach(served: ServedJupyter, notebook: str) -> KernelSession:
    return KernelSession.attach(notebook_kernel(JupyterServer(served.url, served.token), notebook))


def session_kernel(served: ServedJupyter, notebook: str) -> str:
    """The id of the kernel the server's sessions list for ``notebook``."""
    sessions = JupyterServer(served.url, served.token).request("GET", "/api/sessions")
    (kernel_id,) = [session["kernel"]["id"] for session in sessions if session["path"] == notebook]
    return kernel_id


def test_code_runs_in_the_notebooks_own_kernel_and_its_state_persists(served_jupyter):
    notebook = served_jupyter.notebook("analysis/state.ipynb", ["dose_mg = 21"])
    server = JupyterServer(served_jupyter.url, served_jupyter.token)
    manager = notebook_kernel(server, notebook)
    assert manager.kernel_id == session_kernel(served_jupyter, notebook)  # started a session, as JupyterLab would
    kernel = KernelSession.attach(manager)
    try:
        assert kernel.execute("total = 6 * 7").ok
        result = kernel.execute("print(total)\ntotal + 1")
        assert result.status is Status.OK and stdout_text(result) == "42\n"
        assert result.outputs[-1].data["text/plain"] == "43"
        assert isinstance(result.execution_count, int)
        assert kernel.evaluate("total") == 42
        # A second lookup finds the session's kernel, not a new one; the path as JupyterLab's Copy Path gives it.
        assert notebook_kernel(server, "RTC:" + notebook).kernel_id == manager.kernel_id
    finally:
        kernel.shutdown()


def test_a_segfault_is_a_death_and_the_recovery_restores_the_variables(served_jupyter):
    notebook = served_jupyter.notebook("crash.ipynb", [])
    kernel = attach(served_jupyter, notebook)
    kernel_id = session_kernel(served_jupyter, notebook)
    try:
        executor = RecoveringKernel(kernel)
        assert executor.execute("samples = [3, 4, 5]").ok
        result = executor.execute(SEGFAULT, timeout=60)
        assert result.status is Status.DIED
        assert result.restarted and result.restored, result.note
        assert kernel.restarts == 1
        assert stdout_text(executor.execute("print(sum(samples))")) == "12\n"
        assert session_kernel(served_jupyter, notebook) == kernel_id  # the server's kernel, restarted in place
    finally:
        kernel.shutdown()


def test_a_kernel_the_server_replaced_between_cells_is_reported_dead_not_run_empty(served_jupyter):
    manager = notebook_kernel(
        JupyterServer(served_jupyter.url, served_jupyter.token), served_jupyter.notebook("oom.ipynb", [])
    )
    kernel = KernelSession.attach(manager)
    try:
        executor = RecoveringKernel(kernel)
        assert executor.execute("samples = [1, 2]").ok
        os.kill(kernel.evaluate("__import__('os').getpid()"), signal.SIGKILL)  # as the OOM killer would
        wait_for(lambda: manager.execution_state == "restarting", 30, "the server to restart the killed kernel")
        result = executor.execute("print(sum(samples))")  # in the server's fresh kernel, a NameError
        assert result.status is Status.DIED and result.restored, result.note
        assert stdout_text(executor.execute("print(sum(samples))")) == "3\n"
    finally:
        kernel.shutdown()


def test_a_timeout_interrupts_and_keeps_the_variables(served_jupyter):
    kernel = attach(served_jupyter, served_jupyter.notebook("slow.ipynb", []))
    try:
        assert kernel.execute("kept = 'yes'").ok
        result = kernel.execute("import time\nwhile True:\n    time.sleep(0.05)", timeout=1.0)
        assert result.status is Status.TIMEOUT
        assert "variables are intact" in result.note
        assert kernel.restarts == 0
        assert kernel.evaluate("kept") == "yes"
    finally:
        kernel.shutdown()


def test_detaching_leaves_the_kernel_and_its_state_on_the_server(served_jupyter):
    notebook = served_jupyter.notebook("detach.ipynb", [])
    kernel = attach(served_jupyter, notebook)
    assert kernel.execute("left_behind = 7").ok
    kernel.shutdown()
    again = attach(served_jupyter, notebook)
    try:
        assert again.evaluate("left_behind") == 7
    finally:
        again.shutdown()


def one_line_error(server: JupyterServer, notebook: str) -> str:
    with pytest.raises(RemoteKernelError) as raised:
        notebook_kernel(server, notebook)
    message = str(raised.value)
    assert "\n" not in message
    return message


def test_a_wrong_token_a_missing_notebook_and_no_server_are_clear_errors(served_jupyter):
    notebook = served_jupyter.notebook("errors.ipynb", [])
    wrong_token = one_line_error(JupyterServer(served_jupyter.url, "not-the-token"), notebook)
    assert wrong_token.startswith(f"the Jupyter server at {served_jupyter.url} refused the token (HTTP 403)")
    missing = one_line_error(JupyterServer(served_jupyter.url, served_jupyter.token), "nowhere/missing.ipynb")
    assert missing == f"no notebook 'nowhere/missing.ipynb' on the Jupyter server at {served_jupyter.url}"
    nobody = f"http://127.0.0.1:{free_port()}"
    unreachable = one_line_error(JupyterServer(nobody, served_jupyter.token), notebook)
    assert unreachable.startswith(f"cannot reach the Jupyter server at {nobody}: ")


def test_a_kernel_gone_from_the_server_is_a_clear_error(served_jupyter):
    gone = RemoteKernelManager(JupyterServer(served_jupyter.url, served_jupyter.token), str(uuid.uuid4()))
    with pytest.raises(RemoteKernelError, match=r"^the Jupyter server at .* answered the websocket of kernel .* 404"):
        KernelSession.attach(gone)
