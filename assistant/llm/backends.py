"""Which LangChain chat model a setting names, and the one-line errors when it cannot be had."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from langchain_core.language_models.chat_models import BaseChatModel

from assistant.config import Settings
from assistant.errors import BackendError
from assistant.llm.weights import ensure_model_file

_PROVIDER_PACKAGES = {
    "openai": "langchain-openai",
    "anthropic": "langchain-anthropic",
    "ollama": "langchain-ollama",
    "google_genai": "langchain-google-genai",
    "mistralai": "langchain-mistralai",
    "groq": "langchain-groq",
}


# Providers whose chat models accept ``timeout`` and ``max_retries``; others get their own defaults.
_TAKES_TIMEOUT = {"openai", "anthropic", "mistralai", "groq"}


# The openai client's back-off before retry k (0-based): min(0.5 * 2**k, 8) seconds, less up to 25% jitter.
_BACKOFF_FIRST, _BACKOFF_MAX = 0.5, 8.0


def call_deadline(settings: Settings) -> float | None:
    """Seconds one LLM call may take in all, retries included: the loop's own bound, or None (no network).

    The provider's timeout applies per attempt and per read, so a server that trickles bytes never trips it;
    this bound does: every attempt may wait ``llm_timeout``, plus the back-off between attempts.
    """
    provider = settings.model.partition(":")[0]
    if provider not in _TAKES_TIMEOUT:
        return None
    backoff = sum(min(_BACKOFF_FIRST * 2**k, _BACKOFF_MAX) for k in range(settings.llm_retries))
    return settings.llm_timeout * (settings.llm_retries + 1) + backoff


def describe(settings: Settings) -> str:
    if settings.model == "local":
        return f"local:{os.path.basename(settings.model_path) if settings.model_path else 'qwen2.5-coder-1.5b-q4_k_m'}"
    return settings.model


def make_chat_model(settings: Settings, progress: Callable[[int, int], None] | None = None) -> BaseChatModel:
    if settings.model == "local":
        return _local_model(settings, progress)
    provider, sep, name = settings.model.partition(":")
    if not sep or not name:
        raise BackendError(f"--model {settings.model!r}: use 'local' or PROVIDER:NAME, e.g. openai:gpt-4o-mini")
    if provider == "scripted":
        return _scripted_model(Path(name))
    from langchain.chat_models import init_chat_model

    kwargs: dict[str, object] = {}
    if provider in _TAKES_TIMEOUT:
        # The provider's client retries connection errors, 429s and 5xxs with exponential back-off and jitter.
        kwargs.update(timeout=settings.llm_timeout, max_retries=settings.llm_retries)
    if settings.temperature is not None:
        kwargs["temperature"] = settings.temperature
    if settings.base_url:
        kwargs["base_url"] = settings.base_url
        if provider == "openai" and not os.environ.get("OPENAI_API_KEY"):
            kwargs["api_key"] = "not-needed"  # local OpenAI-compatible servers ignore it
    if provider == "openai":
        kwargs["stream_usage"] = True
    try:
        return init_chat_model(name, model_provider=provider, **kwargs)
    except ImportError:
        package = _PROVIDER_PACKAGES.get(provider, f"langchain-{provider}")
        raise BackendError(f"provider {provider!r} needs its package: pip install {package}") from None
    except Exception as exc:  # provider constructors raise their own types, e.g. for a missing key
        raise BackendError(f"cannot use model {settings.model!r}: {_first_line(exc)}") from None


def _scripted_model(path: Path) -> BaseChatModel:
    """Replies read from a JSON list of strings, in order: for tests and demos without an LLM."""
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    try:
        replies = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise BackendError(f"scripted model {path}: {exc}") from None
    if not isinstance(replies, list) or not all(isinstance(r, str) for r in replies):
        raise BackendError(f"scripted model {path}: expected a JSON list of strings")
    return FakeListChatModel(responses=replies)


def _local_model(settings: Settings, progress: Callable[[int, int], None] | None) -> BaseChatModel:
    from assistant.llm.local_model import LocalChatModel

    if settings.model_path:
        if not os.path.isfile(settings.model_path):
            raise BackendError(f"--model-path {settings.model_path}: no such file")
        path = settings.model_path
    else:
        path = str(ensure_model_file(progress=progress))
    try:
        import llama_cpp  # noqa: F401  (fail here, with advice, rather than at the first question)
    except ImportError:
        raise BackendError("the local model needs llama-cpp-python: pip install 'sciwand[local]'") from None
    extra = {} if settings.temperature is None else {"temperature": settings.temperature}
    return LocalChatModel(model_path=path, **extra)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
