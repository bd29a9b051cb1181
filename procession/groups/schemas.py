"""Wire shapes of groups (reference 4.13)."""

from typing import Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, PositiveInt, field_validator

from procession.api.schemas import Timestamp, WireModel
from procession.groups.models import Group

Name = Field(min_length=1, max_length=200)


def reject_null(value: Any) -> Any:
    if value is None:
        raise ValueError("may not be null")
    return value


class GroupCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str = Name
    description: str | None = Field(None, max_length=5000)
    members: list[PositiveInt] = []
    guests: list[EmailStr] = []


class GroupUpdate(BaseModel):
    """What the body carries changes; `members` and `guests`, when sent, replace the lists.
    Read-only keys the SDK echoes back from its GET are ignored."""

    model_config = ConfigDict(extra="ignore")

    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=5000)
    members: list[PositiveInt] | None = None
    guests: list[EmailStr] | None = None

    _not_null = field_validator("name", "members", "guests")(reject_null)


class GroupRead(WireModel):
    id: str
    name: str
    description: str | None
    logo: str | None
    members: list[int]
    guests: list[str]
    created_at: Timestamp
    updated_at: Timestamp
    last_updated: Timestamp
    deleted_at: Timestamp | None = None

    @classmethod
    def of(cls, group: Group, members: list[int], guests: list[str]) -> "GroupRead":
        return cls(
            id=group.id,
            name=group.name,
            description=group.description,
            logo=group.logo,
            members=members,
            guests=guests,
            created_at=group.created_at,
            updated_at=group.updated_at,
            last_updated=group.updated_at,
        )
