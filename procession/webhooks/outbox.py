"""Emitting events: the outbox rows, written in the caller's transaction.

A delivery exists exactly when the change that caused it was committed: a rolled-back
change leaves no row, so nothing is sent, and a committed one leaves a row the delivery
worker (`webhooks/delivery.py`) sends until it is delivered or dead.
"""

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from procession.auth.service import Actor
from procession.db.base import new_id
from procession.db.types import utcnow
from procession.webhooks.models import WebhookDelivery, WebhookEndpoint
from procession.webhooks.schemas import EVENT_TYPES, event_payload

# Built once: every change that can be announced runs it.
ACTIVE_ENDPOINTS = select(WebhookEndpoint.id, WebhookEndpoint.event_types).where(
    WebhookEndpoint.org_id == bindparam("org_id"), WebhookEndpoint.is_active.is_(True)
)


async def emit(
    session: AsyncSession,
    actor: Actor,
    event_type: str,
    object_id: str,
    name: str,
    counts: dict[str, int] | None = None,
) -> int:
    """Queue `event_type` (`<object type>.<event>`) about one object, done by `actor`, for
    every active endpoint of the actor's organization subscribed to it; returns how many
    deliveries were queued. One indexed SELECT (none when the actor knows its organization
    has no active endpoint), then inserts flushed with the caller's next flush: it never
    commits, so it belongs inside the transaction making the change."""
    assert event_type in EVENT_TYPES, event_type
    if not actor.org_has_webhooks:
        return 0
    org_id, object_type = actor.org_id, event_type.partition(".")[0]
    endpoints = await session.execute(ACTIVE_ENDPOINTS, {"org_id": org_id})
    # Subscriptions are a short JSON list per endpoint: matched here rather than with
    # dialect-specific JSON operators, and an organization has few endpoints.
    subscribed = [endpoint_id for endpoint_id, events in endpoints if event_type in events]
    if not subscribed:
        return 0
    now = utcnow()
    payload = event_payload(
        event_type,
        org_id=org_id,
        object_type=object_type,
        object_id=object_id,
        name=name,
        actor_id=actor.user_id,
        at=now,
        counts=counts,
    )
    session.add_all(
        WebhookDelivery(
            id=f"msg_{new_id()}",
            org_id=org_id,
            endpoint_id=endpoint_id,
            event_type=event_type,
            payload=payload,
            status="pending",
            attempt_count=0,
            next_attempt_at=now,
            created_at=now,
        )
        for endpoint_id in subscribed
    )
    return len(subscribed)
