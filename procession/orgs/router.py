"""Identity and organization routes: `/me`, members, the organization itself."""

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Query, Request

from procession.api.deps import DbSession, MemberPage, Page, With
from procession.api.schemas import Data, Listing
from procession.auth.deps import Caller, CurrentUser
from procession.auth.models import Membership, User
from procession.db.repository import PageRequest
from procession.groups.repository import groups_by_user
from procession.orgs import service as org_service
from procession.orgs.schemas import (
    GroupBrief,
    MemberInvite,
    OrganizationRead,
    RoleChange,
    UserRead,
)

router = APIRouter(prefix="/organizations/{org}", tags=["organizations"])
global_router = APIRouter(tags=["organizations"])


@router.get("")
async def get_organization(caller: Caller, session: DbSession) -> Data[OrganizationRead]:
    org = await org_service.get_organization(session, caller.org_id)
    return Data(data=OrganizationRead.of(org, caller.role))


@router.get("/me")
async def get_me(caller: Caller, session: DbSession) -> Data[UserRead]:
    """The caller as a member of this organization (carries `role`)."""
    return Data(data=UserRead.of(await session.get_one(User, caller.user_id), role=caller.role))


async def describe_members(
    session: DbSession, caller: Caller, members: Sequence[tuple[User, Membership]], with_: With
) -> list[UserRead]:
    """The members as read, with their groups when `with=groups` asks (one query)."""
    items = [UserRead.of(user, membership) for user, membership in members]
    if "groups" in with_:
        groups = await groups_by_user(session, caller.org_id, [item.id for item in items])
        for item in items:
            briefs = [GroupBrief(id=group.id, name=group.name) for group in groups[item.id]]
            item.groups = Data(data=briefs)
    return items


@router.get("/users")
async def list_users(
    caller: Caller,
    session: DbSession,
    page: MemberPage,
    request: Request,
    with_: With,
    q: Annotated[str | None, Query(description="Matches name or email")] = None,
) -> Listing[UserRead]:
    """The organization's members; `with=groups` adds each one's groups."""
    result = await org_service.list_members(session, org_id=caller.org_id, page=page, query=q)
    items = await describe_members(session, caller, result.items, with_)
    return Listing.of(result, items, request.url)


@router.get("/users-list")
async def list_users_lite(caller: Caller, session: DbSession, with_: With) -> Data[list[UserRead]]:
    """Every member in one list, without pagination (capped at 10,000)."""
    page = PageRequest(page=1, per_page=10_000)
    result = await org_service.list_members(session, org_id=caller.org_id, page=page)
    return Data(data=await describe_members(session, caller, result.items, with_))


@router.post("/users/invite")
async def invite_user(body: MemberInvite, caller: Caller, session: DbSession) -> Data[UserRead]:
    """Invite a member (status `invited`); re-inviting someone still invited answers 200."""
    user, membership = await org_service.invite_member(
        session,
        caller,
        email=str(body.email),
        first_name=body.first_name,
        last_name=body.last_name,
        role=body.role,
    )
    return Data(data=UserRead.of(user, membership))


@router.put("/users/{user_id}/role")
async def change_user_role(
    user_id: int, body: RoleChange, caller: Caller, session: DbSession
) -> Data[UserRead]:
    user, membership = await org_service.change_role(session, caller, user_id, body.role)
    return Data(data=UserRead.of(user, membership))


@router.delete("/users/{user_id}/disable")
async def disable_user(user_id: int, caller: Caller, session: DbSession) -> Data[UserRead]:
    user, membership = await org_service.disable_member(session, caller, user_id)
    return Data(data=UserRead.of(user, membership))


@router.put("/users/{user_id}/enable")
async def enable_user(user_id: int, caller: Caller, session: DbSession) -> Data[UserRead]:
    user, membership = await org_service.enable_member(session, caller, user_id)
    return Data(data=UserRead.of(user, membership))


@router.put("/users/{user_id}/approve")
async def approve_user(user_id: int, caller: Caller, session: DbSession) -> Data[UserRead]:
    user, membership = await org_service.approve_member(session, caller, user_id)
    return Data(data=UserRead.of(user, membership))


# `:int` so that `/users/invite` and its kin never read as a user id (405, not 422).
@router.get("/users/{user_id:int}")
async def get_user(user_id: int, caller: Caller, session: DbSession, with_: With) -> Data[UserRead]:
    member = await org_service.get_member(session, org_id=caller.org_id, user_id=user_id)
    (read,) = await describe_members(session, caller, [member], with_)
    return Data(data=read)


@global_router.get("/me")
async def get_current_user(user: CurrentUser) -> Data[UserRead]:
    return Data(data=UserRead.of(user))


@global_router.get("/me/organizations")
async def list_my_organizations(
    user: CurrentUser, session: DbSession, page: Page, request: Request
) -> Listing[OrganizationRead]:
    result = await org_service.user_organizations(session, user=user, page=page)
    items = [OrganizationRead.of(org, role) for org, role in result.items]
    return Listing.of(result, items, request.url)
