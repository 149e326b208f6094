"""The agent loop, LLM backends, prompts, observation formatting, transcripts and the CLI."""
