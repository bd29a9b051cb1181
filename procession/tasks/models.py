"""Tasks: a step instantiated inside a process, or a one-off task with no process."""

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procession.db.base import (
    Base,
    HexIdMixin,
    LifecycleMixin,
    OrgScopedMixin,
    TimestampMixin,
    live_rows_only,
)
from procession.db.types import JsonType
from procession.templates.models import FieldMixin

if TYPE_CHECKING:
    from procession.comments.models import Comment
    from procession.processes.models import Process


class TaskStatus:
    NOT_STARTED = "not-started"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"
    AUTO_SKIPPED = "auto-skipped"  # hidden by an automation rule (procession/automations)


class Task(HexIdMixin, OrgScopedMixin, TimestampMixin, LifecycleMixin, Base):
    """One unit of work. `process_id` is null for a one-off ("standalone") task."""

    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_process_position", "process_id", "position"),
        # The organization's live tasks in the task lists' default order, soonest deadline
        # first, absent ones last (`tasks.service.task_order`): a page is read in order
        # instead of sorting every live task (34 ms for 32,000). Ending with the status, it
        # also filters and counts by status without reading the table; `archived_at` (always
        # null here) is there for SQLite, which otherwise reads the table to check it.
        Index(
            "ix_tasks_org_live_deadline",
            "org_id",
            "deadline",
            "id",
            "status",
            "archived_at",
            **live_rows_only(),
        ),
        # The next sequence number is max(increment_id) per organization: an index seek.
        Index("ix_tasks_org_increment", "org_id", "increment_id"),
    )
    org_id_index = False  # ix_tasks_org_increment begins with it

    increment_id: Mapped[int] = mapped_column(Integer, default=1)
    process_id: Mapped[str | None] = mapped_column(
        ForeignKey("processes.id", ondelete="CASCADE"), default=None
    )
    step_id: Mapped[str | None] = mapped_column(String(32), default=None)
    template_id: Mapped[str | None] = mapped_column(String(32), default=None)
    alias: Mapped[str | None] = mapped_column(String(64), default=None)
    title: Mapped[str] = mapped_column(String(600))
    original_title: Mapped[str] = mapped_column(String(600), default="")
    summary: Mapped[str | None] = mapped_column(Text, default=None)
    position: Mapped[int] = mapped_column(Integer, default=1)
    task_type: Mapped[str] = mapped_column(String(32), default="task")
    status: Mapped[str] = mapped_column(String(16), default=TaskStatus.NOT_STARTED)
    deadline: Mapped[datetime | None] = mapped_column(default=None)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    completer_id: Mapped[int | None] = mapped_column(Integer, default=None)
    is_approved: Mapped[bool | None] = mapped_column(default=None)
    starter_id: Mapped[int | None] = mapped_column(Integer, default=None)
    max_assignable: Mapped[int] = mapped_column(Integer, default=1)
    settings: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)

    process: Mapped["Process | None"] = relationship(back_populates="tasks", lazy="raise")
    fields: Mapped[list["TaskField"]] = relationship(
        lazy="raise", passive_deletes=True, info={"lifecycle": "part"}
    )
    owners: Mapped[list["TaskOwner"]] = relationship(
        lazy="raise", passive_deletes=True, info={"lifecycle": "part"}
    )
    comments: Mapped[list["Comment"]] = relationship(
        back_populates="task", lazy="raise", passive_deletes=True, info={"lifecycle": "inherit"}
    )

    @property
    def is_completed(self) -> bool:
        return self.status == TaskStatus.COMPLETED


# The task lists newest first (`sort=newest`; read backwards for `-newest`): without it a
# page sorted every live task, about 1 s for 320,000. Every task insert pays for it: a
# 100-step launch about 2 ms more (docs/PERFORMANCE.md). Declared after the class, since a
# descending column needs the mapped column.
Index(
    "ix_tasks_org_live_newest",
    Task.org_id,
    Task.created_at.desc(),
    Task.id,
    **live_rows_only(),
)


class TaskField(HexIdMixin, FieldMixin, Base):
    """A form field of one task: the step capture's definition copied at launch, and its value.

    Clients address it by `capture_id` (Tallyfy's `taskdata` keys).
    """

    __tablename__ = "task_fields"
    # Its index finds a task's fields too: no index of task_id alone.
    __table_args__ = (UniqueConstraint("task_id", "capture_id"),)

    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    capture_id: Mapped[str] = mapped_column(String(32))
    value: Mapped[Any] = mapped_column(JsonType, default=None)
    updated_at: Mapped[datetime | None] = mapped_column(default=None)


class TaskOwner(Base):
    """One assignee of a task: exactly one of a member, a guest (by email) or a group."""

    __tablename__ = "task_owners"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN user_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN guest_email IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN group_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="exactly_one_owner",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), default=None, index=True
    )
    guest_email: Mapped[str | None] = mapped_column(String(254), default=None, index=True)
    group_id: Mapped[str | None] = mapped_column(String(32), default=None, index=True)
