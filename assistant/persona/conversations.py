"""Where a chat's questions run, and what each kernel remembers between them.

A chat has a kernel of its own, started at its first question in the chat's folder and kept until the persona
shuts down, so a follow-up sees the variables of the last question. A question with a notebook attached runs in
that notebook's kernel in the Jupyter server instead, attached for the one run (as the lab panel does). Each
kernel keeps its conversation: the loop's memory of earlier questions and the journal a crash replays.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from langchain_core.language_models.chat_models import BaseChatModel

from assistant.config import Settings, kernel_limits, replay_policy
from assistant.engine.events import LoopEvents
from assistant.engine.kernel_context import adopt_kernel_journal
from assistant.engine.loop import ChatSession
from assistant.engine.sessions import follow_settings, kernel_executor, session_for
from kernels import KernelConfig, KernelSession
from kernels.recovery import RecoveringKernel, replay


@dataclass
class Conversation:
    """One kernel's conversation with the loop, and the connection to that kernel for the current question."""

    session: ChatSession
    executor: RecoveringKernel
    kernel: KernelSession


class Conversations:
    """The chat's own kernel and the notebook kernels its questions were attached to, each with its memory."""

    def __init__(self, events: LoopEvents) -> None:
        self.events = events
        self._own: Conversation | None = None
        self._notebooks: dict[str, Conversation] = {}  # by the server's kernel id

    def own(self, chat_dir: Path, settings: Settings, model: BaseChatModel) -> tuple[Conversation, str]:
        """The chat's kernel, started in ``chat_dir`` on first use; and what was done if it had died since the
        last question."""
        if self._own is None:
            kernel = KernelSession(KernelConfig(cwd=chat_dir, **kernel_limits(settings)))
            try:
                kernel.start()
            except BaseException:
                with contextlib.suppress(Exception):  # stop the I/O thread; the cause is what the chat shows
                    kernel.shutdown()
                raise
            self._own = self._start(kernel, settings, model)
            return self._own, ""
        self._follow(self._own, settings, model)
        return self._own, _revive(self._own)

    def notebook(
        self,
        kernel_id: str,
        manager: AsyncKernelManager,
        loop: asyncio.AbstractEventLoop,
        settings: Settings,
        model: BaseChatModel,
    ) -> Conversation:
        """The conversation in the server's kernel ``kernel_id`` (its manager runs on ``loop``), attached until
        ``detach``."""
        kernel = KernelSession.attach(manager, loop)
        conversation = self._notebooks.get(kernel_id)
        if conversation is None:
            conversation = self._notebooks[kernel_id] = self._start(kernel, settings, model)
        else:
            conversation.kernel = conversation.executor.kernel = kernel
            self._follow(conversation, settings, model)
        try:
            adopt_kernel_journal(conversation.kernel, conversation.executor)
        except BaseException:
            self.detach(conversation)  # no connection to the server's kernel outlives the run
            raise
        return conversation

    def _start(self, kernel: KernelSession, settings: Settings, model: BaseChatModel) -> Conversation:
        executor = kernel_executor(kernel, settings)
        return Conversation(session_for(settings, executor, self.events, model=model), executor, kernel)

    @staticmethod
    def detach(conversation: Conversation) -> None:
        """Close the run's connection to a notebook's kernel; the kernel stays: the server owns it."""
        conversation.kernel.shutdown()

    @staticmethod
    def _follow(conversation: Conversation, settings: Settings, model: BaseChatModel) -> None:
        follow_settings(conversation.session, settings, model)
        conversation.executor.policy = replay_policy(settings)

    def shutdown(self) -> None:
        """Stop the chat's own kernel (notebook kernels are only ever attached for a run)."""
        own, self._own = self._own, None
        if own is not None:
            own.kernel.shutdown()


def _revive(conversation: Conversation) -> str:
    """Restart the kernel if it died while idle and replay its journal, as after a crash in a step: the note
    saying what came back, or "" when the kernel is alive."""
    kernel, executor = conversation.kernel, conversation.executor
    if kernel.is_alive():
        return ""
    cause = kernel.exit_cause()
    kernel.restart()
    died = f"The chat's kernel had died since the last question{f' ({cause})' if cause else ''}"
    return replay(kernel, executor.journal, executor.policy, died).describe()
