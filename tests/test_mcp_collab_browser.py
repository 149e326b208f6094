"""Live edits with jupyter-collaboration, end to end: `jupyter lab` with real-time collaboration on, the notebook
open in Debian's Chromium (Playwright) and being typed into, while `sciwand mcp --jupyter-url --notebook`,
driven by the MCP SDK's client, runs ten cells in the notebook's kernel. Every keystroke and every one of the
ten cells ends up in the shared document, then in the file once saved; sciwand writes no file. A screenshot
lands in ``test-artifacts/mcp-live-edits.png``."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path

import nbformat
from test_lab_browser import ARTIFACTS, launch

from assistant.mcp_server.collab import SharedNotebook
from kernels.remote import JupyterServer

from conftest import jupyter_process, mcp_client, saved_sources, server_params, wait_for, write_notebook

NOTEBOOK = "live.ipynb"
HEADER = "# the user's notes:"
CELLS = [f"import time\ntime.sleep(0.3)\nprint({n} * {n})" for n in range(1, 11)]
WORDS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]


def test_cells_appear_in_the_open_notebook_while_the_user_types_and_nothing_is_lost(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    root = tmp_path / "root"
    root.mkdir()
    write_notebook(root / NOTEBOOK, [HEADER])
    news = tmp_path / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text(json.dumps({"fetchNews": "false"}))
    env = {
        "SCIWAND_CONFIG": str(tmp_path / "no-config.toml"),
        "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
    }
    lab = jupyter_process(root, env, app="jupyterlab", collaboration=True)
    with lab as (url, token), sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1300, "height": 1000})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{url}/lab/tree/{NOTEBOOK}?token={token}")
        cells = page.locator(".jp-Notebook .jp-Cell")
        expect(cells.first).to_be_visible(timeout=90_000)

        connected, typing, done = threading.Event(), threading.Event(), threading.Event()
        results: list[dict] = []
        failure: list[BaseException] = []

        async def agent() -> None:
            params = server_params(tmp_path, "--jupyter-url", url, "--notebook", NOTEBOOK, env={"JUPYTER_TOKEN": token})
            async with mcp_client(params) as client:
                connected.set()
                await asyncio.to_thread(typing.wait, 60)
                for code in CELLS:
                    result = await client.call_tool("execute", {"code": code})
                    results.append(result.structuredContent)

        def run_agent() -> None:
            try:
                asyncio.run(asyncio.wait_for(agent(), 300))
            except BaseException as error:
                failure.append(error)
            finally:
                connected.set()
                done.set()

        threading.Thread(target=run_agent, daemon=True).start()
        assert connected.wait(180) and not failure, failure

        editor = cells.first.locator(".cm-content")
        editor.click()
        page.keyboard.press("Control+End")  # the end of the user's cell
        typed, words = "", 0
        while not done.is_set() or not typed:
            word, words = " " + WORDS[words % len(WORDS)], words + 1
            page.keyboard.type(word, delay=15)
            typed += word
            typing.set()
        assert not failure, failure
        page.keyboard.type(" end", delay=15)
        typed += " end"

        assert [result["output"] for result in results] == [f"{n * n}\n" for n in range(1, 11)]
        assert all(result["note"] is None for result in results), results  # every cell went into the notebook
        expect(cells).to_have_count(11, timeout=30_000)
        for n in range(1, 11):
            expect(cells.nth(n)).to_contain_text(f"print({n} * {n})")
            expect(cells.nth(n).locator(".jp-OutputArea-output")).to_contain_text(str(n * n))
        expect(editor).to_have_text(HEADER + typed)  # the tab's own view: no keystroke lost or moved

        # The shared document, as any other client of it gets it: the user's text and the ten cells, in order.
        def document() -> list[str]:
            peer = SharedNotebook.open(JupyterServer(url, token), NOTEBOOK)
            try:
                return [cell["source"] for cell in peer.cells()]
            finally:
                peer.close()

        wait_for(lambda: document() == [HEADER + typed, *CELLS], 30, "the document to hold every keystroke")

        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "mcp-live-edits.png"))
        page.keyboard.press("Control+s")  # the user saves: the server writes the document to the file

        wanted = [HEADER + typed, *CELLS]
        wait_for(lambda: saved_sources(root / NOTEBOOK) == wanted, 30, "the file to hold the saved document")
        notebook = nbformat.read(root / NOTEBOOK, as_version=4)
        assert [cell.outputs[0].text for cell in notebook.cells[1:]] == [f"{n * n}\n" for n in range(1, 11)]
        nbformat.validate(notebook)
        assert not errors, errors
        browser.close()
    # sciwand never wrote the file through the contents API: the server saved the shared document itself.
    assert f"Saving file at /{NOTEBOOK}" not in Path(tmp_path / "server.log").read_text()
