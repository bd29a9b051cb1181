"""Tags and their links to templates, processes, tasks and steps."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from procession.db.base import (
    Base,
    HexIdMixin,
    LifecycleMixin,
    OrgScopedMixin,
    SubjectLinkMixin,
    TimestampMixin,
    exactly_one_of,
    live_rows_only,
)
from procession.db.types import utcnow

# The subjects a tag can be attached to: Tallyfy's subject_type -> our column on Tagging.
SUBJECT_COLUMNS = {
    "Checklist": "template_id",
    "Run": "process_id",
    "Task": "task_id",
    "Step": "step_id",
}


class Tag(HexIdMixin, OrgScopedMixin, TimestampMixin, LifecycleMixin, Base):
    """A label. Titles are unique among an organization's live tags."""

    __tablename__ = "tags"
    __table_args__ = (
        Index(
            "uq_tags_org_title_live",
            "org_id",
            "title",
            unique=True,
            **live_rows_only(),
        ),
    )

    title: Mapped[str] = mapped_column(String(30))
    color: Mapped[str | None] = mapped_column(String(7), default=None)
    tag_type: Mapped[str | None] = mapped_column(String(16), default=None)
    is_auto_generated: Mapped[bool] = mapped_column(default=False)


class Tagging(SubjectLinkMixin, Base):
    """A tag on one subject. One nullable foreign key per subject kind, exactly one set, so the
    database deletes the link with either side (ON DELETE CASCADE) on every engine.

    A link is visible only while both its tag and its subject are live, so archiving either
    hides it and restoring brings it back without touching this row.
    """

    __tablename__ = "taggings"
    subject_columns = SUBJECT_COLUMNS
    __table_args__ = (
        exactly_one_of(SUBJECT_COLUMNS.values()),
        # Its index finds a tag's links too: no index of tag_id alone.
        UniqueConstraint("tag_id", "template_id", "process_id", "task_id", "step_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tag_id: Mapped[str] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"))
    template_id: Mapped[str | None] = mapped_column(
        ForeignKey("templates.id", ondelete="CASCADE"), default=None, index=True
    )
    process_id: Mapped[str | None] = mapped_column(
        ForeignKey("processes.id", ondelete="CASCADE"), default=None, index=True
    )
    task_id: Mapped[str | None] = mapped_column(
        ForeignKey("tasks.id", ondelete="CASCADE"), default=None, index=True
    )
    step_id: Mapped[str | None] = mapped_column(
        ForeignKey("template_steps.id", ondelete="CASCADE"), default=None, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
