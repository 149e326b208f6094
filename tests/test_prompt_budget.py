"""The prompts stay short enough for a 4k context.

For the first turn of every task of the dev and test suites, the exact first prompt the loop sends (the
system prompt, then the user turn with worked examples, bound names, catalog entries and library names),
rendered with the embedded model's own chat template and counted with its own tokenizer. The largest must
leave room for a few more exchanges within 4096 tokens, the context a small local model is run with.

Only the vocabulary is loaded (``vocab_only``): no weights in memory, no inference. It is read from the
embedded model's GGUF file, hence the ``model`` mark.
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

import pytest

from assistant.engine.loop import ChatSession
from assistant.llm.local_model import (
    _ROLES,  # the roles LocalChatModel gives llama.cpp, so the count is of what it reads
)
from assistant.llm.prompt_cache import system_prefix_tokens
from assistant.llm.weights import ensure_model_file
from assistant.runs.tasks import load_suite
from domain_tools.catalog import load as load_catalog

from conftest import ScriptedChatModel

pytestmark = pytest.mark.model

CONTEXT_TOKENS = 4096
FURTHER_EXCHANGES = 3  # replies and observations after the first prompt that must still fit
EXCHANGE_TOKENS = 600  # one exchange: a reply with its code block, and the observation of its output
SUITES = [Path(__file__).resolve().parents[1] / "benchmarks" / "tasks" / name for name in ("dev.jsonl", "test.jsonl")]


class NoKernel:
    """The executor of a dry run: building the first prompt must run nothing."""

    def execute(self, code: str, timeout: float | None = None) -> Any:
        raise AssertionError(f"the first prompt ran code: {code!r}")

    def restart(self) -> None:
        raise AssertionError("the first prompt restarted the kernel")


class Tokenizer:
    """The embedded model's vocabulary and chat template: ``tokens(messages)`` are the prompt's tokens as
    ``Llama.create_chat_completion`` builds them (the GGUF's template rendered by Jinja2ChatFormatter, then
    tokenized with its special tokens)."""

    def __init__(self, llama: Any) -> None:
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        self.llama = llama
        self.formatter = Jinja2ChatFormatter(
            template=llama.metadata["tokenizer.chat_template"],
            eos_token=llama._model.token_get_text(llama.token_eos()),
            bos_token=llama._model.token_get_text(llama.token_bos()),
        )

    def tokens(self, messages: list[Any]) -> list[int]:
        chat = [{"role": _ROLES.get(message.type, "user"), "content": str(message.content)} for message in messages]
        rendered = self.formatter(messages=chat)
        return self.llama.tokenize(rendered.prompt.encode(), add_bos=not rendered.added_special, special=True)


@pytest.fixture(scope="module")
def tokenizer() -> Tokenizer:
    llama_cpp = pytest.importorskip("llama_cpp")
    return Tokenizer(llama_cpp.Llama(model_path=str(ensure_model_file()), vocab_only=True, verbose=False))


def first_prompt(question: str, catalog: Any) -> list[Any]:
    """The messages of the loop's first LLM call for ``question``, in a fresh session with the default harness."""
    model = ScriptedChatModel(responses=["Final answer: -"])
    ChatSession(model, NoKernel(), catalog=catalog).propose(question)
    [messages] = model.calls
    return messages


def test_every_first_prompt_leaves_room_for_three_exchanges_in_4k(tokenizer: Tokenizer):
    catalog = load_catalog()
    counts: dict[str, int] = {}
    for path in SUITES:
        suite = load_suite(path)
        assert not suite.problems and suite.tasks, path
        for task in suite.tasks:
            messages = first_prompt(task.turns[0], catalog)
            assert [message.type for message in messages] == ["system", "human"]
            counts[f"{path.stem}:{task.id}"] = len(tokenizer.tokens(messages))
    # The count is of the prompt the model reads: it starts with the system turn prompt_cache.py caches.
    prefix = system_prefix_tokens(tokenizer.llama, str(messages[0].content))
    assert prefix is not None and tokenizer.tokens(messages)[: len(prefix)] == prefix
    largest = max(counts, key=counts.__getitem__)
    median = statistics.median(counts.values())
    print(
        f"\nfirst prompts of {len(counts)} tasks: max {counts[largest]} tokens ({largest}), median {median:g}, "
        f"min {min(counts.values())}; system prompt alone {len(prefix)}"
    )
    room = CONTEXT_TOKENS - FURTHER_EXCHANGES * EXCHANGE_TOKENS
    too_long = {task: count for task, count in counts.items() if count > room}
    exchanges = f"{FURTHER_EXCHANGES} x {EXCHANGE_TOKENS}"
    assert not too_long, f"first prompts over {room} tokens ({CONTEXT_TOKENS} less {exchanges}): {too_long}"
