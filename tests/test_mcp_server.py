"""`sciwand mcp` end to end: the MCP SDK's own client drives the server over stdio (and streamable HTTP), with
real kernels. State persists, a segfault is recovered with the variables back, a 200 MB print is capped, an
image comes back as image content, bad input is a clear error, and no kernel outlives the server."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import time
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import httpx
import nbformat
import psutil
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult, CancelledNotification, CancelledNotificationParams, ClientNotification
from nbclient import NotebookClient

from assistant.config import Settings
from assistant.errors import InputError
from assistant.mcp_server.registry import KernelRegistry

from conftest import SCIWAND, free_port, mcp_client, python_block, run, server_params


def text(result: CallToolResult) -> str:
    return result.content[0].text  # type: ignore[union-attr]


def mcp_server_process() -> psutil.Process:
    """The `sciwand mcp` child of this test process (the stdio client started it)."""
    found = [
        child
        for child in psutil.Process().children(recursive=True)
        if "mcp" in child.cmdline() and any(part.endswith("sciwand") for part in child.cmdline())
    ]
    assert len(found) == 1, found
    return found[0]


def wait_until_gone(pids: list[int], seconds: float = 30) -> list[int]:
    """The pids still running (not zombies) after waiting up to ``seconds`` for all to end."""
    deadline = time.monotonic() + seconds
    while True:
        alive = []
        for pid in pids:
            try:
                if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                    alive.append(pid)
            except psutil.NoSuchProcess:
                pass
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.1)


async def kernel_pid(client: ClientSession, session: str = "default") -> int:
    result = await client.call_tool("execute", {"code": "import os\nprint(os.getpid())", "session": session})
    return int(result.structuredContent["output"])


def test_state_persists_and_failures_are_results_the_agent_can_act_on(tmp_path):
    async def test() -> None:
        async with mcp_client(server_params(tmp_path)) as client:
            names = {tool.name for tool in (await client.list_tools()).tools}
            assert names == {"execute", "variables", "catalog", "ask", "export_notebook", "restart", "shutdown"}

            first = await client.call_tool("execute", {"code": "mw = Descriptors.MolWt(Chem.MolFromSmiles('CCO'))"})
            assert not first.isError, text(first)
            second = await client.call_tool("execute", {"code": "print(round(mw, 2))"})
            assert second.structuredContent["output"] == "46.07\n"
            assert "46.07" in text(second)

            # a second session is a second kernel: it does not see the first one's variables
            other = await client.call_tool("execute", {"code": "print(mw)", "session": "other"})
            assert other.isError and other.structuredContent["error"].startswith("NameError")
            assert await kernel_pid(client) != await kernel_pid(client, "other")

            variables = await client.call_tool("variables", {})
            assert {"name": "mw", "summary": "float"} in variables.structuredContent["variables"]

            failed = await client.call_tool("execute", {"code": "Chem.MolFromSmiles('C1CC').GetNumAtoms()"})
            assert failed.isError
            assert failed.structuredContent["status"] == "error"
            assert failed.structuredContent["error"].startswith("AttributeError: 'NoneType'")
            assert failed.structuredContent["hints"], "an invalid SMILES has a catalog pitfall"
            assert "hint:" in text(failed)

    run(test)


def test_a_segfault_is_recovered_with_the_variables_back(tmp_path):
    async def test() -> None:
        async with mcp_client(server_params(tmp_path)) as client:
            await client.call_tool("execute", {"code": "kept = [1, 2, 3]"})
            before = await kernel_pid(client)
            crashed = await client.call_tool("execute", {"code": "import ctypes\nctypes.string_at(0)"})
            fields = crashed.structuredContent
            assert crashed.isError and fields["status"] == "died"
            assert fields["restarted"] and fields["restored"], fields
            assert "SIGSEGV" in fields["note"] and "variables from before this cell are back" in fields["note"]
            back = await client.call_tool("execute", {"code": "print(sum(kept))"})
            assert back.structuredContent["output"] == "6\n"
            assert await kernel_pid(client) != before

    run(test)


def test_a_200_mb_print_is_capped_and_the_kernel_lives_on(tmp_path):
    async def test() -> None:
        async with mcp_client(server_params(tmp_path)) as client:
            await client.call_tool("execute", {"code": "n = 7"})
            huge = await client.call_tool("execute", {"code": "print('x' * 200_000_000)\nprint('the end')"})
            fields = huge.structuredContent
            assert fields["status"] == "ok"
            assert fields["output_chars"] >= 200_000_000  # counted, not sent
            assert len(text(huge)) < 30_000 and len(fields["output"]) < 30_000
            assert "characters omitted" in fields["output"] or "dropped" in fields["output"]
            after = await client.call_tool("execute", {"code": "print(n * 6)"})
            assert after.structuredContent["output"] == "42\n"

    run(test)


def test_an_image_comes_back_as_image_content(tmp_path):
    async def test() -> None:
        async with mcp_client(server_params(tmp_path)) as client:
            code = "import matplotlib.pyplot as plt\nplt.plot([1, 4, 9])\nplt.show()"
            result = await client.call_tool("execute", {"code": code})
            kinds = [block.type for block in result.content]
            assert kinds == ["text", "image"], kinds
            image = result.content[1]
            assert image.mimeType == "image/png"
            import base64

            assert base64.b64decode(image.data).startswith(b"\x89PNG")
            assert result.structuredContent["images"] == 1

    run(test)


def test_bad_input_gets_a_clear_error_and_the_server_carries_on(tmp_path):
    async def test() -> None:
        async with mcp_client(server_params(tmp_path)) as client:
            cases = [
                ("execute", {"code": "   "}, "code is empty"),
                ("execute", {"code": "1", "session": "../etc"}, "session name '../etc'"),
                ("execute", {"code": "1", "timeout": -1}, "timeout must be between 0 and"),
                ("variables", {"session": "never-made"}, "no session 'never-made'"),
                ("restart", {"session": "never-made"}, "no session 'never-made'"),
                ("shutdown", {"session": "never-made"}, "no session 'never-made'"),
                ("catalog", {"query": "gc content", "domain": "geology"}, "use one of chemistry, biology"),
                ("export_notebook", {"session": "never-made", "path": "x.ipynb"}, "no session 'never-made'"),
            ]
            for tool, arguments, message in cases:
                result = await client.call_tool(tool, arguments)
                assert result.isError, (tool, arguments)
                assert message in text(result), text(result)
            await client.call_tool("execute", {"code": "x = 1"})
            result = await client.call_tool("export_notebook", {"session": "default", "path": "out.txt"})
            assert result.isError and "must end in .ipynb" in text(result)
            slow = await client.call_tool("execute", {"code": "import time\ntime.sleep(60)", "timeout": 1})
            assert slow.structuredContent["status"] == "timeout"
            assert "variables are intact" in slow.structuredContent["note"]
            ok = await client.call_tool("execute", {"code": "print(x + 1)"})
            assert ok.structuredContent["output"] == "2\n"

    run(test)


def test_a_cancelled_call_interrupts_its_cell(tmp_path):
    """The client's stop (notifications/cancelled) interrupts the running cell; the kernel and variables stay."""
    marker = tmp_path / "work" / "started"

    async def test() -> None:
        async with mcp_client(server_params(tmp_path)) as client:
            await client.call_tool("execute", {"code": "kept = 'still here'"})
            request_id = client._request_id  # the id the next request gets (the SDK counts them)
            code = "open('started', 'w').close()\nimport time\ntime.sleep(600)\nfinished = True"
            running = asyncio.create_task(client.call_tool("execute", {"code": code}))
            deadline = time.monotonic() + 60
            while not marker.exists():
                assert time.monotonic() < deadline and not running.done()
                await asyncio.sleep(0.05)
            cancel = CancelledNotification(params=CancelledNotificationParams(requestId=request_id, reason="stop"))
            await client.send_notification(ClientNotification(cancel))
            running.cancel()  # a cancelled request gets no response
            started = time.monotonic()
            after = await client.call_tool("execute", {"code": "print(kept, 'finished' in globals())"})
            assert after.structuredContent["output"] == "still here False\n"
            assert time.monotonic() - started < 30  # not after the 600 s sleep

    run(test)


