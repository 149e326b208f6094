"""`sciwand mcp --jupyter-url/--token/--notebook`'s attachment: a real `jupyter server` subprocess, its notebook
file on disk, its kernel."""

from __future__ import annotations

import re
import subprocess

import nbformat
import pytest
from mcp.shared.memory import create_connected_server_and_client_session

from assistant.config import Settings
from assistant.mcp_server.attach import attach_notebook
from assistant.mcp_server.registry import KernelRegistry
from assistant.mcp_server.tools import build_server
from kernels.remote import JupyterServer, RemoteKernelError, contents_api

from conftest import SCIWAND, ServedJupyter, mcp_client, run, server_params


def saved_cells(served: ServedJupyter, notebook: str) -> list[nbformat.NotebookNode]:
    return nbformat.read(served.root / notebook, as_version=4).cells


def test_recorded_cells_reach_the_notebook_file_with_their_outputs(served_jupyter):
    notebook = served_jupyter.notebook("work/agent.ipynb", ["dose_mg = 21"])
    attached = attach_notebook(served_jupyter.url, served_jupyter.token, notebook)
    try:
        code = "print('per dose', 21)\n21 * 2"
        result = attached.kernel.execute(code)
        attached.record(code, result)
        failing = "1 / 0"
        attached.record(failing, attached.kernel.execute(failing))
    finally:
        attached.close()

    user_cell, cell, failed = saved_cells(served_jupyter, notebook)
    assert user_cell.source == "dose_mg = 21"  # the notebook's own cells stay
    assert cell.source == code and cell.execution_count == result.execution_count
    assert [output.output_type for output in cell.outputs] == ["stream", "execute_result"]
    assert cell.outputs[0].text == "per dose 21\n"
    assert cell.outputs[1].data["text/plain"] == "42"
    assert failed.outputs[-1].ename == "ZeroDivisionError"
    assert failed.metadata["tags"] == ["raises-exception"]  # Run All goes on past the agent's failed cell
    nbformat.validate(nbformat.read(served_jupyter.root / notebook, as_version=4))


def test_a_notebook_of_nbformat_4_4_stays_valid_without_cell_ids(served_jupyter):
    notebook = served_jupyter.notebook("old.ipynb", ["a = 1"])
    old = nbformat.read(served_jupyter.root / notebook, as_version=4)
    old.nbformat_minor = 4
    del old.cells[0]["id"]
    (served_jupyter.root / notebook).write_text(nbformat.writes(old, version=4))
    attached = attach_notebook(served_jupyter.url, served_jupyter.token, notebook)
    try:
        attached.record("2 + 2", attached.kernel.execute("2 + 2"))
    finally:
        attached.close()
    saved = nbformat.reads((served_jupyter.root / notebook).read_text(), as_version=nbformat.NO_CONVERT)
    assert (saved.nbformat_minor, len(saved.cells)) == (4, 2) and "id" not in saved.cells[1]
    nbformat.validate(saved)


def test_closing_leaves_the_notebooks_kernel_running(served_jupyter):
    notebook = served_jupyter.notebook("kept.ipynb", [])
    attached = attach_notebook(served_jupyter.url, served_jupyter.token, notebook)
    assert attached.kernel.execute("answer = 42").ok
    attached.close()

    server = JupyterServer(served_jupyter.url, served_jupyter.token)
    (session,) = [session for session in server.request("GET", "/api/sessions") if session["path"] == notebook]
    assert server.request("GET", f"/api/kernels/{session['kernel']['id']}")["execution_state"] != "dead"
    again = attach_notebook(served_jupyter.url, served_jupyter.token, notebook)
    try:
        assert again.kernel.evaluate("answer") == 42
    finally:
        again.close()


def test_a_wrong_token_is_refused_in_one_line(served_jupyter):
    notebook = served_jupyter.notebook("refused.ipynb", [])
    with pytest.raises(RemoteKernelError, match=r"^the Jupyter server at .* refused the token \(HTTP 403\)"):
        attach_notebook(served_jupyter.url, "wrong", notebook)


