"""Where a question's prompt tokens go: the first LLM call of each single-turn task, part by part, counted with
the embedded model's tokenizer. The harness and the kernel are real; the model is a stand-in that answers at
once, so nothing is generated and a suite's anatomy takes seconds per task.

    .venv/bin/python -m benchmarks.prompt_anatomy [SUITE] [--every 6] [--variant asked-row]

On 2 cores llama.cpp reads ~90 prompt tokens a second, so every 100 tokens past the cached system prompt cost
about a second per task: this is the table to read before shortening a prompt.
"""

from __future__ import annotations

import argparse
import re
import statistics
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk

from assistant.engine.harness import configured
from assistant.engine.loop import ChatSession
from assistant.llm.weights import ensure_model_file
from assistant.runs.tasks import load_suite
from kernels import KernelConfig, KernelSession

SUITE = Path(__file__).resolve().parent / "tasks" / "dev.jsonl"
HEADING = re.compile(r"\n(?=[A-Z][^\n]{0,70}:\n)")  # "Worked examples …:", "Bound names:", "Output:", …


class FirstCall(FakeListChatModel):
    """Answers at once and keeps the messages of its first call."""

    first: list[BaseMessage] | None = None

    def _stream(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        if self.first is None:
            self.first = list(messages)
        yield from super()._stream(messages, *args, **kwargs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("suite", type=Path, nargs="?", default=SUITE)
    parser.add_argument("--every", type=int, default=6, help="every n-th single-turn task")
    parser.add_argument("--variant", default=None, help="a harness override (assistant/engine/harness.py)")
    args = parser.parse_args(argv)
    import llama_cpp

    vocab = llama_cpp.Llama(model_path=str(ensure_model_file()), vocab_only=True, verbose=False)

    def tokens(text: str) -> int:
        return len(vocab.tokenize(text.encode(), add_bos=False))

    tasks = [task for task in load_suite(args.suite).tasks if len(task.turns) == 1][:: args.every]
    past_system: list[int] = []
    for task in tasks:
        kernel = KernelSession(KernelConfig()).start()
        try:
            model = FirstCall(responses=["Final answer: 1"])
            ChatSession(model, kernel, model_name="anatomy", harness=configured(args.variant)).ask(task.turns[0])
        finally:
            kernel.shutdown()
        messages = model.first or []
        sizes = [tokens(str(message.content)) for message in messages]
        past_system.append(sum(sizes[1:]))
        print(f"{task.id}: " + ", ".join(f"{m.type} {n}" for m, n in zip(messages, sizes, strict=True)))
        for part in HEADING.split(str(messages[1].content)) if len(messages) > 1 else []:
            print(f"  {tokens(part):6d}  {part.strip().splitlines()[0][:70]}")
    if past_system:
        print(f"\nmedian tokens past the system prompt: {statistics.median(past_system):.0f} ({len(tasks)} tasks)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
