"""Folders: a tree per organization and type; filing runs, tasks and templates in them."""

from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from procession.auth.service import Principal
from procession.db.repository import AnySelect, PageRequest, PageResult, paginate
from procession.db.types import utcnow
from procession.errors import NotFound, RuleViolation
from procession.folders.models import SUBJECT_COLUMNS, Folder, FolderObject
from procession.folders.repository import FolderRepository, subject_column
from procession.folders.schemas import (
    FolderChildren,
    FolderCreate,
    FolderObjectCreate,
    FolderRead,
    FolderUpdate,
)
from procession.processes.models import Process
from procession.tasks.models import Task

SORTS = {
    "position": (Folder.position, Folder.name, Folder.id),
    "name": (Folder.name, Folder.id),
    "-name": (Folder.name.desc(), Folder.id),
    "created_at": (Folder.created_at, Folder.id),
}
# Run folders hold processes and tasks; checklist folders hold templates (filed through
# the template's `folder_id`, never through `add-object`, as in Tallyfy).
SUBJECT_MODELS: dict[str, Any] = {"Run": Process, "Task": Task}


def select_folders(
    session: AsyncSession,
    caller: Principal,
    *,
    folder_type: str,
    query: str | None = None,
    parent_id: str | None = None,
    sort: str = "position",
) -> AnySelect:
    """The folders a list shows: the top level of the tree (or the children of `parent_id`);
    with `query`, every folder whose name contains it, at any depth."""
    stmt = FolderRepository(session, caller.org_id).base().where(Folder.folder_type == folder_type)
    if query:
        stmt = stmt.where(func.lower(Folder.name).contains(query.lower(), autoescape=True))
    elif parent_id:
        stmt = stmt.where(Folder.parent_id == parent_id)
    else:
        stmt = stmt.where(Folder.parent_id.is_(None))
    return stmt.order_by(*SORTS.get(sort, SORTS["position"]))


async def list_folders(
    session: AsyncSession,
    caller: Principal,
    *,
    page: PageRequest,
    folder_type: str,
    query: str | None = None,
    parent_id: str | None = None,
    sort: str = "position",
) -> PageResult[Folder]:
    stmt = select_folders(
        session, caller, folder_type=folder_type, query=query, parent_id=parent_id, sort=sort
    )
    return await paginate(session, stmt, page)


async def describe_folders(
    session: AsyncSession, caller: Principal, folders: list[Folder], *, children: bool
) -> list[FolderRead]:
    """Wire views of `folders`; with `children`, each carries its subtree, nested. A fixed
    number of queries: the whole tree of each type once, and one count of objects."""
    repo = FolderRepository(session, caller.org_id)
    everything: dict[str, Folder] = {folder.id: folder for folder in folders}
    if children:
        for folder_type in {folder.folder_type for folder in folders}:
            everything.update({f.id: f for f in await repo.tree(folder_type)})
    totals = await repo.totals(list(everything))
    under: dict[str | None, list[Folder]] = {}
    for folder in sorted(everything.values(), key=lambda f: (f.position, f.name, f.id)):
        under.setdefault(folder.parent_id, []).append(folder)

    def view(folder: Folder, seen: frozenset[str]) -> FolderRead:
        read = FolderRead.of(folder, totals[folder.id])
        if children:
            kids = [k for k in under.get(folder.id, []) if k.id not in seen]
            read.children = FolderChildren(data=[view(k, seen | {k.id}) for k in kids])
        return read

    return [view(folder, frozenset({folder.id})) for folder in folders]


async def get_folder(
    session: AsyncSession, caller: Principal, folder_id: str, *, for_update: bool = False
) -> Folder:
    return await FolderRepository(session, caller.org_id).get_or_raise(
        folder_id, for_update=for_update
    )


async def parent_folder(repo: FolderRepository, parent_id: str, folder_type: str) -> Folder:
    """The parent a folder is put under: 422 unless a folder of this organization and type."""
    parent = await repo.get(parent_id)
    if parent is None:
        raise RuleViolation("parent_id", "Parent folder not found.")
    if parent.folder_type != folder_type:
        raise RuleViolation("parent_id", f"The parent folder is not a {folder_type} folder.")
    return parent


async def create_folder(session: AsyncSession, caller: Principal, data: FolderCreate) -> Folder:
    """Create a folder, last among its siblings unless `position` says otherwise."""
    caller.require_editor("create folders")
    repo = FolderRepository(session, caller.org_id)
    if data.parent_id is not None:
        await parent_folder(repo, data.parent_id, data.folder_type)
    position = data.position
    if position is None:
        position = await repo.next_position(data.folder_type, data.parent_id)
    folder = repo.add(
        Folder(
            org_id=caller.org_id,
            name=data.name,
            folder_type=data.folder_type,
            parent_id=data.parent_id,
            position=position,
        )
    )
    await session.flush()
    return folder


