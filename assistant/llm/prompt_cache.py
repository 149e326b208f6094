"""The embedded model's state after reading the system prompt, kept on disk across processes.

On 2 cores llama.cpp reads about 40 prompt tokens a second, so the ~600-token system prompt costs
~15 s at the start of every ``sciwand ask``. Within one process llama.cpp already reuses the longest
common token prefix; this cache extends that across processes: the KV state of the system message is
saved once (a few MB) and loaded in well under a second.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
from pathlib import Path
from typing import Any

import numpy as np

from assistant.llm.weights import cache_dir

_CHATML_MARKER = "<|im_start|>"


def system_prefix_tokens(llama: Any, system_text: str) -> list[int] | None:
    """Tokens of the system turn as the chat template renders it; None for non-ChatML templates."""
    template = llama.metadata.get("tokenizer.chat_template", "")
    if _CHATML_MARKER not in template:
        return None
    return llama.tokenize(f"<|im_start|>system\n{system_text}<|im_end|>\n".encode(), add_bos=True, special=True)


def _cache_file(model_path: str, tokens: list[int]) -> Path:
    stat = os.stat(model_path)
    digest = hashlib.sha256(f"{os.path.abspath(model_path)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    digest.update(np.asarray(tokens, dtype=np.int32).tobytes())
    return cache_dir() / "prompt-cache" / f"{digest.hexdigest()[:32]}.kv"


def _holds_prefix(llama: Any, tokens: list[int]) -> bool:
    count = len(tokens)
    return llama.n_tokens >= count and llama.input_ids[:count].tolist() == tokens


def prime(llama: Any, model_path: str, tokens: list[int]) -> None:
    """Make ``llama`` hold the state after ``tokens``: already there, from disk, or computed and saved."""
    if _holds_prefix(llama, tokens):
        return
    path = _cache_file(model_path, tokens)
    if path.exists() and restore(llama, path.read_bytes(), tokens):
        return
    llama.reset()
    llama.eval(tokens)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial.write_bytes(snapshot(llama))
    os.replace(partial, path)


def restore(llama: Any, state: bytes, tokens: list[int]) -> bool:
    """Make ``llama`` hold ``state``, a snapshot taken after evaluating ``tokens``; False if llama.cpp refused it."""
    buffer = (ctypes.c_uint8 * len(state)).from_buffer_copy(state)
    if not llama_state_set(llama, buffer, len(state)):
        return False
    llama.input_ids[: len(tokens)] = tokens
    llama.n_tokens = len(tokens)
    return True


def llama_state_set(llama: Any, buffer: Any, size: int) -> bool:
    import llama_cpp

    return int(llama_cpp.llama_state_set_data(llama._ctx.ctx, buffer, size)) == size


def snapshot(llama: Any) -> bytes:
    """llama.cpp's state (the KV cache of the tokens evaluated so far), a few MB per thousand tokens."""
    import llama_cpp

    size = llama_cpp.llama_state_get_size(llama._ctx.ctx)
    buffer = (ctypes.c_uint8 * size)()
    written = llama_cpp.llama_state_get_data(llama._ctx.ctx, buffer, size)
    return bytes(buffer)[:written]
