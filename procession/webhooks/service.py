"""Webhook endpoints (create, read, change, delete) and their deliveries. Admins only: every
function checks the role after finding the endpoint, so another organization's id is 404."""

import base64
import secrets

from sqlalchemy.ext.asyncio import AsyncSession

from procession.auth.models import Role
from procession.auth.service import Principal
from procession.db.repository import PageRequest, PageResult, paginate
from procession.db.types import utcnow
from procession.errors import InvalidState, NotFound
from procession.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from procession.webhooks.repository import WebhookRepository
from procession.webhooks.schemas import SECRET_PREFIX, WebhookCreate, WebhookUpdate

MANAGE = "manage webhooks"


def new_secret() -> str:
    """A fresh Standard Webhooks secret: `whsec_` and the base64 of 24 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


async def list_endpoints(
    session: AsyncSession, caller: Principal, *, page: PageRequest
) -> PageResult[WebhookEndpoint]:
    """The organization's endpoints, oldest first."""
    caller.require(Role.ADMIN, action=MANAGE)
    stmt = WebhookRepository(session, caller.org_id).base()
    return await paginate(
        session, stmt.order_by(WebhookEndpoint.created_at, WebhookEndpoint.id), page
    )


async def get_endpoint(
    session: AsyncSession, caller: Principal, endpoint_id: str, *, for_update: bool = False
) -> WebhookEndpoint:
    endpoint = await WebhookRepository(session, caller.org_id).get_or_raise(
        endpoint_id, for_update=for_update
    )
    caller.require(Role.ADMIN, action=MANAGE)
    return endpoint


async def create_endpoint(
    session: AsyncSession, caller: Principal, data: WebhookCreate
) -> WebhookEndpoint:
    """Register an endpoint; a secret is generated unless one is given."""
    caller.require(Role.ADMIN, action=MANAGE)
    endpoint = WebhookRepository(session, caller.org_id).add(
        WebhookEndpoint(
            org_id=caller.org_id,
            url=data.url,
            secret=data.secret or new_secret(),
            event_types=data.event_types,
            description=data.description,
            is_active=data.is_active,
            created_by_id=caller.user_id,
        )
    )
    await session.flush()
    return endpoint


async def update_endpoint(
    session: AsyncSession, caller: Principal, endpoint_id: str, data: WebhookUpdate
) -> WebhookEndpoint:
    """Change the fields given. Deliveries already queued go to the new URL, signed with the
    new secret; a new event list applies to events from now on. While an endpoint is
    inactive it gets no new events and its queued deliveries wait."""
    endpoint = await get_endpoint(session, caller, endpoint_id, for_update=True)
    for key, value in data.model_dump(exclude_unset=True, exclude_none=True).items():
        setattr(endpoint, key, value)
    await session.flush()
    return endpoint


async def delete_endpoint(session: AsyncSession, caller: Principal, endpoint_id: str) -> None:
    """Delete an endpoint with its deliveries and their attempts (through the database)."""
    endpoint = await get_endpoint(session, caller, endpoint_id, for_update=True)
    await session.delete(endpoint)
    await session.flush()


async def list_deliveries(
    session: AsyncSession, caller: Principal, endpoint_id: str, *, page: PageRequest
) -> tuple[PageResult[WebhookDelivery], dict[str, list[WebhookAttempt]]]:
    """One page of the endpoint's deliveries, newest first, with each one's attempts."""
    await get_endpoint(session, caller, endpoint_id)
    repo = WebhookRepository(session, caller.org_id)
    result = await paginate(session, repo.deliveries(endpoint_id), page)
    return result, await repo.attempts_of([delivery.id for delivery in result.items])


async def retry_delivery(
    session: AsyncSession, caller: Principal, endpoint_id: str, delivery_id: str
) -> tuple[WebhookDelivery, list[WebhookAttempt]]:
    """Queue a dead delivery again, due now, with a fresh allowance of attempts; its past
    attempts stay on record. 422 unless it is dead."""
    await get_endpoint(session, caller, endpoint_id)
    repo = WebhookRepository(session, caller.org_id)
    delivery = await repo.delivery(endpoint_id, delivery_id, for_update=True)
    if delivery is None:
        raise NotFound("Webhook delivery")
    if delivery.status != "dead":
        raise InvalidState(f"Only a dead delivery can be retried; this one is {delivery.status}.")
    delivery.status, delivery.attempt_count, delivery.next_attempt_at = "pending", 0, utcnow()
    await session.flush()
    return delivery, (await repo.attempts_of([delivery.id]))[delivery.id]
