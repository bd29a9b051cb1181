"""The delivery worker: claim due outbox rows, send them signed, record what happened.

A round has three steps, and only the first and last touch the database:

1. `claim`, in one short transaction: take up to `BATCH` due pending deliveries of active
   endpoints and push their `next_attempt_at` forward by the lease (the send timeout plus
   `LEASE_MARGIN`), so no other worker takes them meanwhile. PostgreSQL skips rows another
   claimer holds (`FOR UPDATE SKIP LOCKED`); on SQLite the write transaction (`BEGIN
   IMMEDIATE`) serialises claimers.
2. `send`, outside any transaction: one signed POST per delivery (Standard Webhooks headers
   plus Tallyfy's `X-Tallyfy-orgID`), never following redirects.
3. `record`, in another transaction: the attempt, then `delivered` (2xx), or a retry after
   `backoff`, or `dead` once `webhook_max_attempts` attempts failed.

A worker that dies between 1 and 3 leaves the lease to expire and the delivery is sent
again: delivery is at least once, and receivers deduplicate on `webhook-id`.
"""

import asyncio
import json
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx2 as httpx
import structlog
from sqlalchemy import ColumnElement, and_, select
from standardwebhooks import Webhook

from procession import __version__
from procession.config import Settings
from procession.db.session import Database
from procession.db.types import utcnow
from procession.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

BATCH = 20
"""Deliveries one round claims and sends concurrently."""
LEASE_MARGIN = timedelta(seconds=30)
"""Time beyond the send timeout for recording the outcome before the lease runs out."""
MAX_BACKOFF = timedelta(hours=1)
ERROR_LENGTH = 500

log = structlog.get_logger("procession.webhooks")


@dataclass(frozen=True)
class Claimed:
    """What sending one delivery needs, copied out of the claim's transaction."""

    id: str
    org_id: str
    url: str
    secret: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def due(now: datetime) -> ColumnElement[bool]:
    return and_(
        WebhookDelivery.status == "pending",
        WebhookDelivery.next_attempt_at <= now,
        WebhookEndpoint.is_active.is_(True),
    )


def backoff(settings: Settings, attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: the base doubled each time, at most
    an hour."""
    delay = timedelta(seconds=settings.webhook_retry_base_seconds * 2 ** (attempts - 1))
    return min(delay, MAX_BACKOFF)


async def claim(database: Database, settings: Settings, limit: int = BATCH) -> list[Claimed]:
    """Lease up to `limit` due deliveries to this worker, oldest due first.

    A read comes first so an idle worker never takes SQLite's write lock."""
    now = utcnow()
    joined = select(WebhookDelivery.id).join(
        WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id
    )
    async with database.transaction(writes=False) as session:
        if await session.scalar(joined.where(due(now)).limit(1)) is None:
            return []
    lease = timedelta(seconds=settings.webhook_timeout_seconds) + LEASE_MARGIN
    async with database.transaction() as session:
        stmt = (
            select(WebhookDelivery, WebhookEndpoint.url, WebhookEndpoint.secret)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(due(now))
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit)
            .with_for_update(of=WebhookDelivery, skip_locked=True)
        )
        claimed = []
        for delivery, url, secret in (await session.execute(stmt)).all():
            delivery.next_attempt_at = now + lease
            claimed.append(Claimed(delivery.id, delivery.org_id, url, secret, delivery.payload))
        return claimed


def signed_headers(delivery: Claimed, body: str, at: datetime) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "user-agent": f"Procession-Webhooks/{__version__}",
        "webhook-id": delivery.id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(delivery.secret).sign(delivery.id, at, body),
        "X-Tallyfy-orgID": delivery.org_id,
    }


async def send(client: httpx.AsyncClient, delivery: Claimed) -> Outcome:
    """POST one delivery, signed now. Never raises: a failure to connect, a timeout or any
    other failure to send is an outcome with no status code."""
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True)
    started = time.monotonic()
    try:
        response = await client.post(
            delivery.url, content=body, headers=signed_headers(delivery, body, utcnow())
        )
    except Exception as failure:
        # Broad on purpose: whatever stops this send must become a recorded attempt, so the
        # delivery is retried and finally dead-lettered instead of re-leased forever.
        elapsed = int((time.monotonic() - started) * 1000)
        return Outcome(None, f"{type(failure).__name__}: {failure}"[:ERROR_LENGTH], elapsed)
    elapsed = int((time.monotonic() - started) * 1000)
    problem = None if response.is_success else f"HTTP {response.status_code}"
    return Outcome(response.status_code, problem, elapsed)


async def record(
    database: Database, settings: Settings, delivery_id: str, outcome: Outcome
) -> str | None:
    """Write the attempt and move a pending delivery on; returns its status (None when it
    is gone: its endpoint was deleted meanwhile). A delivery another worker finished while
    this one's lease had run out keeps its state; the attempt is still recorded."""
    async with database.transaction() as session:
        delivery = await session.get(WebhookDelivery, delivery_id, with_for_update=True)
        if delivery is None:
            return None
        now = utcnow()
        session.add(
            WebhookAttempt(
                delivery_id=delivery.id,
                attempted_at=now,
                status_code=outcome.status_code,
                error=outcome.error,
                duration_ms=outcome.duration_ms,
            )
        )
        if delivery.status != "pending":
            return delivery.status
        delivery.attempt_count += 1
        delivery.last_error = outcome.error
        if outcome.ok:
            delivery.status, delivery.delivered_at = "delivered", now
        elif delivery.attempt_count >= settings.webhook_max_attempts:
            delivery.status = "dead"
        else:
            delivery.next_attempt_at = now + backoff(settings, delivery.attempt_count)
        return delivery.status


async def attempt(
    database: Database, settings: Settings, client: httpx.AsyncClient, delivery: Claimed
) -> None:
    outcome = await send(client, delivery)
    status = await record(database, settings, delivery.id, outcome)
    log.info(
        "webhook attempt",
        delivery=delivery.id,
        status_code=outcome.status_code,
        error=outcome.error,
        result=status,
    )


async def work(database: Database, settings: Settings) -> int:
    """The background job (`ops/background.py`): claim, send concurrently, record. Returns
    how many deliveries were attempted. A delivery whose outcome could not be recorded is
    logged and sent again when its lease runs out."""
    claimed = await claim(database, settings)
    if not claimed:
        return 0
    timeout = httpx.Timeout(settings.webhook_timeout_seconds)
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:
        results = await asyncio.gather(
            *(attempt(database, settings, client, delivery) for delivery in claimed),
            return_exceptions=True,
        )
    for delivery, result in zip(claimed, results, strict=True):
        if isinstance(result, BaseException):
            log.error("webhook attempt not recorded", delivery=delivery.id, exc_info=result)
    return len(claimed)