async def update_folder(
    session: AsyncSession, caller: Principal, folder_id: str, data: FolderUpdate
) -> Folder:
    """Rename, move or reorder a folder; a moved folder goes last among its new siblings
    unless `position` says otherwise. 422 when the new parent is missing, of another type,
    or the folder itself or one of its descendants (a cycle)."""
    repo = FolderRepository(session, caller.org_id)
    folder = await repo.get_or_raise(folder_id, for_update=True)
    caller.require_editor("edit folders")
    changes = data.model_dump(exclude_unset=True)
    if changes.get("parent_id") is not None:
        parent = await parent_folder(repo, changes["parent_id"], folder.folder_type)
        parents = {f.id: f.parent_id for f in await repo.tree(folder.folder_type)}
        ancestor: str | None = parent.id
        while ancestor is not None:
            if ancestor == folder.id:
                raise RuleViolation(
                    "parent_id", "A folder cannot be moved into itself or its own subfolder."
                )
            ancestor = parents.get(ancestor)
    moved = "parent_id" in changes and changes["parent_id"] != folder.parent_id
    if moved and "position" not in changes:  # last among its new siblings
        changes["position"] = await repo.next_position(folder.folder_type, changes["parent_id"])
    for key in ("name", "parent_id", "position"):
        if key in changes:
            setattr(folder, key, changes[key])
    folder.updated_at = utcnow()
    await session.flush()
    return folder


async def delete_folder(session: AsyncSession, caller: Principal, folder_id: str) -> None:
    """Delete a folder for good. What was filed in it is un-filed, not deleted (its
    relation rows go, ON DELETE CASCADE); its child folders move to the top level with
    their own contents and subfolders (ON DELETE SET NULL), as Tallyfy un-files them."""
    folder = await get_folder(session, caller, folder_id, for_update=True)
    caller.require_editor("delete folders")
    await session.delete(folder)
    await session.flush()


async def ensure_live_subject(
    session: AsyncSession, org_id: str, subject_type: str, subject_id: str
) -> None:
    """422 "Subject not found" unless the run or task is live and in this organization."""
    model = SUBJECT_MODELS[subject_type]
    stmt = select(model.archived_at).where(model.id == subject_id, model.org_id == org_id)
    found = (await session.execute(stmt)).one_or_none()
    if found is None or found[0] is not None:
        raise RuleViolation("subject_id", "Subject not found")


async def add_object(
    session: AsyncSession, caller: Principal, data: FolderObjectCreate
) -> tuple[FolderObject, Folder]:
    """File a live run or task in a run folder; answers the existing relation if it is
    already there. Templates go through `PUT /checklists/{id}` with `folder_id` (422)."""
    caller.require_editor("file objects in folders")
    if data.subject_type == "Checklist":
        raise RuleViolation(
            "subject_type", "Templates are filed with PUT checklists/{id} and folder_id."
        )
    folder = await FolderRepository(session, caller.org_id).get(data.folder_id)
    if folder is None:
        raise RuleViolation("folder_id", "Folder not found")
    if folder.folder_type != "run":
        raise RuleViolation("folder_id", "Runs and tasks can only be filed in run folders.")
    await ensure_live_subject(session, caller.org_id, data.subject_type, data.subject_id)
    column = subject_column(data.subject_type)
    stmt = select(FolderObject).where(
        FolderObject.folder_id == folder.id, column == data.subject_id
    )
    existing = (await session.scalars(stmt)).first()
    if existing is not None:
        return existing, folder
    relation = FolderObject(
        folder_id=folder.id, **{SUBJECT_COLUMNS[data.subject_type]: data.subject_id}
    )
    session.add(relation)
    await session.flush()
    return relation, folder


async def remove_object(session: AsyncSession, caller: Principal, relation_id: int) -> None:
    """Un-file one object (by the integer relation id). The object itself stays."""
    found = await FolderRepository(session, caller.org_id).get_relation(relation_id)
    if found is None:
        raise NotFound("Folder object")
    caller.require_editor("remove objects from folders")
    await session.delete(found[0])
    await session.flush()


async def file_template(
    session: AsyncSession, org_id: str, template_id: str, folder_id: str | None
) -> None:
    """Put a template in a checklist folder of its organization (or in none, for `None`),
    replacing the folder it was in. 422 on `folder_id` for any other folder."""
    if folder_id is not None:
        folder = await FolderRepository(session, org_id).get(folder_id)
        if folder is None:
            raise RuleViolation("folder_id", "Folder not found")
        if folder.folder_type != "checklist":
            raise RuleViolation("folder_id", "Templates can only be filed in checklist folders.")
    await session.execute(delete(FolderObject).where(FolderObject.template_id == template_id))
    if folder_id is not None:
        session.add(FolderObject(folder_id=folder_id, template_id=template_id))
    await session.flush()
