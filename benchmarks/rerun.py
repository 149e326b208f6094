"""Do the notebooks sciwand writes re-run? Each one executed top to bottom, as a user's "Run All" does.

    .venv/bin/python -m benchmarks.rerun runs/eval/SUITE/notebooks [--timeout 120]

Every notebook is executed with nbclient's default settings (an untagged error stops it, as ``jupyter execute``
does), on a copy. A notebook *finishes* when no cell stops it; it *reproduces* when, besides, every step that
succeeded when it was written prints the same text again (streams and plain-text results; images and
timings are not compared).
"""

from __future__ import annotations

import argparse
import copy
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from rich.console import Console
from rich.table import Table


def printed(cell: Any) -> list[str]:
    """What a code cell showed as text: its streams and its plain-text results, in order."""
    texts = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            texts.append(output.text)
        elif output.output_type in ("execute_result", "display_data") and "text/plain" in output.data:
            texts.append(output.data["text/plain"])
    return texts


def succeeded(cell: Any) -> bool:
    return cell.cell_type == "code" and cell.metadata.get("sciwand", {}).get("status") == "ok"


def rerun(path: Path, timeout: int) -> tuple[bool, bool]:
    """(finished, reproduced) for the notebook at ``path``."""
    written = nbformat.read(path, as_version=4)
    notebook = copy.deepcopy(written)
    try:
        NotebookClient(
            notebook, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
        ).execute()
    except CellExecutionError:
        return False, False
    pairs = zip(written.cells, notebook.cells, strict=True)
    return True, all(printed(before) == printed(after) for before, after in pairs if succeeded(before))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", type=Path, help="a folder of notebooks (an eval's OUT/notebooks)")
    parser.add_argument("--timeout", type=int, default=120, help="seconds per cell")
    args = parser.parse_args()
    console = Console(stderr=True, highlight=False)
    paths = sorted(args.notebooks.glob("*.ipynb"))
    finished = reproduced = 0
    for number, path in enumerate(paths, 1):
        done, same = rerun(path, args.timeout)
        finished, reproduced = finished + done, reproduced + same
        mark = "reproduced" if same else ("finished, outputs differ" if done else "stopped by an error")
        console.print(f"[{number}/{len(paths)}] {path.name}: {mark}")
    table = Table(title=f"{args.notebooks}: {len(paths)} notebooks, run top to bottom with nbclient's defaults")
    table.add_column("measure")
    table.add_column("notebooks", justify="right")
    for label, count in (("finish", finished), ("reproduce their successful steps' outputs", reproduced)):
        share = f"{count}/{len(paths)} ({count / len(paths):.0%})" if paths else "0/0"
        table.add_row(label, share)
    Console(highlight=False).print(table)


if __name__ == "__main__":
    main()
