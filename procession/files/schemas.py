"""Wire shapes of assets (reference 4.17) and of the upload form (3.16)."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from procession.api.schemas import Timestamp, WireModel
from procession.files.models import Asset

SubjectType = Literal["Checklist", "Run", "Task"]
Id = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")


class AssetUpload(BaseModel):
    """The upload form's fields besides the file (`name`)."""

    model_config = ConfigDict(extra="ignore")

    uploaded_from: str = Id
    subject_type: SubjectType
    subject_id: str = Id
    source: Literal["local", "url"] = "local"
    step_id: str | None = Field(None, pattern=r"^[A-Za-z0-9_-]{1,64}$")
    checklist_id: str | None = Field(None, pattern=r"^[A-Za-z0-9_-]{1,64}$")
    system: str | None = Field(None, max_length=64)


class AssetSubject(BaseModel):
    id: str
    type: SubjectType


class AssetRead(WireModel):
    id: str
    filename: str
    version: int
    uploaded_from: str
    uploaded_at: Timestamp
    step_id: str | None
    checklist_id: str | None
    source: str
    system: str | None
    uploaded_to_s3: bool = False
    subject: AssetSubject
    file_size: int
    mime_type: str
    url: str
    full_url: str
    archived_at: Timestamp | None

    @classmethod
    def of(cls, asset: Asset, base_url: str) -> "AssetRead":
        """`base_url` is the server's root (`http://host/`); `url` is the relative download
        link the SDK's `download_file_from_url` reads, `full_url` its absolute form."""
        subject_type, subject_id = asset.subject
        url = f"organizations/{asset.org_id}/file/{asset.id}/dl"
        uploaded_at: datetime = asset.created_at
        return cls(
            id=asset.id,
            filename=asset.filename,
            version=asset.version,
            uploaded_from=asset.uploaded_from,
            uploaded_at=uploaded_at,
            step_id=asset.step_id,
            checklist_id=asset.checklist_id,
            source=asset.source,
            system=asset.system,
            subject=AssetSubject(id=subject_id, type=subject_type),
            file_size=asset.size,
            mime_type=asset.content_type,
            url=url,
            full_url=f"{base_url.rstrip('/')}/api/{url}",
            archived_at=asset.archived_at,
        )