def test_restart_shutdown_and_an_exported_notebook_that_reruns(tmp_path):
    async def test() -> None:
        async with mcp_client(server_params(tmp_path)) as client:
            await client.call_tool("execute", {"code": "seq = Seq('ATGGCC')"})
            await client.call_tool("execute", {"code": "undefined_name"})  # a failed cell: tagged, re-runs
            await client.call_tool("execute", {"code": "print(gc_fraction(seq))"})
            saved = await client.call_tool("export_notebook", {"session": "default", "path": "session.ipynb"})
            path = Path(saved.structuredContent["path"])
            assert path == tmp_path / "work" / "session.ipynb"

            restarted = await client.call_tool("restart", {"session": "default"})
            assert not restarted.isError
            gone = await client.call_tool("execute", {"code": "seq"})
            assert gone.structuredContent["error"].startswith("NameError")
            helpers = await client.call_tool("execute", {"code": "print(type(chem).__name__)"})
            assert helpers.structuredContent["output"] == "module\n"

            await client.call_tool("execute", {"code": "1", "session": "spare"})
            pid = await kernel_pid(client, "spare")
            assert not (await client.call_tool("shutdown", {"session": "spare"})).isError
            assert wait_until_gone([pid]) == []
            assert (await client.call_tool("variables", {"session": "spare"})).isError

        notebook = nbformat.read(path, as_version=4)
        sources = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
        assert sources[0] == "from domain_tools.preamble import *"
        assert sources[1:] == ["seq = Seq('ATGGCC')", "undefined_name", "print(gc_fraction(seq))"]
        assert notebook.cells[2].metadata["tags"] == ["raises-exception"]
        NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
        assert notebook.cells[3].outputs[0]["text"] == "0.6666666666666666\n"

    run(test)


