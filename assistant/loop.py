"""The code-as-action loop: the LLM writes code, the kernel runs it, the output goes back, until an answer.

A ``ChatSession`` holds the conversation and the executor (a kernel), so follow-up questions see the
variables and answers of earlier ones.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from assistant import prompts
from assistant.events import LoopEvents, Step
from assistant.observation import clip, format_observation, outputs_text
from assistant.replies import has_complete_code_block, normalise_code, parse_reply
from kernels import ExecutionResult, Status

# Stop strings: the model must not write the output of its own code, nor run on past its turn.
STOP_SEQUENCES = ["```output", "\nUser:", "<|im_end|>", "<|endoftext|>"]


class Executor(Protocol):
    """Where code runs: a kernel session, or (for the magics) the user's own IPython."""

    def execute(self, code: str, timeout: float | None = ...) -> ExecutionResult: ...
    def restart(self) -> None: ...


class LLMError(RuntimeError):
    """The LLM could not be reached or failed; the session and its kernel stay usable."""


@dataclass
class AskResult:
    question: str
    answer: str | None
    steps: list[Step]
    turns: int
    seconds: float
    model: str
    grounded: bool = False  # the answer followed at least one successful execution
    tokens_in: int = 0
    tokens_out: int = 0

    @property
    def ok(self) -> bool:
        return self.answer is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.answer,
            "ok": self.ok,
            "grounded": self.grounded,
            "turns": self.turns,
            "steps": [step.to_dict() for step in self.steps],
            "model": self.model,
            "seconds": round(self.seconds, 3),
            "tokens_in": self.tokens_in,
            "tokens_out": self.tokens_out,
        }


@dataclass
class _Attempt:
    """Mutable state of one question's loop."""

    messages: list[BaseMessage]
    steps: list[Step] = field(default_factory=list)
    seen: dict[str, Step] = field(default_factory=dict)
    repeats: int = 0
    nudged_empty: bool = False
    nudged_ungrounded: bool = False
    tokens_in: int = 0
    tokens_out: int = 0

    @property
    def last_success(self) -> Step | None:
        return next((step for step in reversed(self.steps) if step.ok), None)


class ChatSession:
    def __init__(
        self,
        model: BaseChatModel,
        executor: Executor,
        *,
        model_name: str = "",
        max_turns: int = 8,
        timeout: float = 120.0,
        events: LoopEvents | None = None,
    ) -> None:
        self.model = model
        self.executor = executor
        self.model_name = model_name
        self.max_turns = max_turns
        self.timeout = timeout
        self.events = events or LoopEvents()
        self.memory: list[BaseMessage] = []  # compact record of earlier questions in this session

    def ask(self, question: str) -> AskResult:
        started = time.monotonic()
        self.events.question(question)
        attempt = _Attempt(messages=[SystemMessage(prompts.SYSTEM_PROMPT), *self.memory, HumanMessage(question)])
        answer: str | None = None
        turns = 0
        while turns < self.max_turns and answer is None:
            turns += 1
            self.events.turn(turns)
            answer, feedback = self._turn(attempt)
            if answer is None:
                if turns == self.max_turns - 1:
                    feedback += prompts.LAST_TURN
                attempt.messages.append(HumanMessage(feedback))
        self.events.answer(answer)
        self._remember(question, answer, attempt)
        return AskResult(
            question=question,
            answer=answer,
            steps=attempt.steps,
            turns=turns,
            seconds=time.monotonic() - started,
            model=self.model_name,
            grounded=answer is not None and attempt.last_success is not None,
            tokens_in=attempt.tokens_in,
            tokens_out=attempt.tokens_out,
        )

    def _turn(self, attempt: _Attempt) -> tuple[str | None, str]:
        """One LLM reply and its consequence: (final answer, None) or (None, feedback for the LLM)."""
        reply = parse_reply(self._complete(attempt))
        attempt.messages.append(AIMessage(reply.text))
        if reply.code is not None:
            return self._run_code(attempt, reply.code)
        candidate = reply.answer or reply.text.strip()
        if attempt.last_success is not None and candidate:
            return candidate, ""  # grounded; a plain-text reply after output counts as the answer
        if reply.answer is not None:
            if attempt.nudged_ungrounded:
                return reply.answer, ""
            attempt.nudged_ungrounded = True
            return None, prompts.UNGROUNDED_ANSWER
        if candidate and attempt.nudged_empty:
            return candidate, ""  # a model that insists on prose, e.g. for a question without computation
        attempt.nudged_empty = True
        self.events.notice("reply had no code and no answer; asking again")
        return None, prompts.EMPTY_REPLY

    def _run_code(self, attempt: _Attempt, code: str) -> tuple[str | None, str]:
        key = normalise_code(code)
        previous = attempt.seen.get(key)
        if previous is not None:
            attempt.repeats += 1
            self.events.notice("the model repeated code it already ran")
            if previous.ok and attempt.repeats > 1:
                # A model stuck repeating a successful step: its output is the answer it keeps pointing at.
                return clip(outputs_text(previous.result).strip(), 500) or None, prompts.REPEATED_SUCCESS
            return None, prompts.REPEATED_SUCCESS if previous.ok else prompts.REPEATED_FAILURE
        result = self.executor.execute(code, self.timeout)
        if result.status is Status.DIED:
            self.executor.restart()
        step = Step(code=code, result=result, observation=format_observation(result))
        attempt.steps.append(step)
        attempt.seen[key] = step
        self.events.step(step)
        return None, step.observation + (prompts.ANSWER_NUDGE if step.ok else "")

    def _complete(self, attempt: _Attempt) -> str:
        """Stream one reply, cutting it off as soon as it holds a complete code block."""
        text = ""
        reported_out = attempt.tokens_out
        pieces = 0
        try:
            for chunk in self.model.stream(attempt.messages, stop=STOP_SEQUENCES):
                usage = getattr(chunk, "usage_metadata", None)
                if usage:
                    attempt.tokens_in += usage.get("input_tokens", 0)
                    attempt.tokens_out += usage.get("output_tokens", 0)
                piece = chunk.content if isinstance(chunk.content, str) else ""
                if not piece:
                    continue
                text += piece
                pieces += 1
                self.events.token(piece)
                if has_complete_code_block(text):
                    break
        except Exception as exc:  # every provider has its own error types; all mean the same here
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise LLMError(f"the LLM call failed ({type(exc).__name__}): {message}") from exc
        if attempt.tokens_out == reported_out:
            attempt.tokens_out += pieces  # providers that report usage only in a final chunk we cut off
        return text

    def _remember(self, question: str, answer: str | None, attempt: _Attempt) -> None:
        """Keep the question, the code that produced the answer and the answer; drop failed detours."""
        self.memory.append(HumanMessage(question))
        success = attempt.last_success
        if success is not None:
            self.memory.append(AIMessage(f"```python\n{success.code}\n```"))
            self.memory.append(HumanMessage(success.observation))
        self.memory.append(AIMessage(f"Final answer: {answer}" if answer else "I could not find the answer."))
