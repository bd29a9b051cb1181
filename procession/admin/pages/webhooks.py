"""Webhook endpoints: list, register, delete, and each one's recent deliveries (admins
only; the webhook service refuses everyone else with 403)."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from procession.admin.web import Member, PageOf, flash, redirect, render
from procession.api.deps import DbSession
from procession.webhooks import service as webhook_service
from procession.webhooks.schemas import EVENT_TYPES, WebhookCreate

router = APIRouter(prefix="/webhooks")


@router.get("", response_class=HTMLResponse)
async def webhooks(
    request: Request, member: Member, session: DbSession, page: PageOf
) -> HTMLResponse:
    result = await webhook_service.list_endpoints(session, member, page=page)
    return render(request, "webhooks.html", {"result": result, "event_types": EVENT_TYPES})


@router.post("")
async def create_webhook(
    request: Request,
    member: Member,
    session: DbSession,
    url: Annotated[str, Form()],
    event_types: Annotated[list[str], Form()],
    description: Annotated[str, Form()] = "",
) -> RedirectResponse:
    data = WebhookCreate(url=url.strip(), event_types=event_types, description=description.strip())
    endpoint = await webhook_service.create_endpoint(session, member, data)
    flash(request, f"Webhook to {endpoint.url} registered. Its signing secret is below.")
    return redirect(request, "webhook", webhook_id=endpoint.id)


@router.get("/{webhook_id}", response_class=HTMLResponse)
async def webhook(
    request: Request, webhook_id: str, member: Member, session: DbSession, page: PageOf
) -> HTMLResponse:
    endpoint = await webhook_service.get_endpoint(session, member, webhook_id)
    result, attempts = await webhook_service.list_deliveries(session, member, webhook_id, page=page)
    context = {"endpoint": endpoint, "result": result, "attempts": attempts}
    return render(request, "webhook.html", context)


@router.post("/{webhook_id}/delete")
async def delete_webhook(
    request: Request, webhook_id: str, member: Member, session: DbSession
) -> RedirectResponse:
    await webhook_service.delete_endpoint(session, member, webhook_id)
    flash(request, "Webhook deleted; nothing more is sent to it.")
    return redirect(request, "webhooks")


@router.post("/{webhook_id}/deliveries/{delivery_id}/retry")
async def retry_delivery(
    request: Request, webhook_id: str, delivery_id: str, member: Member, session: DbSession
) -> RedirectResponse:
    await webhook_service.retry_delivery(session, member, webhook_id, delivery_id)
    flash(request, f"Delivery {delivery_id} queued again.")
    return redirect(request, "webhook", webhook_id=webhook_id)
