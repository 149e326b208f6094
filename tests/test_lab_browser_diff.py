"""A fix in a real browser: the Fix button on a cell run in place, the change as a diff before the cell changes
(Reject keeps it, Accept changes it, the cell's undo takes it back), approval code read whole, auto-inserted
steps that cannot be inserted twice, and a model name that can be read at the sidebar's default width.

Same set-up as ``test_lab_browser_layout``: `jupyter lab`, Debian's Chromium driven by Playwright, an
OpenAI-compatible endpoint whose replies are scripted. Screenshots land in ``test-artifacts/``.
"""

from __future__ import annotations

import re
from typing import Any

from test_lab_browser import ARTIFACTS, launch, open_panel, running_lab
from test_lab_browser_layout import DEFAULT_SIDEBAR_PX, fake_model, panel_width

from conftest import python_block

FAILING = "mean = sum(values) / len(valuez)\nprint(mean)"
# The fix's first line is long: read whole before Run at the sidebar's width, it must wrap.
LONG_COMMENT = "  # " + "the mean of the readings the notebook's first cell defines, " * 5
FIXED = f"mean = sum(values) / len(values){LONG_COMMENT}\nprint(mean)"
FIX = '.jp-cell-toolbar [data-command="sciwand:fix-cell"]'
MODEL = "openai:qwen2.5-coder-7b-instruct"  # its short name: "qwen2.5-coder-7b-instruct"
ACTIVE = re.compile(r"\bjp-mod-active\b")
DIRTY = re.compile(r"\bjp-mod-dirty\b")  # JupyterLab's "edited since it ran" (the orange dot by the prompt)


def watch_errors(page: Any) -> list[str]:
    """Every uncaught error and every error the page's console logs (a TypeError in a signal's slot is one)."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))

    def logged(message: Any) -> None:
        if message.type == "error" or "TypeError" in message.text:
            errors.append(f"console.{message.type}: {message.text}")

    page.on("console", logged)
    return errors


def source(cell: Any) -> str:
    """A notebook cell's code as its editor holds it."""
    lines = "node => [...node.querySelectorAll('.cm-line')].map(line => line.textContent).join('\\n')"
    return cell.locator(".jp-InputArea .cm-content").evaluate(lines)


def test_fix_shows_a_diff_that_reject_keeps_accept_applies_and_undo_takes_back(tmp_path, serve):
    from playwright.sync_api import expect, sync_playwright

    server, model_env = fake_model(serve, [python_block(FIXED), "Final answer: the mean is **2.0**."])
    notebook = ["values = [1, 2, 3]", FAILING, "scratch = 1"]
    with running_lab(tmp_path, notebook, model_env) as (url, token, _), sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1400, "height": 950})
        errors = watch_errors(page)
        open_panel(page, url, token)
        assert panel_width(page) <= DEFAULT_SIDEBAR_PX
        expect(page.locator(".sciwand-approval")).to_be_checked()  # the step waits for Run
        cells = page.locator(".jp-Notebook .jp-Cell")

        # Deleting the active cell disposes of its model: the Fix button's watch goes on (no TypeError).
        cells.nth(2).locator(".jp-InputArea").click()
        page.keyboard.press("Escape")
        page.keyboard.press("d")
        page.keyboard.press("d")
        expect(cells).to_have_count(2)

        cells.first.locator(".jp-InputArea").click()
        page.keyboard.press("Shift+Enter")  # runs the first cell; the failing one becomes active
        expect(cells.nth(1)).to_have_class(ACTIVE)
        page.keyboard.press("Control+Enter")  # runs it in place: it stays active, its outputs change
        expect(cells.nth(1).locator(".jp-OutputArea-output")).to_contain_text("NameError", timeout=60_000)
        expect(cells.nth(1).locator(FIX)).to_be_visible(timeout=30_000)  # without moving to another cell

        cells.nth(1).locator(FIX).click()
        run = page.locator(".sciwand-run-step")
        expect(run).to_be_visible(timeout=60_000)
        proposed = page.locator(".sciwand-step-proposed .sciwand-step-code pre")
        expect(proposed).to_contain_text("the mean of the readings")
        cut = proposed.evaluate("node => node.scrollWidth - node.clientWidth")
        assert cut <= 0, f"the code to approve is cut by {cut} px"  # wrapped: read whole, no sideways scroll
        run.scroll_into_view_if_needed()
        expect(run).to_be_in_viewport()  # and Run is reachable after it
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "lab-panel-approval-wrapped.png"))
        run.click()
        expect(page.locator(".sciwand-message-answer")).to_contain_text("2.0", timeout=60_000)
        assert "len(valuez)" in "\n".join(str(m.get("content", "")) for m in server.requests[0]["messages"])

        # Replace shows the change first; Reject leaves the cell as it was.
        replace = page.locator(".sciwand-replace-cell")
        replace.click()
        dialog = page.locator(".jp-Dialog")
        expect(dialog.locator(".sciwand-diff")).to_be_visible()
        expect(dialog.locator(".sciwand-diff .cm-deletedChunk")).to_contain_text("len(valuez)")
        expect(dialog.locator(".sciwand-diff .cm-changedLine").first).to_contain_text("len(values)")
        page.screenshot(path=str(ARTIFACTS / "lab-panel-fix-diff.png"))
        dialog.locator(".sciwand-diff-reject").click()
        expect(dialog).to_have_count(0)
        assert source(cells.nth(1)) == FAILING
        expect(cells.nth(1).locator(".jp-OutputArea-output")).to_contain_text("NameError")

        # Accept puts the fix and its output in the cell, which does not look edited since it ran.
        replace.click()
        dialog.locator(".sciwand-diff-accept").click()
        expect(dialog).to_have_count(0)
        expect(cells).to_have_count(2)  # replaced, not inserted
        expect(cells.nth(1).locator(".jp-OutputArea-output")).to_have_text("2.0")
        assert source(cells.nth(1)) == FIXED
        expect(cells.nth(1)).not_to_have_class(DIRTY)
        expect(page.locator(".sciwand-placed")).to_have_text("Replaced ✓")
        expect(replace).to_have_count(0)
        expect(cells.nth(1).locator(FIX)).to_be_hidden()  # no error any more

        # The cell's own undo brings the old code back.
        cells.nth(1).locator(".jp-InputArea .cm-content").click()
        page.keyboard.press("Control+z")
        expect(cells.nth(1).locator(".jp-InputArea")).to_contain_text("len(valuez)")
        assert source(cells.nth(1)) == FAILING
        page.screenshot(path=str(ARTIFACTS / "lab-panel-fix-undone.png"))
        assert not errors, errors
        browser.close()


