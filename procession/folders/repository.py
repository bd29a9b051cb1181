"""Folder statements. Other features filter their lists with `filed_in`."""

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.sql.elements import BindParameter, ColumnElement

from procession.db.repository import AnySelect, Repository
from procession.folders.models import SUBJECT_COLUMNS, Folder, FolderObject
from procession.processes.models import Process
from procession.tasks.models import Task
from procession.templates.models import Template


def subject_column(subject_type: str) -> ColumnElement[Any]:
    column: ColumnElement[Any] = getattr(FolderObject, SUBJECT_COLUMNS[subject_type])
    return column


def filed_in(
    subject_type: str, folder_ids: list[str] | tuple[str, ...] | BindParameter[Any]
) -> AnySelect:
    """The ids of the `subject_type` objects filed in any of these folders (or an expanding
    bind parameter for them), for an `IN` clause (`GET /checklists?folder=`,
    `GET /runs?folder=`). The folders' organization need not be checked: the outer list is
    already scoped to the caller's."""
    column = subject_column(subject_type)
    return select(column).where(FolderObject.folder_id.in_(folder_ids), column.is_not(None))


class FolderRepository(Repository[Folder]):
    model = Folder
    resource = "Folder"

    async def tree(self, folder_type: str) -> list[Folder]:
        """Every folder of this organization and type, by position (one query)."""
        stmt = (
            self.base()
            .where(Folder.folder_type == folder_type)
            .order_by(Folder.position, Folder.name, Folder.id)
        )
        return list((await self.session.scalars(stmt)).all())

    async def totals(self, folder_ids: list[str]) -> dict[str, int]:
        """How many live objects each folder holds (one query)."""
        found = dict.fromkeys(folder_ids, 0)
        if not folder_ids:
            return found
        archived = func.coalesce(Template.archived_at, Process.archived_at, Task.archived_at)
        stmt = (
            select(FolderObject.folder_id, func.count())
            .outerjoin(Template, Template.id == FolderObject.template_id)
            .outerjoin(Process, Process.id == FolderObject.process_id)
            .outerjoin(Task, Task.id == FolderObject.task_id)
            .where(FolderObject.folder_id.in_(folder_ids), archived.is_(None))
            .group_by(FolderObject.folder_id)
        )
        found.update(dict((await self.session.execute(stmt)).all()))
        return found

    async def next_position(self, folder_type: str, parent_id: str | None) -> int:
        stmt = select(func.coalesce(func.max(Folder.position), 0) + 1).where(
            Folder.org_id == self.org_id,
            Folder.folder_type == folder_type,
            Folder.parent_id.is_(None) if parent_id is None else Folder.parent_id == parent_id,
        )
        return int((await self.session.execute(stmt)).scalar_one())

    async def get_relation(self, relation_id: int) -> tuple[FolderObject, Folder] | None:
        stmt = (
            select(FolderObject, Folder)
            .join(Folder, Folder.id == FolderObject.folder_id)
            .where(FolderObject.id == relation_id, Folder.org_id == self.org_id)
        )
        row = (await self.session.execute(stmt)).one_or_none()
        return (row[0], row[1]) if row else None

    async def template_folders(self, template_ids: list[str]) -> dict[str, str]:
        """The folder each of these templates is filed in (templates in none are absent)."""
        if not template_ids:
            return {}
        stmt = select(FolderObject.template_id, FolderObject.folder_id).where(
            FolderObject.template_id.in_(template_ids)
        )
        return {t: f for t, f in (await self.session.execute(stmt)).all() if t is not None}
