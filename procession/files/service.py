"""Files: upload, read, archive and delete, and their bytes' part in purges.

Uploads store the bytes before the row, in the same transaction's lifetime (see
`storage.py`); deletes and purges remove the bytes only after the commit.
"""

from pathlib import Path
from typing import Any, BinaryIO, ClassVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from procession.auth.service import Principal
from procession.db import lifecycle
from procession.db.base import new_id
from procession.errors import AppError, InvalidState, NotFound, RuleViolation
from procession.files import storage
from procession.files.kinds import check_kind
from procession.files.models import SUBJECT_COLUMNS, Asset
from procession.files.repository import AssetRepository, assets_purged_with
from procession.files.schemas import AssetUpload
from procession.processes.models import Process
from procession.tasks.models import Task
from procession.templates.models import Template

SUBJECT_MODELS: dict[str, type[Any]] = {"Checklist": Template, "Run": Process, "Task": Task}


class UploadTooLarge(AppError):
    status: ClassVar[int] = 413
    default_code: ClassVar[str] = "PAYLOAD_TOO_LARGE"

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"The file is too large (the limit is {limit} bytes).",
            errors={"name": [f"The file may not be larger than {limit} bytes."]},
        )


def check_may_upload(caller: Principal) -> None:
    """403 for light members. Checked before the body is read, so nothing is streamed in
    for a caller who may not store it."""
    caller.require_editor("upload files")


async def ensure_subject(session: AsyncSession, org_id: str, data: AssetUpload) -> None:
    """404 unless the subject exists in this organization; 422 when it is archived, or when
    a process upload names a template the process was not launched from."""
    model = SUBJECT_MODELS[data.subject_type]
    columns: list[Any] = [model.archived_at]
    if model is Process:
        columns.append(Process.template_id)
    stmt = select(*columns).where(model.id == data.subject_id, model.org_id == org_id)
    found = (await session.execute(stmt)).one_or_none()
    if found is None:
        raise NotFound("Subject")
    if found[0] is not None:
        raise InvalidState("Files cannot be added to an archived subject.", field="subject_id")
    if model is Process and data.checklist_id and data.checklist_id != found[1]:
        raise RuleViolation(
            "checklist_id", "checklist_id is not the template the process was launched from."
        )


async def upload(
    session: AsyncSession,
    caller: Principal,
    data: AssetUpload,
    *,
    filename: str,
    declared_type: str,
    content: BinaryIO,
) -> Asset:
    """Store a new file for a live subject and answer its record.

    404 for a missing subject, 422 for an archived one, a disallowed extension or a content
    type that contradicts it. The bytes are written first; if this transaction is rolled
    back they are removed again."""
    check_may_upload(caller)
    await ensure_subject(session, caller.org_id, data)
    content_type = check_kind(filename, declared_type)
    asset = Asset(
        id=new_id(),
        org_id=caller.org_id,
        filename=filename,
        content_type=content_type,
        uploaded_from=data.uploaded_from,
        source=data.source,
        system=data.system,
        step_id=data.step_id,
        checklist_id=data.checklist_id,
        uploaded_by_id=caller.user_id,
        **{SUBJECT_COLUMNS[data.subject_type]: data.subject_id},
    )
    path = _path(session, caller.org_id, asset.id)
    # Registered first, so even a write cancelled half way (client gone) leaves nothing.
    storage.remove_on_rollback(session, [path])
    stored = await storage.write(content, path)
    asset.size, asset.sha256 = stored.size, stored.sha256
    session.add(asset)
    await session.flush()
    return asset


async def get_asset(session: AsyncSession, caller: Principal, asset_id: str) -> Asset:
    """The record, archived or not (404 when missing or in another organization)."""
    return await AssetRepository(session, caller.org_id).get_or_raise(asset_id)


async def open_file(
    session: AsyncSession, caller: Principal, asset_id: str
) -> tuple[Asset, BinaryIO]:
    """A live asset and its bytes, opened for reading (the caller closes them). 404 for an
    archived asset (or one whose process or task is archived) as for a missing one."""
    asset = await get_asset(session, caller, asset_id)
    if asset.archived_at is not None:
        raise NotFound("File")
    try:
        return asset, _path(session, asset.org_id, asset.id).open("rb")
    except FileNotFoundError as exc:
        raise NotFound("File") from exc


async def archive_asset(session: AsyncSession, caller: Principal, asset_id: str) -> Asset:
    """Archive the record (the bytes stay; downloads answer 404). Idempotent."""
    asset = await AssetRepository(session, caller.org_id).get_or_raise(asset_id, for_update=True)
    caller.require_editor("delete files")
    await lifecycle.archive(session, asset, caller.user_id)
    return asset


async def delete_asset(session: AsyncSession, caller: Principal, asset_id: str) -> None:
    """Delete the record now and its bytes once the transaction commits."""
    asset = await AssetRepository(session, caller.org_id).get_or_raise(asset_id, for_update=True)
    caller.require_editor("delete files")
    await session.delete(asset)
    await session.flush()
    storage.remove_after_commit(session, [_path(session, asset.org_id, asset.id)])


async def remove_files_after_purge(session: AsyncSession, obj: Any) -> None:
    """Call just before `obj` is purged: the bytes of every asset the purge deletes are
    removed once the transaction commits (kept if it rolls back)."""
    statement = assets_purged_with(obj)
    rows = (await session.execute(statement, {lifecycle.OBJECT_ID.key: obj.id})).all()
    storage.remove_after_commit(session, [_path(session, org_id, id_) for org_id, id_ in rows])


def _path(session: AsyncSession, org_id: str, asset_id: str) -> Path:
    return storage.blob_path(storage.files_dir(session), org_id, asset_id)
