"""What the LLM is told about the variables of a kernel it does not share a process with.

The magics read the user's namespace directly; a batch notebook or the lab panel talks to a kernel over
ZeroMQ, so the same summary (``assistant.namespace``) is computed inside that kernel and printed back.
"""

from __future__ import annotations

import json

from assistant.loop import Executor
from assistant.observation import outputs_text


def context_from_kernel(executor: Executor, question: str, timeout: float) -> tuple[str, str]:
    """The question with ``{name}`` references resolved, and the variables summary (empty if the kernel cannot say)."""
    probe = (
        "import json as _json\nfrom assistant.namespace import question_with_context as _context\n"
        f"print(_json.dumps(_context(get_ipython(), {question!r})))\ndel _json, _context"
    )
    result = executor.execute(probe, timeout)
    try:
        question, context = json.loads(outputs_text(result))
    except ValueError:  # the kernel could not say (no sciwand in its environment): ask without
        return question, ""
    return question, context
