"""``@sciwand`` in Jupyter AI's chat: a question answered by sciwand's loop, each step posted as it runs.

Jupyter AI makes one persona per chat and calls ``process_message`` on the server's event loop, one message at
a time. The loop blocks (LLM calls, kernel requests), so it runs in a thread of its own; what it reports reaches
the chat through the server's loop (``_LoopChat``). Settings are read at each message, so a fixed config file
needs no server restart, and a bad one is a chat message, never a crashed server.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import re
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from jupyter_ai_persona_manager import BasePersona, PersonaDefaults, Usage
from jupyter_client.manager import AsyncKernelManager
from jupyterlab_chat.models import Message, MimeModel, NewMessage, NotebookAttachment

from assistant.config import load_settings
from assistant.engine.events import Figures
from assistant.engine.kernel_context import context_from_kernel
from assistant.engine.prompts import SYSTEM_PROMPT
from assistant.errors import InputError, RunStopped, SciwandError
from assistant.llm.model_cache import LatestModel
from assistant.persona.conversations import Conversation, Conversations
from assistant.persona.relay import ChatRelay

AVATAR = Path(__file__).with_name("avatar.svg")
_MODEL = LatestModel()  # one per server process, shared by every chat's persona
# A stop's interrupt can reach the kernel just before the step's code starts, and be lost: it is repeated.
_INTERRUPTS, _INTERRUPT_INTERVAL_S = 10, 0.5
_HELP = "Ask me a scientific question: I answer it by running Python in a kernel, and show each step here."


class SciwandPersona(BasePersona):
    """Answers with sciwand's loop in the chat's own kernel, or in the kernel of a notebook attached to the
    message; each step's code and outputs, its images and the final answer are messages of their own."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._relay = ChatRelay(_LoopChat(self))
        self._conversations = Conversations(self._relay)
        self._interrupt: Callable[[], Awaitable[None]] | None = None  # interrupts the kernel of the current run

    @property
    def defaults(self) -> PersonaDefaults:
        return PersonaDefaults(
            name="sciwand",
            description="Answers scientific questions by running Python (RDKit, Biopython, astropy) in a kernel.",
            avatar_path=str(AVATAR),
            system_prompt=SYSTEM_PROMPT,
        )

    async def process_message(self, message: Message) -> None:
        question = self._question(message.body)
        if not question:
            self.send_message(_HELP)
            return
        notebook = _attached_notebook(message, self.chat.get_attachments())
        try:
            notebook_kernel = await self._notebook_kernel(notebook) if notebook else None
        except InputError as exc:
            self.send_message(f"**sciwand:** {exc}")
            return
        self._relay.begin()
        self.set_status("is getting ready...")
        try:
            await _in_thread(self._answer, question, notebook_kernel)
        finally:
            self.clear_status()

    def _question(self, body: str) -> str:
        """The message without the mention that addressed it to this persona."""
        mention = re.escape(f"@{self.as_user().mention_name}")
        return re.sub(rf"(?<!\S){mention}(?!\S)", " ", body).strip()

    async def _notebook_kernel(self, path: str) -> tuple[str, AsyncKernelManager]:
        """The id and manager of the server's kernel for notebook ``path`` (the kernel its open notebook uses)."""
        serverapp = getattr(self.parent.parent, "serverapp", None)  # the persona manager's extension app
        if serverapp is None:
            raise InputError(f"this chat runs without a Jupyter server, so the kernel of {path} cannot be reached")
        for session in await serverapp.session_manager.list_sessions():
            if session["path"] == path and session.get("kernel"):
                kernel_id = session["kernel"]["id"]
                return kernel_id, serverapp.kernel_manager.get_kernel(kernel_id)
        raise InputError(f"the attached notebook {path} has no running kernel: open it, then ask again")

    def _answer(self, question: str, notebook: tuple[str, AsyncKernelManager] | None) -> None:
        """Answer ``question`` (in a worker thread); every failure becomes a chat message, never an exception."""
        out = self._relay.chat
        conversation: Conversation | None = None
        try:
            settings = load_settings()
            model = _MODEL.get(settings)
            if notebook is None:
                conversation, note = self._conversations.own(Path(self.get_chat_dir()), settings, model)
                self._interrupt = functools.partial(asyncio.to_thread, conversation.kernel.interrupt)
                if note:
                    out.post(f"*{note}*")
            else:
                kernel_id, manager = notebook
                conversation = self._conversations.notebook(kernel_id, manager, self.event_loop, settings, model)
                self._interrupt = manager.interrupt_kernel
            resolved, variables = context_from_kernel(conversation.kernel, question)
            conversation.session.ask(resolved, variables)
        except RunStopped:
            out.post("*Stopped.* The kernel and its variables are still there.")
        except SciwandError as exc:
            out.post(f"**sciwand:** {exc}")
        except Exception as exc:  # the answer ends; the server, the chat and the kernel go on
            self.log.exception("sciwand failed to answer in chat %s", self.get_chat_path(relative=True))
            out.post(f"**sciwand failed:** {type(exc).__name__}: {exc}")
        finally:
            self._interrupt = None
            self._relay.executing = False
            if notebook is not None and conversation is not None:
                Conversations.detach(conversation)

    async def cancel_response(self) -> None:
        """The chat's stop button: end the run at its next event, interrupting the step that runs."""
        self._relay.stopped.set()
        for _ in range(_INTERRUPTS):
            interrupt = self._interrupt
            if interrupt is None or not self._relay.executing:
                return
            with contextlib.suppress(Exception):  # the kernel may be gone; the flag still ends the run
                await interrupt()
            await asyncio.sleep(_INTERRUPT_INTERVAL_S)

    async def shutdown(self) -> None:
        """The chat closed or the server stops: end any run and stop the chat's own kernel."""
        await super().shutdown()
        self._relay.stopped.set()
        await _in_thread(self._conversations.shutdown)


