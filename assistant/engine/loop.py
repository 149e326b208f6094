"""The code-as-action loop: the LLM writes code, the kernel runs it, the output goes back, until an answer.

A ``ChatSession`` holds the conversation and the executor (a kernel), so follow-up questions see the
variables and answers of earlier ones. It keeps the turn cycle; what the harness adds around it (the user turn's
guidance, code repair, answer review, votes) comes from its stages (``assistant/engine/stages``), built from
one ``HarnessConfig``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from assistant.config import DEFAULTS
from assistant.engine import prompts, stages
from assistant.engine.attempt import Attempt, Exchange
from assistant.engine.events import Figures, LoopEvents, Step
from assistant.engine.executor import Executor, evaluator
from assistant.engine.harness import DEFAULT, HarnessConfig
from assistant.engine.installs import installs_packages
from assistant.engine.literals import Literal, binding_code, describe, referenced_literal, referenced_names
from assistant.engine.observation import clip, failure_line, format_observation, outputs_text
from assistant.engine.question import QuestionFacts, assigned_names, read_question
from assistant.engine.replies import Reply, has_complete_code_block, is_cut_off, normalise_code, parse_reply
from assistant.engine.vote import Candidate, value_of
from assistant.errors import LLMError
from assistant.llm.llm_slots import llm_slot
from domain_tools.catalog import Catalog
from domain_tools.catalog import load as load_catalog
from kernels import ExecutionResult, Status

# Stop strings: the model must not write the output of its own code, nor run on past its turn.
# A provider that reports token usage only at the end of its stream (OpenAI-compatible servers) has the tail
# of a reply read, unseen, up to this many chunks after its code block, so its token counts are kept.
DRAIN_CHUNKS = 256
STOP_SEQUENCES = ["```output", "\nUser:", "<|im_end|>", "<|endoftext|>"]


@dataclass
class AskResult:
    question: str
    answer: str | None
    steps: list[Step]
    turns: int
    seconds: float
    model: str
    grounded: bool = False  # the answer followed at least one successful execution
    tokens_in: int | None = 0  # None: the provider reported no usage, so the prompt tokens are unknown
    tokens_out: int = 0  # reported, or the streamed pieces counted
    tokens_cached: int = 0  # of tokens_in, those a prefix cache served (llama.cpp); 0 when unknown

    @property
    def ok(self) -> bool:
        return self.answer is not None

    def code(self) -> str:
        """The steps that ran without error, in order: the code that reproduces the answer."""
        return "\n\n".join(step.code for step in self.steps if step.ok)

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
            "tokens_cached": self.tokens_cached,
        }


class ChatSession:
    def __init__(
        self,
        model: BaseChatModel,
        executor: Executor,
        *,
        model_name: str = "",
        max_turns: int = DEFAULTS.max_turns,
        timeout: float = DEFAULTS.timeout,
        events: LoopEvents | None = None,
        setup_code: str | None = prompts.KERNEL_SETUP,
        system_prompt: str = prompts.SYSTEM_PROMPT,
        catalog: Catalog | None = None,
        llm_concurrency: int | None = None,
        review: Callable[[str], str | None] | None = None,
        llm_deadline: float | None = None,
        harness: HarnessConfig = DEFAULT,
    ) -> None:
        self.model = model
        self.executor = executor
        self.model_name = model_name
        self.max_turns = max_turns
        self.timeout = timeout
        self.events = events or LoopEvents()
        self.memory: list[BaseMessage] = []  # compact record of earlier questions in this session
        self._made: list[str] = []  # the variables this session's steps assigned, that a follow-up may name
        self._made_last: list[str] = []  # ... and those of the previous question ("these")
        self.harness = harness
        self.catalog = catalog if catalog is not None else load_catalog()
        self.stages = stages.build(harness, self.catalog, executor)
        self.system_prompt = system_prompt
        if system_prompt == prompts.SYSTEM_PROMPT:  # the default one, as the harness config shapes it
            self.system_prompt = prompts.system_prompt(harness.answer_helpers, harness.preamble)
        self.llm_concurrency = llm_concurrency  # calls in flight per model across this process; None: no cap
        # Approval: sees each step's code before it runs; returns the code to run (maybe edited), or None to skip.
        self.review = review
        # Seconds one LLM call may take in all (backends.call_deadline): the provider's timeout is per read.
        self.llm_deadline = llm_deadline
        self.literals: dict[str, Literal] = {}  # bound in the kernel over the whole session, by their code
        self._binding: str | None = None  # the binding cell still to run for the current question
        # the imports the system prompt promises, run before the first step
        self.setup_code = setup_code if harness.preamble else None
        self._setup_needed = self.setup_code is not None
        self._setup_thread: threading.Thread | None = None
        self._setup_result: ExecutionResult | None = None
        self._binding_result: ExecutionResult | None = None

    def _start_setup(self) -> None:
        """Run the setup while the LLM writes its first reply: the imports take seconds, so does the LLM."""
        if (self._setup_needed or self._binding) and self._setup_thread is None:
            self._setup_thread = threading.Thread(target=self._run_setup, name="sciwand-setup", daemon=True)
            self._setup_thread.start()

    def _run_setup(self) -> None:
        if self._setup_needed:
            assert self.setup_code is not None
            self._setup_result = self.executor.execute(self.setup_code, self.timeout)
        if self._binding:  # after the preamble: bindings use its u, SkyCoord and Time
            self._binding_result = self.executor.execute(self._binding, self.timeout)

    def _finish_setup(self) -> None:
        """Wait for (or run) the setup and the question's binding; the kernel must not run two requests at once."""
        if not (self._setup_needed or self._binding):
            return
        if self._setup_thread is None:
            self._run_setup()
        else:
            self._setup_thread.join()
        self._setup_thread = None
        if self._setup_needed:
            self._setup_needed = False
            result = self._setup_result
            assert result is not None and self.setup_code is not None
            self.events.setup(Step(code=self.setup_code, result=result, observation=""))
            if not result.ok:
                self.events.notice(f"kernel setup failed ({failure_line(result)}); continuing without it")
        if self._binding:
            code, self._binding = self._binding, None
            bound = self._binding_result
            assert bound is not None
            self.events.setup(Step(code=code, result=bound, observation=""))
            if not bound.ok:
                self.events.notice(f"binding the question's values failed ({failure_line(bound)})")

    @property
    def turn_limit(self) -> int:
        """LLM replies per question: ``max_turns``, or one when execution feedback is switched off."""
        return self.max_turns if self.harness.feedback else 1

    def ask(self, question: str, context: str = "") -> AskResult:
        """Answer ``question``; ``context`` (e.g. the user's variables) is shown to the LLM, not remembered."""
        started = time.monotonic()
        self.events.question(question)
        attempt = self._attempt(question, context)
        answer: str | None = None
        turns = 0
        limit = self.turn_limit
        self._start_setup()
        try:
            self._first_step(attempt)
            while turns < limit and answer is None:
                turns += 1
                self.events.turn(turns)
                answer = self._turn(attempt)
                if answer is None and turns == limit - 1:
                    answer = self._settle(attempt, self._current_candidate(attempt))
                    if answer is None:
                        attempt.exchanges[-1].feedback += prompts.LAST_TURN
        except KeyboardInterrupt:
            # Stopped by the user: the session stays usable and remembers that this question went unanswered.
            self._remember(question, None, attempt)
            raise
        finally:
            if self._setup_thread is not None:
                self._finish_setup()
        self.events.answer(answer)
        self._remember(question, answer, attempt)
        seconds = time.monotonic() - started
        tokens_in = attempt.tokens_in if attempt.usage_reported else None
        window = getattr(self.model, "n_ctx", None)  # the embedded model's; a remote window is not known here
        steps = len(attempt.steps)
        used = attempt.last_prompt_tokens
        self.events.finished(Figures(turns, steps, seconds, tokens_in, attempt.tokens_out, used, window))
        return AskResult(
            question=question,
            answer=answer,
            steps=attempt.steps,
            turns=turns,
            seconds=seconds,
            model=self.model_name,
            grounded=answer is not None and attempt.last_success is not None,
            tokens_in=tokens_in,
            tokens_out=attempt.tokens_out,
            tokens_cached=attempt.tokens_cached,
        )

    def propose(self, question: str, context: str = "") -> Reply:
        """The LLM's first reply to ``question``, nothing executed and nothing remembered (a dry run)."""
        self.events.question(question)
        self.events.turn(1)
        return parse_reply(self._complete(self._attempt(question, context)))

    def _attempt(self, question: str, context: str) -> Attempt:
        """The user turn: what the preparing stages offer (worked examples, the catalog entries and registry
        call that fit), then the question and its bound names last, nearest to the reply (a 1.5B model copies
        whatever code it read last), then what the kernel holds of the variables it names."""
        facts = self._read(question)
        literals = list(facts.literals)
        guidance = [part for part in (stage.guide(facts) for stage in self.stages) if part]
        asked = f"{prompts.QUESTION_HEADER} {question}" if guidance else question
        bound = f"{prompts.BOUND_HEADER}\n{describe(literals)}" if literals else ""
        notes = [stage.note(facts) for stage in self.stages]
        shown = "\n\n".join(part for part in (*guidance, asked, bound, *notes, context) if part)
        head = [SystemMessage(self.system_prompt), *self.memory]
        bound_all = list(self.literals.values())
        return Attempt(head=head, asked=question, question=shown, facts=facts, literals=literals, bound=bound_all)

    def _read(self, question: str) -> QuestionFacts:
        """Read the question once: literals (bound in the kernel), the quantity asked, the variables named."""
        if not self.harness.bind_literals:  # the ablation: nothing bound, nothing shown as bound
            return replace(read_question(question, made=set(self._made), made_last=self._made_last), literals=())
        taken = {code: literal.name for code, literal in self.literals.items()}
        facts = read_question(question, taken, set(self._made), self._referenced(question), self._made_last)
        fresh = [lit for lit in facts.literals if lit.code not in self.literals and lit.code != lit.name]
        self.literals.update((literal.code, literal) for literal in fresh)
        if fresh:
            self._binding = binding_code(fresh)
        return facts

    def _referenced(self, question: str) -> list[Literal]:
        """The user's variables the question points at (`smiles`) that hold a SMILES or a sequence: already in
        the kernel under their own names, they call for the same helper a quoted value does."""
        evaluate = evaluator(self.executor)
        if evaluate is None:
            return []
        found = []
        for name in referenced_names(question):
            try:
                value = evaluate(f"{name} if isinstance({name}, str) else None")
            except Exception:  # a name that is not there, a kernel that cannot answer: nothing to add
                continue
            literal = referenced_literal(name, value)
            if literal is not None:
                found.append(literal)
        return found

    def _turn(self, attempt: Attempt) -> str | None:
        """One LLM reply and its consequence: the final answer, or an exchange with feedback for the LLM."""
        reply = parse_reply(self._complete(attempt))
        exchange = Exchange(reply.text)
        attempt.exchanges.append(exchange)
        if reply.code is not None and is_cut_off(reply):  # out of output tokens mid-code: not run as it stands
            self.events.notice("the reply was cut off inside its code block; asking for shorter code")
            exchange.feedback, exchange.failure = prompts.CUT_OFF, "a reply cut off inside its code"
            return None
        if reply.code is not None:
            return self._run_code(attempt, exchange, reply.code)
        candidate = reply.answer or reply.text.strip()
        if attempt.last_success is not None and candidate:
            return self._accept(attempt, exchange, candidate)  # a plain-text reply after output counts too
        if reply.answer is not None:
            if attempt.nudged_ungrounded:  # it insists: programs that run settle it if they agree
                return (self._settle(attempt, None) if self.harness.check_answers else None) or reply.answer
            attempt.nudged_ungrounded = True
            exchange.feedback, exchange.failure = prompts.UNGROUNDED_ANSWER, "an answer without computing it"
            return None
        if candidate and attempt.nudged_empty:
            return candidate  # a model that insists on prose, e.g. for a question without computation
        attempt.nudged_empty = True
        self.events.notice("reply had no code and no answer; asking again")
        exchange.feedback, exchange.failure = prompts.EMPTY_REPLY, "a reply without code"
        return None

    def _first_step(self, attempt: Attempt) -> None:
        """Run what a preparing stage asks to run first (the answer helper's table), shown to the model as its
        own step. Not for a single shot (one turn), whose one reply must be the model's own."""
        if self.turn_limit <= 1:
            return
        code = next((code for code in (stage.first_step(attempt) for stage in self.stages) if code), None)
        if code is None:
            return
        step = self._execute(attempt, code)
        if step is None:  # the user skipped it
            return
        exchange = Exchange(f"I will print the answer helper's table first.\n```python\n{code}\n```")
        exchange.feedback = step.observation + (prompts.ANSWER_NUDGE if step.ok else "")
        exchange.failure = None if step.ok else failure_line(step.result)
        attempt.exchanges.append(exchange)
        attempt.seen[normalise_code(code)] = step

    def _accept(self, attempt: Attempt, exchange: Exchange, answer: str) -> str | None:
        """The answer, once the reviewing stages pass it (maybe converted to the unit asked), restated with
        what it is; None when sent back.

        Each kind of problem is sent back once per question; a doubted answer the checks deem votable is first
        put to a vote of freshly sampled programs, whose executed results settle it.
        """
        for stage in self.stages:
            verdict = stage.review(answer, attempt)
            if verdict is None:
                continue
            if verdict.note:
                self.events.notice(verdict.note)
            if verdict.problem is None:
                answer = verdict.answer
                continue
            assert verdict.kind is not None
            attempt.sent_back.add(verdict.kind)
            self.events.notice(f"answer check ({verdict.kind}): {verdict.problem}")
            decided = self._settle(attempt, verdict.current) if verdict.vote else None
            if decided is not None:
                return decided
            exchange.feedback, exchange.failure = verdict.problem, verdict.failure
            return None
        return answer

    def _current_candidate(self, attempt: Attempt) -> Candidate | None:
        """What the latest successful step's output answers, read the way the vote reads a sample."""
        success = attempt.last_success
        return value_of(outputs_text(success.result), attempt.asked, "the last step") if success else None

    def _settle(self, attempt: Attempt, current: Candidate | None) -> str | None:
        """An answer from the settling stages (the vote), or None when none settles it."""

        def sample(temperature: float) -> Step | None:
            fresh = attempt.fresh()
            reply = parse_reply(self._complete(fresh, {"temperature": temperature}))
            attempt.tokens_in += fresh.tokens_in
            attempt.usage_reported |= fresh.usage_reported
            attempt.tokens_out += fresh.tokens_out
            attempt.tokens_cached += fresh.tokens_cached
            return self._execute(attempt, reply.code) if reply.code is not None else None

        for stage in self.stages:
            settled = stage.settle(attempt, current, sample, self.events.notice)
            if settled is not None:
                return settled
        return None

    def _run_code(self, attempt: Attempt, exchange: Exchange, code: str) -> str | None:
        key = normalise_code(code)
        previous = attempt.seen.get(key)
        if previous is not None:
            attempt.repeats += 1
            self.events.notice("the model repeated code it already ran")
            if previous.ok and attempt.repeats > 1:
                # A model stuck repeating a successful step: its output is the answer it keeps pointing at.
                extracted = clip(outputs_text(previous.result).strip(), 500)
                if extracted:
                    return extracted
            if previous.ok:
                exchange.feedback = prompts.REPEATED_SUCCESS
            else:
                # No feedback: the next context drops this exchange (see _complete) and keeps its line.
                exchange.failure, exchange.repeated_failure = "the same code again, unchanged", True
            return None
        if installs_packages(code) and self.review is None:
            self.events.notice("the model tried to install packages; not run (everything needed is installed)")
            exchange.feedback, exchange.failure = prompts.NO_INSTALLS, "a package install, not run"
            return None
        step = self._execute(attempt, code)
        if step is None:
            exchange.feedback, exchange.failure = prompts.SKIPPED_STEP, "a step the user skipped"
            return None
        attempt.seen[key] = step
        exchange.feedback = step.observation + (prompts.ANSWER_NUDGE if step.ok else "")
        if not step.ok:
            exchange.failure = failure_line(step.result)
        return None

    def _execute(self, attempt: Attempt, code: str) -> Step | None:
        """Run one step (after the user's approval, if asked) and describe it; None when the user skipped it."""
        self._finish_setup()
        for stage in self.stages:
            repaired = stage.repair(code, attempt)
            code = repaired.code
            for notice in repaired.notices:
                self.events.notice(notice)
        if self.review is not None:
            reviewed = self.review(code)
            if reviewed is None:
                return None
            code = reviewed
        self.events.running(code)
        result = self.executor.execute(code, self.timeout)
        if result.status is Status.DIED and not result.restarted:
            self.executor.restart()
        if (result.status is Status.DIED or result.restarted) and not result.restored:
            self._setup_needed = self.setup_code is not None
            bound = list(self.literals.values())
            self._binding = binding_code(bound) if bound else None
        observation = format_observation(result, [hint for stage in self.stages for hint in stage.hints(result, code)])
        usable = True
        for stage in self.stages:
            lines, fine = stage.notes(code, result, attempt)
            observation += "".join(f"\n{line}" for line in lines)
            usable = usable and fine
        step = Step(code=code, result=result, observation=observation)
        if not usable:  # no answer may rest on it
            attempt.miscopied.append(step)
        attempt.steps.append(step)
        self.events.step(step)
        return step

    def _complete(self, attempt: Attempt, sampling: dict[str, Any] | None = None) -> str:
        """One reply, streamed; an LLM failure of any provider's kind becomes an ``LLMError``."""
        reported_out = attempt.tokens_out
        sampling = dict(sampling or {})
        hotter = self.harness.repeat_temperatures
        if attempt.repeats and hotter and not sampling:
            sampling["temperature"] = hotter[min(attempt.repeats, len(hotter)) - 1]
        # Right after a repeated failure the window closes: the model restarts from the question and
        # the error lines, without the code it keeps copying.
        window = 0 if attempt.exchanges and attempt.exchanges[-1].repeated_failure else self.harness.context_window
        try:
            with llm_slot(self.model_name, self.llm_concurrency):
                text, pieces = self._stream(attempt, attempt.messages(window), sampling)
        except Exception as exc:  # every provider has its own error types; all mean the same here
            raise LLMError(f"the LLM call failed ({type(exc).__name__}): {_cause_line(exc)}") from exc
        if attempt.tokens_out == reported_out:
            attempt.tokens_out += pieces  # providers that report usage only in a final chunk we cut off
        return text

    def _stream(self, attempt: Attempt, messages: list[BaseMessage], sampling: dict[str, Any]) -> tuple[str, int]:
        """Stream the reply, cutting it off as soon as it holds a complete code block; (text, chunks)."""
        text = ""
        pieces = 0
        drained: int | None = None  # chunks read after the reply was complete, waiting for the usage figures
        usage_seen = False
        prompt_tokens = 0
        started = time.monotonic()
        for chunk in self.model.stream(messages, stop=STOP_SEQUENCES, **sampling):
            if self.llm_deadline is not None and time.monotonic() - started > self.llm_deadline:
                raise TimeoutError(f"no complete reply within {self.llm_deadline:g} s")
            usage = getattr(chunk, "usage_metadata", None)
            if usage:
                usage_seen = attempt.usage_reported = True
                prompt_tokens += usage.get("input_tokens", 0)
                attempt.tokens_in += usage.get("input_tokens", 0)
                attempt.tokens_out += usage.get("output_tokens", 0)
                attempt.tokens_cached += (usage.get("input_token_details") or {}).get("cache_read", 0)
            if drained is not None:
                drained += 1
                if usage_seen or drained >= DRAIN_CHUNKS:
                    break
                continue
            piece = chunk.content if isinstance(chunk.content, str) else ""
            if not piece:
                continue
            text += piece
            pieces += 1
            self.events.token(piece)
            if has_complete_code_block(text):
                if usage_seen:
                    break
                drained = 0  # a remote provider reports usage only in its last chunk: read on, unseen
        if usage_seen:
            attempt.last_prompt_tokens = prompt_tokens
        return text, pieces

    def _remember(self, question: str, answer: str | None, attempt: Attempt) -> None:
        """Keep the question, the code that produced the answer and the answer; drop failed detours."""
        self.memory.append(HumanMessage(question))
        self._made_last = assigned_names(step.code for step in attempt.steps if step.ok)
        self._made = list(dict.fromkeys([*self._made, *self._made_last]))
        success = attempt.last_success
        if success is not None:
            self.memory.append(AIMessage(f"```python\n{success.code}\n```"))
            self.memory.append(HumanMessage(success.observation))
        self.memory.append(AIMessage(f"Final answer: {answer}" if answer else "I could not find the answer."))


def _cause_line(exc: BaseException) -> str:
    """One line: the error's message, plus its root cause when that says more ("Connection refused")."""

    def first_line(error: BaseException) -> str:
        text = str(error).strip()
        return text.splitlines()[0] if text else type(error).__name__

    message, root = first_line(exc), exc
    while root.__cause__ is not None and root.__cause__ is not root:
        root = root.__cause__
    cause = first_line(root)
    return f"{message} ({cause})" if root is not exc and cause not in message else message
