"""Guests: people outside the organization who are assigned tasks by email."""

from datetime import datetime

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from procession.db.base import Base, OrgScopedMixin, TimestampMixin, new_id
from procession.db.types import JsonType


class Guest(OrgScopedMixin, TimestampMixin, Base):
    """A guest of one organization, addressed by email (stored lower-cased) on the wire.

    `code` is the guest's secret link code (`.../{org}/guest/{code}`), which clients also use
    to ask for the guest's tasks. Tasks name guests by email (`task_owners.guest_email`).
    """

    __tablename__ = "guests"
    __table_args__ = (UniqueConstraint("org_id", "email"),)
    org_id_index = False  # the unique constraint begins with it

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(254))
    code: Mapped[str] = mapped_column(String(32), unique=True, default=new_id)
    first_name: Mapped[str] = mapped_column(String(64), default="")
    last_name: Mapped[str] = mapped_column(String(64), default="")
    phone_1: Mapped[str | None] = mapped_column(String(64), default=None)
    phone_2: Mapped[str | None] = mapped_column(String(64), default=None)
    company_name: Mapped[str | None] = mapped_column(String(200), default=None)
    company_url: Mapped[str | None] = mapped_column(String(500), default=None)
    contact_url: Mapped[str | None] = mapped_column(String(500), default=None)
    image_url: Mapped[str | None] = mapped_column(String(500), default=None)
    opportunity_url: Mapped[str | None] = mapped_column(String(500), default=None)
    opportunity_name: Mapped[str | None] = mapped_column(String(200), default=None)
    timezone: Mapped[str | None] = mapped_column(String(64), default=None)
    status: Mapped[str | None] = mapped_column(String(64), default=None)
    external_sync_source: Mapped[str | None] = mapped_column(String(100), default=None)
    external_date_creation: Mapped[str | None] = mapped_column(String(64), default=None)
    associated_members: Mapped[list[int]] = mapped_column(JsonType, default=list)
    last_accessed_at: Mapped[datetime | None] = mapped_column(default=None)
    disabled_at: Mapped[datetime | None] = mapped_column(default=None)
    disabled_by_id: Mapped[int | None] = mapped_column(Integer, default=None)
    reactivated_at: Mapped[datetime | None] = mapped_column(default=None)
    reactivated_by_id: Mapped[int | None] = mapped_column(Integer, default=None)

    @property
    def is_disabled(self) -> bool:
        return self.disabled_at is not None
