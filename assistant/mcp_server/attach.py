"""``sciwand mcp --jupyter-url URL --token T --notebook PATH``: the tools run in that notebook's kernel on that
Jupyter server, and every cell they run is appended to the notebook, so the user sees the agent's work there.

The notebook is written through the server's contents API, read then rewritten whole (the API has no append).
Open in JupyterLab without jupyter-collaboration (real-time collaboration, not a sciwand dependency), it is
changed on disk under the open tab, which is the expected behaviour: the tab shows the new cells after
File > Reload Notebook from Disk, and saving the tab first (autosave included) makes JupyterLab say the file
changed on disk and ask whether to overwrite it (dropping the agent's cells) or revert (dropping the tab's
unsaved edits). With jupyter-collaboration installed, the server notices the change on disk and reloads the
shared notebook, so the open tab shows the new cells at once (edits it had not saved yet are lost).
"""

from __future__ import annotations

from dataclasses import dataclass

import nbformat

from assistant.engine.events import Step
from assistant.runs.notebook import step_cell
from kernels import ExecutionResult, KernelConfig, KernelSession
from kernels.remote import JupyterServer, contents_api, notebook_kernel, server_path


@dataclass
class AttachedNotebook:
    """A kernel session on the kernel of a notebook served by a Jupyter server, and that notebook."""

    kernel: KernelSession  # attached to the notebook's kernel on the server
    notebook: str  # the notebook's path on the server, relative to its root
    server: JupyterServer

    def record(self, code: str, result: ExecutionResult) -> None:
        """Append ``code`` as an executed cell, with its outputs and execution count, to the notebook on the
        server, as sciwand's notebook transcripts record a step (a failed one tagged so that Run All goes on past it).

        A write between this read and rewrite (a save from JupyterLab) is lost: the contents API cannot
        make the rewrite conditional.
        """
        path = contents_api(self.notebook)
        notebook = nbformat.from_dict(self.server.request("GET", path)["content"])
        cell = step_cell(Step(code, result, observation=""))
        if notebook.nbformat_minor < 5:  # cell ids came with nbformat 4.5
            del cell["id"]
        notebook.cells.append(cell)
        self.server.request("PUT", path, {"type": "notebook", "format": "json", "content": notebook})

    def close(self) -> None:
        """Detach; the kernel lives on (it is the server's, and the notebook's)."""
        self.kernel.shutdown()


def attach_notebook(url: str, token: str, notebook: str, config: KernelConfig | None = None) -> AttachedNotebook:
    """Attach to the kernel of ``notebook`` on the Jupyter server at ``url``, starting one (a session, as
    JupyterLab opens a notebook) if it has none. Raises ``kernels.remote.RemoteKernelError``, one line, when
    the server is unreachable, refuses ``token`` or has no such notebook.

    Of ``config`` only the output cap, interrupt grace and startup timeout apply: the server started the
    kernel, in its own directory and environment, without sciwand's limits.
    """
    server = JupyterServer(url, token)
    manager = notebook_kernel(server, notebook)
    return AttachedNotebook(KernelSession.attach(manager, config=config), server_path(notebook), server)
