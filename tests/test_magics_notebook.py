"""``%%ask`` in real Jupyter kernels: notebooks executed by nbclient, and the stop button by jupyter_client.

The model is a script selected by configuration (``%ask_config -m scripted:FILE``), so every displayed
output can be asserted exactly.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient

from conftest import markdown_outputs, python_block, run_until


def script(tmp_path: Path, replies: list[str]) -> str:
    path = tmp_path / f"script-{len(list(tmp_path.glob('script-*')))}.json"
    path.write_text(json.dumps(replies))
    return f"scripted:{path}"


def execute(tmp_path: Path, cells: list[str]) -> tuple[Any, dict[int, dict[str, Any]]]:
    """Run ``cells`` as a notebook in a fresh kernel; return it and each cell's execute_reply content."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells])
    replies: dict[int, dict[str, Any]] = {}

    def record(cell: Any, cell_index: int, execute_reply: dict[str, Any]) -> None:
        replies[cell_index] = execute_reply["content"]

    client = NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.on_cell_executed = record
    client.execute()
    return notebook, replies


def test_ask_cell_shows_steps_outputs_answer_and_keeps_state(tmp_path):
    model = script(
        tmp_path,
        [
            python_block("total = base * 7\nprint(total)"),
            python_block("Draw.MolToImage(Chem.MolFromSmiles('CCO'))"),
            "Final answer: 42",
        ],
    )
    notebook, replies = execute(
        tmp_path,
        [
            "%load_ext assistant",
            f"%ask_config -m {model}",
            "base = 6",
            "%%ask -o answer --insert\nWhat is base times seven? Then draw ethanol.",
            "print(answer, total)",
        ],
    )
    ask_cell = notebook.cells[3]
    shown = markdown_outputs(ask_cell)
    assert "**step 1**\n```python\ntotal = base * 7\nprint(total)\n```" in shown
    assert "**Answer:** 42" in shown
    assert shown[0].startswith("*sciwand · 3 turn(s), 2 step(s)")  # the live status line, updated in place
    assert {"name": "stdout", "output_type": "stream", "text": "42\n"} in ask_cell.outputs
    assert any("image/png" in output.get("data", {}) for output in ask_cell.outputs)  # the RDKit drawing
    assert notebook.cells[4].outputs[0]["text"] == "42 42\n"
    inserted = [p for p in replies[3].get("payload", []) if p["source"] == "set_next_input"]
    assert inserted[0]["text"] == "total = base * 7\nprint(total)\n\nDraw.MolToImage(Chem.MolFromSmiles('CCO'))"


def test_step_timeout_interrupts_only_that_step(tmp_path):
    model = script(tmp_path, [python_block("while True:\n    pass"), "Final answer: it never ends"])
    notebook, _ = execute(
        tmp_path, ["%load_ext assistant", f"%ask_config -m {model}", "%ask --timeout 1 spin", "print('alive')"]
    )
    shown = markdown_outputs(notebook.cells[2])
    assert "*⚠ interrupted after the 1 s time limit*" in shown
    assert "**Answer:** it never ends" in shown
    assert notebook.cells[3].outputs[0]["text"] == "alive\n"


def test_failures_of_the_assistant_never_fail_the_cell(tmp_path):
    notebook, replies = execute(
        tmp_path,
        [
            "%load_ext assistant",
            "%ask_config -m openai:gpt-4o-mini --base-url http://127.0.0.1:9/v1",
            "kept = 'still here'\n%ask what is 2 + 2?",
            f"%ask_config -m scripted:{tmp_path / 'missing.json'}",
            "%ask what is 2 + 2?",
            "print(kept)",
        ],
    )
    assert replies[2]["status"] == replies[4]["status"] == "ok"
    assert markdown_outputs(notebook.cells[2])[-1].startswith("**sciwand:** the LLM call failed")
    assert "missing.json" in markdown_outputs(notebook.cells[4])[-1]
    assert notebook.cells[5].outputs[0]["text"] == "still here\n"


def test_stop_button_ends_the_loop_and_keeps_the_kernel(tmp_path, kernel_client):
    manager, client = kernel_client
    model = script(tmp_path, [python_block("print('started', flush=True)\nimport time\ntime.sleep(600)"), "never"])
    for setup in ("%load_ext assistant", f"%ask_config -m {model}", "before = 'kept'"):
        assert run_until(client, setup)[0] == "ok"
    state, _ = run_until(client, "%ask sleep for ten minutes", until="started")
    assert state == "running"
    manager.interrupt_kernel()  # what the notebook's stop button does
    messages = []
    while True:  # the rest of the interrupted cell's messages
        message = client.get_iopub_msg(timeout=60)
        messages.append(message)
        if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
            break
    status = client.get_shell_msg(timeout=60)["content"]["status"]
    texts = [str(m["content"].get("data", {}).get("text/plain", "")) for m in messages]
    assert status == "ok"
    assert any("stopped; your variables and the conversation so far are kept" in text for text in texts)
    assert not any(text.startswith("Answer:") for text in texts)
    state, messages = run_until(client, "print(before)")
    assert state == "ok"
    assert [m["content"]["text"] for m in messages if m["msg_type"] == "stream"] == ["kept\n"]
