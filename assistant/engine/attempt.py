"""One question's state in the loop: the user turn as the LLM sees it, the replies, the steps they ran.

The loop (``ChatSession``) mutates it turn by turn; the harness stages (``assistant/engine/stages``) read it
to prepare the question, repair code, review an answer and settle a doubt.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from assistant.engine import prompts
from assistant.engine.events import Step
from assistant.engine.literals import Literal
from assistant.engine.observation import outputs_text
from assistant.engine.question import QuestionFacts


@dataclass
class Exchange:
    """One LLM reply and what the LLM was told about it."""

    reply: str
    feedback: str = ""
    failure: str | None = None  # one line, when the exchange led nowhere
    repeated_failure: bool = False  # the reply repeated code that had already failed


@dataclass
class Attempt:
    """Mutable state of one question's loop."""

    head: list[BaseMessage]  # system prompt and the memory of earlier questions
    asked: str  # the user's own words
    question: str  # as the LLM sees it: the user's words plus the catalog entries that fit them
    facts: QuestionFacts  # what the question asks, read once
    exchanges: list[Exchange] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    seen: dict[str, Step] = field(default_factory=dict)
    repeats: int = 0
    nudged_empty: bool = False
    nudged_ungrounded: bool = False
    tokens_in: int = 0
    tokens_out: int = 0
    tokens_cached: int = 0  # prompt tokens the backend reused from its cache instead of evaluating again
    usage_reported: bool = False  # the provider reported token usage (else tokens_in is unknown)
    last_prompt_tokens: int | None = None  # the prompt of the latest reply, as the provider counted it

    miscopied: list[Step] = field(default_factory=list)  # ran fine, but on data retyped wrong
    literals: list[Literal] = field(default_factory=list)  # the question's values, bound in the kernel
    bound: list[Literal] = field(default_factory=list)  # every value the session bound, this question's and earlier
    sent_back: set[str] = field(default_factory=set)  # answer checks that already sent an answer back
    voted: bool = False

    def fresh(self) -> Attempt:
        """The same user turn with nothing tried yet: what a sampled program for a vote starts from."""
        return Attempt(head=self.head, asked=self.asked, question=self.question, facts=self.facts)

    def outputs(self) -> str:
        """What this question's successful steps printed: what an answer may rest on."""
        return "\n".join(outputs_text(step.result) for step in self.steps if step.ok and step not in self.miscopied)

    def code(self) -> str:
        """The code of the steps an answer may rest on, in order."""
        return "\n".join(step.code for step in self.steps if step.ok and step not in self.miscopied)

    @property
    def last_success(self) -> Step | None:
        """The latest step an answer can rest on: it ran, and on the data the question gave."""
        return next((step for step in reversed(self.steps) if step.ok and step not in self.miscopied), None)

    def messages(self, window: int) -> list[BaseMessage]:
        """The context for the next reply: failed detours older than ``window`` shrink to one line each.

        A small model copies what it sees, so a failed call left in the context gets repeated; the
        error lines stay so it does not try the same thing blind. Successful steps always stay: their
        output may be what the answer needs.
        """
        split = max(0, len(self.exchanges) - window)
        older, recent = self.exchanges[:split], self.exchanges[split:]
        kept = [exchange for exchange in older if exchange.failure is None] + recent
        dropped = list(dict.fromkeys(exchange.failure for exchange in older if exchange.failure))
        messages = [*self.head, HumanMessage(self.question)]
        for exchange in kept:
            messages += [AIMessage(exchange.reply), HumanMessage(exchange.feedback)]
        if dropped:  # at the end, so the prompt before it stays as llama.cpp cached it
            lines = "\n".join(f"- {line}" for line in dropped)
            messages[-1] = HumanMessage(f"{messages[-1].content}\n\n{prompts.EARLIER_FAILURES}{lines}")
        return messages
