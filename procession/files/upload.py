"""Reading an upload's multipart body, with the size limit enforced while it streams in.

The app's `BodyGuard` (1 MiB) does not see upload routes (`is_upload`); this is their guard
instead: the file may be up to `max_upload_bytes`, the body that much plus a little for the
other fields, and reading stops as soon as either is passed. The file is spooled to a
temporary file (in memory up to 1 MiB) by Starlette's parser, never held whole in memory.
"""

import re
import unicodedata
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.types import Scope

from procession.api.prefix import PREFIX
from procession.errors import AppError, RuleViolation
from procession.files.schemas import AssetUpload
from procession.files.service import UploadTooLarge

UPLOAD_PATH = re.compile(rf"^{PREFIX}/organizations/[^/]+/(?:assets|file)$")
SLACK = 64 * 1024
"""Room in the body for the other form fields and the multipart framing."""
DRAIN = 16 * 1024 * 1024
"""After the limit, read and drop up to this much more before answering 413: a client still
sending (the SDK sends the whole body first) then reads the answer instead of a reset."""
FILE_FIELD = "name"


def is_upload(scope: Scope) -> bool:
    """Whether a request is an upload (exempt from `BodyGuard`; limited here instead)."""
    return scope["method"] == "POST" and bool(UPLOAD_PATH.match(scope["path"]))


class MalformedUpload(AppError):
    status = 400
    default_code = "BAD_REQUEST"


@dataclass
class UploadForm:
    data: AssetUpload
    file: UploadFile
    filename: str

    @property
    def declared_type(self) -> str:
        return self.file.content_type or ""


async def limited(
    stream: AsyncIterator[bytes], limit: int, file_limit: int
) -> AsyncGenerator[bytes, None]:
    size = 0
    async for chunk in stream:
        size += len(chunk)
        if size > limit:
            drained = 0
            async for rest in stream:
                drained += len(rest)
                if drained > DRAIN:
                    break
            raise UploadTooLarge(file_limit)
        yield chunk


def clean_filename(raw: str) -> str:
    """The file's own name: no directories, no control characters, at most 255 characters."""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    if not name or name in (".", ".."):
        raise RuleViolation(FILE_FIELD, "The file needs a name.")
    return name[-255:]


async def read_upload(request: Request, max_bytes: int) -> UploadForm:
    """The form of an upload request: 400 unless it is multipart, 413 past the limit, 422
    for missing or invalid fields. The caller closes `file`."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise MalformedUpload("An upload must be sent as multipart/form-data.")
    limit = max_bytes + SLACK
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + DRAIN:
        raise UploadTooLarge(max_bytes)
    parser = MultiPartParser(
        request.headers, limited(request.stream(), limit, max_bytes), max_files=1, max_fields=20
    )
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise MalformedUpload(f"Malformed multipart body: {exc.message}") from exc
    file = form.get(FILE_FIELD)
    if not isinstance(file, UploadFile):
        await form.close()
        raise RuleViolation(FILE_FIELD, f"The file is required (multipart field '{FILE_FIELD}').")
    try:
        if file.size is not None and file.size > max_bytes:
            raise UploadTooLarge(max_bytes)
        fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
        try:
            data = AssetUpload.model_validate(fields)
        except ValidationError as exc:
            raise RequestValidationError(exc.errors()) from exc
        return UploadForm(data, file, clean_filename(file.filename or ""))
    except BaseException:
        await form.close()
        raise
