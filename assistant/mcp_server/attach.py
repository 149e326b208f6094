"""``sciwand mcp --jupyter-url URL --token T --notebook PATH``: the tools run in that notebook's kernel on that
Jupyter server, and every cell they run is added to the notebook, so the user sees the agent's work there,
without sciwand ever overwriting what the user wrote.

With jupyter-collaboration on the server (its session endpoint answers), the cells go into the notebook's
shared document, as JupyterLab's own clients edit it (``collab.py``): an open tab shows each cell as it is
made, the user's typing and the agent's cells merge, and the server writes the file when it saves the
document. sciwand writes no file.

Without it, the contents API is all there is, and it can only rewrite a file whole: sciwand reads the notebook
(its content and a hash of its bytes), appends the cell, reads the hash and modification time again right
before writing, and writes only if neither changed. If the file changed in between (a save from a JupyterLab
tab), sciwand does not overwrite it: its cells go to a notebook beside it, ``<name>.sciwand-<time>.ipynb``,
and the tool result's note says where. The API has no conditional write, so a save landing after that last
check and before the write reaches the disk (one HTTP round trip and the upload of the notebook, typically
milliseconds) is still overwritten; the tab that saved keeps its content, and JupyterLab then says the file
changed on disk when it saves again. An open tab without collaboration does not show the new cells until
*File > Reload Notebook from Disk*; saving it first makes JupyterLab ask whether to overwrite the file
(dropping the agent's cells) or revert.

The websockets (the kernel's channels, the shared document's room) reconnect after a drop with exponential
backoff (``kernels.remote.Backoff``); a cell running when the kernel's socket dropped is reported, not lost
silently, and a cell the shared document could not take once the reconnection gave up is kept beside the
notebook like a refused write.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

import nbformat

from assistant.engine.events import Step
from assistant.errors import InputError
from assistant.runs.notebook import step_cell
from kernels import ExecutionResult, KernelConfig, KernelSession
from kernels.remote import (
    Backoff,
    JupyterServer,
    RemoteKernelError,
    collaboration_session,
    contents_api,
    notebook_kernel,
    server_path,
)

if TYPE_CHECKING:
    from assistant.mcp_server.collab import SharedNotebook  # pycrdt, jupyter_ydoc: the collab extra


@dataclass
class AttachedNotebook:
    """A kernel session on the kernel of a notebook served by a Jupyter server, and that notebook."""

    kernel: KernelSession  # attached to the notebook's kernel on the server
    notebook: str  # the notebook's path on the server, relative to its root
    server: JupyterServer
    shared: SharedNotebook | None = None  # the notebook's shared document, when the server collaborates
    kept: str | None = None  # where the cells sciwand could not add went (a notebook beside this one)
    kept_cells: list[Any] = field(default_factory=list)

    def record(self, code: str, result: ExecutionResult) -> str | None:
        """Add ``code`` as an executed cell, with its outputs and execution count, to the notebook, as sciwand's
        notebook transcripts record a step (a failed one tagged so that Run All goes on past it). Returns a
        notice for the agent when the cell could not go into the notebook and where it went instead."""
        cell = step_cell(Step(code, result, observation=""))  # with an id: the shared document tracks it by that
        if self.shared is not None:
            try:
                self.shared.append(cell)
            except RemoteKernelError as error:
                return self.keep(cell, f"the cell could not be added to the notebook's shared document: {error}")
            return None
        return self.append_to_file(cell)

    def append_to_file(self, cell: Any) -> str | None:
        """The conditional rewrite through the contents API (no collaboration on the server)."""
        path = contents_api(self.notebook)
        read = self.read()
        notebook = nbformat.from_dict(read["content"])
        if notebook.nbformat_minor < 5:  # cell ids came with nbformat 4.5
            notebook.cells.append(nbformat.from_dict({key: value for key, value in cell.items() if key != "id"}))
        else:
            notebook.cells.append(cell)
        now = self.server.request("GET", path + "?content=0&hash=1")  # right before writing: as late as it can be
        if _version(now) != _version(read):
            why = (
                f"{self.notebook} changed on the server while sciwand added this cell, so sciwand did not overwrite it"
            )
            return self.keep(cell, why)
        self.server.request("PUT", path, {"type": "notebook", "format": "json", "content": notebook})
        return None

    def read(self) -> dict[str, Any]:
        """The notebook's model with its content and the hash of the bytes that content was read from."""
        return self.server.request("GET", contents_api(self.notebook) + "?hash=1")

    def keep(self, cell: Any, why: str) -> str:
        """Save ``cell`` (after any kept before) in a notebook beside this one, never over it; the notice."""
        self.kept_cells.append(cell)
        where = PurePosixPath(self.notebook)
        try:
            if self.kept is None:
                self.kept = self._free_name(where)
            metadata = self.server.request("GET", contents_api(self.notebook))["content"].get("metadata", {})
            kept = nbformat.v4.new_notebook(cells=self.kept_cells, metadata=metadata)
            self.server.request("PUT", contents_api(self.kept), {"type": "notebook", "format": "json", "content": kept})
        except RemoteKernelError as error:
            elsewhere = "it is in this session's transcript only"
            return f"{why}; it could not be kept beside the notebook either ({error}): {elsewhere}"
        return f"{why}; this cell is kept in {self.kept} on the server, beside the notebook"

    def _free_name(self, notebook: PurePosixPath) -> str:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        for number in range(1, 100):
            suffix = "" if number == 1 else f"-{number}"
            candidate = str(notebook.with_name(f"{notebook.stem}.sciwand-{stamp}{suffix}.ipynb"))
            try:
                self.server.request("GET", contents_api(candidate) + "?content=0")
            except RemoteKernelError as error:
                if error.status == 404:
                    return candidate
                raise
        raise RemoteKernelError(f"no free name beside {notebook} for sciwand's cells")

    def close(self) -> None:
        """Detach; the kernel lives on (it is the server's, and the notebook's), and so does the document."""
        try:
            if self.shared is not None:
                self.shared.close()
        finally:
            self.kernel.shutdown()


