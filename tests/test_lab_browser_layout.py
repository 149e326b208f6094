"""The chat panel at the sidebar's default width, and the cell actions, in a real browser.

Same set-up as ``test_lab_browser``: `jupyter lab`, Debian's Chromium driven by Playwright, a model whose
replies are scripted. Screenshots land in ``test-artifacts/``.
"""

from __future__ import annotations

import re
from typing import Any

from test_lab_browser import ARTIFACTS, launch, open_panel, running_lab, scripted_model

from conftest import python_block

DEFAULT_SIDEBAR_PX = 250  # JupyterLab's default width of a sidebar panel, borders included (~245 inside)
LONG_LINE = "values = [" + ", ".join(f"{i}.5" for i in range(60)) + "]"  # about 400 characters
LONG_QUESTION = "What is the mean of these readings? " + "reading " * 2600  # about 20,000 characters
FAILING = "mean = sum(values) / len(valuez)\nprint(mean)"
FIXED = "mean = sum(values) / len(values)\nprint(mean)"


def panel_width(page: Any) -> float:
    return page.evaluate("() => document.querySelector('.sciwand-panel').getBoundingClientRect().width")


def layout(page: Any) -> dict[str, Any]:
    """What overflows, and how tall things are, in the panel as it is now."""
    return page.evaluate(
        """() => {
          const q = selector => document.querySelector(selector);
          const overflows = node => node.scrollWidth - node.clientWidth;
          const code = [...document.querySelectorAll('.sciwand-step-code pre')]
            .find(node => node.textContent.includes('values = ['));
          const header = [...q('.sciwand-header').children].map(node => node.getBoundingClientRect());
          return {
            panel: overflows(q('.sciwand-panel')),
            list: overflows(q('.sciwand-messages')),
            messages: [...document.querySelectorAll('.sciwand-message')].map(overflows),
            question: q('.sciwand-message-question').getBoundingClientRect().height,
            codeWrap: getComputedStyle(code).whiteSpace,
            codeScrolls: code.scrollWidth > code.clientWidth,
            codeHeight: code.getBoundingClientRect().height,
            headerRows: header
              .sort((a, b) => a.top - b.top)
              .reduce((rows, box) => (box.top >= rows.bottom - 1 ? { count: rows.count + 1, bottom: box.bottom }
                : { count: rows.count, bottom: Math.max(rows.bottom, box.bottom) }), { count: 0, bottom: -Infinity })
              .count,
            headerHeight: q('.sciwand-header').getBoundingClientRect().height,
          };
        }"""
    )


def send_style(page: Any) -> tuple[str, str, str]:
    return page.locator(".sciwand-send").evaluate(
        "node => { const s = getComputedStyle(node); return [s.opacity, s.backgroundColor, s.cursor]; }"
    )


def test_the_panel_fits_the_default_sidebar_width(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    replies = [
        python_block(f"{LONG_LINE}\nassert len(values) > 100, 'too few readings'"),
        python_block(f"{LONG_LINE}\nprint(sum(values) / len(values))"),
        "Final answer: the mean is **30.0**.",
    ]
    model_env = scripted_model(tmp_path, replies)
    with running_lab(tmp_path, ["readings = 60"], model_env) as (url, token, _), sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1400, "height": 950})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        open_panel(page, url, token)
        assert panel_width(page) <= DEFAULT_SIDEBAR_PX  # as JupyterLab opens it: the narrowest users see
        page.locator(".sciwand-approval").uncheck()  # the steps run as proposed

        disabled = send_style(page)  # empty input: Send is disabled, and looks it
        expect(page.locator(".sciwand-send")).to_be_disabled()
        page.locator(".sciwand-input").fill(LONG_QUESTION)
        expect(page.locator(".sciwand-send")).to_be_enabled()
        enabled = send_style(page)
        assert disabled[0] != enabled[0] and disabled[1] != enabled[1], (disabled, enabled)
        assert disabled[2] == "not-allowed"
        page.locator(".sciwand-input").press("Enter")

        expect(page.locator(".sciwand-message-answer")).to_contain_text("30.0", timeout=90_000)
        traceback = page.locator(".sciwand-traceback")
        expect(traceback.locator(".sciwand-traceback-toggle")).to_have_text("AssertionError: too few readings")
        expect(traceback.locator(".sciwand-traceback-body")).to_be_hidden()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "lab-panel-245px.png"))

        found = layout(page)
        assert found["panel"] <= 0 and found["list"] <= 0, found  # nothing scrolls the panel sideways
        assert max(found["messages"]) <= 0, found
        assert found["question"] < 250, found  # the 20k-character question is folded
        assert found["codeWrap"] == "pre" and found["codeScrolls"], found  # a long line scrolls in its block
        # Two rows: the controls, then the model's name across the panel (readable, not two letters of it).
        assert found["headerRows"] == 2 and found["headerHeight"] < 90, found
        select = page.locator(".sciwand-model")
        expect(select).to_have_attribute("title", f"The model that answers: {select.input_value()}")
        assert page.locator(".sciwand-model-wrapper.jp-select-wrapper").count() == 1  # JupyterLab's dropdown

        traceback.locator(".sciwand-traceback-toggle").click()
        expect(traceback.locator(".sciwand-traceback-body")).to_contain_text("too few readings")
        page.locator(".sciwand-fold-toggle").click()
        expect(page.locator(".sciwand-fold-toggle")).to_have_text("Show less")
        assert layout(page)["list"] <= 0
        page.locator(".sciwand-messages").evaluate("node => { node.scrollTop = node.scrollHeight; }")
        page.screenshot(path=str(ARTIFACTS / "lab-panel-245px-expanded.png"))

        page.locator(".lm-MenuBar-itemLabel", has_text="Settings").click()  # the same panel in the dark theme
        page.locator(".lm-Menu-itemLabel", has_text=re.compile("^Theme$")).hover()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile("^JupyterLab Dark$")).click()
        expect(page.locator("body[data-jp-theme-light='false']")).to_have_count(1, timeout=30_000)
        assert layout(page)["list"] <= 0
        page.screenshot(path=str(ARTIFACTS / "lab-panel-245px-dark.png"))
        assert not errors, errors
        browser.close()