def test_auto_inserted_steps_and_the_model_name_at_the_default_width(tmp_path, serve):
    from playwright.sync_api import expect, sync_playwright

    replies = [python_block("print(readings * 2)"), "Final answer: **120** readings."]
    _, model_env = fake_model(serve, replies)
    model_env["SCIWAND_MODEL"] = MODEL
    with running_lab(tmp_path, ["readings = 60"], model_env) as (url, token, _), sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1400, "height": 950})
        errors = watch_errors(page)
        open_panel(page, url, token)
        assert panel_width(page) <= DEFAULT_SIDEBAR_PX

        select = page.locator(".sciwand-model")
        expect(select).to_have_value(MODEL)
        shown = select.evaluate(
            """node => {
              const style = getComputedStyle(node);
              const context = document.createElement('canvas').getContext('2d');
              context.font = style.font;
              const text = node.options[node.selectedIndex].text;
              return {
                text,
                needs: context.measureText(text.slice(0, 10)).width,
                room: node.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight),
              };
            }"""
        )
        assert shown["text"] == "qwen2.5-coder-7b-instruct", shown
        assert shown["room"] >= shown["needs"], shown  # at least its first 10 characters show
        expect(select).to_have_attribute("title", f"The model that answers: {MODEL}")

        page.locator(".jp-Notebook .jp-Cell").first.click()
        page.keyboard.press("Shift+Enter")
        page.locator(".sciwand-approval").uncheck()
        page.locator(".sciwand-input").fill("How many readings, twice?")
        page.locator(".sciwand-input").press("Enter")
        expect(page.locator(".sciwand-message-answer")).to_contain_text("120", timeout=90_000)

        inserted = page.locator(".jp-Notebook .jp-Cell").filter(has_text="print(readings * 2)")
        expect(inserted).to_have_count(1)  # auto-inserted
        expect(inserted.locator(".jp-OutputArea-output")).to_contain_text("120")
        expect(inserted).not_to_have_class(DIRTY)  # its outputs are its code's: no "edited" mark
        step = page.locator(".sciwand-message-step")
        expect(step.locator(".sciwand-insert-step")).to_have_count(0)  # nothing invites a second copy
        expect(step.locator(".sciwand-placed")).to_have_text("Inserted ✓")
        expect(step.locator(".sciwand-placed")).to_be_disabled()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "lab-panel-auto-inserted.png"))
        assert not errors, errors
        browser.close()