def test_no_kernel_is_left_after_the_client_disconnects_or_the_server_is_killed(tmp_path):
    async def disconnect() -> list[int]:
        async with mcp_client(server_params(tmp_path)) as client:
            pids = [await kernel_pid(client, name) for name in ("default", "second")]
        return pids  # the client closed the server's stdin and waited for it to exit

    pids = asyncio.run(disconnect())
    assert wait_until_gone(pids, 5) == [], "kernels outlived a disconnected client"

    assert kill_the_server(tmp_path, signal.SIGKILL) == [], "kernels outlived a killed server"


def kill_the_server(tmp_path: Path, signum: int) -> list[int]:
    """Start two kernels, send the server ``signum``; the kernels still running once they had 15 s to end."""
    pids: list[int] = []

    async def start_then_signal() -> None:
        async with mcp_client(server_params(tmp_path)) as client:
            pids.extend([await kernel_pid(client, name) for name in ("default", "second")])
            server = mcp_server_process()
            server.send_signal(signum)
            server.wait(30)

    with contextlib.suppress(Exception):  # the client may see its server vanish mid-call: not the point here
        asyncio.run(start_then_signal())
    assert len(pids) == 2
    return wait_until_gone(pids, 15)


def test_sigterm_shuts_the_kernels_down(tmp_path):
    assert kill_the_server(tmp_path, signal.SIGTERM) == []


def test_ask_runs_the_loop_in_the_sessions_kernel_with_a_scripted_model(tmp_path):
    replies = tmp_path / "replies.json"
    code = "mw = Descriptors.MolWt(Chem.MolFromSmiles('CCO'))\nprint(f'MW: {mw:.2f}')"
    replies.write_text(json.dumps([python_block(code), "Final answer: 46.07 g/mol"]))

    async def test() -> None:
        async with mcp_client(server_params(tmp_path, "--model", f"scripted:{replies}")) as client:
            result = await client.call_tool("ask", {"question": "Molecular weight of ethanol, SMILES CCO?"})
            fields = result.structuredContent
            assert not result.isError, text(result)
            assert fields["answer"].startswith("46.0") and fields["grounded"], fields
            assert any("MW: 46.07" in step["output"] for step in fields["steps"])
            left = await client.call_tool("execute", {"code": "print(round(mw, 1))"})
            assert left.structuredContent["output"] == "46.1\n"  # the loop's variables stay in the kernel
            saved = await client.call_tool("export_notebook", {"session": "default", "path": "asked.ipynb"})
        cells = nbformat.read(saved.structuredContent["path"], as_version=4).cells
        assert "Molecular weight of ethanol" in cells[1].source or "Molecular weight of ethanol" in str(cells)
        assert any(cell.source.startswith("**Answer:** 46.0") for cell in cells)

    run(test)


