"""The code-as-action loop: the LLM writes code, the kernel runs it, the output goes back, until an answer.

A ``ChatSession`` holds the conversation and the executor (a kernel), so follow-up questions see the
variables and answers of earlier ones.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from assistant.config import DEFAULTS
from assistant.engine import api_lookup, checks, examples, prompts
from assistant.engine.copycheck import copy_slips, describe_slips
from assistant.engine.events import Figures, LoopEvents, Step
from assistant.engine.harness import DEFAULT
from assistant.engine.hints import hints_for
from assistant.engine.installs import installs_packages
from assistant.engine.literals import (
    Literal,
    binding_code,
    collection_keys,
    describe,
    dropped_units,
    helper_call,
    referenced_literal,
    referenced_names,
    repair_borrowed,
    repair_copies,
    requested_variables,
)
from assistant.engine.observation import clip, failure_line, format_observation, outputs_text
from assistant.engine.question import QuestionFacts, assigned_names, read_question
from assistant.engine.repair import name_repairs
from assistant.engine.replies import Reply, has_complete_code_block, is_cut_off, normalise_code, parse_reply
from assistant.engine.vote import Candidate, majority, value_of
from assistant.errors import LLMError
from assistant.llm.llm_slots import llm_slot
from domain_tools.catalog import ANSWER_HELPERS, Catalog, select, uses_answer_helper
from domain_tools.catalog import load as load_catalog
from kernels import ExecutionResult, Status

# Stop strings: the model must not write the output of its own code, nor run on past its turn.
# A provider that reports token usage only at the end of its stream (OpenAI-compatible servers) has the tail
# of a reply read, unseen, up to this many chunks after its code block, so its token counts are kept.
DRAIN_CHUNKS = 256
STOP_SEQUENCES = ["```output", "\nUser:", "<|im_end|>", "<|endoftext|>"]
# After the model repeats itself, sample hotter so the next reply can differ (small models loop when cold).
REPEAT_TEMPERATURES = DEFAULT.repeat_temperatures
# Exchanges kept in full however they went; older failed ones shrink to their error line.
CONTEXT_WINDOW = DEFAULT.context_window
# Characters of catalog entries sent with a question: about 350 tokens, affordable in a 1.5B model's context.
# At most this many entries: past the best few, a 1.5B model copies an example that does not fit the question.
CATALOG_ENTRIES = 3
# Worked examples and library names retrieved into each question (see assistant/engine/examples.py, api_lookup.py).
EXAMPLES_PER_QUESTION = DEFAULT.examples_per_question
API_NAMES = DEFAULT.api_names
# Extra programs sampled when an answer is in doubt; their executed results are voted on.
VOTE_SAMPLES = DEFAULT.vote_samples
VOTE_TEMPERATURES = (0.7, 1.0)


class Executor(Protocol):
    """Where code runs: a kernel session, or (for the magics) the user's own IPython."""

    def execute(self, code: str, timeout: float | None = ...) -> ExecutionResult: ...
    def restart(self) -> None: ...


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


@dataclass
class _Exchange:
    """One LLM reply and what the LLM was told about it."""

    reply: str
    feedback: str = ""
    failure: str | None = None  # one line, when the exchange led nowhere
    repeated_failure: bool = False  # the reply repeated code that had already failed


