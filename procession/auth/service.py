"""Tokens and principals: who is calling, in which organization, with which role."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Select, and_, bindparam, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from procession.auth.models import ApiToken, Membership, MemberStatus, Role, User
from procession.auth.passwords import hash_password, verify_password
from procession.db.types import UTCDateTime, utcnow
from procession.errors import NotFound, PermissionDenied, RuleViolation, Unauthenticated
from procession.webhooks.models import WebhookEndpoint

EDITORS = (Role.ADMIN, Role.STANDARD)


@dataclass(frozen=True)
class Principal:
    """The authenticated caller acting inside one organization. It holds the user's id, not
    the user: authenticating reads three columns, and the few callers that show the user
    load it (`session.get_one(User, principal.user_id)`)."""

    user_id: int
    org_id: str
    role: str
    org_has_webhooks: bool = True
    """False when the organization had no active webhook endpoint as the caller was
    authenticated (the same statement reads it): a change then announces itself without
    asking again (`webhooks.outbox.emit`)."""

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def require(self, *roles: str, action: str) -> None:
        """Raise `PermissionDenied` unless the caller's role is one of `roles`.

        Call it after the target object was found, so a 403 never reveals what a 404 hides.
        """
        if self.role not in roles:
            raise PermissionDenied(f"You don't have permission to {action}.")

    def require_editor(self, action: str) -> None:
        """Admins and standard members may create and change things; light members may not."""
        self.require(*EDITORS, action=action)


class Actor(Protocol):
    """Whoever performs a lifecycle operation: a signed-in `Principal`, or Procession itself
    (`SystemActor`, for retention) with no user behind it."""

    @property
    def org_id(self) -> str: ...

    @property
    def user_id(self) -> int | None: ...

    @property
    def org_has_webhooks(self) -> bool: ...

    def require(self, *roles: str, action: str) -> None: ...

    def require_editor(self, action: str) -> None: ...


@dataclass(frozen=True)
class SystemActor:
    """Procession acting on its own inside one organization, with an admin's rights: what an
    admin configured (a retention policy) carried out. The audit trail shows no user."""

    org_id: str
    user_id: None = None
    org_has_webhooks: bool = True  # not known: events look for endpoints

    def require(self, *roles: str, action: str) -> None:
        """An admin configured the work, so every role check passes."""

    def require_editor(self, action: str) -> None:
        """As `require`."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_token(
    session: AsyncSession, *, user: User, name: str = "", expires_at: datetime | None = None
) -> str:
    """Create an API token for `user` and return it. Only its hash is stored: show it once."""
    token = "pcs_" + secrets.token_urlsafe(32)
    session.add(
        ApiToken(user_id=user.id, token_hash=hash_token(token), name=name, expires_at=expires_at)
    )
    await session.flush()
    return token


async def revoke_tokens(
    session: AsyncSession, *, token: str | None = None, user: User | None = None
) -> int:
    """Revoke one token (by its value) or every live token of `user`; how many were revoked."""
    stmt = update(ApiToken).where(ApiToken.revoked_at.is_(None)).values(revoked_at=utcnow())
    if token is not None:
        stmt = stmt.where(ApiToken.token_hash == hash_token(token))
    if user is not None:
        stmt = stmt.where(ApiToken.user_id == user.id)
    result = await session.execute(stmt.execution_options(synchronize_session=False))
    return int(result.rowcount)  # type: ignore[attr-defined]


