"""Inline completion and ``@``-mentions in a real browser: `jupyter lab`, Debian's Chromium driven by Playwright,
and a scripted OpenAI-compatible endpoint on 127.0.0.1 that answers ``/completions`` (the editor's suggestions)
and ``/chat/completions`` (the panel's questions) and keeps every request. Screenshots land in
``test-artifacts/``.
"""

from __future__ import annotations

import re
from typing import Any

from test_lab_browser import ARTIFACTS, lab_page

from conftest import wait_for

SUGGESTION = "pi * radius ** 2\nprint(area)"  # the endpoint's completion; the server cuts it to its statement
FRAME = "import pandas as pd\nframe = pd.DataFrame({'dose': [1.5, 2.5, 3.5], 'weight': [61, 72, 83]})"


def scripted_endpoint(serve: Any, replies: list[str]) -> tuple[Any, dict[str, str]]:
    """An endpoint whose ``/completions`` answer SUGGESTION and whose chat answers ``replies`` in order."""
    chats: list[int] = []

    def behaviour(handler: Any, number: int) -> None:
        if handler.path.endswith("/chat/completions"):
            chats.append(number)
            handler.send_reply(replies[min(len(chats), len(replies)) - 1])
        else:
            assert handler.path.endswith("/completions"), handler.path
            handler.send_completion(SUGGESTION)

    server = serve(behaviour)
    return server, {"SCIWAND_MODEL": "openai:test-model", "SCIWAND_BASE_URL": server.base_url}


def completions(server: Any) -> list[dict]:
    return [body for body in list(server.requests) if "prompt" in body]


def chats(server: Any) -> list[dict]:
    return [body for body in list(server.requests) if "messages" in body]


def test_a_suggestion_shows_as_ghost_text_and_tab_accepts_it(tmp_path, serve):
    from playwright.sync_api import expect

    server, model_env = scripted_endpoint(serve, ["Final answer: nothing to say."])
    with lab_page(tmp_path, ["import math\nradius = 2.0", ""], model_env, inline_completion=True) as page:
        # The notebook became current: one warm-up request, the notebook's code cells and nothing typed.
        wait_for(lambda: completions(server), timeout=60, what="the warm-up request")
        warm_up = completions(server)[0]
        assert "radius = 2.0" in warm_up["prompt"] and warm_up["suffix"] == "", warm_up

        cell = page.locator(".jp-Notebook .jp-Cell").nth(1)
        cell.locator(".cm-content").click()
        page.keyboard.type("area = math.")
        ghost = cell.locator(".jp-GhostText")
        expect(ghost).to_have_text("pi * radius ** 2", timeout=30_000)  # cut at the end of its statement
        asked = completions(server)[-1]
        assert asked["prompt"].endswith("area = math."), asked
        assert "radius = 2.0" in asked["prompt"]  # the cell before it
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "lab-inline-completion.png"))

        page.keyboard.press("Tab")
        expect(cell.locator(".cm-content")).to_have_text("area = math.pi * radius ** 2")
        expect(ghost).to_have_count(0)


def test_at_lists_the_kernels_variables_and_the_question_carries_the_chosen_one(tmp_path, serve):
    from playwright.sync_api import expect

    server, model_env = scripted_endpoint(serve, ["Final answer: the patients weigh **61 to 83 kg**."])
    with lab_page(tmp_path, [FRAME], model_env, inline_completion=True) as page:
        page.locator(".jp-Notebook .jp-Cell").first.click()
        page.keyboard.press("Shift+Enter")  # frame now lives in the notebook's kernel
        expect(page.locator(".jp-Notebook .jp-Cell").first.locator(".jp-InputPrompt")).to_have_text(
            "[1]:", timeout=60_000
        )

        box = page.locator(".sciwand-input")
        box.click()
        page.keyboard.type("How heavy are the patients in @")
        mentions = page.locator(".sciwand-mentions")
        frame = mentions.locator(".sciwand-mention").filter(has_text="frame")
        expect(frame).to_be_visible(timeout=30_000)
        expect(frame.locator(".sciwand-mention-description")).to_have_text("DataFrame 3x2 (columns: dose, weight)")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "lab-panel-mentions.png"))
        page.keyboard.press("Escape")
        expect(mentions).to_be_hidden()
        expect(box).to_have_value("How heavy are the patients in @")
        page.keyboard.type("fr")  # typing on opens the list again, narrowed
        expect(frame).to_be_visible(timeout=30_000)
        page.keyboard.press("Enter")  # chooses, does not send
        expect(box).to_have_value("How heavy are the patients in @frame ")
        expect(mentions).to_be_hidden()
        page.keyboard.type("?")
        page.keyboard.press("Enter")

        expect(page.locator(".sciwand-message-answer")).to_contain_text("61 to 83 kg", timeout=60_000)
        sent = "\n".join(str(message.get("content", "")) for message in chats(server)[0]["messages"])
        assert "How heavy are the patients in `frame`" in sent, sent
        assert "The question names these variables:" in sent and "weight (int64)" in sent, sent

        # Tokens in and out under the answer; a remote model's window is unknown: no context gauge.
        figures = page.locator(".sciwand-message-figures")
        expect(figures).to_contain_text(re.compile(r"\d[\d,]* tokens in / \d+ out"))
        expect(figures.locator(".sciwand-context")).to_have_count(0)
