"""Wire shapes of tags and tag associations."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from procession.api.schemas import Timestamp, WireModel
from procession.tags.models import Tag, Tagging

Color = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")]
SubjectType = Literal["Checklist", "Run", "Task", "Step"]


class TagCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    title: str = Field(min_length=1, max_length=30)
    color: Color | None = None
    type: Literal["private", "public"] | None = None
    auto_generated: bool = False


class TagUpdate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    title: str | None = Field(None, min_length=1, max_length=30)
    color: Color | None = None

    @field_validator("title")
    @classmethod
    def _title_not_null(cls, value: str | None) -> str:
        if value is None:
            raise ValueError("may not be null")
        return value


class TagRead(WireModel):
    id: str
    title: str
    color: str | None
    type: str | None
    auto_generated: bool
    created_at: Timestamp
    last_updated: Timestamp
    deleted_at: Timestamp | None

    @classmethod
    def of(cls, tag: Tag) -> "TagRead":
        return cls(
            id=tag.id,
            title=tag.title,
            color=tag.color,
            type=tag.tag_type,
            auto_generated=tag.is_auto_generated,
            created_at=tag.created_at,
            last_updated=tag.updated_at,
            deleted_at=tag.archived_at,
        )


class TaggingCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    tag_id: str
    subject_type: SubjectType
    subject_id: str
    tag_type: Literal["private", "public"] = "private"


class TaggingRead(WireModel):
    """A tag on a subject. `id` is an integer: the SDK's untag helpers insist on digits."""

    id: int
    tag_id: str
    title: str
    color: str | None
    subject_id: str
    subject_type: str
    created_at: Timestamp

    @classmethod
    def of(cls, tagging: Tagging, tag: Tag) -> "TaggingRead":
        subject_type, subject_id = tagging.subject
        return cls(
            id=tagging.id,
            tag_id=tag.id,
            title=tag.title,
            color=tag.color,
            subject_id=subject_id,
            subject_type=subject_type,
            created_at=tagging.created_at,
        )
