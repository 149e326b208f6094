"""The panel's run states and approval across tabs, in a real browser (Debian's Chromium driven by Playwright).

Two tabs on one notebook: a decision names its step, the first one wins, and a spare one never approves the
next step; a second tab that asks during a run sees the server's refusal. One tab with a model that streams
from a local OpenAI-compatible endpoint: the panel waits for a busy kernel, shows the model's words as they
come and with the step, and a step's outputs as the kernel sends them. Steps and cells block on files the test
creates, so the test, not a timer, decides when they go on.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from test_lab_browser import launch, open_panel, running_lab, scripted_model

from conftest import Handler, python_block, wait_for

VIEWPORT = {"width": 1500, "height": 950}
UNTIL_FILE = "import pathlib, time\nwhile not pathlib.Path({name!r}).exists():\n    time.sleep(0.05)\n"


def hold_server_messages(page: Any) -> dict[str, Any]:
    """Route the page's sciwand socket so the test can hold what the server sends it (a slow network):
    returns the switch, ``{"on": bool, "held": [...], "release": ...}``."""
    switch: dict[str, Any] = {"on": False, "held": [], "socket": None}

    def route(socket: Any) -> None:
        server = socket.connect_to_server()  # the page's own messages go to the server unchanged
        switch["socket"] = socket

        def to_page(message: Any) -> None:
            if switch["on"]:
                switch["held"].append(message)
            else:
                socket.send(message)

        server.on_message(to_page)

    def release() -> None:
        switch["on"] = False
        for message in switch["held"]:
            switch["socket"].send(message)
        switch["held"].clear()

    switch["release"] = release
    page.route_web_socket(re.compile(r".*/sciwand/ws.*"), route)
    return switch


def test_two_tabs_a_step_runs_only_with_its_own_approval(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    step_2 = "import pathlib\npathlib.Path('step-2-ran').touch()\nprint('step 2 ran')"
    replies = [python_block("x = 6 * 7\nprint('step 1 ran')"), python_block(step_2), "Final answer: 42"]
    lab = running_lab(tmp_path, ["dose_mg = 21"], scripted_model(tmp_path, replies))
    with lab as (url, token, root), sync_playwright() as playwright:
        browser = launch(playwright)
        first, second = browser.new_page(viewport=VIEWPORT), browser.new_page(viewport=VIEWPORT)
        errors: list[str] = []
        for page in (first, second):
            page.on("pageerror", lambda error: errors.append(str(error)))
        network = hold_server_messages(second)
        open_panel(first, url, token)
        open_panel(second, url, token)

        first.locator(".sciwand-input").fill("What is six times seven?")
        first.locator(".sciwand-input").press("Enter")
        for page in (first, second):  # every tab shows the same pending step, with its buttons
            expect(page.locator(".sciwand-message-step .sciwand-run-step")).to_be_enabled(timeout=60_000)
            expect(page.locator(".sciwand-run-state")).to_have_text("Waiting for your approval")

        # The second tab asks meanwhile: the server refuses, the panel says so, the question stays.
        second.locator(".sciwand-input").fill("Something else?")
        second.locator(".sciwand-input").press("Enter")
        expect(second.locator(".sciwand-message-error")).to_contain_text("already running")
        expect(second.locator(".sciwand-input")).to_have_value("Something else?")

        # Both tabs click Run on step 1; the second tab hears of the first click only after its own.
        network["on"] = True
        first.locator(".sciwand-run-step").click()
        step_1 = first.locator(".sciwand-message-step").first
        expect(step_1.locator(".sciwand-step-outputs")).to_contain_text("step 1 ran", timeout=60_000)
        expect(first.locator(".sciwand-message-step")).to_have_count(2, timeout=60_000)
        second.locator(".sciwand-message-step").first.locator(".sciwand-run-step").click()
        network["release"]()

        expect(second.locator(".sciwand-message-error").last).to_contain_text("step 1 is not waiting for a decision")
        for page in (first, second):  # step 2 waits for its own approval in every tab
            step = page.locator(".sciwand-message-step").nth(1)
            expect(step.locator(".sciwand-step-status")).to_have_text("awaiting approval")
            expect(step.locator(".sciwand-run-step")).to_be_enabled()
        assert not (root / "step-2-ran").exists(), "step 2 ran without its own approval"

        second.locator(".sciwand-message-step").nth(1).locator(".sciwand-run-step").click()
        wait_for(lambda: (root / "step-2-ran").exists(), 60, "step 2 to run once approved")
        for page in (first, second):  # the first decision on step 2 is what every tab shows
            step = page.locator(".sciwand-message-step").nth(1)
            expect(step.locator(".sciwand-step-outputs")).to_contain_text("step 2 ran", timeout=60_000)
            expect(step.locator(".sciwand-run-step")).to_have_count(0)
        assert not errors, errors
        browser.close()


def test_run_states_stream_the_models_words_and_a_steps_outputs(tmp_path, serve):
    from playwright.sync_api import expect, sync_playwright

    explanation = "Let me check the dose first."
    step = "print('first', flush=True)\n" + UNTIL_FILE.format(name="step-go") + "print('second')"
    writing = threading.Event()  # set by the test: the model's reply goes on past its first words

    def model(handler: Handler, number: int) -> None:
        if number == 1:
            handler.send_reply(f"{explanation}\n{python_block(step, prose='')}", pieces=2, gate=(2, writing))
        else:
            handler.send_reply("Final answer: the dose is 21 mg")

    endpoint = serve(model)
    model_env = {"SCIWAND_MODEL": "openai:test-model", "SCIWAND_BASE_URL": endpoint.base_url}
    model_env["OPENAI_API_KEY"] = "not-needed"
    busy_cell = "print('cell started', flush=True)\n" + UNTIL_FILE.format(name="cell-go")
    with running_lab(tmp_path, [busy_cell], model_env) as (url, token, root), sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport=VIEWPORT)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        open_panel(page, url, token)
        state = page.locator(".sciwand-run-state")

        page.locator(".jp-Notebook .jp-Cell").first.click()
        page.keyboard.press("Shift+Enter")  # a notebook cell that runs until the test lets it end
        expect(page.locator(".jp-Notebook .jp-OutputArea-output").first).to_contain_text("cell started")
        page.locator(".sciwand-input").fill("What is the dose?")
        page.locator(".sciwand-input").press("Enter")
        expect(state).to_contain_text("Waiting for the kernel", timeout=60_000)

        (root / "cell-go").touch()
        thinking = page.locator(".sciwand-message-thinking")
        expect(thinking).to_contain_text(explanation, timeout=60_000)  # streamed: the reply is not complete
        expect(state).to_have_text("The model is writing…")
        expect(page.locator(".sciwand-message-step")).to_have_count(0)

        writing.set()
        proposed = page.locator(".sciwand-message-step")
        expect(proposed.locator(".sciwand-step-explanation")).to_contain_text(explanation, timeout=60_000)
        proposed.locator(".sciwand-run-step").click()
        expect(proposed.locator(".sciwand-step-outputs")).to_contain_text("first", timeout=60_000)
        expect(state).to_have_text("Running a step…")  # the step still waits for its file
        expect(proposed.locator(".sciwand-step-outputs")).not_to_contain_text("second")

        (root / "step-go").touch()
        expect(proposed.locator(".sciwand-step-outputs")).to_contain_text("second", timeout=60_000)
        expect(page.locator(".sciwand-message-answer")).to_be_visible(timeout=60_000)
        expect(proposed.locator(".sciwand-step-explanation")).to_contain_text(explanation)
        assert not errors, errors
        browser.close()
