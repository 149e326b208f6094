"""Faults of a remote LLM endpoint, against real HTTP servers on 127.0.0.1 and the real ``openai:`` provider.

Each server speaks the OpenAI chat-completions API (SSE chunks when ``stream: true``, as the loop streams)
and misbehaves in one way. For every fault the question ends (an ``LLMError`` naming the cause, or no
answer) within a deadline computed from the settings, and the session and its kernel stay usable.
"""

from __future__ import annotations

import itertools
import json
import socket
import time

import pytest

from assistant.config import Settings
from assistant.engine.loop import ChatSession
from assistant.errors import LLMError
from assistant.llm.backends import call_deadline, make_chat_model
from domain_tools.catalog import Catalog

from conftest import Handler, python_block

SLACK = 3.0  # seconds on top of the computed deadline: thread start-up, a loaded 2-core machine


def closed_port_url() -> str:
    """An address where nothing listens: bound, then closed, so connecting is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def settings_for(base_url: str, llm_timeout: float = 1.5, llm_retries: int = 2) -> Settings:
    return Settings(model="openai:test-model", base_url=base_url, llm_timeout=llm_timeout, llm_retries=llm_retries)


def open_session(settings: Settings, kernel) -> ChatSession:
    return ChatSession(
        make_chat_model(settings),
        kernel,
        model_name="openai:test-model",
        timeout=30.0,
        setup_code=None,
        catalog=Catalog(),
        llm_deadline=call_deadline(settings),
    )


def remember_something(session: ChatSession, kernel) -> list:
    """Give the session a memory (an earlier question) and the kernel a variable, to check both survive."""
    session.memory.extend(["earlier question", "earlier answer"])  # opaque items: the loop only appends
    assert kernel.execute("survivor = 41").ok
    return list(session.memory)


def assert_still_usable(session: ChatSession, kernel, memory_before: list) -> None:
    result = session.executor.execute("print(1)")
    assert result.ok and result.outputs[0].text == "1\n"
    assert kernel.execute("print(survivor + 1)").outputs[0].text == "42\n"
    # The earlier memory is intact; the failed question is not added (it never reached an answer or an end).
    assert session.memory[: len(memory_before)] == memory_before


def ask_failing(session: ChatSession, deadline: float) -> tuple[LLMError, float]:
    started = time.monotonic()
    with pytest.raises(LLMError) as caught:
        session.ask("What is 6 * 7?")
    elapsed = time.monotonic() - started
    assert elapsed < deadline, f"took {elapsed:.1f} s, deadline {deadline:.1f} s"
    message = str(caught.value)
    assert "\n" not in message and message.startswith("the LLM call failed (")
    return caught.value, elapsed


def test_call_deadline_bounds_timeout_retries_and_back_off():
    # Every attempt may wait llm_timeout; the client's back-off before retry k is at most min(0.5 * 2**k, 8) s.
    assert call_deadline(settings_for("http://x", llm_timeout=2, llm_retries=3)) == pytest.approx(8 + 0.5 + 1 + 2)
    assert call_deadline(settings_for("http://x", llm_timeout=10, llm_retries=0)) == 10
    assert call_deadline(Settings(model="scripted:/dev/null")) is None  # no network, no deadline
    defaults = Settings(model="openai:gpt-4o-mini")
    assert call_deadline(defaults) <= 10 * 60, "the default worst case for one LLM call must stay minutes, not hours"


def test_connection_refused_is_a_clear_llm_error_and_the_session_survives(kernel):
    settings = settings_for(closed_port_url(), llm_timeout=2, llm_retries=2)
    session = open_session(settings, kernel)
    memory = remember_something(session, kernel)
    error, _ = ask_failing(session, call_deadline(settings) + SLACK)
    assert "ConnectionError" in str(error) and "Connection refused" in str(error), error
    assert_still_usable(session, kernel, memory)


def test_server_that_never_answers_times_out_within_the_configured_bound(serve, kernel):
    def hang(handler: Handler, number: int) -> None:
        handler.server.release.wait(120)  # accepts and reads the request, never answers

    server = serve(hang)
    settings = settings_for(server.base_url, llm_timeout=1.5, llm_retries=1)
    session = open_session(settings, kernel)
    memory = remember_something(session, kernel)
    error, elapsed = ask_failing(session, call_deadline(settings) + SLACK)
    assert "TimeoutError" in str(error) and "Request timed out" in str(error), error
    assert len(server.requests) == 2  # the first try and one retry, each waiting llm_timeout
    assert elapsed >= 2 * 1.5  # it did wait for the timeout: no premature give-up
    assert_still_usable(session, kernel, memory)


def test_server_that_stalls_mid_reply_times_out(serve, kernel):
    """Headers and a first chunk, then silence: the read timeout ends it (no retry once streaming began)."""

    def stall(handler: Handler, number: int) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.end_headers()
        chunk = {
            "id": "c",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": "test-model",
            "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Let me "}, "finish_reason": None}],
        }
        handler.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
        handler.wfile.flush()
        handler.server.release.wait(120)

    server = serve(stall)
    settings = settings_for(server.base_url, llm_timeout=1.5, llm_retries=1)
    session = open_session(settings, kernel)
    memory = remember_something(session, kernel)
    error, _ = ask_failing(session, call_deadline(settings) + SLACK)
    assert "timed out" in str(error).lower()
    assert_still_usable(session, kernel, memory)


def test_server_that_trickles_forever_hits_the_per_call_deadline(serve, kernel):
    """A chunk every 0.2 s never trips the read timeout: only the loop's own deadline per call ends it."""

    def trickle(handler: Handler, number: int) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.end_headers()
        while not handler.server.release.wait(0.2):
            chunk = {
                "id": "c",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": "test-model",
                "choices": [{"index": 0, "delta": {"content": "la "}, "finish_reason": None}],
            }
            handler.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            handler.wfile.flush()

    server = serve(trickle)
    settings = settings_for(server.base_url, llm_timeout=1.0, llm_retries=1)
    deadline = call_deadline(settings)
    session = open_session(settings, kernel)
    memory = remember_something(session, kernel)
    error, elapsed = ask_failing(session, deadline + SLACK)
    assert "(TimeoutError)" in str(error) and f"no complete reply within {deadline:g} s" in str(error)
    assert elapsed >= deadline
    assert_still_usable(session, kernel, memory)


