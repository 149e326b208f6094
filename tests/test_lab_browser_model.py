"""The panel in a real browser with the real embedded model: a question answered from executed code, with the
line under the answer (tokens, and the context gauge: the embedded model's window is known), a cell
completed as ghost text, and a Fix for an undefined name that offers no replacement making up its data.
Screenshots land in ``test-artifacts/``. Marked ``model``."""

from __future__ import annotations

import re
from typing import Any

import pytest
from test_lab_browser import ARTIFACTS, lab_page
from test_lab_browser_diff import FIX

# A list of numbers typed into the code: data the fix would have made up
TYPED_OUT = re.compile(r"\bvalues\s*=\s*[\[(]\s*-?\d")

pytestmark = pytest.mark.model


def test_the_embedded_model_answers_in_the_panel_and_the_gauge_shows_its_context(tmp_path):
    from playwright.sync_api import expect

    with lab_page(tmp_path, ["smiles = 'CCO'"], {"SCIWAND_MODEL": "local"}) as page:
        page.locator(".sciwand-approval").uncheck()  # steps run as the model writes them
        page.locator(".sciwand-input").fill("What is the molecular weight of ethanol (SMILES CCO)? Round to 2.")
        page.locator(".sciwand-input").press("Enter")

        expect(page.locator(".sciwand-message-answer")).to_contain_text("46.0", timeout=600_000)
        gauge = page.locator(".sciwand-context-text").last
        expect(gauge).to_be_visible(timeout=30_000)
        used, window = (int(n.replace(",", "")) for n in re.findall(r"[\d,]+", gauge.inner_text())[:2])
        assert 0 < used < window, gauge.inner_text()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "lab-panel-gauge.png"))


def test_the_embedded_model_completes_a_cell_as_ghost_text_and_tab_accepts_it(tmp_path):
    from playwright.sync_api import expect

    cells = ["import numpy as np\nreadings = np.array([4.1, 3.9, 4.4, 4.0])", ""]
    with lab_page(tmp_path, cells, {"SCIWAND_MODEL": "local"}, inline_completion=True) as page:
        asked = completions_asked(page)
        # JupyterLab connects a notebook's completer once its kernel session is ready: keys typed before
        # that ask nothing. The model may still be loading, or reading the notebook's cells: the request waits.
        expect(page.get_by_text("| Idle")).to_be_visible(timeout=90_000)
        cell = page.locator(".jp-Notebook .jp-Cell").nth(1)
        cell.locator(".cm-content").click()
        page.keyboard.type("mean_reading = np.")
        ghost = cell.locator(".jp-GhostText")
        try:
            expect(ghost).to_contain_text("mean(readings)", timeout=180_000)
        except AssertionError as failure:
            raise AssertionError(f"{failure}\n/sciwand/complete asked and answered: {asked}") from None
        suggested = ghost.inner_text()
        page.keyboard.press("Tab")
        expect(cell.locator(".cm-content")).to_have_text(f"mean_reading = np.{suggested}")


def completions_asked(page: Any) -> list[str]:
    """The page's requests to /sciwand/complete and their answers from now on, as they happen: what a test
    that waits for a suggestion says when none came."""
    from playwright.sync_api import Error

    asked: list[str] = []

    def answered(response: Any) -> None:
        if "/sciwand/complete" in response.url:
            try:
                body = response.text()
            except Error as error:  # a stream the page aborted (the user typed on) has no body to read
                body = str(error)
            asked.append(f"{response.request.post_data} -> {response.status} {body}")

    def failed(request: Any) -> None:
        if "/sciwand/complete" in request.url:
            asked.append(f"{request.post_data} -> {request.failure}")

    page.on("response", answered)
    page.on("requestfailed", failed)
    return asked


def test_a_fix_for_an_undefined_name_offers_no_replacement_that_makes_up_its_data(tmp_path):
    from playwright.sync_api import expect

    with lab_page(tmp_path, ["mean = sum(values) / len(values)\nprint(mean)"], {"SCIWAND_MODEL": "local"}) as page:
        page.locator(".sciwand-approval").uncheck()  # steps run as the model writes them
        expect(page.get_by_text("| Idle")).to_be_visible(timeout=90_000)
        cell = page.locator(".jp-Notebook .jp-Cell").first
        cell.locator(".jp-InputArea").click()
        page.keyboard.press("Control+Enter")
        expect(cell.locator(".jp-OutputArea-output")).to_contain_text("NameError", timeout=60_000)
        cell.locator(FIX).click()

        expect(page.locator(".sciwand-message-answer, .sciwand-message-error").first).to_be_visible(timeout=600_000)
        steps = page.locator(".sciwand-message-step")
        assert steps.count() >= 1
        made_up = False
        for index in range(steps.count()):
            step = steps.nth(index)
            code = step.locator(".sciwand-step-code").inner_text()
            if TYPED_OUT.search(code):
                assert not step.locator(".sciwand-replace-cell").count(), f"offered in place of the cell:\n{code}"
                made_up = made_up or "sciwand-step-ok" in (step.get_attribute("class") or "")
        if made_up:  # the answer does not pass the made-up data's result off as the user's
            expect(page.locator(".sciwand-message-answer")).to_contain_text("Not from your data")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "lab-panel-fix-undefined.png"))
