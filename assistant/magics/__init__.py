"""``%ask``, ``%%ask``, ``%ask_config`` and ``%ask_restore``: the assistant inside the user's own IPython
(``%load_ext assistant``)."""
