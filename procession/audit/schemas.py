"""Wire shapes of the audit trail and of permanent-delete dry runs."""

from typing import Literal

from pydantic import BaseModel

from procession.api.schemas import Timestamp, WireModel
from procession.audit.models import AuditEvent

Action = Literal["archive", "restore", "purge", "hold", "unhold"]
ObjectType = Literal["process", "template", "task", "tag"]


class AuditEventRead(WireModel):
    id: int
    action: str
    object_type: str
    object_id: str
    object_name: str
    actor_id: int | None
    counts: dict[str, int]
    created_at: Timestamp

    @classmethod
    def of(cls, event: AuditEvent) -> "AuditEventRead":
        return cls(
            id=event.id,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            object_name=event.object_name,
            actor_id=event.actor_id,
            counts=event.counts,
            created_at=event.created_at,
        )


class PurgePreview(BaseModel):
    """What a permanent delete would remove (`?dry_run=true`): rows per table."""

    dry_run: bool = True
    would_delete: dict[str, int]