def test_an_unreachable_llm_endpoint_is_a_clear_error(tmp_path):
    port = free_port()  # nothing listens there

    async def test() -> None:
        extra = ("--model", "openai:nothing", "--base-url", f"http://127.0.0.1:{port}/v1")
        async with mcp_client(server_params(tmp_path, *extra, env={"SCIWAND_LLM_RETRIES": "0"})) as client:
            result = await client.call_tool("ask", {"question": "What is 6 times 7?"})
            assert result.isError
            assert "127.0.0.1" in text(result) or "connect" in text(result).lower(), text(result)
            after = await client.call_tool("execute", {"code": "print(6 * 7)"})
            assert after.structuredContent["output"] == "42\n"

    run(test)


@pytest.mark.model
def test_ask_answers_a_real_question_with_the_embedded_model(tmp_path):
    async def test() -> None:
        async with mcp_client(server_params(tmp_path)) as client:
            question = "What is the molecular weight of caffeine, SMILES CN1C=NC2=C1C(=O)N(C(=O)N2C)C?"
            result = await client.call_tool("ask", {"question": question})
            fields = result.structuredContent
            assert not result.isError, text(result)
            assert "194.19" in fields["answer"] and fields["grounded"], fields

    asyncio.run(asyncio.wait_for(test(), 900))


@pytest.fixture
def http_server(tmp_path):
    port, token = free_port(), "s3cret-token-for-tests"
    environment = {**os.environ, "SCIWAND_CONFIG": str(tmp_path / "no-config.toml"), "SCIWAND_MCP_TOKEN": token}
    args = ["mcp", "--transport", "http", "--port", str(port), "--transcripts", str(tmp_path / "tr")]
    process = subprocess.Popen([SCIWAND, *args], env=environment, cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    announced = process.stderr.readline()  # printed once the server is about to listen
    assert f"http://127.0.0.1:{port}/mcp" in announced and token not in announced
    url = f"http://127.0.0.1:{port}/mcp"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(url, timeout=1)
            break
        except httpx.TransportError:
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.05)
    yield url, token
    kernels = [child.pid for child in psutil.Process(process.pid).children()]
    process.send_signal(signal.SIGINT)  # uvicorn shuts down, then re-raises it: exit status 130
    assert process.wait(30) == 130
    assert kernels and wait_until_gone(kernels, 5) == []


def test_http_refuses_requests_without_the_token(http_server):
    url, token = http_server
    initialize: dict[str, Any] = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
    }
    headers = {"Accept": "application/json, text/event-stream"}
    for given in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": token}):
        refused = httpx.post(url, json=initialize, headers={**headers, **given}, timeout=10)
        assert refused.status_code == 401, given
        assert refused.headers["www-authenticate"].startswith("Bearer")
    accepted = httpx.post(url, json=initialize, headers={**headers, "Authorization": f"Bearer {token}"}, timeout=10)
    assert accepted.status_code == 200

    async def with_the_sdk() -> None:
        auth = {"Authorization": f"Bearer {token}"}
        async with (
            httpx.AsyncClient(headers=auth, timeout=60) as http,
            streamable_http_client(url, http_client=http) as (read, write, _),
            ClientSession(read, write) as client,
        ):
            started = await client.initialize()
            assert started.serverInfo.version == package_version("sciwand") != package_version("mcp")
            result = await client.call_tool("execute", {"code": "print(2 ** 10)"})
            assert result.structuredContent["output"] == "1024\n"

    run(with_the_sdk)


def test_the_session_limit_is_a_clear_error_and_a_shutdown_frees_a_place(tmp_path):
    registry = KernelRegistry(Settings(), tmp_path, tmp_path / "transcripts", max_sessions=1)
    try:
        registry.open("first")
        with pytest.raises(InputError, match=r"^1 sessions are open \(first\); `shutdown` one first$"):
            registry.open("second")
        registry.shutdown("first")
        assert registry.open("second").run("print(1 + 1)", 30).outputs[0].text == "2\n"
    finally:
        registry.close()
    with pytest.raises(InputError, match="shutting down"):
        registry.open("third")
