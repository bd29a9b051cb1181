"""Wire shapes of webhook endpoints, their deliveries and attempts, and the event types."""

import base64
import binascii
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

import httpx2 as httpx
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from procession.api.schemas import Timestamp, WireModel, format_timestamp
from procession.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

EVENT_TYPES = (
    "process.launched",
    "process.completed",
    "process.archived",
    "process.restored",
    "process.purged",
    "template.archived",
    "template.restored",
    "template.purged",
    "task.completed",
    "tag.archived",
    "tag.restored",
    "tag.purged",
)
"""Every event an endpoint may subscribe to, in the order the pages list them."""

SECRET_PREFIX = "whsec_"


def check_url(url: str) -> str:
    """An http(s) URL with a host that the delivery worker's HTTP client can send to."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http:// or https:// URL with a host")
    try:
        if parts.port == 0:  # reading `port` also refuses one out of range
            raise ValueError("port 0")
        httpx.URL(url)
    except (ValueError, httpx.InvalidURL) as exc:
        raise ValueError(f"is not a URL webhooks can be sent to ({exc})") from exc
    return url


def check_secret(secret: str) -> str:
    """A Standard Webhooks secret: `whsec_` and the base64 of 24 to 64 random bytes."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError(f"must start with {SECRET_PREFIX}")
    try:
        key = base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except binascii.Error as exc:
        raise ValueError(f"must be {SECRET_PREFIX} followed by base64") from exc
    if not 24 <= len(key) <= 64:
        raise ValueError("must encode 24 to 64 bytes")
    return secret


def check_event_types(event_types: list[str]) -> list[str]:
    unknown = [event for event in event_types if event not in EVENT_TYPES]
    if unknown:
        raise ValueError(f"unknown event type {unknown[0]!r}; known: {', '.join(EVENT_TYPES)}")
    return list(dict.fromkeys(event_types))


Url = Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(check_url)]
Secret = Annotated[str, Field(max_length=200), AfterValidator(check_secret)]
EventTypes = Annotated[
    list[str],
    Field(min_length=1, json_schema_extra={"items": {"type": "string", "enum": list(EVENT_TYPES)}}),
    AfterValidator(check_event_types),
]


class WebhookCreate(BaseModel):
    """A new endpoint. Without `secret`, one is generated; admins read it back from the
    endpoint at any time."""

    model_config = ConfigDict(extra="ignore")

    url: Url
    event_types: EventTypes
    secret: Secret | None = None
    description: str = Field("", max_length=500)
    is_active: bool = True


class WebhookUpdate(BaseModel):
    """Fields to change; the ones left out keep their value."""

    model_config = ConfigDict(extra="ignore")

    url: Url | None = None
    event_types: EventTypes | None = None
    secret: Secret | None = None
    description: str | None = Field(None, max_length=500)
    is_active: bool | None = None


class WebhookRead(WireModel):
    id: str
    url: str
    secret: str
    event_types: list[str]
    description: str
    is_active: bool
    created_by: int | None
    created_at: Timestamp
    last_updated: Timestamp

    @classmethod
    def of(cls, endpoint: WebhookEndpoint) -> "WebhookRead":
        return cls(
            id=endpoint.id,
            url=endpoint.url,
            secret=endpoint.secret,
            event_types=endpoint.event_types,
            description=endpoint.description,
            is_active=endpoint.is_active,
            created_by=endpoint.created_by_id,
            created_at=endpoint.created_at,
            last_updated=endpoint.updated_at,
        )


class AttemptRead(WireModel):
    attempted_at: Timestamp
    status_code: int | None
    error: str | None
    duration_ms: int


class DeliveryRead(WireModel):
    """One event sent (or to be sent) to one endpoint. `next_attempt_at` is set while the
    delivery is pending; `attempts` are oldest first."""

    id: str
    webhook_id: str
    event_type: str
    status: str
    attempt_count: int
    next_attempt_at: Timestamp | None
    last_error: str | None
    created_at: Timestamp
    delivered_at: Timestamp | None
    payload: dict[str, Any]
    attempts: list[AttemptRead]

    @classmethod
    def of(cls, delivery: WebhookDelivery, attempts: list[WebhookAttempt]) -> "DeliveryRead":
        pending = delivery.status == "pending"
        return cls(
            id=delivery.id,
            webhook_id=delivery.endpoint_id,
            event_type=delivery.event_type,
            status=delivery.status,
            attempt_count=delivery.attempt_count,
            next_attempt_at=delivery.next_attempt_at if pending else None,
            last_error=delivery.last_error,
            created_at=delivery.created_at,
            delivered_at=delivery.delivered_at,
            payload=delivery.payload,
            attempts=[AttemptRead.model_validate(a, from_attributes=True) for a in attempts],
        )


def event_payload(
    event_type: str,
    *,
    org_id: str,
    object_type: str,
    object_id: str,
    name: str,
    actor_id: int | None,
    at: datetime,
    counts: dict[str, int] | None,
) -> dict[str, Any]:
    """The Standard Webhooks body `{"type", "timestamp", "data"}`: which object, by whom
    (`actor` is null when Procession itself acted, e.g. retention), when, and for purges
    how many rows went, per table."""
    data: dict[str, Any] = {
        "org_id": org_id,
        "object": {"type": object_type, "id": object_id, "name": name},
        "actor": {"id": actor_id} if actor_id is not None else None,
    }
    if counts is not None:
        data["counts"] = counts
    return {"type": event_type, "timestamp": format_timestamp(at), "data": data}
