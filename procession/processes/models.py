"""Processes (Tallyfy "runs"): one launch of a template, owning its tasks."""

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from procession.db.base import (
    Base,
    HexIdMixin,
    LegalHoldMixin,
    LifecycleMixin,
    OrgScopedMixin,
    TimestampMixin,
    live_rows_only,
)
from procession.db.types import JsonType

if TYPE_CHECKING:
    from procession.tasks.models import Task


class Process(HexIdMixin, OrgScopedMixin, TimestampMixin, LifecycleMixin, LegalHoldMixin, Base):
    """A running (or finished) process.

    `template_id` and `template_title` are plain values, not a foreign key: a process keeps
    running, and keeps naming its template, when the template is archived or deleted.
    `status` is the workflow status (active, problem, complete); archiving never changes it,
    so restoring brings it back untouched. The wire shows "archived" while `archived_at` is set.
    """

    __tablename__ = "processes"
    __table_args__ = (
        Index("ix_processes_org_live_created", "org_id", "archived_at", "created_at"),
        # The default page of runs: live ones, newest first. Partial, because PostgreSQL does
        # not take `archived_at IS NULL` as fixing that column, so it would not read the
        # index above in (created_at, id) order and sorted every live run instead.
        Index(
            "ix_processes_org_live_page",
            "org_id",
            "created_at",
            "id",
            **live_rows_only(),
        ),
        # A page of runs filtered by status, and its count: without it SQLite counted the
        # organization's active runs through the status index alone (3.6 ms for 7,500 of
        # 20,000) and walked the whole page index for a rare status (5 ms for `problem`).
        Index(
            "ix_processes_org_live_status",
            "org_id",
            "status",
            "created_at",
            "id",
            **live_rows_only(),
        ),
        # How many live runs an organization has (the total of the default list): PostgreSQL
        # counts them from this index alone (1.6 ms for 15,000 runs; deduplicated, its one key
        # fills a few pages), where it scanned the table (5.4 ms). SQLite counts them from the
        # first index above, which holds both columns.
        Index(
            "ix_processes_org_live",
            "org_id",
            **live_rows_only(),
        ),
        Index("ix_processes_org_kind", "org_id", "kind"),
        Index("ix_processes_org_starred", "org_id", "is_starred"),
        # The next sequence number is max(increment_id) per organization: an index seek.
        Index("ix_processes_org_increment", "org_id", "increment_id"),
    )
    org_id_index = False  # ix_processes_org_increment begins with it

    increment_id: Mapped[int] = mapped_column(Integer, default=1)
    template_id: Mapped[str | None] = mapped_column(String(32), index=True, default=None)
    template_title: Mapped[str] = mapped_column(String(250), default="")
    kind: Mapped[str] = mapped_column(String(16), default="procedure")
    name: Mapped[str] = mapped_column(String(550))
    summary: Mapped[str | None] = mapped_column(Text, default=None)
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None, index=True
    )
    started_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    is_starred: Mapped[bool] = mapped_column(default=False)
    is_public: Mapped[bool] = mapped_column(default=False)
    prerun: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    prerun_length: Mapped[int] = mapped_column(Integer, default=0)
    prerun_completed_at: Mapped[datetime | None] = mapped_column(default=None)
    prerun_completed_by_id: Mapped[int | None] = mapped_column(Integer, default=None)
    task_count: Mapped[int] = mapped_column(Integer, default=0)
    completed_task_count: Mapped[int] = mapped_column(Integer, default=0)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    parent_id: Mapped[str | None] = mapped_column(String(32), default=None)
    settings: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    """Launch choices kept as given: `assign_someone_else`, `publicly_hidden_fields`, and the
    run's own members (`users`) and groups (`groups`)."""
    has_rules: Mapped[bool | None] = query_expression()
    """Whether its template has automation rules, when the statement that loaded the process
    asked (`with_expression`); None when it did not."""

    tasks: Mapped[list["Task"]] = relationship(
        back_populates="process",
        lazy="raise",
        passive_deletes=True,
        info={"lifecycle": "cascade"},
    )
