"""The MCP tools: a persistent scientific kernel for agent clients, and sciwand's own loop for those that
want an answer. Descriptions are written for the model that reads them: what each tool returns, its limits,
an example.

Kernel work is blocking (``KernelSession``), so every tool runs it in a worker thread: a long cell in one
session never holds up a call on another. A cancelled call (the client's stop button) interrupts its cell.
Nothing a tool is given can crash the server: bad input is a ``ToolError`` with one clear line, anything
else FastMCP turns into an error result.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Annotated, Any, TypeVar

import anyio
import anyio.from_thread
import anyio.to_thread
from langchain_core.language_models.chat_models import BaseChatModel
from mcp.server.fastmcp import Context, FastMCP
from mcp.server.fastmcp.exceptions import ToolError
from mcp.types import CallToolResult, ToolAnnotations
from pydantic import Field

from assistant.engine.events import LoopEvents, Step
from assistant.engine.kernel_context import context_from_kernel
from assistant.engine.observation import clip
from assistant.engine.sessions import session_for
from assistant.errors import SciwandError
from assistant.mcp_server.registry import DEFAULT_SESSION, KernelRegistry
from assistant.mcp_server.results import OUTPUT_BUDGET, execution_result, images, text_result
from domain_tools.catalog import DOMAINS, Catalog, select
from domain_tools.catalog import load as load_catalog

T = TypeVar("T")
MAX_TIMEOUT_S = 3600.0
CATALOG_BUDGET = 6000  # characters of catalog entries per `catalog` call
STEP_OUTPUT_BUDGET = 2000  # characters of each step's output in an `ask` result
_WORD = re.compile(r"[a-z0-9]{4,}")

INSTRUCTIONS = """\
sciwand: a persistent Python kernel for science, with RDKit (chemistry), Biopython (biology) and astropy
(astronomy) imported and sciwand's answer helpers loaded. Variables persist between `execute` calls in the
same session. Call `catalog` before writing domain code: it lists the helpers (e.g. chem.profile('CCO'))
and the known pitfalls of these library versions. Kernels are limited in time, memory, file size and
processes; a crash is recovered by replaying earlier successful cells."""

SessionName = Annotated[
    str,
    Field(description="Session name (letters, digits, '_', '-', '.'): each session is its own kernel."),
]
Code = Annotated[str, Field(description="Python source, run as one notebook cell: a last expression is shown.")]
Timeout = Annotated[
    float | None,
    Field(description=f"Seconds before the cell is interrupted (default: the server's; at most {MAX_TIMEOUT_S:g})."),
]


class _Progress(LoopEvents):
    """``ask``'s steps as MCP progress notifications (shown by clients that asked for progress)."""

    def __init__(self, ctx: Context, total: int) -> None:
        self.ctx, self.total, self.steps = ctx, total, 0

    def turn(self, number: int) -> None:
        self._report(number - 1, f"turn {number}: the model is writing")

    def step(self, step: Step) -> None:
        self.steps += 1
        self._report(self.steps, f"step {self.steps} ran: {step.result.status.value}")

    def _report(self, done: int, message: str) -> None:
        anyio.from_thread.run(self.ctx.report_progress, min(done, self.total), self.total, message)


async def _in_thread(work: Callable[[], T], cancel: Callable[[], Awaitable[None]] | None = None) -> T:
    """``work`` in a worker thread; a cancelled call awaits ``cancel`` (interrupts the cell). Errors: one line."""
    try:
        return await anyio.to_thread.run_sync(work, abandon_on_cancel=True)
    except anyio.get_cancelled_exc_class():
        if cancel is not None:
            with anyio.CancelScope(shield=True):
                await cancel()
        raise
    except SciwandError as exc:
        raise ToolError(str(exc)) from None