def test_server_error_every_time_is_retried_then_reported(serve, kernel):
    def fail(handler: Handler, number: int) -> None:
        handler.send_json(500, {"error": {"message": "the GPU caught fire", "type": "server_error"}})

    server = serve(fail)
    settings = settings_for(server.base_url, llm_timeout=5, llm_retries=2)
    session = open_session(settings, kernel)
    memory = remember_something(session, kernel)
    error, _ = ask_failing(session, call_deadline(settings) + SLACK)
    assert "Error code: 500 - the GPU caught fire" in str(error), error
    assert len(server.requests) == 3  # one try and two retries, then it gives up
    assert_still_usable(session, kernel, memory)


def test_rate_limit_is_retried_with_back_off_then_succeeds(serve, kernel):
    replies = iter([python_block("print(6 * 7)"), "Final answer: 42"])
    arrivals: list[float] = []

    def limited(handler: Handler, number: int) -> None:
        arrivals.append(time.monotonic())
        if number <= 2:
            handler.send_json(429, {"error": {"message": "slow down", "type": "rate_limit_error"}})
        else:
            handler.send_reply(next(replies))

    server = serve(limited)
    settings = settings_for(server.base_url, llm_timeout=5, llm_retries=3)
    session = open_session(settings, kernel)
    memory = remember_something(session, kernel)
    result = session.ask("What is 6 * 7?")
    assert result.answer == "42" and result.grounded
    assert len(server.requests) == 4  # two 429s, then the code reply, then the answer
    assert all(request["stream"] is True for request in server.requests)
    # Exponential back-off with up to 25% jitter: about 0.5 s, then about 1 s, before the retries.
    waits = [later - earlier for earlier, later in itertools.pairwise(arrivals[:3])]
    assert waits[0] >= 0.5 * 0.75 and waits[1] >= 1.0 * 0.75, waits
    assert_still_usable(session, kernel, memory)
    assert len(session.memory) > len(memory)  # this question was remembered


def test_gibberish_every_time_ends_without_an_answer_after_nudging(serve, kernel):
    def gibberish(handler: Handler, number: int) -> None:
        handler.send_reply("flurb wobble ~~ 7#@ quux\x07 zyzzy")

    server = serve(gibberish)
    settings = settings_for(server.base_url)
    session = open_session(settings, kernel)
    memory = remember_something(session, kernel)
    result = session.ask("What is 6 * 7?")
    # The first gibberish reply earns a nudge; the second, prose again, ends the question: no exception, no
    # step run. The loop takes insistent prose as an ungrounded reply (for questions that need no code), so
    # the gibberish comes back as result.answer with grounded=False; callers must check ``grounded``.
    assert len(server.requests) == 2
    nudge = server.requests[1]["messages"][-1]["content"]
    assert "```python" in nudge
    assert result.steps == [] and not result.grounded
    assert result.answer == "flurb wobble ~~ 7#@ quux\x07 zyzzy"
    assert_still_usable(session, kernel, memory)
