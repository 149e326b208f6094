"""Running worked examples in a real kernel exactly as the assistant runs a question: the preamble, then the
binding cell of the question's literals (``assistant.engine.literals``), then the example's code.

One kernel serves a whole domain; between examples the names an example made are deleted and the preamble
names re-bound: about 12 ms per example, where ``%reset -f`` plus the preamble import takes about 290 ms and
a fresh kernel 2 s (measured on the 2-core dev machine). The refresh tool and the tests share this module,
so what CI checks is what was stored.
"""

from __future__ import annotations

import re
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType

from assistant.engine.examples import answer_numbers_missing
from assistant.engine.literals import binding_code, find_literals
from assistant.errors import SciwandError
from domain_tools.examples import Example, normalise
from kernels import ExecutionResult, KernelConfig, KernelSession

PREAMBLE = "from domain_tools.preamble import *"
_BASELINE = "_sciwand_example_baseline = set(globals())"
# Names an example made go; underscore names are IPython's own (_i3, _3, ...) and the baseline itself.
_RESET = (
    "for _sciwand_name in [n for n in globals() if n not in _sciwand_example_baseline and not n.startswith('_')]:\n"
    "    del globals()[_sciwand_name]\n" + PREAMBLE
)
TIMEOUT_S = 120.0
# A warning in an output depends on what ran before it (Python shows each once) and names local paths.
_WARNING = re.compile(r"^\S*(?:Warning|warnings\.warn)\b|\w+Warning: ", re.MULTILINE)


class ExampleError(SciwandError):
    """An example's binding or code failed in the kernel: the bank must not store a failing example."""


def _text(result: ExecutionResult) -> str:
    return normalise("".join(output.plain_text() for output in result.outputs))


class ExampleKernel:
    """One preamble kernel, in a scratch working directory, that runs examples one after another."""

    def __init__(self, cwd: Path | None = None) -> None:
        self._scratch = None if cwd is not None else tempfile.TemporaryDirectory(prefix="sciwand-examples-")
        self.cwd = cwd if cwd is not None else Path(self._scratch.name)
        self._session: KernelSession | None = None

    def __enter__(self) -> ExampleKernel:
        self._session = KernelSession(KernelConfig(cwd=self.cwd)).start()
        self._execute(f"{PREAMBLE}\n{_BASELINE}", "the preamble")
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        if self._session is not None:
            self._session.shutdown()
            self._session = None
        if self._scratch is not None:
            self._scratch.cleanup()

    def _execute(self, code: str, what: str) -> ExecutionResult:
        if self._session is None:
            raise RuntimeError("ExampleKernel is not started: use it as a context manager")
        result = self._session.execute(code, timeout=TIMEOUT_S)
        if not result.ok:
            if result.error is not None:
                detail = "\n".join(result.error.traceback[-6:]) or f"{result.error.ename}: {result.error.evalue}"
            else:
                detail = result.note or result.status.value
            raise ExampleError(f"{what} failed ({result.status.value}):\n{detail}")
        return result

    def run(self, example: Example) -> str:
        """The normalised output of ``example.code`` in a namespace holding only the preamble and its literals."""
        self._execute(_RESET, "resetting the namespace")
        binding = binding_code(find_literals(example.question))
        if binding:
            self._execute(binding, f"example {example.id!r}: binding its literals")
        return _text(self._execute(example.code, f"example {example.id!r}"))


def run_examples(examples: tuple[Example, ...] | list[Example]) -> list[str | ExampleError]:
    """Each example's output, or the error it raised, in order, from one kernel."""
    outcomes: list[str | ExampleError] = []
    with ExampleKernel() as kernel:
        for example in examples:
            try:
                outcomes.append(kernel.run(example))
            except ExampleError as error:
                outcomes.append(error)
    return outcomes


def run_domains(banks: dict[str, tuple[Example, ...]]) -> dict[str, list[str | ExampleError]]:
    """``run_examples`` for each domain at once, one kernel per domain (kernel start-up is mostly imports)."""
    with ThreadPoolExecutor(max_workers=len(banks) or 1) as pool:
        futures = {domain: pool.submit(run_examples, examples) for domain, examples in banks.items()}
        return {domain: future.result() for domain, future in futures.items()}


def problems(example: Example) -> list[str]:
    """What is wrong with an executed example: answer numbers the output does not show, or a warning in it."""
    found = []
    if missing := answer_numbers_missing(example.answer, example.output):
        found.append(f"answer numbers {missing} are not in the output")
    if _WARNING.search(example.output):
        found.append("the output holds a warning: change the example so that it does not warn")
    return found
