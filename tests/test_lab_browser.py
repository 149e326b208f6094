"""The chat panel end to end in a real browser: `jupyter lab`, Debian's Chromium driven by Playwright.

The model is scripted, so the test checks the panel and the server, not the LLM: open a notebook, open
the panel, ask, approve the proposed step, and find the answer in the panel and the step, with its
output, inserted into the notebook. A screenshot lands in ``test-artifacts/lab-panel.png``.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

from conftest import jupyter_process, python_block, write_notebook

CHROMIUM = Path("/usr/bin/chromium")
NOTEBOOK = "dosing.ipynb"
ARTIFACTS = Path(os.environ.get("SCIWAND_TEST_ARTIFACTS", Path(__file__).resolve().parent.parent / "test-artifacts"))
# Chromium as root in a container, on a machine whose only network is the loopback.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextlib.contextmanager
def running_lab(
    tmp_path: Path, cells: list[str], model_env: dict[str, str], inline_completion: bool = False
) -> Iterator[tuple[str, str, Path]]:
    """A `jupyter lab` on 127.0.0.1 with a token, one notebook (`cells`) and the model `model_env` sets:
    (its URL, the token, its root). Inline completion (on for users) asks the model when the page opens a
    notebook and as a cell is typed: it is off unless a test is about it, so a scripted endpoint's replies all
    go to the panel's questions."""
    root = tmp_path / "root"
    root.mkdir()
    write_notebook(root / NOTEBOOK, cells)
    news = tmp_path / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text(json.dumps({"fetchNews": "false"}))  # no "Jupyter news?" toast over the panel
    env = {
        **model_env,
        "SCIWAND_CONFIG": str(tmp_path / "no-config.toml"),  # the chat history lives in JUPYTER_DATA_DIR
        "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
        "SCIWAND_INLINE_COMPLETION": "1" if inline_completion else "0",
    }
    with jupyter_process(root, env, app="jupyterlab") as (url, token):
        yield url, token, root


def scripted_model(tmp_path: Path, replies: list[str]) -> dict[str, str]:
    """The environment that makes the lab's model reply ``replies``, in order."""
    script = tmp_path / "replies.json"
    script.write_text(json.dumps(replies))
    return {"SCIWAND_MODEL": f"scripted:{script}"}


@pytest.fixture
def lab(tmp_path) -> Iterator[tuple[str, str, Path]]:
    """A `jupyter lab` on 127.0.0.1 with a token and a scripted model: (its URL, the token, its root)."""
    replies = [python_block("print(dose_mg * 2)"), "Final answer: **42 mg** in two doses."]
    with running_lab(tmp_path, ["dose_mg = 21"], scripted_model(tmp_path, replies)) as started:
        yield started


def launch(playwright: Any) -> Any:
    """Debian's Chromium, headless, as Playwright's browser."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)


def open_panel(page: Any, url: str, token: str) -> None:
    """Open the notebook and the sciwand panel, and wait until the panel can ask (kernel up, socket open)."""
    from playwright.sync_api import expect

    page.goto(f"{url}/lab/tree/{NOTEBOOK}?token={token}")
    expect(page.locator(".jp-Notebook .jp-Cell").first).to_be_visible(timeout=90_000)
    if not page.locator(".sciwand-panel").is_visible():
        page.locator('li.lm-TabBar-tab[data-id="sciwand-chat"]').click()
    expect(page.locator(".sciwand-input")).to_be_enabled(timeout=90_000)


@contextlib.contextmanager
def lab_page(
    tmp_path: Path, cells: list[str], model_env: dict[str, str], inline_completion: bool = False
) -> Iterator[Any]:
    """A page on a `jupyter lab` (``running_lab``) with the notebook (``cells``) and the panel open; no error
    in the page by the end."""
    from playwright.sync_api import sync_playwright

    lab = running_lab(tmp_path, cells, model_env, inline_completion=inline_completion)
    with lab as (url, token, _), sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        open_panel(page, url, token)
        yield page
        assert not errors, errors
        browser.close()


def test_ask_approve_and_insert_in_a_real_browser(lab):
    from playwright.sync_api import expect, sync_playwright

    url, token, root = lab
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 950})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{url}/lab/tree/dosing.ipynb?token={token}")
        expect(page.locator(".jp-Notebook .jp-Cell").first).to_be_visible(timeout=90_000)
        tab = page.locator('li.lm-TabBar-tab[data-id="sciwand-chat"]')
        if not page.locator(".sciwand-panel").is_visible():
            tab.click()
        expect(page.locator(".sciwand-input")).to_be_enabled(timeout=90_000)  # kernel up, socket open
        expect(page.locator(".sciwand-approval")).to_be_checked()  # approval is on for a new user

        page.locator(".jp-Notebook .jp-Cell").first.click()  # make the first cell active
        page.keyboard.press("Shift+Enter")  # run it: dose_mg now lives in the notebook's kernel
        page.locator(".sciwand-input").fill("What is twice the dose?")
        expect(page.locator(".sciwand-send")).to_be_enabled(timeout=30_000)  # the panel's socket is up
        page.locator(".sciwand-input").press("Enter")
        expect(page.locator(".sciwand-message-question")).to_contain_text("twice the dose")

        run = page.locator(".sciwand-run-step")
        expect(run).to_be_visible(timeout=60_000)
        expect(page.locator(".sciwand-running")).to_be_visible()
        step = page.locator(".sciwand-message-step").last
        expect(step).to_contain_text("print(dose_mg * 2)")
        run.click()

        answer = page.locator(".sciwand-message-answer")
        expect(answer).to_contain_text("42 mg", timeout=60_000)
        expect(step.locator(".sciwand-step-outputs")).to_contain_text("42")
        inserted = page.locator(".jp-Notebook .jp-Cell").filter(has_text="print(dose_mg * 2)")
        expect(inserted).to_have_count(1)
        expect(inserted.locator(".jp-OutputArea-output")).to_contain_text("42")
        expect(page.locator(".sciwand-running")).to_have_count(0)

        page.locator(".jp-Notebook").click()  # focus the notebook, then save it: the inserted step is on disk
        page.keyboard.press("Control+s")
        expect(page.locator(".jp-mod-current.jp-mod-dirty")).to_have_count(0, timeout=30_000)
        saved = nbformat.read(str(root / "dosing.ipynb"), as_version=4)
        step_cell = next(cell for cell in saved.cells if cell.source == "print(dose_mg * 2)")
        assert step_cell.outputs[0]["text"] == "42\n"

        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "lab-panel.png"))

        page.reload()  # the panel replays the notebook's history: the same conversation, nothing to approve
        if not page.locator(".sciwand-panel").is_visible():
            tab.click()
        expect(page.locator(".sciwand-message-answer")).to_contain_text("42 mg", timeout=90_000)
        expect(page.locator(".sciwand-message-question")).to_have_count(1)
        expect(page.locator(".sciwand-message-step .sciwand-step-outputs")).to_contain_text("42")
        expect(page.locator(".sciwand-run-step")).to_have_count(0)
        expect(page.locator(".sciwand-input")).to_be_enabled()
        assert not errors, errors
        browser.close()
