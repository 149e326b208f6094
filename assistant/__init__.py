"""The agent loop, LLM backends, prompts, observation formatting, transcripts, the CLI and the magics.

``%load_ext assistant`` registers ``%ask``/``%%ask`` (see ``assistant/magics/ask.py``).
"""

from typing import Any


def load_ipython_extension(ipython: Any) -> None:
    from assistant.inkernel.cell_journal import watch
    from assistant.magics.ask import AskMagics, keep_question_marks

    magics = AskMagics(ipython)
    magics.journal = watch(ipython)
    ipython.register_magics(magics)
    magics.offer_restore()
    if keep_question_marks not in ipython.input_transformers_cleanup:
        ipython.input_transformers_cleanup.append(keep_question_marks)


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """The built chat panel (``labextension/`` builds into ``assistant/labextension``), for `labextension develop`."""
    return [{"src": "labextension", "dest": "sciwand-lab"}]
