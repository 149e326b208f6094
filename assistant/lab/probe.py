"""A silent look into a notebook's kernel: one expression evaluated as a user expression of an empty,
silent execute request, so the notebook's history and execution count stay as they were.

A kernel busy with a cell answers only once the cell ends: the probe gives up after ``timeout`` seconds and
says so (``KernelSilent``) rather than keep a request waiting. Inline completion reads the kernel's names
this way, the panel's ``@`` list its variables.
"""

from __future__ import annotations

import ast
import time
import uuid
from typing import Any

from assistant.errors import SciwandError

NAMESPACE = "__import__('assistant.inkernel.namespace', fromlist=['_'])"
NAMES_PROBE = f"{NAMESPACE}.completion_names(get_ipython())"
VARIABLES_PROBE = f"{NAMESPACE}.user_variables(get_ipython())"


class KernelSilent(SciwandError):
    """The kernel did not answer in time (busy with a cell), or could not be asked (gone, restarting)."""


async def evaluate_silently(kernel: Any, expression: str, timeout: float) -> Any:
    """The value of ``expression`` (a Python literal: its repr is read back) in the kernel that ``kernel``
    (a jupyter_server kernel manager) runs; None if the expression failed there (a kernel without sciwand,
    say). Raises ``KernelSilent`` when no answer came within ``timeout`` seconds."""
    # A Session of its own (same key, new id): a socket identity of its own. With the manager's Session the
    # probe's shell socket would take over the identity of another client of this process (the chat's run, a
    # test's client), and the kernel's replies to that client would go to the probe's socket, then nowhere.
    session = kernel.session.clone()
    session.session = str(uuid.uuid4())
    client = kernel.client(session=session)
    client.start_channels(hb=False)
    try:
        msg_id = client.execute("", silent=True, store_history=False, user_expressions={"value": expression})
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            reply = await client.get_shell_msg(timeout=left)
            if reply["parent_header"].get("msg_id") == msg_id:
                value = reply["content"].get("user_expressions", {}).get("value", {})
                break
        else:
            raise KernelSilent(f"no answer within {timeout} s")
    except KernelSilent:
        raise
    except Exception as exc:  # queue.Empty on a busy kernel, a kernel gone
        raise KernelSilent(str(exc) or type(exc).__name__) from exc
    finally:
        client.stop_channels()
    if value.get("status") != "ok":
        return None
    try:
        return ast.literal_eval(value["data"]["text/plain"])
    except (KeyError, ValueError, SyntaxError):
        return None
