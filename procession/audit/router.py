"""The audit trail of archives, restores and permanent deletes."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from procession.api.deps import DbSession, Page
from procession.api.schemas import Listing, WireDateTime
from procession.audit import service as audit_service
from procession.audit.schemas import Action, AuditEventRead, ObjectType, PurgePreview
from procession.auth.deps import Caller

router = APIRouter(prefix="/organizations/{org}", tags=["audit"])


@router.get("/audit-events")
async def list_audit_events(
    caller: Caller,
    session: DbSession,
    page: Page,
    request: Request,
    action: Action | None = None,
    object_type: ObjectType | None = None,
    object_id: str | None = None,
    since: Annotated[WireDateTime | None, Query(description="On or after (UTC)")] = None,
    until: Annotated[WireDateTime | None, Query(description="Before (UTC)")] = None,
) -> Listing[AuditEventRead]:
    """Who archived, restored or permanently deleted what, and when. Admins only."""
    result = await audit_service.list_events(
        session,
        caller,
        page=page,
        action=action,
        object_type=object_type,
        object_id=object_id,
        since=since,
        until=until,
    )
    return Listing.of(result, [AuditEventRead.of(e) for e in result.items], request.url)


def purge_response(counts: dict[str, int], dry_run: bool, done: Response) -> Response:
    """The answer to a permanent delete: the resource's own success answer (`done`), or,
    for a dry run, what would have been removed."""
    if dry_run:
        return JSONResponse(PurgePreview(would_delete=counts).model_dump())
    return done
