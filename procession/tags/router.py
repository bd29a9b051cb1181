"""Tag routes, and attaching tags to subjects (`/checklists/tags`)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request

from procession.api.deps import Archived, DbSession, Page
from procession.api.schemas import Data, Listing
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
