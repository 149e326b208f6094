"""ChatSession with scripted LLM replies and a real kernel."""

from __future__ import annotations

import contextlib
import sys
import threading
import types
from collections.abc import Iterator
from itertools import groupby
from typing import Any, ClassVar

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import AIMessageChunk, HumanMessage, SystemMessage
from langchain_core.outputs import ChatGenerationChunk

from assistant.engine import prompts
from assistant.engine.events import Figures, LoopEvents
from assistant.engine.harness import HarnessConfig
from assistant.engine.loop import ChatSession
from assistant.errors import BackendError, LLMError
from assistant.llm import local_model
from kernels import Status

from conftest import stdout_text


class RecordingEvents(LoopEvents):
    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def question(self, text):
        self.calls.append(("question", text))

    def turn(self, number):
        self.calls.append(("turn", number))

    def token(self, text):
        self.calls.append(("token", text))

    def step(self, step):
        self.calls.append(("step", step))

    def notice(self, text):
        self.calls.append(("notice", text))

    def answer(self, text):
        self.calls.append(("answer", text))

    def names(self, *, collapse_tokens: bool = True) -> list[str]:
        names = [name for name, _ in self.calls]
        return [name for name, _ in groupby(names)] if collapse_tokens else names


class FiguresEvents(LoopEvents):
    """Keeps the figures a question finished with."""

    figures: Figures | None = None

    def finished(self, figures: Figures) -> None:
        self.figures = figures


class UnreachableModel(FakeListChatModel):
    """Streams ``served_before_failure`` scripted replies, then fails like a provider whose endpoint went away."""

    served_before_failure: int = 1
    served: int = 0

    def _stream(self, messages, stop=None, run_manager=None, **kwargs) -> Iterator[ChatGenerationChunk]:
        if self.served >= self.served_before_failure:
            raise ConnectionError("connection refused by 127.0.0.1:9\nsecond line of detail")
        self.served += 1
        yield from super()._stream(messages, stop, run_manager, **kwargs)


class UsageReportingModel(FakeListChatModel):
    """Reports usage on every chunk, as the embedded model does: prompt tokens on the first."""

    def _stream(self, messages, stop=None, run_manager=None, **kwargs) -> Iterator[ChatGenerationChunk]:
        for index, chunk in enumerate(super()._stream(messages, stop, run_manager, **kwargs)):
            prompt = 100 if index == 0 else 0
            usage = {"input_tokens": prompt, "output_tokens": 1, "total_tokens": prompt + 1}
            yield ChatGenerationChunk(message=AIMessageChunk(content=chunk.message.content, usage_metadata=usage))


def test_error_then_fix_then_answer(make_chat, code_reply):
    chat = make_chat(
        [
            code_reply("print(undefined_velocity)"),
            code_reply("velocity = 7\nprint(velocity)"),
            "Final answer: 7 m/s",
        ]
    )
    result = chat.ask("How fast?")
    assert [step.result.status for step in result.steps] == [Status.ERROR, Status.OK]
    assert result.answer == "7 m/s"
    assert result.ok
    assert result.grounded
    assert result.turns == 3
    assert stdout_text(result.steps[1].result) == "7\n"
    # The LLM saw the error and then the output of its fix.
    calls = chat.model.calls
    assert "NameError" in calls[1][-1].content
    assert "```\n7\n```" in calls[2][-1].content
    assert calls[2][-1].content.endswith(prompts.ANSWER_NUDGE)


def test_prompt_starts_with_system_prompt_and_question(make_chat):
    chat = make_chat(["Final answer: 1", "Final answer: 1"])
    chat.ask("What is one?")
    first = chat.model.calls[0]
    assert isinstance(first[0], SystemMessage)
    assert first[0].content == prompts.SYSTEM_PROMPT
    assert first[-1] == HumanMessage("What is one?")


def test_reply_without_code_or_answer_is_nudged_and_loop_continues(make_chat, code_reply):
    events = RecordingEvents()
    chat = make_chat(["Hmm, let me think about that.", code_reply("print(2 + 2)"), "Final answer: 4"], events=events)
    result = chat.ask("2 + 2?")
    assert result.answer == "4"
    assert result.turns == 3
    assert len(result.steps) == 1
    assert chat.model.calls[1][-1].content == prompts.EMPTY_REPLY
    assert ("notice", "reply had no code and no answer; asking again") in events.calls


