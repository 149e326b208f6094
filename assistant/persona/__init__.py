"""The ``@sciwand`` persona for Jupyter AI 3.x's chat (entry point ``jupyter_ai.personas``): questions asked in
a chat are answered by sciwand's loop in a kernel, and each step, its images and the answer become messages."""
