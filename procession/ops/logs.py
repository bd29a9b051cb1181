"""Structured JSON logs (structlog), one line per request with its id.

Every response carries `X-Request-Id` (the caller's, when it sent a sane one); the id is
bound to every log line written while the request runs. Request lines never include
headers, bodies or query strings, so tokens and personal data stay out of the logs.
"""

import logging
import re
import time
import uuid
from collections.abc import Callable

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
access = structlog.get_logger("procession.access")


_configured = False


def configure_logging(level: str) -> None:
    """Route structlog and the standard library (uvicorn, SQLAlchemy) through one JSON
    renderer on stderr. Once per process; handlers others installed (pytest's) are kept."""
    global _configured
    if _configured:
        return
    _configured = True
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,  # below the level, a log call costs nothing more
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                structlog.processors.JSONRenderer(),
            ],
        )
    )
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    # uvicorn's access line includes the query string (where a careless client may put a
    # token); `RequestLog` writes the request line instead.
    logging.getLogger("uvicorn.access").disabled = True


Finished = Callable[[Scope, str, int, float], None]
"""Told of each answered request: its scope (as the app left it), the path the client sent,
the status and the seconds it took."""


class RequestLog:
    """Gives each HTTP request an id (header `X-Request-Id`), logs its outcome and tells
    `on_finish` (the metrics) of it."""

    def __init__(self, app: ASGIApp, on_finish: Finished | None = None) -> None:
        self.app = app
        self.on_finish = on_finish

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]  # as the client sent it: the app may rewrite it
        sent = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = sent if SANE_ID.match(sent) else uuid.uuid4().hex
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            access.info(
                "request",
                method=scope["method"],
                path=path,
                status=status,
                ms=round(seconds * 1000, 2),
            )
            structlog.contextvars.unbind_contextvars("request_id")
            if self.on_finish is not None:
                self.on_finish(scope, path, status, seconds)