class _LoopChat:
    """The relay's ``Chat``: each change is scheduled on the server's loop, where the chat lives."""

    def __init__(self, persona: SciwandPersona) -> None:
        self.persona = persona

    def _soon(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        self.persona.event_loop.call_soon_threadsafe(functools.partial(function, *args, **kwargs))

    def post(self, body: str, mime: tuple[dict[str, Any], dict[str, Any]] | None = None) -> None:
        model = MimeModel(data=mime[0], metadata=mime[1]) if mime else None
        self._soon(self.persona.chat.add_message, NewMessage(body=body, sender=self.persona.id, mime_model=model))

    def status(self, text: str) -> None:
        self._soon(self.persona.set_status, text)

    def usage(self, figures: Figures) -> None:
        if figures.tokens_in is None:  # the provider reported none: say nothing rather than 0
            return
        usage = Usage(input_tokens=figures.tokens_in, output_tokens=figures.tokens_out)
        self._soon(self.persona.report_usage, usage, append=True)


def _attached_notebook(message: Message, attachments: dict[str, Any]) -> str | None:
    """The path of the first notebook attached to ``message``, relative to the server's root."""
    for attachment_id in message.attachments or []:
        attachment = attachments.get(attachment_id)
        if isinstance(attachment, NotebookAttachment):
            return attachment.value
    return None


async def _in_thread(function: Callable[..., None], *args: Any) -> None:
    """Run blocking ``function`` in a thread of its own: a run lasts minutes, and would hold a worker of the
    loop's shared pool, which the server needs for its own blocking calls."""
    loop = asyncio.get_running_loop()
    done = loop.create_future()

    def run() -> None:
        try:
            function(*args)
        finally:
            loop.call_soon_threadsafe(lambda: done.done() or done.set_result(None))

    threading.Thread(target=run, name="sciwand-persona", daemon=True).start()
    await done