@dataclass
class _Attempt:
    """Mutable state of one question's loop."""

    head: list[BaseMessage]  # system prompt and the memory of earlier questions
    asked: str  # the user's own words
    question: str  # as the LLM sees it: the user's words plus the catalog entries that fit them
    facts: QuestionFacts  # what the question asks, read once
    exchanges: list[_Exchange] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    seen: dict[str, Step] = field(default_factory=dict)
    repeats: int = 0
    nudged_empty: bool = False
    nudged_ungrounded: bool = False
    tokens_in: int = 0
    tokens_out: int = 0
    tokens_cached: int = 0  # prompt tokens the backend reused from its cache instead of evaluating again

    miscopied: list[Step] = field(default_factory=list)  # ran fine, but on data retyped wrong
    literals: list[Literal] = field(default_factory=list)  # the question's values, bound in the kernel
    sent_back: set[str] = field(default_factory=set)  # answer checks that already sent an answer back
    voted: bool = False

    def outputs(self) -> str:
        """What this question's successful steps printed: what an answer may rest on."""
        return "\n".join(outputs_text(step.result) for step in self.steps if step.ok and step not in self.miscopied)

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
        context_window: int = CONTEXT_WINDOW,
        repeat_temperatures: tuple[float, ...] = REPEAT_TEMPERATURES,
        catalog: Catalog | None = None,
        catalog_budget: int = DEFAULT.catalog_budget,
        use_hints: bool = DEFAULT.use_hints,
        llm_concurrency: int | None = None,
        review: Callable[[str], str | None] | None = None,
        llm_deadline: float | None = None,
        bind_literals: bool = DEFAULT.bind_literals,
        check_answers: bool = DEFAULT.check_answers,
        vote_samples: int = VOTE_SAMPLES,
        examples_per_question: int = EXAMPLES_PER_QUESTION,
        api_names: int = API_NAMES,
        name_repair: bool = DEFAULT.name_repair,
        answer_helpers: bool = DEFAULT.answer_helpers,
        first_helper: bool = DEFAULT.first_helper,
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
        # The harness's knobs, kept as parameters so benchmarks/harness.py can measure each one.
        self.system_prompt = system_prompt
        self.context_window = context_window
        self.repeat_temperatures = repeat_temperatures
        self.catalog = catalog if catalog is not None else load_catalog()
        self.catalog_budget = catalog_budget  # characters of catalog entries per question; 0 sends none
        self.use_hints = use_hints
        self.llm_concurrency = llm_concurrency  # calls in flight per model across this process; None: no cap
        # Approval: sees each step's code before it runs; returns the code to run (maybe edited), or None to skip.
        self.review = review
        # Seconds one LLM call may take in all (backends.call_deadline): the provider's timeout is per read.
        self.llm_deadline = llm_deadline
        self.examples_per_question = examples_per_question  # worked examples retrieved into each question; 0: none
        self.api_names = api_names  # installed-library names retrieved into each question; 0: none
        if api_names:
            api_lookup.prefetch()  # read (or, once per install, build) the index while the model loads
        self.name_repair = name_repair  # a failed name gets the closest real names, found in the kernel
        self.answer_helpers = answer_helpers  # False hides chem.profile & co. from the prompt (an ablation)
        self.first_helper = first_helper and answer_helpers  # run the helper a quoted value calls for, first
        if not answer_helpers and system_prompt == prompts.SYSTEM_PROMPT:
            self.system_prompt = prompts.system_prompt(answer_helpers=False)
        self.bind_literals = bind_literals  # quoted SMILES, sequences, coordinates... become kernel variables
        self.check_answers = check_answers  # answers are checked against the outputs and the question's unit
        self.vote_samples = vote_samples  # programs sampled and voted on when an answer is in doubt; 0: none
        self.literals: dict[str, Literal] = {}  # bound in the kernel over the whole session, by their code
        self._binding: str | None = None  # the binding cell still to run for the current question
        self.setup_code = setup_code  # the imports the system prompt promises, run before the first step
        self._setup_needed = setup_code is not None
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

    def ask(self, question: str, context: str = "") -> AskResult:
        """Answer ``question``; ``context`` (e.g. the user's variables) is shown to the LLM, not remembered."""
        started = time.monotonic()
        self.events.question(question)
        attempt = self._attempt(question, context)
        answer: str | None = None
        turns = 0
        self._start_setup()
        try:
            self._first_helper(attempt)
            while turns < self.max_turns and answer is None:
                turns += 1
                self.events.turn(turns)
                answer = self._turn(attempt)
                if answer is None and turns == self.max_turns - 1:
                    answer = self._vote(attempt, self._current_candidate(attempt))
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
        self.events.finished(Figures(turns, len(attempt.steps), seconds, attempt.tokens_in, attempt.tokens_out))
        return AskResult(
            question=question,
            answer=answer,
            steps=attempt.steps,
            turns=turns,
            seconds=seconds,
            model=self.model_name,
            grounded=answer is not None and attempt.last_success is not None,
            tokens_in=attempt.tokens_in,
            tokens_out=attempt.tokens_out,
            tokens_cached=attempt.tokens_cached,
        )

    def propose(self, question: str, context: str = "") -> Reply:
        """The LLM's first reply to ``question``, nothing executed and nothing remembered (a dry run)."""
        self.events.question(question)
        self.events.turn(1)
        return parse_reply(self._complete(self._attempt(question, context)))

    def _attempt(self, question: str, context: str) -> _Attempt:
        """The user turn: worked examples and the helpers that fit, then the question and its bound names last,
        nearest to the reply (a 1.5B model copies whatever code it read last)."""
        facts = self._read(question)
        literals = list(facts.literals)
        guidance = [part for part in (self._examples_text(question), self._catalog_text(facts)) if part]
        asked = f"{prompts.QUESTION_HEADER} {question}" if guidance else question
        bound = f"{prompts.BOUND_HEADER}\n{describe(literals)}" if literals else ""
        referred = self._variables_note(facts)
        shown = "\n\n".join(part for part in (*guidance, _how(facts), asked, bound, referred, context) if part)
        head = [SystemMessage(self.system_prompt), *self.memory]
        return _Attempt(head=head, asked=question, question=shown, facts=facts, literals=literals)

    def _read(self, question: str) -> QuestionFacts:
        """Read the question once: literals (bound in the kernel), the quantity asked, the variables named."""
        if not self.bind_literals:  # the ablation: nothing bound, nothing shown as bound
            return replace(read_question(question, made=set(self._made), made_last=self._made_last), literals=())
        taken = {code: literal.name for code, literal in self.literals.items()}
        facts = read_question(question, taken, set(self._made), self._referenced(question), self._made_last)
        fresh = [lit for lit in facts.literals if lit.code not in self.literals and lit.code != lit.name]
        self.literals.update((literal.code, literal) for literal in fresh)
        if fresh:
            self._binding = binding_code(fresh)
        return facts

    def _variables_note(self, facts: QuestionFacts) -> str:
        """Type, size and first items of the kernel variables a follow-up refers to (by name, or as "these":
        the variables the previous question made), so it is answered over the whole collection."""
        evaluate = getattr(self.executor, "evaluate", None)
        names = list(facts.variables)
        if evaluate is None or not names:
            return ""
        probe = f"__import__('assistant.inkernel.namespace', fromlist=['_']).peek_variables(get_ipython(), {names!r})"
        try:
            note = evaluate(probe)
        except Exception:  # no sciwand in the kernel's environment: ask without
            return ""
        return note if isinstance(note, str) else ""

    def _referenced(self, question: str) -> list[Literal]:
        """The user's variables the question points at (`smiles`) that hold a SMILES or a sequence: already in
        the kernel under their own names, they call for the same helper a quoted value does."""
        evaluate = getattr(self.executor, "evaluate", None)
        if evaluate is None or not self.bind_literals:
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

    def _catalog_text(self, facts: QuestionFacts) -> str:
        """The catalog entries (and, for the long tail, library names) relevant to ``question``.

        They go in the user turn, not the system prompt, so the system prompt stays byte-identical across
        questions and its cached state (assistant/llm/prompt_cache.py) stays valid.
        """
        question, domain = facts.text, facts.domain  # a SMILES asks for chemistry, whatever else the words say
        entries = [
            entry
            for entry in self.catalog.entries
            if (self.answer_helpers or entry.name not in ANSWER_HELPERS) and domain in (None, entry.domain)
        ]
        chosen = select(entries, question, self.catalog_budget)[:CATALOG_ENTRIES] if self.catalog_budget else []
        parts = [f"{prompts.CATALOG_HEADER}\n" + "\n".join(entry.render() for entry in chosen)] if chosen else []
        # The long tail only: beside a catalog entry that fits, a 1.5B model takes any near name it is shown
        # (EcoRI.is_isoschizomer for "how many EcoRI sites"), so library names come when no helper fits.
        wanted = self.api_names if not any(entry.name in ANSWER_HELPERS for entry in chosen) else 0
        names = api_lookup.lookup(question, wanted, domain=domain) if wanted else []
        if names:
            parts.append(f"{prompts.LOOKUP_HEADER}\n" + "\n".join(names))
        return "\n\n".join(parts)

    def _examples_text(self, question: str) -> str:
        """The worked examples closest to ``question``: the call to make and the line to read, in the user
        turn where they do not disturb the cached system prompt."""
        found = examples.retrieve(question, self.examples_per_question) if self.examples_per_question else []
        if not self.answer_helpers:
            found = [example for example in found if not uses_answer_helper(example.code)]
        return examples.render(found) if found else ""

    def _turn(self, attempt: _Attempt) -> str | None:
        """One LLM reply and its consequence: the final answer, or an exchange with feedback for the LLM."""
        reply = parse_reply(self._complete(attempt))
        exchange = _Exchange(reply.text)
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
                return (self._vote(attempt, None) if self.check_answers else None) or reply.answer
            attempt.nudged_ungrounded = True
            exchange.feedback, exchange.failure = prompts.UNGROUNDED_ANSWER, "an answer without computing it"
            return None
        if candidate and attempt.nudged_empty:
            return candidate  # a model that insists on prose, e.g. for a question without computation
        attempt.nudged_empty = True
        self.events.notice("reply had no code and no answer; asking again")
        exchange.feedback, exchange.failure = prompts.EMPTY_REPLY, "a reply without code"
        return None

    def _first_helper(self, attempt: _Attempt) -> None:
        """Run the answer helper the question's value calls for (``print(chem.profile(smiles_1))``) as the first
        step, shown to the model as its own: a 1.5B model picks the wrong call more often than it misreads a
        labelled row. Not for a single shot (``max_turns`` 1), whose one reply must be the model's own."""
        call = helper_call(attempt.literals) if self.first_helper and self.max_turns > 1 else None
        if call is None or not call.startswith(f"{attempt.facts.helper}("):  # the table has no row for it
            return
        code = f"print({call})"
        step = self._execute(attempt, code)
        if step is None:  # the user skipped it
            return
        exchange = _Exchange(f"I will print the answer helper's table first.\n```python\n{code}\n```")
        exchange.feedback = step.observation + (prompts.ANSWER_NUDGE if step.ok else "")
        exchange.failure = None if step.ok else failure_line(step.result)
        attempt.exchanges.append(exchange)
        attempt.seen[normalise_code(code)] = step

    def _accept(self, attempt: _Attempt, exchange: _Exchange, answer: str) -> str | None:
        """The answer, once the checks pass (maybe converted to the unit asked), restated with what it is;
        None when sent back.

        Each kind of problem is sent back once per question; with voting on, a doubted answer is first put
        to a vote of freshly sampled programs, whose executed results settle it.
        """
        if not self.check_answers:
            return answer
        missing = [name for name in requested_variables(attempt.asked) if not self._defined(name)]
        if missing:
            names = ", ".join(missing)
            problem = prompts.MISSING_VARIABLES.format(names=names)
            if self._send_back(attempt, exchange, "variable", problem, f"an answer without the variable(s) {names}"):
                return None
        code = "\n".join(step.code for step in attempt.steps if step.ok and step not in attempt.miscopied)
        variant = checks.variant_problem(attempt.asked, code, attempt.outputs())
        if variant and self._send_back(attempt, exchange, "variant", variant, "an answer for another variant"):
            return None
        names = attempt.facts.set_names
        if code and names and not any(re.search(rf"\b{name}\b", code) for name in names):
            problem = prompts.OVER_THE_SET.format(name=" or ".join(names))
            if self._send_back(attempt, exchange, "set", problem, "an answer about one item of the set"):
                return None
        items = self._items(attempt.facts)
        if attempt.facts.cue_kind == "name" and items and not any(item.lower() in answer.lower() for item in items):
            problem = prompts.NAME_THE_ITEM.format(items=", ".join(items[:8]))
            if self._send_back(attempt, exchange, "item", problem, "an answer that names no item of the set"):
                return None
        verdict = checks.review(attempt.facts, answer, attempt.outputs())
        if verdict.note:
            self.events.notice(verdict.note)
        if verdict.problem is None or verdict.kind in attempt.sent_back:
            return checks.restate(verdict.answer, attempt.facts)
        assert verdict.kind is not None
        number = checks.first_number(answer, attempt.asked)
        current = Candidate(number[0], number[1], number[2], "the model's answer") if number else None
        attempt.sent_back.add(verdict.kind)
        self.events.notice(f"answer check ({verdict.kind}): {verdict.problem}")
        decided = self._vote(attempt, current) if verdict.vote else None
        if decided is not None:
            return decided
        exchange.feedback, exchange.failure = verdict.problem, f"an answer that failed the {verdict.kind} check"
        return None

    def _send_back(self, attempt: _Attempt, exchange: _Exchange, kind: str, problem: str, failure: str) -> bool:
        """Send the answer back with ``problem``, once per kind of check per question; False when already sent."""
        if kind in attempt.sent_back:
            return False
        attempt.sent_back.add(kind)
        self.events.notice(f"answer check ({kind}): {problem}")
        exchange.feedback, exchange.failure = problem, failure
        return True

    def _items(self, facts: QuestionFacts) -> list[str]:
        """The names of the items of the set a question is about: a listed collection's, or the keys of a
        dict (or the index of a DataFrame) the question names."""
        items = [key for literal in facts.literals for key in collection_keys(literal)]
        evaluate = getattr(self.executor, "evaluate", None)
        for name in facts.variables if evaluate is not None else ():
            keys = f"({name}.index if hasattr({name}, 'index') else {name})"
            probe = f"[str(k) for k in {keys}] if hasattr({name}, 'keys') else None"
            try:
                keys = evaluate(probe)
            except Exception:  # not a mapping, or the kernel cannot say: no item names to hold the answer to
                continue
            items += keys if isinstance(keys, list) else []
        return items

    def _defined(self, name: str) -> bool:
        """Whether the kernel has ``name``; True when the executor cannot be asked silently."""
        evaluate = getattr(self.executor, "evaluate", None)
        if evaluate is None:
            return True
        try:
            return evaluate(f"{name!r} in globals()") is not False
        except Exception:  # a kernel that cannot answer is no reason to refuse an answer
            return True

    def _current_candidate(self, attempt: _Attempt) -> Candidate | None:
        """What the latest successful step's output answers, read the way the vote reads a sample."""
        success = attempt.last_success
        return value_of(outputs_text(success.result), attempt.asked, "the last step") if success else None

    def _vote(self, attempt: _Attempt, current: Candidate | None) -> str | None:
        """Sample programs from the question alone, run them, and answer with the value most of them print.

        Votes are on executed results, never on the text of the programs: two programs that print the
        same number agree whatever code they used. None when no value has a majority (or voting is off).
        """
        if not self.vote_samples or attempt.voted:
            return None
        attempt.voted = True
        candidates = [current] if current is not None else []
        for number, temperature in enumerate(VOTE_TEMPERATURES[: self.vote_samples], start=1):
            self.events.notice(f"sampling program {number} of {self.vote_samples} for a vote")
            fresh = _Attempt(head=attempt.head, asked=attempt.asked, question=attempt.question, facts=attempt.facts)
            fresh.repeats = 0
            reply = parse_reply(self._complete(fresh, {"temperature": temperature}))
            attempt.tokens_in += fresh.tokens_in
            attempt.tokens_out += fresh.tokens_out
            attempt.tokens_cached += fresh.tokens_cached
            if reply.code is None:
                continue
            step = self._execute(attempt, reply.code)
            if step is not None and step.ok:
                candidate = value_of(outputs_text(step.result), attempt.asked, f"sample {number}")
                if candidate is not None:
                    candidates.append(candidate)
        winner = majority(candidates)
        if winner is None:
            self.events.notice("the vote found no majority")
            return None
        answer = f"{winner.text} {winner.unit}".rstrip()
        self.events.notice(f"the vote chose {answer} ({winner.votes} of {len(candidates)} programs agree)")
        return checks.review(attempt.facts, answer, attempt.outputs()).answer

    def _run_code(self, attempt: _Attempt, exchange: _Exchange, code: str) -> str | None:
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

    def _execute(self, attempt: _Attempt, code: str) -> Step | None:
        """Run one step (after the user's approval, if asked) and describe it; None when the user skipped it."""
        self._finish_setup()
        code, repairs = repair_copies(code, list(self.literals.values()))
        for retyped, name in repairs:
            self.events.notice(f"replaced a mistyped copy {retyped!r} with {name}")
        code, borrowed = repair_borrowed(code, attempt.asked, attempt.question, attempt.literals)
        for value, name in borrowed:
            self.events.notice(f"replaced {value!r}, copied from an example, with the question's {name}")
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
        hints = hints_for(result, code, self.catalog) if self.use_hints else []
        if self.name_repair:
            hints += name_repairs(self.executor, result, code)
        observation = format_observation(result, hints)
        slips = copy_slips(attempt.asked, code)
        if slips:
            observation += "\n" + describe_slips(slips)
        for literal in dropped_units(code, attempt.literals):
            observation += "\n" + prompts.UNIT_DROPPED.format(name=literal.name, text=literal.text, kind=literal.kind)
        guessed = self.check_answers and result.ok and checks.prints_only_typed_numbers(code)
        if guessed:
            observation += "\n" + prompts.TYPED_NUMBERS
        step = Step(code=code, result=result, observation=observation)
        if slips or guessed:  # no answer may rest on it
            attempt.miscopied.append(step)
        attempt.steps.append(step)
        self.events.step(step)
        return step

    def _complete(self, attempt: _Attempt, sampling: dict[str, Any] | None = None) -> str:
        """One reply, streamed; an LLM failure of any provider's kind becomes an ``LLMError``."""
        reported_out = attempt.tokens_out
        sampling = dict(sampling or {})
        hotter = self.repeat_temperatures
        if attempt.repeats and hotter and not sampling:
            sampling["temperature"] = hotter[min(attempt.repeats, len(hotter)) - 1]
        # Right after a repeated failure the window closes: the model restarts from the question and
        # the error lines, without the code it keeps copying.
        window = 0 if attempt.exchanges and attempt.exchanges[-1].repeated_failure else self.context_window
        try:
            with llm_slot(self.model_name, self.llm_concurrency):
                text, pieces = self._stream(attempt, attempt.messages(window), sampling)
        except Exception as exc:  # every provider has its own error types; all mean the same here
            raise LLMError(f"the LLM call failed ({type(exc).__name__}): {_cause_line(exc)}") from exc
        if attempt.tokens_out == reported_out:
            attempt.tokens_out += pieces  # providers that report usage only in a final chunk we cut off
        return text

    def _stream(self, attempt: _Attempt, messages: list[BaseMessage], sampling: dict[str, Any]) -> tuple[str, int]:
        """Stream the reply, cutting it off as soon as it holds a complete code block; (text, chunks)."""
        text = ""
        pieces = 0
        drained: int | None = None  # chunks read after the reply was complete, waiting for the usage figures
        usage_seen = False
        started = time.monotonic()
        for chunk in self.model.stream(messages, stop=STOP_SEQUENCES, **sampling):
            if self.llm_deadline is not None and time.monotonic() - started > self.llm_deadline:
                raise TimeoutError(f"no complete reply within {self.llm_deadline:g} s")
            usage = getattr(chunk, "usage_metadata", None)
            if usage:
                usage_seen = True
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
        return text, pieces

    def _remember(self, question: str, answer: str | None, attempt: _Attempt) -> None:
        """Keep the question, the code that produced the answer and the answer; drop failed detours."""
        self.memory.append(HumanMessage(question))
        self._made_last = assigned_names(step.code for step in attempt.steps if step.ok)
        self._made = list(dict.fromkeys([*self._made, *self._made_last]))
        success = attempt.last_success
        if success is not None:
            self.memory.append(AIMessage(f"```python\n{success.code}\n```"))
            self.memory.append(HumanMessage(success.observation))
        self.memory.append(AIMessage(f"Final answer: {answer}" if answer else "I could not find the answer."))


def _how(facts: QuestionFacts) -> str:
    """What the registry says of the quantity asked, when no table holds it: a call that computes it; and
    for a question over a set, that the answer is the item, found over all of them."""
    lines = []
    quantity = facts.quantity
    if quantity is not None and quantity.call and facts.helper is None:
        lines.append(prompts.QUANTITY_HOW.format(name=quantity.name, call=quantity.call))
    if facts.collection and facts.cue_kind == "name":
        lines.append(prompts.OVER_A_SET)
    return "\n".join(lines)


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
