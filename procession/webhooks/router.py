"""Webhook endpoint routes and their deliveries (admins only)."""

from fastapi import APIRouter, Request, Response

from procession.api.deps import DbSession, Page
from procession.api.schemas import Data, Listing
from procession.auth.deps import Caller
from procession.webhooks import service as webhook_service
from procession.webhooks.schemas import DeliveryRead, WebhookCreate, WebhookRead, WebhookUpdate

router = APIRouter(prefix="/organizations/{org}/webhooks", tags=["webhooks"])


@router.get("")
async def list_webhooks(
    caller: Caller, session: DbSession, page: Page, request: Request
) -> Listing[WebhookRead]:
    result = await webhook_service.list_endpoints(session, caller, page=page)
    return Listing.of(result, [WebhookRead.of(e) for e in result.items], request.url)


@router.post("", status_code=201)
async def create_webhook(
    body: WebhookCreate, caller: Caller, session: DbSession
) -> Data[WebhookRead]:
    """Register an endpoint. Without `secret`, one is generated; keep it to verify the
    `webhook-signature` header (Standard Webhooks)."""
    return Data(data=WebhookRead.of(await webhook_service.create_endpoint(session, caller, body)))


@router.get("/{webhook_id}")
async def get_webhook(webhook_id: str, caller: Caller, session: DbSession) -> Data[WebhookRead]:
    endpoint = await webhook_service.get_endpoint(session, caller, webhook_id)
    return Data(data=WebhookRead.of(endpoint))


@router.put("/{webhook_id}")
async def update_webhook(
    webhook_id: str, body: WebhookUpdate, caller: Caller, session: DbSession
) -> Data[WebhookRead]:
    endpoint = await webhook_service.update_endpoint(session, caller, webhook_id, body)
    return Data(data=WebhookRead.of(endpoint))


@router.delete("/{webhook_id}", status_code=204, response_model=None)
async def delete_webhook(webhook_id: str, caller: Caller, session: DbSession) -> Response:
    """Delete an endpoint with its deliveries; nothing more is sent to it."""
    await webhook_service.delete_endpoint(session, caller, webhook_id)
    return Response(status_code=204)


@router.get("/{webhook_id}/deliveries")
async def list_deliveries(
    webhook_id: str, caller: Caller, session: DbSession, page: Page, request: Request
) -> Listing[DeliveryRead]:
    """The endpoint's deliveries, newest first, each with its attempts."""
    result, attempts = await webhook_service.list_deliveries(session, caller, webhook_id, page=page)
    items = [DeliveryRead.of(d, attempts[d.id]) for d in result.items]
    return Listing.of(result, items, request.url)


@router.post("/{webhook_id}/deliveries/{delivery_id}/retry")
async def retry_delivery(
    webhook_id: str, delivery_id: str, caller: Caller, session: DbSession
) -> Data[DeliveryRead]:
    """Queue a dead delivery again (422 unless it is dead)."""
    delivery, attempts = await webhook_service.retry_delivery(
        session, caller, webhook_id, delivery_id
    )
    return Data(data=DeliveryRead.of(delivery, attempts))