def fake_model(serve: Any, replies: list[str]) -> tuple[Any, dict[str, str]]:
    """An OpenAI-compatible endpoint that answers ``replies`` in order and keeps every request it got."""
    server = serve(lambda handler, number: handler.send_reply(replies[min(number, len(replies)) - 1]))
    return server, {"SCIWAND_MODEL": "openai:test-model", "SCIWAND_BASE_URL": server.base_url}


def prompt(server: Any, number: int) -> str:
    """Everything the model was sent in its ``number``-th request (1-based)."""
    return "\n".join(str(message.get("content", "")) for message in server.requests[number - 1]["messages"])


def test_fix_with_sciwand_replaces_the_failing_cell(tmp_path, serve):
    from playwright.sync_api import expect, sync_playwright

    replies = [
        python_block(FIXED),
        "Final answer: the mean is **2.0**.",
        python_block("print(values)"),
        "Final answer: a list of three readings, [1, 2, 3].",
    ]
    server, model_env = fake_model(serve, replies)
    notebook = ["values = [1, 2, 3]", FAILING]
    with running_lab(tmp_path, notebook, model_env) as (url, token, _), sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1400, "height": 950})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        open_panel(page, url, token)
        cells = page.locator(".jp-Notebook .jp-Cell")
        cells.first.click()
        page.keyboard.press("Shift+Enter")
        page.keyboard.press("Shift+Enter")
        expect(cells.nth(1).locator(".jp-OutputArea-output")).to_contain_text("NameError", timeout=60_000)
        count = cells.count()

        fix = '.jp-cell-toolbar [data-command="sciwand:fix-cell"]'
        cells.first.locator(".jp-InputArea").click()  # a cell that ran: no Fix
        expect(cells.first.locator(fix)).to_be_hidden()
        cells.nth(1).locator(".jp-InputArea").click()
        expect(cells.nth(1).locator(fix)).to_be_visible(timeout=30_000)
        cells.nth(1).locator(fix).click()

        expect(page.locator(".sciwand-message-question")).to_contain_text("Fix the error")
        expect(page.locator(".sciwand-message-context")).to_contain_text("NameError")
        run = page.locator(".sciwand-run-step")
        expect(run).to_be_visible(timeout=60_000)
        expect(run).to_be_in_viewport()
        run.click()
        expect(page.locator(".sciwand-message-answer")).to_contain_text("2.0", timeout=60_000)
        sent = prompt(server, 1)
        assert "len(valuez)" in sent and "NameError: name 'valuez' is not defined" in sent, sent

        page.locator(".sciwand-replace-cell").click()
        page.locator(".jp-Dialog .sciwand-diff-accept").click()  # the change, seen first (test_lab_browser_diff)
        expect(cells.nth(1).locator(".jp-InputArea")).to_contain_text("len(values)")
        expect(cells.nth(1).locator(".jp-InputArea")).not_to_contain_text("valuez")
        expect(cells.nth(1).locator(".jp-OutputArea-output")).to_have_text("2.0")
        expect(cells).to_have_count(count)  # replaced, not inserted
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "lab-panel-fix-cell.png"))

        cells.first.locator(".jp-InputArea").click()
        cells.first.locator(".jp-InputArea").click(button="right")
        expect(page.locator(".lm-Menu-item", has_text="Fix with sciwand")).to_be_hidden()
        page.locator(".lm-Menu-item", has_text="Explain with sciwand").click()
        expect(page.locator(".sciwand-message-question").last).to_contain_text("Explain")
        expect(run).to_be_visible(timeout=60_000)
        run.click()
        expect(page.locator(".sciwand-message-answer").last).to_contain_text("three readings", timeout=60_000)
        assert "values = [1, 2, 3]" in prompt(server, 3)
        assert not errors, errors
        browser.close()
