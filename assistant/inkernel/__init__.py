"""Code that runs inside the user's kernel, imported there by name (``__import__("assistant.inkernel…")``):
the variables summary and the cell journal. It imports nothing else of sciwand, so a kernel stays light."""
