"""Process (run) routes."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from procession.api.deps import Archived, DbSession, Page, With
from procession.api.schemas import Data, Listing
from procession.audit import service as audit_service
from procession.audit.router import purge_response
from procession.auth.deps import Caller
from procession.errors import RuleViolation
from procession.processes import service as process_service
from procession.processes.schemas import ProcessLaunch, ProcessUpdate, RunRead

router = APIRouter(prefix="/organizations/{org}/runs", tags=["processes"])


def csv_ints(value: str | None, name: str = "owners") -> tuple[int, ...]:
    """A comma-separated list of user ids from the query string (422 for anything else)."""
    parts = [part.strip() for part in (value or "").split(",") if part.strip()]
    if not all(part.isdigit() for part in parts):
        raise RuleViolation(name, f"{name} must be comma-separated user ids")
    return tuple(int(part) for part in parts)


async def one(
    session: DbSession, caller: Caller, process_id: str, includes: frozenset[str]
) -> Data[RunRead]:
    process = await process_service.get_process(session, caller, process_id)
    return Data(
        data=(await process_service.describe_processes(session, caller, [process], includes))[0]
    )


@router.get("")
async def list_runs(
    caller: Caller,
    session: DbSession,
    page: Page,
    visibility: Archived,
    includes: With,
    request: Request,
    status: Annotated[
        str | None, Query(description="active, problem, complete, archived, starred")
    ] = None,
    checklist_id: str | None = None,
    blueprint_id: str | None = None,
    owners: Annotated[str | None, Query(description="Comma-separated user ids")] = None,
    tag: Annotated[str | None, Query(description="A tag id")] = None,
    q: Annotated[str | None, Query(description="Name contains")] = None,
    starred: bool | None = None,
    sort: Annotated[str, Query(pattern="^-?(created_at|name)$")] = "-created_at",
    folder: Annotated[str | None, Query(description="Folder ids, comma-separated")] = None,
) -> Listing[RunRead]:
    filters = process_service.ProcessFilters(
        status=status,
        template_id=checklist_id or blueprint_id,
        owner_ids=csv_ints(owners),
        tag_id=tag,
        query=q,
        starred=starred,
        sort=sort,
        visibility=visibility,
        folder_ids=tuple(f.strip() for f in (folder or "").split(",") if f.strip()),
    )
    result = await process_service.list_processes(session, caller, filters=filters, page=page)
    items = await process_service.describe_processes(session, caller, result.items, includes)
    return Listing.of(result, items, request.url)


@router.post("", status_code=201)
async def launch_run(body: ProcessLaunch, caller: Caller, session: DbSession) -> Data[RunRead]:
    """Launch a process from a template."""
    process = await process_service.launch_process(session, caller, body)
    return await one(session, caller, process.id, frozenset())


@router.get("/{process_id}")
async def get_run(
    process_id: str, caller: Caller, session: DbSession, includes: With
) -> Data[RunRead]:
    """A process; `?with=tasks,tags,checklist` adds them."""
    return await one(session, caller, process_id, includes)


@router.put("/{process_id}")
async def update_run(
    process_id: str, body: ProcessUpdate, caller: Caller, session: DbSession
) -> Data[RunRead]:
    await process_service.update_process(session, caller, process_id, body)
    return await one(session, caller, process_id, frozenset())


@router.delete("/{process_id}")
async def archive_run(process_id: str, caller: Caller, session: DbSession) -> Data[RunRead]:
    """Archive a process: it and its tasks and comments leave the default views, kept whole."""
    process = await process_service.get_process(session, caller, process_id, for_update=True)
    await audit_service.archive(session, caller, process)
    return await one(session, caller, process_id, frozenset())


@router.put("/{process_id}/activate")
async def restore_run(process_id: str, caller: Caller, session: DbSession) -> Data[RunRead]:
    """Restore an archived process exactly as it was, with its previous status."""
    process = await process_service.get_process(session, caller, process_id, for_update=True)
    await audit_service.restore(session, caller, process)
    return await one(session, caller, process_id, frozenset())


@router.delete(
    "/{process_id}/delete",
    response_model=None,
    response_class=Response,
    responses={
        200: {
            # Tallyfy answers the delete with 200 and an empty body, so no media type is
            # documented; the dry run shares the status and answers a JSON `PurgePreview`.
            "description": "Deleted: an empty body. With `dry_run=true`, a JSON "
            "`PurgePreview` (`{dry_run, would_delete: {table: rows}}`) instead."
        }
    },
)
async def purge_run(
    process_id: str, caller: Caller, session: DbSession, dry_run: bool = False
) -> Response:
    """Permanently delete an archived process and everything that belongs to it. Admins
    only; 422 while it is not archived. `?dry_run=true` only counts what would go."""
    process = await process_service.get_process(session, caller, process_id, for_update=True)
    counts = await audit_service.purge(session, caller, process, dry_run=dry_run)
    return purge_response(counts, dry_run, Response(status_code=200))
