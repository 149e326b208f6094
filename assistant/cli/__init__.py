"""The ``sciwand`` command: ask, chat, eval, batch and run, with a live terminal view."""
