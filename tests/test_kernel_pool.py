"""The kernel pool: forked kernels that are ready, isolated, limited, replaced when dead, and never orphaned."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import psutil
import pytest

from kernels import KernelConfig, Status
from kernels.pool import KernelPool, PoolClosed

GIB = 1024**3


@pytest.fixture(scope="module")
def pool(tmp_path_factory):
    config = KernelConfig(cwd=tmp_path_factory.mktemp("idle"), memory_limit_bytes=4 * GIB)
    with KernelPool(2, config, preload="import json, decimal\nimport numpy") as pool:
        yield pool


def family(pool: KernelPool) -> list[psutil.Process]:
    """The zygote and every kernel it forked."""
    zygote = psutil.Process(pool.fork_server_pid)
    return [zygote, *zygote.children(recursive=True)]


def test_kernel_is_ready_with_preloaded_modules_in_its_own_directory(pool, tmp_path):
    kernel = pool.acquire(cwd=tmp_path / "task")
    try:
        result = kernel.execute("import os, sys\nprint('numpy' in sys.modules, os.getcwd())")
        assert result.status is Status.OK
        assert result.outputs[0].text == f"True {tmp_path / 'task'}\n"
    finally:
        pool.release(kernel)


def test_no_task_sees_another_tasks_state(pool, tmp_path):
    first = pool.acquire(cwd=tmp_path)
    first.execute("secret = 42\nimport sys; sys.modules['json'].leak = True")
    first_pid = first.pid
    pool.release(first)
    for _ in range(3):  # whichever kernels come next, none is the first one again
        kernel = pool.acquire(cwd=tmp_path)
        result = kernel.execute("import json\nprint('secret' in dir(), hasattr(json, 'leak'))")
        assert kernel.pid != first_pid
        assert result.outputs[0].text == "False False\n"
        pool.release(kernel)


def test_forked_kernel_keeps_limits_timeouts_and_restarts(pool, tmp_path):
    kernel = pool.acquire(cwd=tmp_path)
    try:
        limit = kernel.execute("import resource; print(resource.getrlimit(resource.RLIMIT_AS)[0])")
        assert limit.outputs[0].text == f"{4 * GIB}\n"
        assert kernel.execute("import time; time.sleep(30)", timeout=0.5).status is Status.TIMEOUT
        died = kernel.execute("import os; os._exit(1)")
        assert died.status is Status.DIED
        kernel.restart()  # a fresh fork from the zygote, in the same place
        assert kernel.execute("print('back')").outputs[0].text == "back\n"
    finally:
        pool.release(kernel)


def test_a_kernel_that_died_while_waiting_is_replaced(pool, tmp_path):
    waiting = psutil.Process(pool.fork_server_pid).children()  # the kernels forked and not yet handed out
    for process in waiting:
        with contextlib.suppress(psutil.NoSuchProcess):  # one may be a released kernel, already gone
            process.kill()
    psutil.wait_procs(waiting, timeout=10)
    kernel = pool.acquire(cwd=tmp_path)
    try:
        assert kernel.pid not in {p.pid for p in waiting}
        assert kernel.execute("print(1)").status is Status.OK
    finally:
        pool.release(kernel)


def test_shutdown_leaves_no_process(tmp_path):
    pool = KernelPool(2, KernelConfig(cwd=tmp_path)).start()
    pool.release(pool.acquire())
    processes = family(pool)
    assert len(processes) >= 2
    pool.shutdown()
    _, alive = psutil.wait_procs(processes, timeout=15)
    assert alive == []
    with pytest.raises(PoolClosed):
        pool.acquire()


def test_a_killed_owner_leaves_no_orphan_kernels(tmp_path):
    """SIGKILL the program that owns the pool: the zygote sees its stdin close and kills every kernel."""
    script = textwrap.dedent(
        f"""
        import json, sys, psutil
        from pathlib import Path
        from kernels import KernelConfig
        from kernels.pool import KernelPool
        pool = KernelPool(2, KernelConfig(cwd=Path({str(tmp_path)!r}))).start()
        kernel = pool.acquire()
        zygote = psutil.Process(pool.fork_server_pid)
        print(json.dumps([p.pid for p in [zygote, *zygote.children(recursive=True)]]), flush=True)
        sys.stdin.read()
        """
    )
    owner = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    pids = json.loads(owner.stdout.readline())
    processes = [psutil.Process(pid) for pid in pids]
    owner.kill()
    owner.wait()
    gone, alive = psutil.wait_procs(processes, timeout=15)
    assert alive == []
    assert len(gone) >= 2


def test_pool_rejects_a_size_of_zero():
    with pytest.raises(ValueError, match="at least one"):
        KernelPool(0)


def test_bad_preload_is_a_clear_error(tmp_path):
    from kernels.forking import ForkServerError

    with pytest.raises(ForkServerError, match="ModuleNotFoundError"):
        KernelPool(1, KernelConfig(cwd=Path(tmp_path)), preload="import no_such_module_here").start()
