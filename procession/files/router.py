"""File routes (reference 3.16): upload, metadata, archive, inline view, download, delete."""

import os
from collections.abc import AsyncIterator
from typing import Annotated, Any, BinaryIO
from urllib.parse import quote

import anyio
from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import StreamingResponse

from procession.api.deps import DbSession
from procession.api.schemas import Data
from procession.auth import service as auth_service
from procession.auth.deps import Caller, bearer_token, spend_rate_limit
from procession.auth.service import Principal
from procession.files import service as file_service
from procession.files.models import Asset
from procession.files.schemas import AssetRead
from procession.files.upload import FILE_FIELD, read_upload

router = APIRouter(prefix="/organizations/{org}", tags=["files"])

CHUNK = 256 * 1024
UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": [FILE_FIELD, "uploaded_from", "subject_type", "subject_id"],
                    "properties": {
                        FILE_FIELD: {"type": "string", "format": "binary"},
                        "uploaded_from": {"type": "string"},
                        "subject_type": {"enum": ["Checklist", "Run", "Task"]},
                        "subject_id": {"type": "string"},
                        "source": {"enum": ["local", "url"]},
                        "step_id": {"type": "string"},
                        "checklist_id": {"type": "string"},
                        "system": {"type": "string"},
                    },
                }
            }
        },
    }
}
BYTES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/octet-stream": {}}, "description": "The file's bytes"}
}


async def upload_caller(
    org: str,
    token: Annotated[str, Depends(bearer_token)],
    request: Request,
    response: Response,
) -> Principal:
    """The caller, authenticated in a short read-only transaction of its own: an upload must
    not hold a write transaction (on SQLite, the database's write lock) while its bytes
    stream in."""
    async with request.app.state.database.transaction(writes=False) as session:
        principal = await auth_service.principal_for_token(session, token, org)
    spend_rate_limit(request, response, principal.org_id)
    return principal


@router.post("/assets", openapi_extra=UPLOAD_BODY)
@router.post("/file", openapi_extra=UPLOAD_BODY)
async def upload_file(
    caller: Annotated[Principal, Depends(upload_caller)], request: Request
) -> Data[AssetRead]:
    """Store a file (multipart: the file in `name`) for a template's kick-off form
    (`Checklist`), a process (`Run`) or a task. It is attached to a form field by sending
    the returned object in the task's `taskdata`.

    Two transactions: the caller's (above), then, once the body is in, the one that checks
    the subject, writes the bytes and then the row, and commits; the bytes are removed if
    it fails."""
    file_service.check_may_upload(caller)
    form = await read_upload(request, request.app.state.settings.max_upload_bytes)
    try:
        async with request.app.state.database.transaction() as session:
            asset = await file_service.upload(
                session,
                caller,
                form.data,
                filename=form.filename,
                declared_type=form.declared_type,
                content=form.file.file,
            )
    finally:
        await form.file.close()
    return Data(data=AssetRead.of(asset, str(request.base_url)))


@router.get("/assets/{asset_id}")
async def get_asset(
    asset_id: str, caller: Caller, session: DbSession, request: Request
) -> Data[AssetRead]:
    asset = await file_service.get_asset(session, caller, asset_id)
    return Data(data=AssetRead.of(asset, str(request.base_url)))


@router.delete("/assets/{asset_id}")
async def archive_asset(
    asset_id: str, caller: Caller, session: DbSession, request: Request
) -> Data[AssetRead]:
    """Archive the file's record: downloads answer 404; the bytes are kept."""
    asset = await file_service.archive_asset(session, caller, asset_id)
    return Data(data=AssetRead.of(asset, str(request.base_url)))


@router.get("/file/{asset_id}/dl", response_class=Response, responses=BYTES)
async def download_file(asset_id: str, caller: Caller, session: DbSession) -> Response:
    """The file's bytes as an attachment (`application/octet-stream`), streamed."""
    asset, handle = await file_service.open_file(session, caller, asset_id)
    return stream(asset, handle, "application/octet-stream", "attachment")


@router.get("/file/{asset_id}", response_class=Response, responses=BYTES)
async def view_file(asset_id: str, caller: Caller, session: DbSession) -> Response:
    """The file's bytes with their own content type, to show inline."""
    asset, handle = await file_service.open_file(session, caller, asset_id)
    return stream(asset, handle, asset.content_type, "inline")


@router.delete("/file/{asset_id}", response_class=Response)
async def delete_file(asset_id: str, caller: Caller, session: DbSession) -> Response:
    """Delete the record and, once that commits, the bytes. 200 with an empty body."""
    await file_service.delete_asset(session, caller, asset_id)
    return Response(status_code=200)


def stream(asset: Asset, handle: BinaryIO, media_type: str, disposition: str) -> Response:
    headers = {
        "Content-Length": str(os.fstat(handle.fileno()).st_size),
        "Content-Disposition": content_disposition(disposition, asset.filename),
        "X-Content-Type-Options": "nosniff",
        # Uploaded content is never a page of ours: no scripts, no same-origin access.
        "Content-Security-Policy": "sandbox",
    }
    return StreamingResponse(chunks(handle), media_type=media_type, headers=headers)


async def chunks(handle: BinaryIO) -> AsyncIterator[bytes]:
    try:
        while chunk := await anyio.to_thread.run_sync(handle.read, CHUNK):
            yield chunk
    finally:
        handle.close()


def content_disposition(kind: str, filename: str) -> str:
    """`attachment; filename="..."` with an ASCII fallback, and the exact name (RFC 6266)."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename
    )
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
