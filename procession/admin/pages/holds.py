"""Placing and lifting legal holds on processes and templates (admins only)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from procession.admin.web import Member, flash, redirect
from procession.api.deps import DbSession
from procession.retention import service as retention_service
from procession.retention.service import HoldKind

router = APIRouter(prefix="/holds/{kind}/{object_id}")
Kind = Literal["processes", "templates"]


def back_to(request: Request, kind: Kind, object_id: str) -> RedirectResponse:
    if kind == "processes":
        return redirect(request, "process", process_id=object_id)
    return redirect(request, "template", template_id=object_id)


SINGULAR: dict[Kind, HoldKind] = {"processes": "process", "templates": "template"}


@router.post("/place")
async def place_hold(
    request: Request,
    kind: Kind,
    object_id: str,
    member: Member,
    session: DbSession,
    reason: Annotated[str, Form(max_length=500)] = "",
) -> RedirectResponse:
    obj = await retention_service.holdable(session, member, SINGULAR[kind], object_id)
    await retention_service.place_legal_hold(session, member, obj, reason.strip() or None)
    flash(request, "Legal hold placed: nobody can permanently delete this until it is lifted.")
    return back_to(request, kind, object_id)


@router.post("/lift")
async def lift_hold(
    request: Request, kind: Kind, object_id: str, member: Member, session: DbSession
) -> RedirectResponse:
    obj = await retention_service.holdable(session, member, SINGULAR[kind], object_id)
    await retention_service.lift_legal_hold(session, member, obj)
    flash(request, "Legal hold lifted.")
    return back_to(request, kind, object_id)