def _version(model: dict[str, Any]) -> tuple[Any, ...]:
    """What tells one version of a file from another: its modification time and, where the server gives one
    (jupyter_server 2.11 and later), the hash of its bytes."""
    return model.get("last_modified"), model.get("hash")


def attach_notebook(
    url: str, token: str, notebook: str, config: KernelConfig | None = None, backoff: Backoff | None = None
) -> AttachedNotebook:
    """Attach to the kernel of ``notebook`` on the Jupyter server at ``url``, starting one (a session, as
    JupyterLab opens a notebook) if it has none, and to the notebook's shared document if the server has
    jupyter-collaboration. Raises ``kernels.remote.RemoteKernelError``, one line, when the server is
    unreachable, refuses ``token`` or has no such notebook; ``InputError`` when the server collaborates and
    sciwand's ``collab`` extra is missing.

    Of ``config`` only the output cap, interrupt grace and startup timeout apply: the server started the
    kernel, in its own directory and environment, without sciwand's limits. ``backoff`` bounds reconnecting.
    """
    server = JupyterServer(url, token, backoff)
    path = server_path(notebook)
    manager = notebook_kernel(server, notebook)
    shared = _shared_document(server, path)
    try:
        kernel = KernelSession.attach(manager, config=config)
    except BaseException:
        if shared is not None:
            shared.close()
        raise
    return AttachedNotebook(kernel, path, server, shared)


def _shared_document(server: JupyterServer, path: str) -> SharedNotebook | None:
    """The notebook's shared document, connected, if the server serves it collaboratively; else None."""
    if collaboration_session(server, path) is None:
        return None
    try:
        from assistant.mcp_server.collab import SharedNotebook
    except ImportError as error:  # pycrdt, jupyter_ydoc: the collab extra
        raise InputError(
            f"the Jupyter server at {server.url} shares notebooks (jupyter-collaboration); editing them needs "
            f"sciwand's collab extra ({error.name} is missing): pip install 'sciwand[collab]'"
        ) from None
    return SharedNotebook.open(server, path)
