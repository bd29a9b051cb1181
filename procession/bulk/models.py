"""Bulk lifecycle jobs: one archive, restore or permanent delete over many objects."""

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from procession.db.base import Base, HexIdMixin, OrgScopedMixin
from procession.db.types import JsonType, utcnow


class BulkJob(HexIdMixin, OrgScopedMixin, Base):
    """A bulk operation. Its items are fixed when it is created (ids, or the ids a filter
    matched then); a worker works through them in chunks, so progress survives a restart.

    `status`: queued -> running -> done (or failed, with `error`).
    """

    __tablename__ = "bulk_jobs"
    __table_args__ = (Index("ix_bulk_jobs_status_created", "status", "created_at"),)

    action: Mapped[str] = mapped_column(String(16))
    object_type: Mapped[str] = mapped_column(String(16))
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    selection: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    """What the caller asked for: `{"ids": [...]}` or `{"filter": {...}}`."""
    status: Mapped[str] = mapped_column(String(16), default="queued")
    total: Mapped[int] = mapped_column(Integer, default=0)
    processed: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    not_found: Mapped[int] = mapped_column(Integer, default=0)
    refused: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(500), default=None)
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class BulkJobItem(Base):
    """One object of a bulk job and, once handled, its outcome: done, not_found or refused
    (with the reason and code of the error that refused it)."""

    __tablename__ = "bulk_job_items"
    __table_args__ = (Index("ix_bulk_job_items_job_position", "job_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(String(32), ForeignKey("bulk_jobs.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    object_id: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str | None] = mapped_column(String(16), default=None)
    reason: Mapped[str | None] = mapped_column(String(500), default=None)
    code: Mapped[str | None] = mapped_column(String(40), default=None)
    counts: Mapped[dict[str, Any] | None] = mapped_column(JsonType, default=None)
