"""After the user's own kernel dies, ``%load_ext assistant`` offers ``%ask_restore``, which replays its cells."""

from __future__ import annotations

import os
import time

from jupyter_client.manager import KernelManager

from assistant.inkernel.cell_journal import prune

from conftest import run_until


def stream_text(messages) -> str:
    return "".join(m["content"]["text"] for m in messages if m["msg_type"] == "stream")


def test_a_crashed_notebook_kernel_gets_its_variables_back(tmp_path):
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(cwd=str(tmp_path), env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")})
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        run_until(client, "w = 1")  # before the journal started: taken from the kernel's history
        assert run_until(client, "%load_ext assistant")[0] == "ok"
        for cell in ("x = 41", "open('notes.txt', 'a').write('written once\\n')", "y = x + 1", "1 / 0"):
            run_until(client, cell)
        client.execute("import os; os._exit(1)")  # the kernel dies, as with a segfault
        manager.provisioner.process.wait(timeout=30)
        manager.restart_kernel(now=True)  # what Jupyter does next; the kernel id stays the same
        client.wait_for_ready(timeout=60)

        status, messages = run_until(client, "%load_ext assistant")
        assert status == "ok" and "ended (a crash or a restart) after 4 successful cells" in stream_text(messages)
        status, messages = run_until(client, "%ask_restore")
        shown = stream_text(messages)
        assert "replayed 3 of 4 cells" in shown and "writes files" in shown
        assert stream_text(run_until(client, "print(w, x, y)")[1]) == "1 41 42\n"
        assert (tmp_path / "notes.txt").read_text() == "written once\n"  # not written again
        assert "nothing to restore" in stream_text(run_until(client, "%ask_restore")[1])  # offered once
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_journals_of_kernels_long_gone_are_pruned(tmp_path):
    old, recent = tmp_path / "gone.jsonl", tmp_path / "alive.jsonl"
    for path in (old, recent):
        path.write_text('{"pid": 1, "code": "x = 1"}\n')
    eight_days_ago = time.time() - 8 * 86400
    os.utime(old, (eight_days_ago, eight_days_ago))
    prune(tmp_path)
    assert not old.exists() and recent.exists()
