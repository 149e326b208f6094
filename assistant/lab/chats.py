"""The server-wide state of the lab panel: settings, the shared models, the history, a chat per kernel."""

from __future__ import annotations

import asyncio
from pathlib import Path

from jupyter_server.services.kernels.kernelmanager import MappingKernelManager

from assistant.config import Settings
from assistant.lab.chat import KernelChat
from assistant.lab.completion import CompletionService
from assistant.lab.history import ChatHistory
from assistant.lab.protocol import Config
from assistant.llm.model_cache import ModelCache


class LabState:
    def __init__(self, settings: Settings, kernel_manager: MappingKernelManager, data_dir: Path, scope: str) -> None:
        self.settings = settings
        self.kernel_manager = kernel_manager
        self.history = ChatHistory(data_dir / "sciwand" / "chats", scope)
        self.models_cache = ModelCache(settings)  # the embedded model loads once, at the first question
        self.completion = CompletionService(settings, self.models_cache, kernel_manager)  # the same model
        self.chats: dict[str, KernelChat] = {}

    @property
    def models(self) -> list[str]:
        """The models the panel offers: the configured one first, then ``Settings.lab_models``."""
        extra = [name.strip() for name in self.settings.lab_models.split(",") if name.strip()]
        return list(dict.fromkeys([self.settings.model, *extra]))

    def public_config(self) -> Config:
        return Config(self.models, self.settings.model, approval=True, auto_insert=True)

    def chat_for(self, kernel_id: str, notebook: str) -> KernelChat:
        """The chat of ``kernel_id``, made on first use; it follows the notebook the kernel now serves."""
        chat = self.chats.get(kernel_id)
        if chat is None or (chat.notebook != notebook and not chat.running):
            chat = KernelChat(
                kernel_id,
                notebook,
                self.kernel_manager.get_kernel(kernel_id),
                asyncio.get_running_loop(),  # called from a handler: the server's loop
                self.history,
                self.models_cache,
            )
            self.chats[kernel_id] = chat
        return chat

    async def forget(self, notebook: str) -> None:
        """Clear a notebook's conversation: its history and what the LLM remembers of it."""
        for kernel_id, chat in list(self.chats.items()):
            if chat.notebook == notebook:
                await chat.close()
                del self.chats[kernel_id]
        self.history.clear(notebook)

    async def close(self) -> None:
        for chat in self.chats.values():
            await chat.close()
        self.chats.clear()
