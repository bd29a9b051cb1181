"""Comments and issues on tasks (Tallyfy "threads")."""

from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procession.db.base import Base, HexIdMixin, LifecycleMixin, OrgScopedMixin, TimestampMixin
from procession.db.types import JsonType

if TYPE_CHECKING:
    from procession.tasks.models import Task


class Comment(HexIdMixin, OrgScopedMixin, TimestampMixin, LifecycleMixin, Base):
    """A comment on a task. A `problem` label makes it an issue until a `resolve` answers it.

    Deleting a comment archives it, so it stays deleted when its process is archived and
    restored (it carries its own archive batch, not the process's).
    """

    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_task_created", "task_id", "created_at"),)

    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    content: Mapped[str] = mapped_column(Text)
    label: Mapped[str] = mapped_column(String(16), default="comment")
    state: Mapped[str] = mapped_column(String(16), default="open")
    sent_to: Mapped[list[int]] = mapped_column(JsonType, default=list)
    resolve_id: Mapped[str | None] = mapped_column(String(32), default=None)

    task: Mapped["Task"] = relationship(back_populates="comments", lazy="raise")
