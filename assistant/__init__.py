"""The agent loop, LLM backends, prompts, observation formatting, transcripts, the CLI and the magics.

``%load_ext assistant`` registers ``%ask``/``%%ask`` (see ``assistant/magics/ask.py``).
"""

import os
from typing import Any


def _refuse_clashing_distributions() -> None:
    """Fail with one message naming both distributions when another one installs `kernels` or `assistant` here.

    The check (``kernels/_distcheck.py``, standard library only) is loaded by its path, not imported: when
    Hugging Face's ``kernels`` was installed after sciwand, ``kernels/__init__.py`` is theirs, and importing the
    package would run their code first.
    """
    from importlib.util import module_from_spec, spec_from_file_location

    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "kernels", "_distcheck.py")
    spec = spec_from_file_location("_sciwand_distcheck", path)
    if spec is None or spec.loader is None or not os.path.isfile(path):
        return
    check = module_from_spec(spec)
    spec.loader.exec_module(check)
    check.refuse_clashes()


_refuse_clashing_distributions()


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
