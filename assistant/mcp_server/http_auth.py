"""The streamable HTTP transport's guard: every request carries the server's bearer token, or gets a 401.

A static token, as Jupyter's own: the server is a local tool, not an OAuth resource server, so no
authorization-server metadata is advertised that nothing would serve.
"""

from __future__ import annotations

import hmac
import json
from typing import Any

Scope = dict[str, Any]


class RequireBearerToken:
    """ASGI middleware: HTTP requests need ``Authorization: Bearer <token>``; lifespan events pass through."""

    def __init__(self, app: Any, token: str) -> None:
        if not token:
            raise ValueError("an empty bearer token would let anyone in")
        self.app = app
        self.expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and not self._authorized(scope):
            body = json.dumps({"error": "unauthorized", "detail": "send Authorization: Bearer <token>"}).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 401,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"www-authenticate", b'Bearer realm="sciwand"'),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)

    def _authorized(self, scope: Scope) -> bool:
        given = next((value for name, value in scope["headers"] if name == b"authorization"), b"")
        return hmac.compare_digest(given, self.expected)
