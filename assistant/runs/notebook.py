"""A session as an nbformat v4 notebook, saved after every event so a killed run keeps what happened."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from assistant.engine.events import LoopEvents, Step
from kernels import ExecutionResult

# The cell tag nbclient, papermill and `jupyter execute` honour: this cell's error is expected, run on.
RAISES_EXCEPTION = "raises-exception"


def cell_outputs(result: ExecutionResult) -> list[nbformat.NotebookNode]:
    outputs = []
    for output in result.outputs:
        if output.output_type == "stream":
            outputs.append(new_output("stream", name=output.name, text=output.text or ""))
        elif output.output_type == "execute_result":
            outputs.append(
                new_output(
                    "execute_result",
                    data=output.data,
                    metadata=output.metadata,
                    execution_count=result.execution_count,
                )
            )
        else:
            outputs.append(new_output("display_data", data=output.data, metadata=output.metadata))
    if result.error is not None:
        error = result.error
        outputs.append(new_output("error", ename=error.ename, evalue=error.evalue, traceback=error.traceback))
    return outputs


def recorded_outputs(result: ExecutionResult) -> list[nbformat.NotebookNode]:
    """A cell's outputs in a notebook kept as the record: with what sciwand did about a timeout or a crash
    (what died, what the recovery restored), which the reader would otherwise never learn."""
    outputs = cell_outputs(result)
    if result.note:
        outputs.append(new_output("stream", name="stderr", text=f"[sciwand] {result.note}\n"))
    return outputs


def step_cell(step: Step) -> nbformat.NotebookNode:
    """A step as a code cell with its recorded outputs; a failed one is tagged so the notebook re-runs."""
    cell = new_code_cell(step.code, execution_count=step.result.execution_count)
    cell.outputs = recorded_outputs(step.result)
    cell.metadata["sciwand"] = {"status": step.result.status.value, "seconds": round(step.result.duration, 3)}
    if step.result.note:
        cell.metadata["sciwand"]["note"] = step.result.note
    if not step.ok:
        cell.metadata["tags"] = [RAISES_EXCEPTION]
    return cell


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` in one step: a reader, or a run killed mid-write, never sees half a notebook."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def save_notebook(notebook: nbformat.NotebookNode, path: Path) -> None:
    write_atomically(path, nbformat.writes(notebook))


class NotebookTranscript(LoopEvents):
    """Listens to the loop and rewrites ``path`` atomically after each question, step and answer.

    ``clean``: only the steps ``%%ask --insert`` would keep, so the notebook is the code that reproduces the
    answers; otherwise every step, the failed ones tagged ``raises-exception``.
    """

    def __init__(self, path: Path, model_name: str = "", clean: bool = False) -> None:
        self.path = path
        self.clean = clean
        self.notebook = new_notebook(
            metadata={
                "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                "language_info": {"name": "python"},
                "sciwand": {"model": model_name},
            }
        )

    def question(self, text: str) -> None:
        # Not saved yet: a question whose first LLM call fails leaves no half-written file.
        self.notebook.cells.append(new_markdown_cell(f"**Question:** {text}"))

    def setup(self, step: Step) -> None:
        # The notebook must re-execute, so the imports the code relies on go in too; saved with the
        # first step, like the question.
        if self._records(step):
            self.notebook.cells.append(step_cell(step))

    def step(self, step: Step) -> None:
        if self._records(step):
            self._append(step_cell(step))

    def _records(self, step: Step) -> bool:
        return step.ok or not self.clean

    def answer(self, text: str | None) -> None:
        self._append(new_markdown_cell(f"**Answer:** {text}" if text else "**No answer was reached.**"))

    def _append(self, cell: nbformat.NotebookNode) -> None:
        self.notebook.cells.append(cell)
        self.save()

    def save(self) -> None:
        save_notebook(self.notebook, self.path)