def test_blank_replies_never_become_an_answer(make_chat):
    result = make_chat([" ", "\n\n"], max_turns=3).ask("anything?")
    assert result.answer is None
    assert result.turns == 3


class FakeLlama:
    """Stands in for llama_cpp.Llama: streams the given completion pieces in llama.cpp's chunk format."""

    n_tokens = 50
    metadata: ClassVar[dict[str, str]] = {}  # no chat template: the prompt cache stays out of the way

    def __init__(self, pieces: list[str]) -> None:
        self.pieces = pieces

    def create_chat_completion(self, **kwargs):
        yield {"choices": [{"delta": {"role": "assistant"}}]}
        for piece in self.pieces:
            yield {"choices": [{"delta": {"content": piece}}]}
        yield {"choices": [{"delta": {}, "finish_reason": "stop"}]}


def test_empty_completion_of_the_embedded_model_is_an_empty_reply(kernel, monkeypatch):
    # The embedded model can stop at once (e.g. on <|im_end|> or a stop string): that is an empty reply,
    # to be nudged like any other, not an LLM failure that aborts the question.
    from assistant.llm import local_model

    completions = iter([[], ["Final answer: ", "4"], ["Final answer: 4"]])
    monkeypatch.setattr(local_model, "_load", lambda *args: (FakeLlama(next(completions)), threading.Lock()))
    result = ChatSession(
        local_model.LocalChatModel(model_path="fake.gguf"), kernel, harness=HarnessConfig(vote_samples=0)
    ).ask("2 + 2?")
    assert result.answer == "4"


def test_repeated_code_is_not_run_again_and_second_repeat_answers(make_chat, code_reply):
    chat = make_chat(
        [
            code_reply("print(6 * 7)"),
            code_reply("print(6 * 7)"),
            code_reply("# once more\nprint(6 * 7)   \n"),
            "Final answer: should not be reached",
        ]
    )
    result = chat.ask("6 times 7?")
    assert len(result.steps) == 1
    assert result.turns == 3
    assert result.answer == "42"
    assert result.grounded
    assert chat.model.calls[2][-1].content == prompts.REPEATED_SUCCESS
    assert len(chat.model.calls) == 3


def test_repeated_failing_code_is_not_run_again_and_the_model_starts_over(make_chat, code_reply):
    chat = make_chat([code_reply("1 / 0"), code_reply("1 / 0"), code_reply("print(1 / 1)"), "Final answer: 1.0"])
    result = chat.ask("one?")
    assert [step.result.status for step in result.steps] == [Status.ERROR, Status.OK]
    restart = chat.model.calls[2]
    assert restart[-1].content.startswith("one?") and prompts.EARLIER_FAILURES in restart[-1].content
    assert result.answer == "1.0"


def test_turn_limit_ends_without_answer(make_chat, code_reply):
    chat = make_chat(
        [
            code_reply("raise ValueError('first')"),
            code_reply("raise ValueError('second')"),
            code_reply("raise ValueError('third')"),
            "Final answer: too late",
        ],
        max_turns=3,
    )
    events = RecordingEvents()
    chat.events = events
    result = chat.ask("impossible?")
    assert result.answer is None
    assert not result.ok
    assert not result.grounded
    assert result.turns == 3
    assert len(chat.model.calls) == 3
    assert [step.result.status for step in result.steps] == [Status.ERROR] * 3
    assert chat.model.calls[2][-1].content.endswith(prompts.LAST_TURN)
    assert not chat.model.calls[1][-1].content.endswith(prompts.LAST_TURN)
    assert events.calls[-1] == ("answer", None)
    assert result.to_dict()["ok"] is False


def test_follow_up_question_uses_a_variable_from_the_first(make_chat, code_reply):
    chat = make_chat(
        [
            code_reply("carried_mass = 21.5\nprint(carried_mass)"),
            "Final answer: 21.5",
            code_reply("print(carried_mass * 2)"),
            "Final answer: 43.0",
        ]
    )
    first = chat.ask("What is the mass?")
    second = chat.ask("And twice that?")
    assert first.answer == "21.5"
    assert second.answer == "43.0"
    assert [step.result.status for step in second.steps] == [Status.OK]
    assert stdout_text(second.steps[0].result) == "43.0\n"
    # The second question's prompt carries the first question, its code and its answer.
    history = [message.content for message in chat.model.calls[2]]
    assert "What is the mass?" in history
    assert any("carried_mass = 21.5" in content for content in history)
    assert "Final answer: 21.5" in history