# Built once, with parameters: constructing these expressions costs more than running them,
# and every request authenticates. They select from the tables, not the entities: plain rows
# skip the ORM's loading, which was a third of the cost of authenticating.
_users, _memberships, _tokens = User.__table__, Membership.__table__, ApiToken.__table__
_endpoints = WebhookEndpoint.__table__
LIVE_TOKEN = and_(
    _tokens.c.token_hash == bindparam("token_hash"),
    _tokens.c.revoked_at.is_(None),
    or_(_tokens.c.expires_at.is_(None), _tokens.c.expires_at > bindparam("now", UTCDateTime())),
)
"""A token that authenticates: known, not revoked, not expired. The lookup is by the SHA-256
digest through a unique index, so how long it takes says nothing about the secret."""
# Whether anybody listens: most organizations have no webhook endpoint, and knowing it with
# the caller spares each announced change (a launch, a completion, an archive) a statement.
ORG_HAS_WEBHOOKS = exists().where(
    _endpoints.c.org_id == bindparam("org_id"), _endpoints.c.is_active.is_(True)
)
MEMBERSHIP = select(
    _users.c.id, _memberships.c.role, _memberships.c.status, ORG_HAS_WEBHOOKS
).select_from(
    _users.outerjoin(
        _memberships,
        (_memberships.c.user_id == _users.c.id) & (_memberships.c.org_id == bindparam("org_id")),
    )
)
"""User ids with their role and status in organization `:org_id` (None when not a member),
and whether that organization has an active webhook endpoint."""
PRINCIPAL_BY_TOKEN = MEMBERSHIP.join(_tokens, _tokens.c.user_id == _users.c.id).where(LIVE_TOKEN)
PRINCIPAL_BY_USER = MEMBERSHIP.where(_users.c.id == bindparam("user_id"))
USER_BY_TOKEN = select(User).join(ApiToken, ApiToken.user_id == User.id).where(LIVE_TOKEN)


def token_params(token: str) -> dict[str, Any]:
    return {"token_hash": hash_token(token), "now": utcnow()}


async def user_for_token(session: AsyncSession, token: str) -> User:
    """The user a bearer token belongs to; `Unauthenticated` for an unknown token."""
    user = (await session.scalars(USER_BY_TOKEN, token_params(token))).one_or_none()
    if user is None:
        raise Unauthenticated()
    return user


async def principal_in(
    session: AsyncSession, stmt: Select[int, str, str, bool], params: dict[str, Any], org_id: str
) -> Principal:
    """The principal `stmt` (`PRINCIPAL_BY_*`) finds in `org_id`: 401 for no user or a disabled
    member, 404 when the user is not (yet) a member, so nobody learns which organizations
    exist."""
    row = (await session.execute(stmt, {**params, "org_id": org_id})).one_or_none()
    if row is None:
        raise Unauthenticated()
    user_id, role, status, org_has_webhooks = row
    if status == MemberStatus.DISABLED:
        raise Unauthenticated()  # an admin disabled this member: their tokens stop working
    if role is None or status != MemberStatus.ACTIVE:
        raise NotFound("Organization")
    return Principal(
        user_id=user_id, org_id=org_id, role=role, org_has_webhooks=bool(org_has_webhooks)
    )


async def principal_for_token(session: AsyncSession, token: str, org_id: str) -> Principal:
    """Authenticate `token` and place its user in organization `org_id`."""
    return await principal_in(session, PRINCIPAL_BY_TOKEN, token_params(token), org_id)


async def principal_for_user(session: AsyncSession, user_id: int, org_id: str) -> Principal:
    """A signed-in user (admin pages) placed in organization `org_id`."""
    return await principal_in(session, PRINCIPAL_BY_USER, {"user_id": user_id}, org_id)


async def sign_in(session: AsyncSession, email: str, password: str) -> Principal:
    """Check an email and password; the principal in the user's first organization where
    they are an active member. 401 with one message for every failure."""
    user = (
        await session.scalars(select(User).where(func.lower(User.email) == email.strip().lower()))
    ).one_or_none()
    if not verify_password(user.password_hash if user else None, password) or user is None:
        raise Unauthenticated("Wrong email or password.")
    org_id = (
        await session.scalars(
            select(Membership.org_id)
            .where(Membership.user_id == user.id, Membership.status == MemberStatus.ACTIVE)
            .order_by(Membership.created_at, Membership.org_id)
            .limit(1)
        )
    ).first()
    if org_id is None:
        raise Unauthenticated("Wrong email or password.")
    return await principal_for_user(session, user.id, org_id)


async def set_password(session: AsyncSession, user: User, password: str) -> None:
    """Give `user` a password for the admin pages (stored as an argon2 hash)."""
    if len(password) < 8:
        raise RuleViolation("password", "The password must have at least 8 characters.")
    user.password_hash = hash_password(password)
    await session.flush()
