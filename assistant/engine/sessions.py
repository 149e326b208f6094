"""The one way settings become a chat session, for every front-end: ask, chat, eval, batch, run, magics, panel.

Each front-end differs only in where the model and the executor come from and which events it shows; what the
settings decide (turn limit, cell timeout, LLM deadline and concurrency, crash replay) is decided here, so no
front-end can drift from another.
"""

from __future__ import annotations

from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel

from assistant.config import Settings, replay_policy
from assistant.engine.events import LoopEvents
from assistant.engine.executor import Executor
from assistant.engine.loop import ChatSession
from assistant.llm.backends import call_deadline, describe
from kernels import KernelSession
from kernels.recovery import RecoveringKernel


def session_settings(settings: Settings) -> dict[str, Any]:
    """The ``ChatSession`` attributes the settings decide."""
    return {
        "model_name": describe(settings),
        "max_turns": settings.max_turns,
        "timeout": settings.timeout,
        "llm_deadline": call_deadline(settings),
        # The embedded model serialises its calls itself; a remote endpoint gets at most llm_concurrency at once.
        "llm_concurrency": None if settings.model == "local" else settings.llm_concurrency,
    }


def kernel_executor(kernel: KernelSession, settings: Settings) -> RecoveringKernel:
    """A kernel whose crash is recovered by replaying its journal within the settings' replay budget."""
    return RecoveringKernel(kernel, replay_policy(settings))


def session_for(
    settings: Settings,
    executor: Executor,
    events: LoopEvents | None = None,
    *,
    model: BaseChatModel,
    **options: Any,
) -> ChatSession:
    """A new conversation on ``executor``; ``options`` are harness keywords (ablations, approval, setup)."""
    return ChatSession(model, executor, events=events, **{**session_settings(settings), **options})


def follow_settings(session: ChatSession, settings: Settings, model: BaseChatModel) -> None:
    """A live conversation (magics, panel) takes changed settings: its model and limits change, its memory stays."""
    session.model = model
    for name, value in session_settings(settings).items():
        setattr(session, name, value)
