"""Bulk archive, restore and permanent delete, and the progress of bulk jobs."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request, Response

from procession.api.deps import DbSession, Page
from procession.api.schemas import Data, Listing
from procession.auth.deps import Caller
from procession.bulk import service as bulk_service
from procession.bulk.models import BulkJob
from procession.bulk.schemas import Action, BulkJobRead, BulkRequest, BulkResult, ItemResult

router = APIRouter(prefix="/organizations/{org}/bulk", tags=["bulk"])
JobStatus = Literal["queued", "running", "done", "failed"]


def job_read(request: Request, job: BulkJob) -> BulkJobRead:
    links = {
        "self": str(request.url_for("get_bulk_job", org=job.org_id, job_id=job.id)),
        "items": str(request.url_for("list_bulk_job_items", org=job.org_id, job_id=job.id)),
    }
    return BulkJobRead.of(job, links)


@router.get("/jobs")
async def list_bulk_jobs(
    caller: Caller,
    session: DbSession,
    page: Page,
    request: Request,
    status: JobStatus | None = None,
) -> Listing[BulkJobRead]:
    """Bulk jobs, newest first: every job of the organization for admins, a member's own
    jobs otherwise."""
    result = await bulk_service.list_jobs(session, caller, page, status=status)
    return Listing.of(result, [job_read(request, job) for job in result.items], request.url)


@router.get("/jobs/{job_id}")
async def get_bulk_job(
    job_id: str, caller: Caller, session: DbSession, request: Request
) -> Data[BulkJobRead]:
    """A job's status and progress (`processed` of `total`, and each outcome's count)."""
    return Data(data=job_read(request, await bulk_service.get_job(session, caller, job_id)))


@router.get("/jobs/{job_id}/items")
async def list_bulk_job_items(
    job_id: str,
    caller: Caller,
    session: DbSession,
    page: Page,
    request: Request,
    outcome: Annotated[
        Literal["done", "not_found", "refused"] | None, Query(description="Only this outcome")
    ] = None,
) -> Listing[ItemResult]:
    """The outcome of each object the job has handled so far, in selection order."""
    result = await bulk_service.list_items(session, caller, job_id, page, outcome=outcome)
    return Listing.of(result, [ItemResult.of(item) for item in result.items], request.url)


RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": Data[BulkResult], "description": "Handled in the request: one result each"},
    202: {"model": Data[BulkJobRead], "description": "Too many objects: a job was queued"},
}


async def start(
    action: Action,
    body: BulkRequest,
    caller: Caller,
    session: DbSession,
    request: Request,
    response: Response,
) -> Data[BulkResult] | Data[BulkJobRead]:
    """Up to the server's bulk limit, handle every object now (200); above it, queue a job
    and answer it (202)."""
    settings = request.app.state.settings
    outcome = await bulk_service.submit(
        session, caller, action, body, sync_limit=settings.bulk_sync_limit
    )
    if isinstance(outcome, BulkResult):
        return Data(data=outcome)
    response.status_code = 202
    return Data(data=job_read(request, outcome))


ABOUT = """

Objects of one `type` are chosen by `ids` or by a `filter` made of the list endpoint's query
parameters (among live objects for an archive, archived ones for a restore or delete). Each
gets an outcome: `done`, `not_found` (missing, or another organization's) or `refused`, with
the `reason` and `code` the single endpoint would answer. Each object is handled on its own,
so a refused one changes nothing. Up to the server's bulk limit the answer is 200 with every
result; larger selections answer 202 with a job to poll (`links.self`) whose results are at
`links.items`. `dry_run` reports what would happen and writes nothing."""


DESCRIPTIONS: dict[Action, str] = {
    "archive": "Archive many objects (standard members and admins; 403 otherwise).",
    "restore": "Restore many archived objects (standard members and admins).",
    "delete": "Permanently delete many archived objects (admins only).",
}


def action_route(action: Action) -> None:
    """`POST /bulk/<action>`: one route per action, so each is documented (and its role
    checked) on its own."""

    @router.post(
        f"/{action}",
        name=f"bulk_{action}",
        response_model=None,
        responses=RESPONSES,
        description=DESCRIPTIONS[action] + ABOUT,
    )
    async def bulk(
        body: Annotated[BulkRequest, Body()],
        caller: Caller,
        session: DbSession,
        request: Request,
        response: Response,
    ) -> Data[BulkResult] | Data[BulkJobRead]:
        return await start(action, body, caller, session, request, response)


for _action in DESCRIPTIONS:
    action_route(_action)
