"""People, their memberships in organizations, and their API tokens."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from procession.db.base import Base, TimestampMixin


class Role(StrEnum):
    ADMIN = "admin"
    STANDARD = "standard"
    LIGHT = "light"


class MemberStatus(StrEnum):
    ACTIVE = "active"
    INVITED = "invited"
    DISABLED = "disabled"


class User(TimestampMixin, Base):
    """A person. Users have integer ids on the wire, as in Tallyfy."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    first_name: Mapped[str] = mapped_column(String(64), default="")
    last_name: Mapped[str] = mapped_column(String(64), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    password_hash: Mapped[str | None] = mapped_column(String(255), default=None)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Membership(TimestampMixin, Base):
    """A user's place in one organization, with the role that decides what they may do."""

    __tablename__ = "memberships"

    org_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(16), default=Role.STANDARD)
    status: Mapped[str] = mapped_column(String(16), default=MemberStatus.ACTIVE)
    invited_by_id: Mapped[int | None] = mapped_column(Integer, default=None)
    approved_at: Mapped[datetime | None] = mapped_column(default=None)
    disabled_at: Mapped[datetime | None] = mapped_column(default=None)
    disabled_by_id: Mapped[int | None] = mapped_column(Integer, default=None)
    reactivated_at: Mapped[datetime | None] = mapped_column(default=None)
    reactivated_by_id: Mapped[int | None] = mapped_column(Integer, default=None)


class ApiToken(TimestampMixin, Base):
    """A bearer token. Only its SHA-256 digest is stored; the token itself is shown once.
    A revoked or expired token authenticates nobody."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
