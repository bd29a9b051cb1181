"""Tokens and principals: who is calling, in which organization, with which role."""

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from procession.auth.models import ApiToken, Membership, MemberStatus, Role, User
from procession.errors import NotFound, PermissionDenied, Unauthenticated

EDITORS = (Role.ADMIN, Role.STANDARD)


@dataclass(frozen=True)
class Principal:
    """The authenticated caller acting inside one organization."""

    user: User
    org_id: str
    role: str

    @property
    def user_id(self) -> int:
        return self.user.id

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


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_token(session: AsyncSession, *, user: User, name: str = "") -> str:
    """Create an API token for `user` and return it. Only its hash is stored: show it once."""
    token = "pcs_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=hash_token(token), name=name))
    await session.flush()
    return token


async def user_for_token(session: AsyncSession, token: str) -> User:
    """The user a bearer token belongs to; `Unauthenticated` for an unknown token."""
    stmt = (
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == hash_token(token))
    )
    user = (await session.scalars(stmt)).one_or_none()
    if user is None:
        raise Unauthenticated()
    return user


async def principal_for_token(session: AsyncSession, token: str, org_id: str) -> Principal:
    """Authenticate `token` and place its user in organization `org_id`.

    401 for an unknown token; 404 when the user is not an active member of that organization,
    so nobody learns which organizations exist.
    """
    stmt = (
        select(User, Membership.role, Membership.status)
        .join(ApiToken, ApiToken.user_id == User.id)
        .outerjoin(Membership, (Membership.user_id == User.id) & (Membership.org_id == org_id))
        .where(ApiToken.token_hash == hash_token(token))
    )
    row = (await session.execute(stmt)).one_or_none()
    if row is None:
        raise Unauthenticated()
    user, role, status = row
    if role is None or status != MemberStatus.ACTIVE:
        raise NotFound("Organization")
    return Principal(user=user, org_id=org_id, role=role)
