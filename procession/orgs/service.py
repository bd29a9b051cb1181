"""Organizations and their members."""

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from procession.auth.models import Membership, MemberStatus, Role, User
from procession.auth.service import Principal
from procession.db.repository import PageRequest, PageResult, paginate_rows
from procession.db.types import utcnow
from procession.errors import InvalidState, NotFound, PermissionDenied, RuleViolation
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


async def ensure_members(
    session: AsyncSession, caller: Principal, field: str, ids: list[int]
) -> None:
    """422 on `field` unless every user id is a member of the caller's organization. The
    caller is one (this transaction authenticated them): only the others are looked up, and a
    launch or a template owned by its caller costs no statement here."""
    others = [i for i in ids if i != caller.user_id]
    known = await member_ids(session, org_id=caller.org_id, user_ids=others)
    unknown = [i for i in others if i not in known]
    if unknown:
        raise RuleViolation(field, f"User {unknown[0]} is not a member of this organization.")


# ---------------------------------------------------------------- member administration
# Reference 1.12: admins invite, change roles, disable, enable and approve; standard members
# may only invite (and not as admins). Each change is idempotent (the SDK retries PUT and
# DELETE), and none may leave the organization without an active admin.


async def invite_member(
    session: AsyncSession,
    caller: Principal,
    *,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
) -> tuple[User, Membership]:
    """Invite `email` as a member with `role` (status `invited`). Re-inviting someone still
    invited answers that member unchanged; an active or disabled member's email is 422.
    An existing user keeps their name."""
    caller.require(Role.ADMIN, Role.STANDARD, action="invite members")
    if role == Role.ADMIN and not caller.is_admin:
        raise PermissionDenied("You don't have permission to invite admins.")
    email = email.strip().lower()
    user = (
        await session.scalars(select(User).where(func.lower(User.email) == email))
    ).one_or_none()
    if user is None:
        user = User(email=email, first_name=first_name, last_name=last_name)
        session.add(user)
        await session.flush()
    membership = await session.get(Membership, (caller.org_id, user.id))
    if membership is None:
        membership = Membership(
            org_id=caller.org_id,
            user_id=user.id,
            role=role,
            status=MemberStatus.INVITED,
            invited_by_id=caller.user_id,
        )
        session.add(membership)
        await session.flush()
    elif membership.status == MemberStatus.ACTIVE:
        raise RuleViolation("email", "This email already belongs to a member.")
    elif membership.status == MemberStatus.DISABLED:
        raise RuleViolation("email", "This email belongs to a disabled member: enable them.")
    return user, membership


async def administered_member(
    session: AsyncSession, caller: Principal, user_id: int, action: str
) -> tuple[User, Membership]:
    """The member `user_id` for an admin-only change: 404 before 403."""
    user, membership = await get_member(session, org_id=caller.org_id, user_id=user_id)
    caller.require(Role.ADMIN, action=action)
    return user, membership


async def keep_an_admin(session: AsyncSession, org_id: str, user_id: int) -> None:
    """Refuse (422) when `user_id` is the organization's last active admin. Locks the active
    admins' memberships in id order, so two admins demoting each other at once cannot both
    succeed (the second sees the first's change)."""
    admins = (
        await session.scalars(
            select(Membership.user_id)
            .where(
                Membership.org_id == org_id,
                Membership.role == Role.ADMIN,
                Membership.status == MemberStatus.ACTIVE,
            )
            .order_by(Membership.user_id)
            .with_for_update()
        )
    ).all()
    if set(admins) <= {user_id}:
        raise InvalidState("The organization must keep at least one active admin.", field="role")


def is_active_admin(membership: Membership) -> bool:
    return membership.role == Role.ADMIN and membership.status == MemberStatus.ACTIVE


async def change_role(
    session: AsyncSession, caller: Principal, user_id: int, role: str
) -> tuple[User, Membership]:
    """Give a member another role; the last active admin cannot be demoted (422)."""
    user, membership = await administered_member(session, caller, user_id, "change roles")
    if membership.role != role:
        if is_active_admin(membership):
            await keep_an_admin(session, caller.org_id, user_id)
        membership.role = role
        await session.flush()
    return user, membership


async def disable_member(
    session: AsyncSession, caller: Principal, user_id: int
) -> tuple[User, Membership]:
    """Disable a member: their tokens stop working in this organization (401). 422 for the
    caller themselves and for the last active admin; a disabled member stays as they are."""
    user, membership = await administered_member(session, caller, user_id, "disable members")
    if user_id == caller.user_id:
        raise InvalidState("You cannot disable yourself.")
    if membership.status != MemberStatus.DISABLED:
        if is_active_admin(membership):
            await keep_an_admin(session, caller.org_id, user_id)
        membership.status = MemberStatus.DISABLED
        membership.disabled_at = utcnow()
        membership.disabled_by_id = caller.user_id
        await session.flush()
    return user, membership


async def enable_member(
    session: AsyncSession, caller: Principal, user_id: int
) -> tuple[User, Membership]:
    """Make a disabled member active again; an active one stays as they are. An invited
    member is approved, not enabled (422)."""
    user, membership = await administered_member(session, caller, user_id, "enable members")
    if membership.status == MemberStatus.INVITED:
        raise InvalidState("This member has not joined yet: approve them instead.")
    if membership.status == MemberStatus.DISABLED:
        membership.status = MemberStatus.ACTIVE
        membership.disabled_at = None
        membership.disabled_by_id = None
        membership.reactivated_at = utcnow()
        membership.reactivated_by_id = caller.user_id
        await session.flush()
    return user, membership


async def approve_member(
    session: AsyncSession, caller: Principal, user_id: int
) -> tuple[User, Membership]:
    """Make an invited member active; an active one stays as they are. A disabled member is
    enabled, not approved (422)."""
    user, membership = await administered_member(session, caller, user_id, "approve members")
    if membership.status == MemberStatus.DISABLED:
        raise InvalidState("This member is disabled: enable them instead.")
    if membership.status == MemberStatus.INVITED:
        membership.status = MemberStatus.ACTIVE
        membership.approved_at = utcnow()
        await session.flush()
    return user, membership
