"""An uploaded file's record. The bytes live on disk (`storage.py`), named by the record's id."""

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from procession.db.base import (
    Base,
    HexIdMixin,
    LifecycleMixin,
    OrgScopedMixin,
    SubjectLinkMixin,
    TimestampMixin,
    exactly_one_of,
)
from procession.processes.models import Process
from procession.tasks.models import Task
from procession.templates.models import Template

# Tallyfy's subject_type -> our column on Asset (one nullable foreign key per kind).
SUBJECT_COLUMNS = {"Checklist": "template_id", "Run": "process_id", "Task": "task_id"}


class Asset(SubjectLinkMixin, HexIdMixin, OrgScopedMixin, TimestampMixin, LifecycleMixin, Base):
    """A stored file, attached to a template (kick-off field), a process or a task.

    Its lifecycle follows its subject through the relationships below (declared from this
    side, so the subject models need not know about files): archiving a process or a task
    hides its files and restoring brings them back (`cascade`); a template's archive leaves
    its kick-off files alone (`ignore`, reference 2.8). A purge of any subject deletes the
    rows through ON DELETE CASCADE; `storage.py` removes the bytes once that commits.
    """

    __tablename__ = "assets"
    subject_columns = SUBJECT_COLUMNS
    __table_args__ = (exactly_one_of(SUBJECT_COLUMNS.values()),)

    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(127))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(default=1)
    uploaded_from: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16), default="local")
    system: Mapped[str | None] = mapped_column(String(64), default=None)
    step_id: Mapped[str | None] = mapped_column(String(32), default=None)
    checklist_id: Mapped[str | None] = mapped_column(String(32), default=None)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    template_id: Mapped[str | None] = mapped_column(
        ForeignKey("templates.id", ondelete="CASCADE"), default=None, index=True
    )
    process_id: Mapped[str | None] = mapped_column(
        ForeignKey("processes.id", ondelete="CASCADE"), default=None, index=True
    )
    task_id: Mapped[str | None] = mapped_column(
        ForeignKey("tasks.id", ondelete="CASCADE"), default=None, index=True
    )

    template: Mapped[Template | None] = relationship(
        lazy="raise",
        backref=backref("assets", lazy="raise", passive_deletes=True, info={"lifecycle": "ignore"}),
    )
    process: Mapped[Process | None] = relationship(
        lazy="raise",
        backref=backref(
            "assets", lazy="raise", passive_deletes=True, info={"lifecycle": "cascade"}
        ),
    )
    task: Mapped[Task | None] = relationship(
        lazy="raise",
        backref=backref(
            "assets", lazy="raise", passive_deletes=True, info={"lifecycle": "cascade"}
        ),
    )
