"""Tags: list, create, rename and recolour, archive."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from procession.admin.web import Member, PageOf, flash, redirect, render
from procession.api.deps import DbSession
from procession.audit import service as audit_service
from procession.db.repository import Visibility
from procession.tags import service as tag_service
from procession.tags.schemas import TagCreate, TagUpdate

router = APIRouter(prefix="/tags")
Title = Annotated[str, Form(min_length=1, max_length=30)]
Colour = Annotated[str, Form(pattern="^(#[0-9a-fA-F]{6})?$")]


@router.get("", response_class=HTMLResponse)
async def tags(
    request: Request, member: Member, session: DbSession, page: PageOf, q: str = ""
) -> HTMLResponse:
    result = await tag_service.list_tags(
        session, member, page=page, visibility=Visibility.LIVE, query=q.strip() or None
    )
    return render(request, "tags.html", {"result": result, "q": q})


@router.post("")
async def create_tag(
    request: Request, member: Member, session: DbSession, title: Title, color: Colour = ""
) -> RedirectResponse:
    tag = await tag_service.create_tag(
        session, member, TagCreate(title=title.strip(), color=color or None)
    )
    flash(request, f"Tag “{tag.title}” created.")
    return redirect(request, "tags")


@router.post("/{tag_id}")
async def update_tag(
    request: Request,
    tag_id: str,
    member: Member,
    session: DbSession,
    title: Title,
    color: Colour = "",
) -> RedirectResponse:
    change = TagUpdate(title=title.strip(), color=color or None)
    tag = await tag_service.update_tag(session, member, tag_id, change)
    flash(request, f"Tag “{tag.title}” saved.")
    return redirect(request, "tags")


@router.post("/{tag_id}/archive")
async def archive_tag(
    request: Request, tag_id: str, member: Member, session: DbSession
) -> RedirectResponse:
    tag = await tag_service.get_tag(session, member, tag_id, for_update=True)
    await audit_service.archive(session, member, tag)
    flash(request, f"Tag “{tag.title}” archived.")
    return redirect(request, "tags")