def test_sciwand_mcp_runs_in_the_notebooks_kernel_and_the_cells_reach_the_notebook(served_jupyter, tmp_path):
    """End to end: the SDK's client drives `sciwand mcp --jupyter-url --token --notebook` over stdio."""
    notebook = served_jupyter.notebook("shared.ipynb", ["from_the_user = 6"])
    server = JupyterServer(served_jupyter.url, served_jupyter.token)
    (session,) = [s for s in server.request("GET", "/api/sessions") if s["path"] == notebook] or [None]
    assert session is None  # no kernel yet: sciwand starts the notebook's session
    attach = ["--jupyter-url", served_jupyter.url, "--notebook", notebook]
    params = server_params(tmp_path, *attach, env={"JUPYTER_TOKEN": served_jupyter.token})

    async def test() -> None:
        async with mcp_client(params) as client:
            await client.call_tool("execute", {"code": "value = 7 * 6"})
            user = attach_notebook(served_jupyter.url, served_jupyter.token, notebook)  # the user, in the notebook
            try:
                assert user.kernel.execute("from_the_user = 6").ok
            finally:
                user.close()
            shown = await client.call_tool("execute", {"code": "print(value)"})
            assert shown.structuredContent["output"] == "42\n"
            crashed = await client.call_tool("execute", {"code": "import ctypes\nctypes.string_at(0)"})
            assert crashed.structuredContent["status"] == "died" and crashed.structuredContent["restored"]
            back = await client.call_tool("execute", {"code": "print(value + 1, from_the_user)"})
            assert back.structuredContent["output"] == "43 6\n"  # the agent's cells and the user's replayed

    run(test)
    (session,) = [s for s in server.request("GET", "/api/sessions") if s["path"] == notebook]
    assert server.request("GET", f"/api/kernels/{session['kernel']['id']}")["execution_state"] != "dead"
    sources = [cell.source for cell in saved_cells(served_jupyter, notebook)]
    assert sources[0] == "from_the_user = 6" and sources[2] == "print(value)"
    assert saved_cells(served_jupyter, notebook)[2].outputs[0].text == "42\n"
    assert sources[-1] == "print(value + 1, from_the_user)"


def test_a_wrong_token_stops_sciwand_mcp_with_one_line(served_jupyter, tmp_path):
    notebook = served_jupyter.notebook("denied.ipynb", [])
    args = ["mcp", "--jupyter-url", served_jupyter.url, "--token", "wrong", "--notebook", notebook]
    done = subprocess.run([SCIWAND, *args], capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 2
    assert done.stderr.strip().startswith("sciwand: the Jupyter server at") and "refused the token" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_save_between_sciwands_read_and_write_is_not_overwritten_and_the_cell_is_kept_beside(
    served_jupyter, tmp_path
):
    """Without collaboration: the notebook changes on disk (a save from a JupyterLab tab) after sciwand read it
    and before it writes; sciwand leaves the file alone, keeps its cell beside it, and the tool result says where."""
    notebook = served_jupyter.notebook("race/plates.ipynb", ["plates = 3"])
    server = JupyterServer(served_jupyter.url, served_jupyter.token)
    attached = attach_notebook(served_jupyter.url, served_jupyter.token, notebook)
    assert attached.shared is None  # no jupyter-collaboration on this server: the contents API it is
    read = attached.read

    def read_then_the_user_saves() -> dict:
        model = read()
        edited = nbformat.from_dict(model["content"])
        edited.cells[0].source = "plates = 4  # the user's edit"
        server.request("PUT", contents_api(notebook), {"type": "notebook", "format": "json", "content": edited})
        return model

    attached.read = read_then_the_user_saves
    registry = KernelRegistry(
        Settings(),
        tmp_path / "work",
        tmp_path / "transcripts",
        attach=lambda: (attached.kernel, attached.record, attached.close),
    )
    mcp = build_server(registry, model=lambda: None)

    async def test() -> None:
        async with create_connected_server_and_client_session(mcp) as client:
            first = await client.call_tool("execute", {"code": "print(6 * 7)"})
            assert first.structuredContent["output"] == "42\n"
            note = first.structuredContent["note"]
            kept = re.search(r"kept in (\S+\.ipynb) on the server", note)
            assert kept is not None, note
            assert note.startswith(f"Notebook: {notebook} changed on the server while sciwand added this cell")
            assert f"note: {note}" in first.content[0].text  # the text the agent reads says it too
            assert kept[1].startswith("race/plates.sciwand-")

            user_cells = [cell.source for cell in saved_cells(served_jupyter, notebook)]
            assert user_cells == ["plates = 4  # the user's edit"]  # the user's save intact, nothing of sciwand's
            (kept_cell,) = saved_cells(served_jupyter, kept[1])
            assert kept_cell.source == "print(6 * 7)" and kept_cell.outputs[0].text == "42\n"
            nbformat.validate(nbformat.read(served_jupyter.root / kept[1], as_version=4))

            attached.read = read  # no save in the way: the next cell is added to the notebook, after the edit
            second = await client.call_tool("execute", {"code": "print(plates_seen := 5)"})
            assert second.structuredContent["note"] is None
            assert [cell.source for cell in saved_cells(served_jupyter, notebook)] == [
                "plates = 4  # the user's edit",
                "print(plates_seen := 5)",
            ]

    try:
        run(test)
    finally:
        registry.close()
