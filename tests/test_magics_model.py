"""The magics end to end with the real embedded model: the example notebooks, and a stop mid-generation."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import markdown_outputs, run_until

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"

pytestmark = pytest.mark.model

# What one notebook may take in all, below pytest-timeout's 600 s for the test (kernel start, model load, the
# checks): each notebook has two %%ask cells, and a question takes 11 s (median) to 117 s (slowest) on 2 cores.
NOTEBOOK_SECONDS = 480


@pytest.mark.parametrize("name", ["chemistry", "biology", "astronomy"])
def test_example_notebook_answers_every_question(name, tmp_path):
    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    asks = [cell for cell in notebook.cells if cell.cell_type == "code" and cell.source.startswith("%%ask")]
    assert asks, "an example notebook without %%ask cells"
    # nbclient's timeout is per cell: the notebook's budget shared by its %%ask cells (other cells take seconds).
    per_cell = NOTEBOOK_SECONDS // len(asks)
    NotebookClient(
        notebook, timeout=per_cell, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    answered = 0
    for cell in asks:  # every question ran code in the kernel and ended cleanly, with or without an answer
        shown = markdown_outputs(cell)
        assert any(text.startswith("**step 1**") for text in shown), cell.source
        assert any(text.startswith(("**Answer:**", "**No answer within")) for text in shown), (cell.source, shown)
        answered += any(text.startswith("**Answer:**") for text in shown)
    assert answered, "the embedded model answered none of the notebook's questions"


def test_stop_during_generation_keeps_the_model_usable(kernel_client):
    manager, client = kernel_client
    assert run_until(client, "%load_ext assistant")[0] == "ok"
    msg_id = client.execute("%ask Write a long essay on the history of the periodic table, then compute 2**10.")
    while True:  # until the status line reports tokens: the model is mid-generation
        message = client.get_iopub_msg(timeout=300)
        text = str(message["content"].get("data", {}).get("text/plain", ""))
        if message["parent_header"].get("msg_id") == msg_id and "writing (" in text:
            break
    manager.interrupt_kernel()
    assert client.get_shell_msg(timeout=120)["content"]["status"] == "ok"
    status, messages = run_until(client, "%ask What is 2 to the power of 10?")
    texts = [str(m["content"].get("data", {}).get("text/plain", "")) for m in messages]
    assert status == "ok"
    assert any(text.startswith("Answer:") and "1024" in text for text in texts), texts
