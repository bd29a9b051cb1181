"""Groups: a named set of an organization's members and guests."""

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from procession.db.base import Base, HexIdMixin, OrgScopedMixin, TimestampMixin


class Group(HexIdMixin, OrgScopedMixin, TimestampMixin, Base):
    """A group. Names are unique within an organization. Deleting one is permanent."""

    __tablename__ = "groups"
    __table_args__ = (UniqueConstraint("org_id", "name"),)
    org_id_index = False  # the unique constraint begins with it

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text, default=None)
    logo: Mapped[str | None] = mapped_column(String(2000), default=None)


class GroupMember(Base):
    """A member of the organization in a group."""

    __tablename__ = "group_members"

    group_id: Mapped[str] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)


class GroupGuest(Base):
    """A guest (by email, stored lowercased) in a group."""

    __tablename__ = "group_guests"

    group_id: Mapped[str] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True
    )
    email: Mapped[str] = mapped_column(String(254), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
