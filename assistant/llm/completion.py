"""Completers: the model behind inline completion, as a call from (prefix, suffix) to the code between them.

The embedded model fills in the middle with its own FIM tokens (``LocalChatModel.fill_in``), sharing the one
llama.cpp instance with the chat and never waiting behind it. A remote OpenAI-compatible endpoint (``--base-url``)
gets the OpenAI completions API's ``prompt`` and ``suffix``. Other providers have no completion API here.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Protocol

import httpx
from langchain_core.language_models.chat_models import BaseChatModel

from assistant.config import Settings
from assistant.errors import BackendError
from assistant.llm.local_model import LocalChatModel

# Whether the text written so far already holds the whole suggestion: the model may stop writing.
Finished = Callable[[str], bool]
# Whether the caller no longer wants the suggestion (the user typed on).
Cancelled = Callable[[], bool]


class Completer(Protocol):
    def complete(
        self,
        prefix: str,
        suffix: str,
        max_tokens: int,
        finished: Finished | None = None,
        cancelled: Cancelled | None = None,
    ) -> str | None:
        """The code between ``prefix`` and ``suffix``; None when the model is busy (answer nothing now)."""
        ...

    def prepare(self, prefix: str, suffix: str) -> bool:
        """Read the prompt of completions to come, so the first one is quick; whether it was read. It gives
        way to any completion asked meanwhile."""
        ...


class LocalCompleter:
    """The embedded model (or another GGUF file with FIM tokens)."""

    def __init__(self, model: LocalChatModel) -> None:
        self.model = model

    def complete(
        self,
        prefix: str,
        suffix: str,
        max_tokens: int,
        finished: Finished | None = None,
        cancelled: Cancelled | None = None,
    ) -> str | None:
        return self.model.fill_in(prefix, suffix, max_tokens, finished, cancelled)

    def prepare(self, prefix: str, suffix: str) -> bool:
        return self.model.prepare_fill(prefix, suffix)


class RemoteCompleter:
    """An OpenAI-compatible endpoint's ``/completions`` (vLLM, llama.cpp's server, LM Studio, …)."""

    def __init__(self, base_url: str, model: str, timeout: float) -> None:
        self.url = base_url.rstrip("/") + "/completions"
        self.model = model
        self.timeout = timeout

    def complete(
        self,
        prefix: str,
        suffix: str,
        max_tokens: int,
        finished: Finished | None = None,
        cancelled: Cancelled | None = None,
    ) -> str | None:
        """One streamed request, read until the endpoint ends it (``stop``: a blank line), ``finished`` says the
        text is whole or ``cancelled`` that it is no longer wanted; closing the stream early stops the
        endpoint's model too."""
        key = os.environ.get("OPENAI_API_KEY")  # read here, never stored
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        body = {
            "model": self.model,
            "prompt": prefix,
            "suffix": suffix,
            "max_tokens": max_tokens,
            "temperature": 0,
            "stop": ["\n\n"],
            "stream": True,
        }
        text = ""
        try:
            with httpx.stream("POST", self.url, json=body, headers=headers, timeout=self.timeout) as response:
                response.raise_for_status()
                for line in response.iter_lines():
                    data = line.removeprefix("data:").strip()
                    if not line.startswith("data:") or data == "[DONE]":
                        continue
                    text += json.loads(data)["choices"][0]["text"]
                    if (finished is not None and finished(text)) or (cancelled is not None and cancelled()):
                        break
        except (httpx.HTTPError, KeyError, IndexError, ValueError) as exc:
            raise BackendError(f"completion at {self.url} failed: {exc}") from None
        return text

    def prepare(self, prefix: str, suffix: str) -> bool:
        """A one-token completion: an endpoint that caches prompts (llama.cpp's server, vLLM) keeps this one."""
        return self.complete(prefix, suffix, 1) is not None


# A completion that takes longer than this is no use to someone typing.
REMOTE_TIMEOUT_S = 10.0


def completer_for(settings: Settings, model: BaseChatModel) -> Completer | None:
    """The completer for the chat model ``settings`` name, or None when that model has no completion API here."""
    if isinstance(model, LocalChatModel):
        return LocalCompleter(model)
    provider, _, name = settings.model.partition(":")
    if provider == "openai" and settings.base_url:
        return RemoteCompleter(settings.base_url, name, REMOTE_TIMEOUT_S)
    return None
