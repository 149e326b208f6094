"""The agent loop, LLM backends, prompts, observation formatting, transcripts, the CLI and the magics.

``%load_ext assistant`` registers ``%ask``/``%%ask`` (see ``assistant/magics.py``).
"""

from typing import Any


def load_ipython_extension(ipython: Any) -> None:
    from assistant.magics import AskMagics, keep_question_marks

    ipython.register_magics(AskMagics)
    if keep_question_marks not in ipython.input_transformers_cleanup:
        ipython.input_transformers_cleanup.append(keep_question_marks)
