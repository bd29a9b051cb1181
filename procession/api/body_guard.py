"""Request bodies the API will not parse: too large (413), or carrying a NUL character, which
PostgreSQL cannot store in text and SQLite would keep (422 on both engines, so the two agree).

The body is read here once (bounded by the limit) and handed on unchanged.
"""

import re
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from procession.api.errors import error_response

# A JSON escape for NUL that is not itself escaped (`\\u0000` is a backslash and text).
ESCAPED_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)


class BodyTooLarge(Exception):
    pass


class BodyGuard:
    def __init__(
        self, app: ASGIApp, *, max_bytes: int, exempt: Callable[[Scope], bool] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        # Requests that enforce a limit of their own while streaming (file uploads).
        self.exempt = exempt or (lambda _scope: False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] in ("GET", "HEAD", "OPTIONS")
            or self.exempt(scope)
        ):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self.too_large(scope, receive, send)
            return
        try:
            body = await self.read(receive)
        except BodyTooLarge:
            await self.too_large(scope, receive, send)
            return
        if body is None:  # the client went away before sending it all
            return
        content_type = dict(scope["headers"]).get(b"content-type", b"")
        if b"json" in content_type and (b"\x00" in body or ESCAPED_NUL.search(body)):
            problem = "Text may not contain the NUL character (\\u0000)."
            response = error_response(422, problem, "VALIDATION_ERROR", {"body": [problem]})
            await response(scope, receive, send)
            return
        await self.app(scope, replay(body, receive), send)

    async def read(self, receive: Receive) -> bytes | None:
        """The whole body, `BodyTooLarge` past the limit, None on a disconnect."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                raise BodyTooLarge()
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = f"Request body too large (the limit is {self.max_bytes} bytes)"
        response = error_response(
            413, message, "PAYLOAD_TOO_LARGE", headers={"Connection": "close"}
        )
        await response(scope, receive, send)


def replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the already-read body to the app, then defers to the server
    (for the disconnect message)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