def test_ungrounded_answer_is_nudged_once_then_accepted(make_chat):
    chat = make_chat(["Final answer: 42", "Final answer: 42"])
    result = chat.ask("Meaning of life?")
    assert result.answer == "42"
    assert not result.grounded
    assert result.steps == []
    assert result.turns == 2
    assert chat.model.calls[1][-1].content == prompts.UNGROUNDED_ANSWER


def test_ungrounded_answer_then_code_is_grounded(make_chat, code_reply):
    chat = make_chat(["Final answer: 42", code_reply("print(6 * 7)"), "Final answer: 42"])
    result = chat.ask("6 * 7?")
    assert result.answer == "42"
    assert result.grounded
    assert result.turns == 3


def test_answer_in_the_same_reply_as_code_waits_for_the_output(make_chat, code_reply):
    chat = make_chat([code_reply("print(3 ** 2)") + "\nFinal answer: 10", "Final answer: 9"])
    result = chat.ask("3 squared?")
    assert result.answer == "9"
    assert len(result.steps) == 1
    assert result.turns == 2


def test_answer_after_an_invented_text_fence_is_read(make_chat, code_reply):
    # After a successful step, a model that repeats the output in a ```text fence and then answers.
    chat = make_chat([code_reply("print(6 * 7)"), "The output is\n```text\n42\n```\nFinal answer: 42"])
    result = chat.ask("6 * 7?")
    assert result.answer == "42"


def test_kernel_death_is_reported_and_the_session_recovers(make_chat, make_kernel, code_reply):
    kernel = make_kernel()
    chat = make_chat(
        [
            code_reply("survivor = 1\nimport os\nos._exit(1)"),
            code_reply("print('back')"),
            "Final answer: back",
        ],
        executor=kernel,
    )
    result = chat.ask("crash?")
    assert [step.result.status for step in result.steps] == [Status.DIED, Status.OK]
    assert "crashed" in result.steps[0].observation
    assert result.answer == "back"
    assert kernel.is_alive()
    assert kernel.execute("survivor").error.ename == "NameError"  # restarted: state is gone


def test_llm_failure_raises_llm_error_and_kernel_stays_usable(make_chat, kernel, code_reply):
    chat = ChatSession(UnreachableModel(responses=[code_reply("before_failure = 5\nprint(before_failure)")]), kernel)
    with pytest.raises(LLMError) as raised:
        chat.ask("will fail after one step")
    message = str(raised.value)
    assert "ConnectionError" in message
    assert "connection refused by 127.0.0.1:9" in message
    assert "second line" not in message
    assert isinstance(raised.value.__cause__, ConnectionError)
    after = kernel.execute("print(before_failure + 1)")
    assert after.ok
    assert after.outputs[0].text == "6\n"
    assert chat.memory == []  # nothing half-remembered from the failed question


def test_llm_failure_on_first_call(kernel):
    class Broken(FakeListChatModel):
        def _stream(self, *args, **kwargs):
            raise ConnectionError("")

    with pytest.raises(LLMError, match=r"ConnectionError\): ConnectionError"):
        ChatSession(Broken(responses=["x"]), kernel).ask("q")
    assert kernel.execute("print('still here')").outputs[0].text == "still here\n"


def test_events_are_emitted_in_order(make_chat, code_reply):
    events = RecordingEvents()
    first_reply = code_reply("print(5)")
    chat = make_chat([first_reply, "Final answer: 5"], events=events)
    result = chat.ask("five?")
    assert events.names() == ["question", "turn", "token", "step", "turn", "token", "answer"]
    assert events.calls[0] == ("question", "five?")
    assert [arg for name, arg in events.calls if name == "turn"] == [1, 2]
    [step] = [arg for name, arg in events.calls if name == "step"]
    assert step is result.steps[0]
    tokens = [arg for name, arg in events.calls if name == "token"]
    assert "".join(tokens) == first_reply + "Final answer: 5"
    assert events.calls[-1] == ("answer", "5")


