"""``sciwand mcp``: sciwand's kernels and loop as a Model Context Protocol server, for agent clients
(Claude Desktop and Code, VS Code, Cursor, Jupyter AI's agents) over stdio or streamable HTTP."""