def build_server(
    registry: KernelRegistry, model: Callable[[], BaseChatModel], catalog: Catalog | None = None, **settings: Any
) -> FastMCP:
    """The MCP server over ``registry``'s kernels; ``model`` gives the chat model, at each ``ask``.
    ``settings`` go to FastMCP (host, port for streamable HTTP)."""
    server = FastMCP("sciwand", instructions=INSTRUCTIONS, log_level="WARNING", **settings)
    # FastMCP (SDK 1.30) takes no version and the handshake's serverInfo falls back to the SDK's own; say ours.
    server._mcp_server.version = package_version("sciwand")
    known = catalog if catalog is not None else load_catalog()
    options = registry.settings

    def timeout_for(timeout: float | None) -> float:
        if timeout is None:
            return options.timeout
        if not 0 < timeout <= MAX_TIMEOUT_S:
            raise ToolError(f"timeout must be between 0 and {MAX_TIMEOUT_S:g} seconds, got {timeout:g}")
        return timeout

    @server.tool(
        description=f"""Run Python code in a persistent kernel and return what it printed and displayed.

Returns: status (ok, error, timeout or died), the output (stdout, stderr and displayed values, at most
{OUTPUT_BUDGET:,} characters: the head and the tail are kept around a marker), the error line and a trimmed
traceback, hints for known pitfalls of the installed RDKit/Biopython/astropy, and each displayed image
(matplotlib figures, molecule drawings) as image content. A failed cell is an error result: fix the code.

State persists: variables, imports and functions stay for the next call in the same session. Already
imported: np, pd, plt; RDKit's Chem, AllChem, Descriptors, Crippen, Lipinski, rdMolDescriptors, Draw;
Biopython's Seq, SeqIO, Align, ProteinAnalysis, gc_fraction, molecular_weight; astropy's u, const,
SkyCoord, Time, Planck18; and the helpers chem, bio and astro (see the `catalog` tool).

Limits: `timeout` seconds per call (default {options.timeout:g}; the cell is interrupted, and the kernel restarted
if that fails), the kernel's memory, file size and process limits. A crash (segfault, out of memory) restarts
the kernel and replays the earlier successful cells: the note says what came back.

Example: code="m = Chem.MolFromSmiles('CCO')\\nprint(Descriptors.MolWt(m))" prints 46.069.""",
        annotations=ToolAnnotations(title="Run Python in a kernel", destructiveHint=False, openWorldHint=False),
    )
    async def execute(code: Code, session: SessionName = DEFAULT_SESSION, timeout: Timeout = None) -> CallToolResult:
        if not code.strip():
            raise ToolError("code is empty: pass the Python to run")
        limit = timeout_for(timeout)

        entry = registry.find(session)
        if entry is not None and entry.on_this_loop() and entry.lock.acquire(blocking=False):
            try:  # the common case, a session's next cell: awaited here, no worker thread
                result = await entry.run_on_loop(code, limit)
            finally:
                entry.lock.release()
            return execution_result(result, code, known, session)

        def run() -> CallToolResult:
            entry = registry.open(session)
            with entry.lock:
                result = entry.run(code, limit)
            return execution_result(result, code, known, session)

        return await _in_thread(run, lambda: registry.interrupt(session))

    @server.tool(
        description="""List the variables of a session's kernel: name and a short type-and-size summary,
newest first, never their values. E.g. `mols: list of 12 Mol`, `df: DataFrame 120x4 (columns: name, ...)`.
The session must exist (`execute` or `ask` creates it).""",
        annotations=ToolAnnotations(title="Kernel variables", readOnlyHint=True),
    )
    async def variables(session: SessionName = DEFAULT_SESSION) -> CallToolResult:
        def look() -> CallToolResult:
            entry = registry.get(session)
            probe = "__import__('assistant.inkernel.namespace', fromlist=['_']).user_variables(get_ipython())"
            with entry.lock:
                found = entry.kernel.evaluate(probe)
            rows = [{"name": name, "summary": summary} for name, summary in found or []]
            text = "\n".join(f"{row['name']}: {row['summary']}" for row in rows) or "no variables yet"
            return text_result(text, {"session": session, "variables": rows})

        return await _in_thread(look)

    @server.tool(
        description=f"""Find sciwand's domain helpers and the known pitfalls that fit a query.

Returns helper entries (signature, purpose, a one-line example that runs in the kernel as is) and pitfalls
(an error these library versions raise, and what to call instead). `domain`: one of {", ".join(DOMAINS)}.
Example: query="molecular weight logP of a SMILES" gives chem.profile(...) and RDKit's Descriptors.""",
        annotations=ToolAnnotations(title="Domain helpers and pitfalls", readOnlyHint=True),
    )
    async def catalog(
        query: Annotated[str, Field(description="What the code must do, in words: 'GC content of a DNA sequence'.")],
        domain: Annotated[str | None, Field(description=f"Only this domain: {', '.join(DOMAINS)}.")] = None,
    ) -> CallToolResult:
        if domain is not None and domain not in DOMAINS:
            raise ToolError(f"domain {domain!r}: use one of {', '.join(DOMAINS)}")
        if not query.strip():
            raise ToolError("query is empty: describe the task, e.g. 'GC content of a DNA sequence'")
        return catalog_result(known, query, domain)

    @server.tool(
        description="""Answer a scientific question with sciwand's own loop: its configured model writes
code, runs it in the session's kernel, reads the outputs and fixes errors until the answer rests on executed
results. Use it for an answer rather than a kernel. The session's variables are visible to it (refer to one
as {name}) and what it computes stays in the kernel.

Returns: the answer (or none, if the turns ran out), whether an executed step grounds it, and every step's
code, status and clipped output; images as image content. Takes seconds to minutes (the embedded model runs
on CPU); progress is reported per step. Example: question="Molecular weight of caffeine,
SMILES CN1C=NC2=C1C(=O)N(C(=O)N2C)C".""",
        annotations=ToolAnnotations(title="Ask sciwand", destructiveHint=False, openWorldHint=False),
    )
    async def ask(
        question: Annotated[str, Field(description="The question, with its inputs (SMILES, sequences, ...).")],
        ctx: Context,
        session: SessionName = DEFAULT_SESSION,
    ) -> CallToolResult:
        if not question.strip():
            raise ToolError("question is empty")

        def answer() -> CallToolResult:
            entry = registry.open(session)
            with entry.lock:
                if entry.chat is None:
                    entry.chat = session_for(options, entry.executor, model=model(), setup_code=None)
                conversation = entry.chat
                conversation.events = entry.ask_events(_Progress(ctx, conversation.max_turns))
                entry.before_run()
                entry.notices.clear()
                resolved, context = context_from_kernel(entry.kernel, question)
                result = conversation.ask(resolved, context)
                notices = list(entry.notices)
            steps = [
                {
                    "code": step.code,
                    "status": step.result.status.value,
                    "output": clip(step.observation, STEP_OUTPUT_BUDGET),
                }
                for step in result.steps
            ]
            fields = {
                "session": session,
                "answer": result.answer,
                "grounded": result.grounded,
                "turns": result.turns,
                "seconds": round(result.seconds, 1),
                "model": result.model,
                "steps": steps,
            }
            if notices:  # the attached notebook could not take some steps: where they went instead
                fields["notebook_notices"] = notices
            shown = [image for step in result.steps for image in images(step.result)]
            outcome = text_result(ask_text(fields), fields, shown)
            outcome.isError = result.answer is None
            return outcome

        return await _in_thread(answer, lambda: registry.interrupt(session))

    @server.tool(
        description="""Save a session as a Jupyter notebook that re-runs top to bottom: the setup cell, every
executed cell with its outputs (failed ones tagged raises-exception), and `ask`'s questions and answers.
`path` must end in .ipynb; a relative path is under the server's working directory. Returns the path.""",
        annotations=ToolAnnotations(title="Export a notebook", destructiveHint=False, idempotentHint=True),
    )
    async def export_notebook(
        session: SessionName,
        path: Annotated[str, Field(description="Where to write it, ending in .ipynb.")],
    ) -> CallToolResult:
        target = await _in_thread(lambda: registry.export(session, Path(path)))
        return text_result(f"saved {target}", {"session": session, "path": str(target)})

    @server.tool(
        description="""Restart a session's kernel: every variable is lost (the helpers are loaded again).
Use it when the state is wrong, not after a crash: crashes are recovered automatically.""",
        annotations=ToolAnnotations(title="Restart a kernel", destructiveHint=True, idempotentHint=True),
    )
    async def restart(session: SessionName) -> CallToolResult:
        await _in_thread(lambda: registry.restart(session))
        return text_result(f"session {session!r} restarted: its variables are gone", {"session": session})

    @server.tool(
        description="""Shut a session's kernel down and free its memory. Its name can be used again later
for a new, empty kernel. All kernels are shut down anyway when the client disconnects.""",
        annotations=ToolAnnotations(title="Shut a kernel down", destructiveHint=True, idempotentHint=False),
    )
    async def shutdown(session: SessionName) -> CallToolResult:
        await _in_thread(lambda: registry.shutdown(session))
        return text_result(f"session {session!r} shut down", {"session": session})

    return server


