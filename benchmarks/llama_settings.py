"""How fast llama.cpp reads a prompt and writes tokens here, under the settings that could change it.

    .venv/bin/python -m benchmarks.llama_settings

One process, one setting after another, the embedded model: ``Llama.eval`` of 1,100 tokens of this repository's
code from an empty cache (the prompt a single-turn dev task evaluates past the cached system prompt), then a
32-token completion after that prompt. The first row is what sciwand uses (``LocalChatModel``).
"""

from __future__ import annotations

import time
from pathlib import Path

from assistant.llm.weights import ensure_model_file

PROMPT_TOKENS = 1100
SETTINGS: list[dict[str, object]] = [
    {},
    {"flash_attn": True},
    {"n_batch": 2048, "n_ubatch": 512},
    {"flash_attn": True, "n_batch": 1024, "n_ubatch": 1024},
]


def main() -> int:
    import llama_cpp

    path = str(ensure_model_file())
    text = (Path(__file__).resolve().parent.parent / "assistant" / "engine" / "checks.py").read_text()[:6000]
    print(f"{'setting':<48} {'prompt tok/s':>12} {'32 tokens s':>12}")
    for extra in SETTINGS:
        llama = llama_cpp.Llama(model_path=path, n_ctx=8192, n_threads=2, verbose=False, **extra)
        tokens = llama.tokenize(text.encode())[:PROMPT_TOKENS]
        llama.eval(tokens[:16])  # warm the weights
        llama.reset()
        started = time.perf_counter()
        llama.eval(tokens)
        rate = len(tokens) / (time.perf_counter() - started)
        started = time.perf_counter()
        llama.create_completion(tokens, max_tokens=32, temperature=0)
        written = time.perf_counter() - started
        print(f"{extra or 'sciwand (defaults)'!s:<48} {rate:>12.0f} {written:>12.2f}", flush=True)
        del llama
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
