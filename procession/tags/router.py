"""Tag routes, and attaching tags to subjects (`/checklists/tags`)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from procession.api.deps import Archived, DbSession, Page
from procession.api.schemas import Data, Listing
from procession.audit import service as audit_service
from procession.audit.router import purge_response
from procession.audit.schemas import PurgePreview
from procession.auth.deps import Caller
from procession.tags import service as tag_service
from procession.tags.schemas import TagCreate, TaggingCreate, TaggingRead, TagRead, TagUpdate

router = APIRouter(prefix="/organizations/{org}", tags=["tags"])


@router.get("/tags")
async def list_tags(
    caller: Caller,
    session: DbSession,
    page: Page,
    visibility: Archived,
    request: Request,
    q: Annotated[str | None, Query(description="Title contains")] = None,
    sort: Annotated[str | None, Query(pattern="^-?title$")] = None,
    all: Annotated[bool, Query(description="Include auto-generated tags")] = False,
    auto_generated: bool | None = None,
) -> Listing[TagRead]:
    result = await tag_service.list_tags(
        session,
        caller,
        page=page,
        visibility=visibility,
        query=q,
        sort=sort,
        include_auto_generated=all,
        auto_generated=auto_generated,
    )
    return Listing.of(result, [TagRead.of(tag) for tag in result.items], request.url)


@router.post("/tags", status_code=201)
async def create_tag(body: TagCreate, caller: Caller, session: DbSession) -> Data[TagRead]:
    return Data(data=TagRead.of(await tag_service.create_tag(session, caller, body)))


@router.get("/tags/{tag_id}")
async def get_tag(tag_id: str, caller: Caller, session: DbSession) -> Data[TagRead]:
    return Data(data=TagRead.of(await tag_service.get_tag(session, caller, tag_id)))


@router.put("/tags/{tag_id}")
async def update_tag(
    tag_id: str, body: TagUpdate, caller: Caller, session: DbSession
) -> Data[TagRead]:
    return Data(data=TagRead.of(await tag_service.update_tag(session, caller, tag_id, body)))


@router.post("/checklists/tags")
async def tag_subject(body: TaggingCreate, caller: Caller, session: DbSession) -> Data[TaggingRead]:
    """Attach a tag to a template (`Checklist`), process (`Run`), task or step."""
    tagging, tag = await tag_service.tag_subject(session, caller, body)
    return Data(data=TaggingRead.of(tagging, tag))


@router.delete("/checklists/tags/{tagging_id}")
async def untag_subject(tagging_id: int, caller: Caller, session: DbSession) -> Data[TaggingRead]:
    tagging, tag = await tag_service.untag(session, caller, tagging_id)
    return Data(data=TaggingRead.of(tagging, tag))


@router.delete("/tags/{tag_id}")
async def archive_tag(tag_id: str, caller: Caller, session: DbSession) -> Data[TagRead]:
    """Archive a tag: it disappears from lists, filters and objects' tags; its links are
    kept and come back on restore."""
    tag = await tag_service.get_tag(session, caller, tag_id, for_update=True)
    await audit_service.archive(session, caller, tag)
    return Data(data=TagRead.of(tag))


@router.put("/tags/{tag_id}/restore")
async def restore_tag(tag_id: str, caller: Caller, session: DbSession) -> Data[TagRead]:
    """Restore an archived tag (422 if a live tag took its title meanwhile)."""
    tag = await tag_service.get_tag(session, caller, tag_id, for_update=True)
    await tag_service.ensure_title_free(session, caller, tag)
    await audit_service.restore(session, caller, tag)
    return Data(data=TagRead.of(tag))


@router.delete(
    "/tags/{tag_id}/delete",
    status_code=204,
    response_model=None,
    responses={200: {"model": PurgePreview}},
)
async def purge_tag(
    tag_id: str, caller: Caller, session: DbSession, dry_run: bool = False
) -> Response:
    """Permanently delete an archived tag and all its links. Admins only."""
    tag = await tag_service.get_tag(session, caller, tag_id, for_update=True)
    counts = await audit_service.purge(session, caller, tag, dry_run=dry_run)
    return purge_response(counts, dry_run, Response(status_code=204))
