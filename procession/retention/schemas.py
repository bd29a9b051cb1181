"""Wire shapes of retention policies, retention runs and legal holds."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from procession.api.schemas import Timestamp, WireModel

Days = Annotated[int, Field(ge=1, le=36_500)]


class RetentionPolicyWrite(BaseModel):
    """The whole policy: a window left out or null is off. Unknown fields are refused, so a
    misspelt window never silently leaves retention off."""

    model_config = ConfigDict(extra="forbid")

    archive_completed_after_days: Days | None = None
    """Archive processes complete for this many days."""
    purge_archived_after_days: Days | None = None
    """Permanently delete what has been archived for this many days."""


class RetentionPolicyRead(WireModel):
    archive_completed_after_days: int | None
    purge_archived_after_days: int | None
    updated_at: Timestamp | None
    updated_by: int | None


class RetentionReportRead(BaseModel):
    """What one retention run did (or would do, `dry_run`) in one organization."""

    org_id: str
    org_name: str
    dry_run: bool
    archived: dict[str, int]
    purged: dict[str, int]
    rows_deleted: dict[str, int]
    kept_on_hold: dict[str, int]


class LegalHoldWrite(BaseModel):
    model_config = ConfigDict(extra="ignore")

    reason: str | None = Field(None, max_length=500)


class LegalHoldRead(WireModel):
    object_type: Literal["process", "template"]
    object_id: str
    on_hold: bool
    since: Timestamp | None
    by: int | None
    reason: str | None

    @classmethod
    def of(cls, object_type: Literal["process", "template"], obj: Any) -> "LegalHoldRead":
        since: datetime | None = obj.legal_hold_at
        return cls(
            object_type=object_type,
            object_id=obj.id,
            on_hold=since is not None,
            since=since,
            by=obj.legal_hold_by_id,
            reason=obj.legal_hold_reason,
        )
