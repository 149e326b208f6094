"""Dropped websockets reconnect with backoff, against real servers whose connections are really cut: a real
`jupyter server` subprocess (with jupyter-collaboration for the shared document) behind a TCP proxy on
127.0.0.1 that resets every connection through it and stops listening for a while (``DroppingProxy``)."""

from __future__ import annotations

import threading
import time

import pytest

from assistant.mcp_server.attach import attach_notebook
from assistant.mcp_server.collab import SharedNotebook
from kernels import KernelSession
from kernels.remote import Backoff, ConnectionDropped, JupyterServer, RemoteKernelError, notebook_kernel

from conftest import saved_sources, stdout_text, wait_for

# Small waits, so a test sees several attempts in seconds; the defaults (0.5 s doubling to 8 s, 10 attempts,
# 60 s) are for people.
QUICK = Backoff(first_s=0.1, max_wait_s=0.4, attempts=40, total_s=15.0)


def attach_through(proxy, served, notebook: str, backoff: Backoff = QUICK) -> KernelSession:
    server = JupyterServer(proxy.url, served.token, backoff)
    return KernelSession.attach(notebook_kernel(server, notebook))


def later(seconds: float, action) -> threading.Thread:
    thread = threading.Thread(target=lambda: (time.sleep(seconds), action()), daemon=True)
    thread.start()
    return thread


def test_the_kernels_socket_reconnects_after_a_drop_and_the_state_is_there(served_jupyter, dropping_proxy):
    proxy = dropping_proxy(served_jupyter.url)
    kernel = attach_through(proxy, served_jupyter, served_jupyter.notebook("drop/between.ipynb", []))
    try:
        assert kernel.execute("kept = 41").ok
        client = kernel.session._client
        proxy.close()  # every connection reset, and nobody listening for a while
        reopened = later(1.0, proxy.listen)
        # Asked while the server is away: the request waits for the new socket, then runs.
        result = kernel.execute("print(kept + 1)", timeout=30)
        reopened.join()
        assert result.ok and stdout_text(result) == "42\n"
        assert client.reconnects == 1 and kernel.session._client is client  # the same client, reconnected
        assert proxy.accepted >= 3  # the first socket, refused attempts or none, the REST calls, the new socket
    finally:
        kernel.shutdown()


def test_a_cell_in_flight_when_the_socket_drops_is_reported_and_the_next_one_runs(served_jupyter, dropping_proxy):
    proxy = dropping_proxy(served_jupyter.url)
    kernel = attach_through(proxy, served_jupyter, served_jupyter.notebook("drop/in-flight.ipynb", []))
    try:
        assert kernel.execute("import time\nbefore = 1").ok
        later(1.0, proxy.cut)
        with pytest.raises(ConnectionDropped) as dropped:
            kernel.execute("time.sleep(3)\nafter = 2", timeout=60)
        message = str(dropped.value)
        assert "\n" not in message
        assert message.startswith("the connection to kernel ") and "dropped while a request was in flight" in message
        assert "may have run" in message
        # Reconnected: the kernel is the same, and the dropped cell did run in it.
        wait_for(lambda: kernel.evaluate("globals().get('after')") == 2, 30, "the dropped cell to finish")
        result = kernel.execute("print(before + after)")
        assert stdout_text(result) == "3\n"
    finally:
        kernel.shutdown()


def test_reconnecting_gives_up_within_its_bounds_with_one_clear_line(served_jupyter, dropping_proxy):
    proxy = dropping_proxy(served_jupyter.url)
    backoff = Backoff(first_s=0.2, max_wait_s=0.8, attempts=4, total_s=10.0)
    kernel = attach_through(proxy, served_jupyter, served_jupyter.notebook("drop/gone.ipynb", []), backoff)
    try:
        assert kernel.execute("x = 1").ok
        proxy.close()  # and never back
        started = time.monotonic()
        with pytest.raises(RemoteKernelError) as lost:
            kernel.execute("print(x)", timeout=60)
        elapsed = time.monotonic() - started
        message = str(lost.value)
        assert "\n" not in message
        assert message.startswith("lost the connection to kernel ")
        assert "gave up reconnecting after 4 attempts in " in message and "cannot reach" in message
        assert 0.2 + 0.4 + 0.8 + 0.8 <= elapsed < 10  # four waits, doubling to the cap: bounded, not endless
        with pytest.raises(RemoteKernelError) as again:  # and the next call is a clear error too, not a hang
            kernel.execute("print(x)")
        assert "\n" not in str(again.value)
    finally:
        kernel.shutdown()


def test_the_shared_documents_socket_reconnects_and_no_cell_is_lost_or_doubled(served_collab, dropping_proxy):
    """With jupyter-collaboration: cells added while the room's socket is down arrive once it is back."""
    proxy = dropping_proxy(served_collab.url)
    notebook = served_collab.notebook("drop/shared.ipynb", ["from_the_user = 1"])
    attached = attach_notebook(proxy.url, served_collab.token, notebook, backoff=QUICK)
    try:
        assert attached.shared is not None
        first = attached.kernel.execute("print('first')")
        assert attached.record("print('first')", first) is None
        proxy.close()
        reopened = later(1.5, proxy.listen)
        # The kernel's socket and the room's both reconnect; the cell waits for the room, then goes in.
        second = attached.kernel.execute("print('second')", timeout=60)
        assert attached.record("print('second')", second) is None
        reopened.join()
        proxy.cut()  # a bare drop, the proxy listening: in at the next attempt
        third = attached.kernel.execute("print('third')", timeout=60)
        assert attached.record("print('third')", third) is None
        assert attached.shared.reconnects >= 2

        direct = SharedNotebook.open(JupyterServer(served_collab.url, served_collab.token), notebook)
        try:
            sources = [cell["source"] for cell in direct.cells()]
        finally:
            direct.close()
        assert sources == ["from_the_user = 1", "print('first')", "print('second')", "print('third')"]
    finally:
        attached.close()
    # The server, not sciwand, writes the file: its autosave follows the document within seconds.
    wait_for(
        lambda: len(saved_sources(served_collab.root / notebook) or []) == 4, 30, "the server to save the document"
    )


def test_a_cell_the_shared_document_cannot_take_is_reported_not_lost(served_collab, dropping_proxy):
    proxy = dropping_proxy(served_collab.url)
    notebook = served_collab.notebook("drop/away.ipynb", [])
    backoff = Backoff(first_s=0.1, max_wait_s=0.2, attempts=3, total_s=5.0)
    attached = attach_notebook(proxy.url, served_collab.token, notebook, backoff=backoff)
    try:
        result = attached.kernel.execute("print(1)")
        proxy.close()  # and never back: neither the room nor the contents API can take the cell
        notice = attached.record("print(1)", result)
        assert notice is not None and "\n" not in notice
        assert notice.startswith("the cell could not be added to the notebook's shared document: lost the connection")
        assert notice.endswith("it is in this session's transcript only")
    finally:
        attached.close()
