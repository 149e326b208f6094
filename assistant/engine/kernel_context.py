"""What the LLM is told about the variables of a kernel it does not share a process with, and what that
kernel's own journal says a crash must replay.

The magics read the user's namespace directly; a batch notebook or the lab panel talks to a kernel over
ZeroMQ, so the same summary (``assistant.inkernel.namespace``) is computed inside that kernel and read back,
silently: the probe is not a cell of the user's notebook, its history or its journal.
"""

from __future__ import annotations

from kernels import KernelSession
from kernels.recovery import RecoveringKernel

# Evaluated silently in a notebook's kernel: starts its cell journal, returns the cells it holds.
_KERNEL_JOURNAL = "__import__('assistant.inkernel.cell_journal', fromlist=['_']).journaled_cells(get_ipython())"


def context_from_kernel(kernel: KernelSession, question: str) -> tuple[str, str]:
    """The question with ``{name}`` references resolved, and the variables summary (empty if the kernel cannot say)."""
    namespace = "__import__('assistant.inkernel.namespace', fromlist=['_'])"
    probe = f"{namespace}.question_with_context(get_ipython(), {question!r})"
    answer = kernel.evaluate(probe)
    if not isinstance(answer, list) or len(answer) != 2:  # no sciwand in the kernel's environment: ask without
        return question, ""
    return answer[0], answer[1]


def adopt_kernel_journal(kernel: KernelSession, executor: RecoveringKernel) -> None:
    """Take a notebook kernel's own journal (the user's cells and earlier steps) as what a crash would replay.

    Used by the front-ends that share a kernel with a user (the panel, ``sciwand mcp --notebook``) before they
    run code. A kernel that cannot import sciwand keeps the executor's journal: the steps it ran itself.
    """
    cells = kernel.evaluate(_KERNEL_JOURNAL)
    if isinstance(cells, list):
        executor.journal.clear()
        for code in cells:
            executor.journal.record(code)
