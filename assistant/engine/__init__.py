"""The engine: the question-answering loop (``ChatSession``), the one session factory every front-end uses,
and the harness parts around the loop (prompts, literal binding, examples, API look-up, name repair, checks,
votes). It talks to an LLM (``assistant.llm``) and an executor (``kernels``); it knows no front-end."""