def test_without_reported_usage_the_prompt_tokens_are_unknown_not_zero(make_chat, code_reply):
    replies = [code_reply("print(8)"), "Final answer: 8"]
    events = FiguresEvents()
    result = make_chat(replies, events=events).ask("eight?")
    assert result.tokens_in is None and result.to_dict()["tokens_in"] is None
    assert result.tokens_out == sum(len(reply) for reply in replies)  # the streamed pieces, one per character
    assert events.figures.tokens_in is None and "unknown tokens in" in events.figures.summary()


def test_token_counts_use_reported_usage(kernel, code_reply):
    replies = [code_reply("print(3 * 3)"), "Final answer: 9"]
    events = FiguresEvents()
    result = ChatSession(UsageReportingModel(responses=replies), kernel, events=events).ask("nine?")
    assert result.tokens_in == 200  # 100 prompt tokens for each of two calls
    assert events.figures.context_used == 100  # the last reply's prompt, as the provider counted it
    assert result.tokens_out == sum(len(reply) for reply in replies)


def test_code_is_cut_at_the_closing_fence(make_chat, code_reply):
    events = RecordingEvents()
    chat = make_chat([code_reply("print('ran')") + "\nand then the model kept talking", "Final answer: ran"])
    chat.events = events
    result = chat.ask("run?")
    tokens = "".join(arg for name, arg in events.calls if name == "token")
    assert "kept talking" not in tokens
    assert stdout_text(result.steps[0].result) == "ran\n"


def test_ask_result_to_dict_is_json_ready(make_chat, code_reply):
    result = make_chat([code_reply("print(1)"), "Final answer: 1"], model_name="scripted:test").ask("one?")
    record = result.to_dict()
    assert record["answer"] == "1"
    assert record["ok"] is True
    assert record["model"] == "scripted:test"
    assert record["steps"][0]["status"] == "ok"
    assert record["steps"][0]["outputs"][0]["text"] == "1\n"
    assert record["steps"][0]["error"] is None


def test_llm_slots_cap_calls_per_model_across_sessions():
    from contextlib import ExitStack

    from assistant.llm import llm_slots

    with ExitStack() as held:
        held.enter_context(llm_slots.llm_slot("capped-model", 2))
        held.enter_context(llm_slots.llm_slot("capped-model", 2))
        assert not llm_slots._slots["capped-model"].acquire(blocking=False)  # a third call would wait
        with llm_slots.llm_slot("other-model", 2):  # another model has slots of its own
            pass
    assert llm_slots._slots["capped-model"].acquire(blocking=False)  # released on exit
    llm_slots._slots["capped-model"].release()


def test_concurrent_first_calls_load_the_embedded_model_once(monkeypatch):
    """Found by benchmarks/batch.py: 4 batch workers asking at once loaded 4 copies (8 GB instead of 2)."""
    entered = threading.Barrier(2, timeout=1.0)  # a second concurrent load would meet the first here
    loads = []

    class CountingLlama:
        def __init__(self, **kwargs: Any) -> None:
            loads.append(kwargs)
            with contextlib.suppress(threading.BrokenBarrierError):
                entered.wait()

    monkeypatch.setitem(
        sys.modules,
        "llama_cpp",
        types.SimpleNamespace(Llama=CountingLlama, llama_print_system_info=lambda: b"AVX2 = 1"),
    )
    local_model._load_once.cache_clear()
    threads = [threading.Thread(target=local_model._load, args=("same.gguf", 512, 1)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    local_model._load_once.cache_clear()
    assert len(loads) == 1


def test_a_llama_cpp_build_with_amx_is_refused_with_the_rebuild_command(monkeypatch):
    # Built natively on an AMX CPU, llama-cpp-python 0.3.36 segfaults on the first prompt: a clear error instead.
    llama_cpp = pytest.importorskip("llama_cpp")
    monkeypatch.setattr(llama_cpp, "llama_print_system_info", lambda: b"CPU : AVX2 = 1 | AMX_INT8 = 1 | ")
    with pytest.raises(BackendError, match=r"built with AMX.*-mno-amx-int8"):
        local_model._load_once.__wrapped__("never-read.gguf", 512, 1)


def test_the_installed_llama_cpp_is_built_without_amx_as_the_setup_commands_build_it():
    llama_cpp = pytest.importorskip("llama_cpp")
    local_model._refuse_amx_build(llama_cpp.llama_print_system_info().decode())
