"""Wire shapes of folders and folder objects (reference 4.14)."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from procession.api.schemas import Included, Timestamp, WireModel
from procession.folders.models import Folder, FolderObject

FolderType = Literal["checklist", "run"]


class FolderCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str = Field(min_length=1, max_length=200)
    parent_id: str | None = Field(None, max_length=32)
    folder_type: FolderType = "checklist"
    position: int | None = Field(None, ge=0, le=1_000_000)


class FolderUpdate(BaseModel):
    """`parent_id: null` moves the folder to the top level; an absent key leaves it. The
    type of a folder never changes (an echoed `folder_type` is ignored)."""

    model_config = ConfigDict(extra="ignore")

    name: str | None = Field(None, min_length=1, max_length=200)
    parent_id: str | None = Field(None, max_length=32)
    position: int | None = Field(None, ge=0, le=1_000_000)

    @field_validator("name", "position")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may not be null")
        return value


class FolderRead(WireModel):
    id: str
    name: str
    parent_id: str | None
    parent: str | None
    total: int
    position: int
    folder_type: str
    created_at: Timestamp
    last_updated: Timestamp
    children: Included["FolderChildren"] = None

    @classmethod
    def of(cls, folder: Folder, total: int) -> "FolderRead":
        return cls(
            id=folder.id,
            name=folder.name,
            parent_id=folder.parent_id,
            parent=folder.parent_id,
            total=total,
            position=folder.position,
            folder_type=folder.folder_type,
            created_at=folder.created_at,
            last_updated=folder.updated_at,
        )


class FolderChildren(BaseModel):
    """`{"data": [...]}`: a folder's subfolders (`with=children`), each with its own."""

    data: list[FolderRead]


FolderRead.model_rebuild()


class FolderObjectCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    folder_id: str = Field(max_length=32)
    subject_id: str = Field(max_length=32)
    subject_type: Literal["Run", "Task", "Checklist"]


class FolderObjectRead(WireModel):
    """An object in a folder. `id` is an integer: the SDK refuses any other relation id."""

    id: int
    folder_id: str
    folder_name: str
    folder_position: int
    folder_parent_id: str | None
    subject_id: str
    subject_type: str
    created_at: Timestamp

    @classmethod
    def of(cls, relation: FolderObject, folder: Folder) -> "FolderObjectRead":
        subject_type, subject_id = relation.subject
        return cls(
            id=relation.id,
            folder_id=folder.id,
            folder_name=folder.name,
            folder_position=folder.position,
            folder_parent_id=folder.parent_id,
            subject_id=subject_id,
            subject_type=subject_type,
            created_at=relation.created_at,
        )
