"""The lifecycle audit trail."""

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from procession.db.base import Base, OrgScopedMixin
from procession.db.types import JsonType, utcnow


class AuditEvent(OrgScopedMixin, Base):
    """Who archived, restored or permanently deleted what, when, and how many rows of each
    kind it touched. It outlives what it describes and keeps only its name and counts."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_org_created", "org_id", "created_at"),)
    org_id_index = False  # ix_audit_events_org_created begins with it

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    action: Mapped[str] = mapped_column(String(16))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(32))
    object_name: Mapped[str] = mapped_column(String(600))
    counts: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
