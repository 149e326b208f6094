"""A LangChain chat model over llama-cpp-python, for the embedded GGUF model (or any other GGUF file).

One ``Llama`` per model file per process, shared by every chat model instance and guarded by a lock:
llama.cpp contexts are not thread-safe, and a second copy would only double the memory.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel, generate_from_stream
from langchain_core.messages import AIMessageChunk, BaseMessage
from langchain_core.messages.ai import UsageMetadata
from langchain_core.outputs import ChatGenerationChunk, ChatResult

from assistant.errors import BackendError
from assistant.llm.prompt_cache import prime, restore, snapshot, system_prefix_tokens

_ROLES = {"system": "system", "human": "user", "ai": "assistant"}
# Fill-in-the-middle, as Qwen2.5-Coder (the embedded model) was trained for it: prefix, suffix, then the middle.
FIM_TOKENS = ("<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>")
FIM_STOP = ["<|endoftext|>", "<|fim_pad|>", "<|file_sep|>", "<|im_end|>", "<|fim_prefix|>", "\n\n"]


# The build flags that keep llama.cpp off its AMX kernels (see _refuse_amx_build) and on every other feature of
# the CPU it is built on (x86-64 compilers); the README's setup (docs/install.md) and .ci/run pass them to pip.
_NO_AMX = "-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"
BUILD_WITHOUT_AMX = f"-DCMAKE_C_FLAGS='{_NO_AMX}' -DCMAKE_CXX_FLAGS='{_NO_AMX}'"


def _refuse_amx_build(system_info: str) -> None:
    """Fail clearly where llama.cpp would crash: built natively on a CPU with AMX (Sapphire Rapids and later),
    llama-cpp-python 0.3.36 segfaults in its AMX matrix product on the first prompt (seen with this model)."""
    if "AMX_INT8 = 1" in system_info:
        raise BackendError(
            "this llama-cpp-python was built with AMX, whose matrix product crashes llama.cpp on the first "
            f'prompt; rebuild it without: CMAKE_ARGS="{BUILD_WITHOUT_AMX}" pip install --force-reinstall '
            "--no-cache-dir --no-deps llama-cpp-python==0.3.36"
        )


# functools.cache does not lock: two threads asking at once would each load the model (2 GB apiece).
_LOADING = threading.Lock()
# Chat replies waiting for a llama.cpp instance (by its id): a completion writing on it stops at its next token.
_CHATS_WAITING: Counter[int] = Counter()
_WAITING = threading.Lock()
# Completions holding a llama.cpp instance, and completions waiting behind them (by its id): the newer request
# is the one the user is looking at, so the one writing stops at its next token and the newer one goes next.
_COMPLETING: set[int] = set()
_COMPLETIONS_WAITING: Counter[int] = Counter()
WAIT_CHECK_S = 0.05  # how often a completion waiting behind another looks whether its caller still wants it


@contextmanager
def _chat_turn(llama: Any, lock: threading.Lock) -> Iterator[None]:
    """Hold the model for a chat reply; a completion holding it meanwhile gives it up within a token."""
    with _WAITING:
        _CHATS_WAITING[id(llama)] += 1
    try:
        lock.acquire()
    finally:
        with _WAITING:
            _CHATS_WAITING[id(llama)] -= 1
    try:
        yield
    finally:
        lock.release()


@contextmanager
def _completion_turn(
    llama: Any, lock: threading.Lock, cancelled: Callable[[], bool], waits: bool = True
) -> Iterator[bool]:
    """Hold the model for a completion, yielding whether it was had: at once when free, never behind a chat
    reply (False at once), and behind another completion (the previous key's) until it stops or the caller
    no longer wants the suggestion (False). One that ``waits`` not (a notebook's preparation) has the model
    only when it is free, and never makes the one holding it stop."""
    key = id(llama)
    had = lock.acquire(blocking=False)
    if not had and waits:
        with _WAITING:
            _COMPLETIONS_WAITING[key] += 1
        try:
            while not had and key in _COMPLETING and not cancelled():
                had = lock.acquire(timeout=WAIT_CHECK_S)
        finally:
            with _WAITING:
                _COMPLETIONS_WAITING[key] -= 1
    if had and _CHATS_WAITING[key]:  # a chat reply was waiting too: it goes first
        lock.release()
        had = False
    if not had:
        yield False
        return
    _COMPLETING.add(key)
    try:
        yield True
    finally:
        _COMPLETING.discard(key)
        lock.release()


def _load(model_path: str, n_ctx: int, n_threads: int) -> tuple[Any, threading.Lock]:
    """The process's one llama.cpp instance for this file, and the lock that serialises its use."""
    with _LOADING:
        return _load_once(model_path, n_ctx, n_threads)


@cache
def _load_once(model_path: str, n_ctx: int, n_threads: int) -> tuple[Any, threading.Lock]:
    try:
        import llama_cpp
    except ImportError as exc:
        raise ImportError("the embedded model needs llama-cpp-python: pip install 'sciwand[local]'") from exc
    _refuse_amx_build(llama_cpp.llama_print_system_info().decode(errors="replace"))
    llama = llama_cpp.Llama(model_path=model_path, n_ctx=n_ctx, n_threads=n_threads, verbose=False)
    return llama, threading.Lock()


class LocalChatModel(BaseChatModel):
    """Chat completions from a local GGUF file; sampling defaults tuned against repetition loops."""

    model_path: str
    n_ctx: int = 8192
    n_threads: int = max(1, os.cpu_count() or 1)
    temperature: float = 0.2
    top_p: float = 0.9
    top_k: int = 40
    min_p: float = 0.05
    repeat_penalty: float = 1.05
    max_tokens: int = 512
    seed: int = 1234

    @property
    def _llm_type(self) -> str:
        return "sciwand-llama-cpp"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_path": self.model_path, "temperature": self.temperature}

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        llama, lock = self.engine()
        chat = [{"role": _ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages]
        with _chat_turn(llama, lock):
            if messages and messages[0].type == "system":
                prefix = system_prefix_tokens(llama, str(messages[0].content))
                if prefix:
                    prime(llama, self.model_path, prefix)
            # What llama.cpp may reuse of its last prompt (a private attribute: no prefix figure without it).
            evaluated = getattr(llama, "_input_ids", None)
            cached = list(evaluated[: llama.n_tokens]) if evaluated is not None else []
            stream = llama.create_chat_completion(
                messages=chat,
                temperature=kwargs.get("temperature", self.temperature),
                top_p=self.top_p,
                top_k=self.top_k,
                min_p=self.min_p,
                repeat_penalty=self.repeat_penalty,
                max_tokens=kwargs.get("max_tokens", self.max_tokens),
                seed=self.seed,
                stop=stop or [],
                stream=True,
            )
            first = True
            for part in stream:
                text = part["choices"][0]["delta"].get("content")
                if not text:
                    continue
                # Usage rides on every chunk, so a consumer that stops early still counts exactly.
                prompt_tokens = llama.n_tokens - 1 if first else 0
                reused = _common_prefix(cached, evaluated[:prompt_tokens]) if first and cached else 0
                first = False
                usage = UsageMetadata(
                    input_tokens=prompt_tokens,
                    output_tokens=1,
                    total_tokens=prompt_tokens + 1,
                    input_token_details={"cache_read": reused},
                )
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=text, usage_metadata=usage))
                if run_manager:
                    run_manager.on_llm_new_token(text, chunk=chunk)
                yield chunk
            if first:  # nothing generated: an empty reply, which the loop answers with a nudge
                prompt_tokens = llama.n_tokens
                usage = UsageMetadata(input_tokens=prompt_tokens, output_tokens=0, total_tokens=prompt_tokens)
                yield ChatGenerationChunk(message=AIMessageChunk(content="", usage_metadata=usage))

    def engine(self) -> tuple[Any, threading.Lock]:
        """The llama.cpp instance this model shares (loaded on first use), and the lock its writers hold."""
        return _load(self.model_path, self.n_ctx, self.n_threads)

    def fill_in(
        self,
        prefix: str,
        suffix: str,
        max_tokens: int,
        finished: Callable[[str], bool] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> str | None:
        """The code between ``prefix`` and ``suffix``, greedy; None at once while the model writes a chat reply,
        so a completion never waits behind one, and a chat reply that asks for the model meanwhile gets it
        within a token (the completion returns what it has written). Behind another completion (the previous
        key's) it waits until that one stops at its next token, unless ``cancelled`` says the user typed on.
        It stops as soon as ``finished`` says the text holds the whole suggestion (on 2 cores each token
        costs ~70 ms).

        The completion's own evaluated state is kept in memory: after a chat reply it is restored, and only
        the part of the prompt typed since is evaluated again. It is taken again (tens of MB) only when the
        prompt has moved on from it by more than KEPT_STATE_SLACK tokens, about once per cell, not per key."""
        return self._fill(prefix, suffix, max_tokens, finished, cancelled or (lambda: False), waits=True)

    def prepare_fill(self, prefix: str, suffix: str) -> bool:
        """Read a completion's prompt before it is asked for (a notebook's cells, when it opens), so that the
        first suggestion evaluates only the cell typed; whether it was read. Only while the model is free: a
        completion asked meanwhile waits for the prompt being read, then goes (this one writes no more than a
        token), and one already writing is never stopped for it."""
        return self._fill(prefix, suffix, 1, None, lambda: False, waits=False) is not None

    def _fill(
        self,
        prefix: str,
        suffix: str,
        max_tokens: int,
        finished: Callable[[str], bool] | None,
        cancelled: Callable[[], bool],
        waits: bool,
    ) -> str | None:
        llama, lock = self.engine()
        with _completion_turn(llama, lock, cancelled, waits) as had:
            if not had:
                return None
            tokens = fim_tokens(llama, prefix, suffix)
            kept = _COMPLETION_STATES.get(id(llama))
            current = list(llama.input_ids[: llama.n_tokens])
            if kept is not None and _common_prefix(kept[0], tokens) > _common_prefix(current, tokens):
                restore(llama, kept[1], kept[0])
            text = ""
            stream = llama.create_completion(tokens, max_tokens=max_tokens, temperature=0.0, stop=FIM_STOP, stream=True)
            for part in stream:
                text += part["choices"][0]["text"]
                done = finished is not None and finished(text)
                if done or cancelled() or _CHATS_WAITING[id(llama)] or _COMPLETIONS_WAITING[id(llama)]:
                    stream.close()  # the suggestion is whole, or no longer wanted, or another needs the model
                    break
            if kept is None or _common_prefix(kept[0], tokens) < len(tokens) - KEPT_STATE_SLACK:
                _COMPLETION_STATES[id(llama)] = (list(llama.input_ids[: llama.n_tokens]), snapshot(llama))
            return text

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return generate_from_stream(self._stream(messages, stop, run_manager, **kwargs))


# The state llama.cpp held after a recent completion, by llama instance: (its tokens, the state's bytes).
_COMPLETION_STATES: dict[int, tuple[list[int], bytes]] = {}
# Tokens past a kept state that are cheaper to evaluate again (under a second) than to snapshot on every key.
KEPT_STATE_SLACK = 64


def fim_tokens(llama: Any, prefix: str, suffix: str) -> list[int]:
    """The fill-in-the-middle prompt as tokens; a model whose vocabulary has no FIM tokens cannot complete."""
    specials = [llama.tokenize(token.encode(), add_bos=False, special=True) for token in FIM_TOKENS]
    if any(len(ids) != 1 for ids in specials):
        raise BackendError(f"{os.path.basename(llama.model_path)} has no fill-in-the-middle tokens {FIM_TOKENS}")
    (fim_prefix,), (fim_suffix,), (fim_middle,) = specials

    def text(part: str) -> list[int]:
        return llama.tokenize(part.encode(), add_bos=False, special=False) if part else []

    return [fim_prefix, *text(prefix), fim_suffix, *text(suffix), fim_middle]


def _common_prefix(previous: list[int], current: Any) -> int:
    """Tokens at the start of ``current`` that llama.cpp kept from ``previous``: its prefix cache hit."""
    matched = 0
    for old, new in zip(previous, current, strict=False):
        if old != new:
            break
        matched += 1
    return matched
