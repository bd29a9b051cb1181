"""Folders and the objects filed in them."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from procession.db.base import (
    Base,
    HexIdMixin,
    OrgScopedMixin,
    SubjectLinkMixin,
    TimestampMixin,
    exactly_one_of,
)
from procession.db.types import utcnow

FOLDER_TYPES = ("checklist", "run")

# What can be filed, Tallyfy's subject_type -> our column on FolderObject.
SUBJECT_COLUMNS = {"Checklist": "template_id", "Run": "process_id", "Task": "task_id"}


class Folder(HexIdMixin, OrgScopedMixin, TimestampMixin, Base):
    """A folder of templates (`checklist`) or of processes and tasks (`run`), in a tree.

    Deleting a folder is permanent: what was filed in it is un-filed (its `FolderObject`
    rows go, ON DELETE CASCADE) and its child folders move to the top level (ON DELETE SET
    NULL), as in Tallyfy.
    """

    __tablename__ = "folders"

    name: Mapped[str] = mapped_column(String(200))
    folder_type: Mapped[str] = mapped_column(String(16), default="checklist")
    parent_id: Mapped[str | None] = mapped_column(
        ForeignKey("folders.id", ondelete="SET NULL"), default=None, index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=1)


class FolderObject(SubjectLinkMixin, Base):
    """One object in one folder. One nullable foreign key per subject kind, exactly one set,
    so the database removes the row with the folder or with its subject (a purged template,
    process or task) on every engine.

    A process or task may sit in several folders; a template sits in at most one (Tallyfy
    files it through the template's `folder_id`).
    """

    __tablename__ = "folder_objects"
    subject_columns = SUBJECT_COLUMNS
    __table_args__ = (
        exactly_one_of(SUBJECT_COLUMNS.values()),
        # Their indexes find a folder's objects too: no index of folder_id alone.
        UniqueConstraint("folder_id", "process_id", name="uq_folder_objects_folder_process"),
        UniqueConstraint("folder_id", "task_id", name="uq_folder_objects_folder_task"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    folder_id: Mapped[str] = mapped_column(ForeignKey("folders.id", ondelete="CASCADE"))
    template_id: Mapped[str | None] = mapped_column(
        ForeignKey("templates.id", ondelete="CASCADE"), default=None, unique=True
    )
    process_id: Mapped[str | None] = mapped_column(
        ForeignKey("processes.id", ondelete="CASCADE"), default=None, index=True
    )
    task_id: Mapped[str | None] = mapped_column(
        ForeignKey("tasks.id", ondelete="CASCADE"), default=None, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
