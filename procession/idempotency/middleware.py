"""Idempotency keys for writes (IETF draft "The Idempotency-Key HTTP Header Field").

A write (POST, PUT, PATCH, DELETE) under `/api` sent with `Idempotency-Key` is recorded
before it runs. A retry with the same key and the same request gets the first answer again
(with `Idempotent-Replayed: true`) instead of a second effect; the same key with a
different request is 422; a retry while the first is still running is 409. Answers are
kept for `KEEP`. A 5xx answer is not kept, so the client may retry it for real.

The answer is stored in its own transaction just after the request's own commit. If the
server dies between the two, the key stays "running" until its lease ends (`LEASE`), after
which a retry runs the request again: the one window where a retry can repeat an effect.
"""

import asyncio
import hashlib
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from procession.api.body_guard import replay
from procession.api.errors import error_response
from procession.api.prefix import PREFIX
from procession.db.session import Database
from procession.db.types import utcnow
from procession.idempotency.models import IdempotentRequest

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
KEEP = timedelta(hours=24)
LEASE = timedelta(seconds=60)
REMEMBER_ATTEMPTS = 6  # each try waits out the busy timeout; 0.1 s to 1.6 s between tries
KEPT_HEADERS = frozenset({b"content-type", b"location"})


class Idempotency:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope["headers"]) if scope["type"] == "http" else {}
        key = headers.get(b"idempotency-key", b"").decode("latin-1").strip()
        if not key or scope["method"] not in WRITES or not scope["path"].startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        if len(key) > 255:
            await reply_error(scope, receive, send, 400, "The Idempotency-Key is too long.")
            return
        body = await read_body(receive)
        client = hashlib.sha256(headers.get(b"authorization", b"")).hexdigest()
        fingerprint = hashlib.sha256(
            b"\n".join([scope["method"].encode(), scope["path"].encode(), body])
        ).hexdigest()
        database: Database = scope["app"].state.database
        try:
            claim = await claim_key(database, client, key, fingerprint)
        except OperationalError:
            # Busy before anything ran: the client may simply send it again.
            await error_response(
                503,
                "The database is busy; retry shortly",
                "SERVICE_UNAVAILABLE",
                headers={"Retry-After": "1"},
            )(scope, receive, send)
            return
        if isinstance(claim, IdempotentRequest):
            await replay_answer(claim, scope, receive, send)
            return
        if claim is not None:
            status, message = claim
            await reply_error(scope, receive, send, status, message)
            return
        await self.run_and_remember(scope, replay(body, receive), send, database, client, key)

    async def run_and_remember(
        self, scope: Scope, receive: Receive, send: Send, database: Database, client: str, key: str
    ) -> None:
        answer: dict[str, object] = {"status": 500, "headers": [], "body": []}

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                answer["headers"] = [
                    [name.decode("latin-1"), value.decode("latin-1")]
                    for name, value in message.get("headers", [])
                    if name.lower() in KEPT_HEADERS
                ]
            elif message["type"] == "http.response.body":
                answer["body"].append(message.get("body", b""))  # type: ignore[attr-defined]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            await remember(database, client, key, answer)


async def remember(database: Database, client: str, key: str, answer: dict[str, object]) -> None:
    """Store the answer under the claimed key (or free the key after a 5xx). The write it
    answers for has committed, so a busy database is waited out rather than given up on: a
    key left claimed would let a retry after the lease run the write a second time."""
    status = int(answer["status"])  # type: ignore[call-overload]
    row = (IdempotentRequest.client == client) & (IdempotentRequest.key == key)
    for attempt in range(REMEMBER_ATTEMPTS):
        try:
            async with database.transaction() as session:
                if status >= 500:
                    await session.execute(delete(IdempotentRequest).where(row))
                else:
                    await session.execute(
                        update(IdempotentRequest)
                        .where(row)
                        .values(
                            status=status,
                            headers=answer["headers"],
                            body=b"".join(answer["body"]),  # type: ignore[arg-type]
                        )
                    )
            return
        except OperationalError:
            if attempt == REMEMBER_ATTEMPTS - 1:
                raise
            await asyncio.sleep(0.1 * 2**attempt)


async def claim_key(
    database: Database, client: str, key: str, fingerprint: str
) -> IdempotentRequest | tuple[int, str] | None:
    """None when this request may run (the key is now ours); the stored answer to replay;
    or the (status, message) to refuse with."""
    now = utcnow()
    async with database.transaction() as session:
        await session.execute(
            delete(IdempotentRequest).where(IdempotentRequest.created_at < now - KEEP)
        )
        found = (
            await session.scalars(
                select(IdempotentRequest)
                .where(IdempotentRequest.client == client, IdempotentRequest.key == key)
                .with_for_update()
            )
        ).one_or_none()
        if found is None:
            claim = IdempotentRequest(
                client=client, key=key, fingerprint=fingerprint, lease_until=now + LEASE
            )
            try:
                async with session.begin_nested():
                    session.add(claim)
            except IntegrityError:  # the same key arrived at the same moment
                return 409, "A request with this Idempotency-Key is still being processed."
            return None
        if found.fingerprint != fingerprint:
            return 422, "This Idempotency-Key was already used for a different request."
        if found.status is not None:
            session.expunge(found)
            return found
        if found.lease_until > now:
            return 409, "A request with this Idempotency-Key is still being processed."
        found.lease_until = now + LEASE  # the first attempt died before answering: take over
        return None


async def read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if message["type"] != "http.request" or not message.get("more_body", False):
            return b"".join(chunks)


async def replay_answer(
    stored: IdempotentRequest, scope: Scope, receive: Receive, send: Send
) -> None:
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in stored.headers]
    headers += [(b"idempotent-replayed", b"true"), (b"content-length", b"%d" % len(stored.body))]
    await send({"type": "http.response.start", "status": stored.status, "headers": headers})
    await send({"type": "http.response.body", "body": stored.body})


async def reply_error(
    scope: Scope, receive: Receive, send: Send, status: int, message: str
) -> None:
    code = {409: "CONFLICT", 422: "IDEMPOTENCY_KEY_REUSED"}.get(status, "BAD_REQUEST")
    await error_response(status, message, code, {"Idempotency-Key": [message]})(
        scope, receive, send
    )
