"""What can go wrong, by the kinds that callers tell apart. A leaf: imports nothing of sciwand.

Every sciwand error is a ``SciwandError`` whose message is one line that names the bad input or the cause, so
a front-end shows it as it is, with no traceback (the CLI: ``sciwand: MESSAGE``, exit 2). The kinds:

- ``InputError``: something the user gave is wrong (a setting, a file, a task or a suite, a command-line value).
- ``BackendError``: the chosen LLM cannot be used (its package, the embedded weights, the model's name).
- ``LLMError``: an LLM call failed (unreachable, timed out, refused); the session and its kernel stay usable.

``SciwandError`` itself is raised for failures no caller tells apart (an API index that cannot be built).
``RunStopped`` is no error: the user stopped the run. It is a ``KeyboardInterrupt``, as Ctrl-C is, so that no
``except Exception`` carries on after it and the loop keeps the session usable.

The kernel layer (``kernels``) imports nothing of the assistant and keeps its own: ``PoolClosed`` and
``ForkServerError`` (RuntimeErrors), ``StepTimeout`` (a KeyboardInterrupt) and ``DistributionClash`` (an
ImportError).
"""


class SciwandError(Exception):
    """A failure sciwand reports in one line; the message names the bad input or the cause."""


class InputError(SciwandError, ValueError):
    """A setting, file, task or command-line value the user gave is wrong; the message names it and says why."""


class BackendError(SciwandError, RuntimeError):
    """The chosen LLM cannot be used (a package or the model weights missing, a bad model name); the message
    says what to do."""


class LLMError(SciwandError, RuntimeError):
    """The LLM could not be reached or failed; the session and its kernel stay usable."""


class RunStopped(KeyboardInterrupt):
    """The user stopped the run (the panel's Stop, Ctrl-C on a batch), or nobody is left watching: the run ends
    at its next event."""
