"""What the LLM is told about the variables of a kernel it does not share a process with.

The magics read the user's namespace directly; a batch notebook or the lab panel talks to a kernel over
ZeroMQ, so the same summary (``assistant.inkernel.namespace``) is computed inside that kernel and read back,
silently: the probe is not a cell of the user's notebook, its history or its journal.
"""

from __future__ import annotations

from kernels import KernelSession


def context_from_kernel(kernel: KernelSession, question: str) -> tuple[str, str]:
    """The question with ``{name}`` references resolved, and the variables summary (empty if the kernel cannot say)."""
    namespace = "__import__('assistant.inkernel.namespace', fromlist=['_'])"
    probe = f"{namespace}.question_with_context(get_ipython(), {question!r})"
    answer = kernel.evaluate(probe)
    if not isinstance(answer, list) or len(answer) != 2:  # no sciwand in the kernel's environment: ask without
        return question, ""
    return answer[0], answer[1]