def ask_text(fields: dict[str, Any]) -> str:
    answer = fields["answer"]
    head = f"Answer: {answer}" if answer else f"No answer was reached in {fields['turns']} turn(s)."
    lines = [
        head,
        f"({'grounded in an executed step' if fields['grounded'] else 'not grounded'}; "
        f"{len(fields['steps'])} step(s), {fields['seconds']} s, {fields['model']})",
    ]
    for number, step in enumerate(fields["steps"], 1):
        lines.append(f"\nstep {number} ({step['status']}):\n```python\n{step['code']}\n```\n{step['output']}")
    lines += [f"\nnotebook: {notice}" for notice in fields.get("notebook_notices", [])]
    return "\n".join(lines)


def catalog_result(known: Catalog, query: str, domain: str | None) -> CallToolResult:
    """The entries and pitfalls that share words with ``query``."""
    entries = [entry for entry in known.entries if domain is None or entry.domain == domain]
    chosen = select(entries, query, CATALOG_BUDGET)
    asked = set(_WORD.findall(query.lower()))
    scored = []
    for hint in known.hints:
        if domain is None or not hint.domain or hint.domain == domain:
            overlap = len(asked & set(_WORD.findall(f"{hint.text} {hint.error}".lower())))
            if overlap:
                scored.append((-overlap, hint.text))
    pitfalls = [text for _, text in sorted(scored)[:5]]
    lines = ["Helpers:", *[entry.render() for entry in chosen]] if chosen else ["No helper matches these words."]
    if pitfalls:
        lines += ["", "Pitfalls:", *[f"- {text}" for text in pitfalls]]
    fields = {
        "entries": [
            {"name": e.name, "signature": e.signature, "purpose": e.purpose, "example": e.example, "domain": e.domain}
            for e in chosen
        ],
        "pitfalls": pitfalls,
    }
    return text_result("\n".join(lines), fields)
