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


def csv_ids(value: str | None) -> tuple[str, ...]:
    """A comma-separated list of ids (groups, guests) from the query string."""
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


RunSort = Annotated[str | None, Query(pattern="^-?(created_at|name)$")]


async def one(
    session: DbSession, caller: Caller, process_id: str, includes: frozenset[str]
) -> Data[RunRead]:
    return Data(data=await process_service.describe_process(session, caller, process_id, includes))


@router.get("")
async def list_runs(
    caller: Caller,
    session: DbSession,
    page: Page,
    visibility: Archived,
    includes: With,
    request: Request,
    status: Annotated[
        str | None,
        Query(description="active, problem (or issue), delayed, complete, archived, starred"),
    ] = None,
    checklist_id: str | None = None,
    blueprint_id: str | None = None,
    owners: Annotated[str | None, Query(description="Comma-separated user ids")] = None,
    groups: Annotated[str | None, Query(description="Comma-separated group ids")] = None,
    task_status: Annotated[str | None, Query(pattern="^(all|in-progress|completed)$")] = None,
    type: Annotated[str | None, Query(pattern="^(procedure|form|document)$")] = None,
    tag: Annotated[str | None, Query(description="A tag id")] = None,
    q: Annotated[str | None, Query(description="Name contains")] = None,
    starred: bool | None = None,
    form_fields_values: bool = False,
    sort: RunSort = None,
    sort_by: RunSort = None,
    folder: Annotated[str | None, Query(description="Folder ids, comma-separated")] = None,
) -> Listing[RunRead]:
    """The organization's runs. `owners` matches the owner or an assignee; `groups` a group
    assigned to one of the run's tasks; `task_status` a task in that state (assigned to
    `owners`/`groups` when given); `form_fields_values=true` adds every task form answer."""
    filters = process_service.ProcessFilters(
        status=status,
        template_id=checklist_id or blueprint_id,
        owner_ids=csv_ints(owners),
        group_ids=csv_ids(groups),
        task_status=task_status,
        kind=type,
        tag_id=tag,
        query=q,
        starred=starred,
        sort=sort or sort_by or "-created_at",
        visibility=visibility,
        folder_ids=tuple(f.strip() for f in (folder or "").split(",") if f.strip()),
    )
    result = await process_service.list_processes(session, caller, filters=filters, page=page)
    if form_fields_values:
        includes |= {"form_fields_values"}
    items = await process_service.describe_processes(session, caller, result.items, includes)
    return Listing.of(result, items, request.url)


@router.post("", status_code=201)
async def launch_run(body: ProcessLaunch, caller: Caller, session: DbSession) -> Data[RunRead]:
    """Launch a process from a template."""
    process = await process_service.launch_process(session, caller, body)
    return await one(session, caller, process.id, frozenset())


@router.get("/{process_id}")
async def get_run(
    process_id: str,
    caller: Caller,
    session: DbSession,
    includes: With,
    form_fields_values: bool = False,
) -> Data[RunRead]:
    """A process; `?with=tasks,tags,checklist` adds them, `form_fields_values=true` its
    task form answers."""
    if form_fields_values:
        includes |= {"form_fields_values"}
    return await one(session, caller, process_id, includes)


@router.put("/{process_id}")
async def update_run(
    process_id: str, body: ProcessUpdate, caller: Caller, session: DbSession
) -> Data[RunRead]:
    await process_service.update_process(session, caller, process_id, body)
    return await one(session, caller, process_id, frozenset())


@router.post("/{process_id}/complete-prerun")
async def complete_kickoff_form(
    process_id: str, caller: Caller, session: DbSession
) -> Data[RunRead]:
    """Mark the kick-off form complete; 422 while a required kick-off field is empty."""
    await process_service.complete_kickoff(session, caller, process_id)
    return await one(session, caller, process_id, frozenset())


@router.delete("/{process_id}/complete-prerun")
async def reopen_kickoff_form(process_id: str, caller: Caller, session: DbSession) -> Data[RunRead]:
    """Reopen the kick-off form (a no-op when it is open)."""
    await process_service.reopen_kickoff(session, caller, process_id)
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
