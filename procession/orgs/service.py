"""Organizations and their members."""

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from procession.auth.models import Membership, MemberStatus, Role, User
from procession.db.repository import PageRequest, PageResult, paginate_rows
from procession.errors import NotFound
from procession.orgs.models import Organization


async def create_organization(session: AsyncSession, *, name: str) -> Organization:
    org = Organization(name=name)
    session.add(org)
    await session.flush()
    return org


async def get_organization(session: AsyncSession, org_id: str) -> Organization:
    org = await session.get(Organization, org_id)
    if org is None:
        raise NotFound("Organization")
    return org


async def user_organizations(
    session: AsyncSession, *, user: User, page: PageRequest
) -> PageResult[tuple[Organization, str]]:
    """The organizations `user` is an active member of, with their role in each."""
    stmt = (
        select(Organization, Membership.role)
        .join(Membership, Membership.org_id == Organization.id)
        .where(Membership.user_id == user.id, Membership.status == MemberStatus.ACTIVE)
        .order_by(Organization.created_at)
    )
    return await paginate_rows(session, stmt, page)


async def add_user(
    session: AsyncSession,
    *,
    org_id: str,
    email: str,
    first_name: str = "",
    last_name: str = "",
    role: Role = Role.STANDARD,
    password_hash: str | None = None,
) -> User:
    """Add a member to an organization, creating the user if the email is new."""
    user = (await session.scalars(select(User).where(User.email == email))).one_or_none()
    if user is None:
        user = User(email=email, first_name=first_name, last_name=last_name)
        session.add(user)
    if password_hash is not None:
        user.password_hash = password_hash
    await session.flush()
    membership = await session.get(Membership, (org_id, user.id))
    if membership is None:
        session.add(Membership(org_id=org_id, user_id=user.id, role=role))
    else:
        membership.role = role
    await session.flush()
    return user


async def list_members(
    session: AsyncSession, *, org_id: str, page: PageRequest, query: str | None = None
) -> PageResult[tuple[User, Membership]]:
    """Members of an organization, oldest first; `query` matches name or email."""
    stmt = (
        select(User, Membership)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.org_id == org_id)
        .order_by(User.id)
    )
    if query:
        like = f"%{query.lower()}%"
        stmt = stmt.where(
            or_(
                func.lower(User.email).like(like),
                func.lower(User.first_name + " " + User.last_name).like(like),
            )
        )
    return await paginate_rows(session, stmt, page)


async def names_of(session: AsyncSession, *, org_id: str, user_ids: set[int]) -> dict[int, str]:
    """Display names (full name, else email) of the organization's members among `user_ids`."""
    stmt = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.org_id == org_id, User.id.in_(user_ids))
    )
    return {user.id: user.full_name or user.email for user in await session.scalars(stmt)}


async def get_member(
    session: AsyncSession, *, org_id: str, user_id: int
) -> tuple[User, Membership]:
    """One member of the organization; `NotFound` for a user who is not a member."""
    row = (
        await session.execute(
            select(User, Membership)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.org_id == org_id, User.id == user_id)
        )
    ).one_or_none()
    if row is None:
        raise NotFound("User")
    return row[0], row[1]


async def member_ids(session: AsyncSession, *, org_id: str, user_ids: list[int]) -> set[int]:
    """Which of `user_ids` are members of the organization (for validating assignees)."""
    if not user_ids:
        return set()
    stmt = select(Membership.user_id).where(
        Membership.org_id == org_id, Membership.user_id.in_(user_ids)
    )
    return set((await session.scalars(stmt)).all())
