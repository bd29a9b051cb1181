"""Group routes (reference 3.13)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from procession.api.deps import DbSession, Page
from procession.api.schemas import Data, Listing
from procession.auth.deps import Caller
from procession.groups import service as group_service
from procession.groups.schemas import GroupCreate, GroupRead, GroupUpdate

router = APIRouter(prefix="/organizations/{org}/groups", tags=["groups"])


@router.get("")
async def list_groups(
    caller: Caller,
    session: DbSession,
    page: Page,
    request: Request,
    q: Annotated[str | None, Query(description="Name contains (case-insensitive)")] = None,
    sort_by: Literal["name", "created_at", "updated_at"] | None = None,
    sort: Literal["asc", "desc"] | None = None,
) -> Listing[GroupRead]:
    result = await group_service.list_groups(
        session, caller, page=page, query=q, sort_by=sort_by, descending=sort == "desc"
    )
    items = await group_service.describe_groups(session, caller, result.items)
    return Listing.of(result, items, request.url)


async def one(session: DbSession, caller: Caller, group_id: str) -> Data[GroupRead]:
    group = await group_service.get_group(session, caller, group_id)
    return Data(data=(await group_service.describe_groups(session, caller, [group]))[0])


@router.post("", status_code=201)
async def create_group(body: GroupCreate, caller: Caller, session: DbSession) -> Data[GroupRead]:
    """Create a group of members (user ids of this organization) and guests (emails).
    Admins only."""
    group = await group_service.create_group(session, caller, body)
    return Data(data=(await group_service.describe_groups(session, caller, [group]))[0])


@router.get("/{group_id}")
async def get_group(group_id: str, caller: Caller, session: DbSession) -> Data[GroupRead]:
    return await one(session, caller, group_id)


@router.put("/{group_id}")
async def update_group(
    group_id: str, body: GroupUpdate, caller: Caller, session: DbSession
) -> Data[GroupRead]:
    """Change a group; `members` and `guests`, when sent, replace the lists. Admins only."""
    group = await group_service.update_group(session, caller, group_id, body)
    return Data(data=(await group_service.describe_groups(session, caller, [group]))[0])


@router.delete("/{group_id}", status_code=204)
async def delete_group(group_id: str, caller: Caller, session: DbSession) -> Response:
    """Delete a group for good, and take it off step assignees and task owners. Admins
    only."""
    await group_service.delete_group(session, caller, group_id)
    return Response(status_code=204)
