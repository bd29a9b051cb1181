"""Task routes: a process's tasks, one-off tasks, and the caller's or a member's tasks."""

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from procession.api.deps import Archived, DbSession, Page, With
from procession.api.schemas import Data, Listing, parse_wire_datetime
from procession.audit import service as audit_service
from procession.audit.router import purge_response
from procession.audit.schemas import PurgePreview
from procession.auth.deps import Caller
from procession.db.repository import PageRequest, PageResult
from procession.errors import RuleViolation
from procession.orgs import service as org_service
from procession.processes.router import csv_ids, csv_ints
from procession.tasks import service as task_service
from procession.tasks.creation import create_oneoff_task
from procession.tasks.models import Task
from procession.tasks.schemas import (
    OneOffTaskCreate,
    TaskCompleted,
    TaskCompletion,
    TaskRead,
    TaskUpdate,
)
from procession.tasks.service import SORT_PATTERN, RunTaskFilters, TaskFilters

router = APIRouter(prefix="/organizations/{org}", tags=["tasks"])
ALL_ROWS = 10_000
Status = Annotated[str | None, Query(description="active, complete, incomplete, overdue, all…")]
SortBy = Annotated[
    str | None,
    Query(pattern=SORT_PATTERN, description="deadline, newest, completed_newest, problems; -x"),
]


def unpaginated(page: PageRequest, without_pagination: bool) -> PageRequest:
    """`without_pagination=true` answers every row in one page (capped at 10,000)."""
    return PageRequest(page=1, per_page=ALL_ROWS) if without_pagination else page


def deadline_bound(value: str | None, name: str, *, end: bool = False) -> datetime | None:
    """A deadline bound from the query string: a date-time, or a date (a whole day: as an
    end bound, the day is included)."""
    if value is None or not value.strip():
        return None
    try:
        bound: datetime = parse_wire_datetime(value)
    except ValueError as exc:
        raise RuleViolation(name, f"{name} must be a date or a date-time") from exc
    is_date = len(value.strip()) == len("2026-01-31")
    return bound + timedelta(days=1) if end and is_date else bound


def deadline_window(
    start: str | None, end: str | None, on: str | None, before: str | None, after: str | None
) -> tuple[datetime | None, datetime | None]:
    """`[from, to)` from Tallyfy's deadline filters: the ranges (inclusive), `deadline_on` (a
    day), `deadline_before` and `deadline_after` (exclusive). The narrowest bound wins."""
    lows = [
        deadline_bound(start, "deadline_start_range"),
        deadline_bound(on, "deadline_on"),
    ]
    highs = [
        deadline_bound(end, "deadline_end_range", end=True),
        deadline_bound(on, "deadline_on", end=True),
        deadline_bound(before, "deadline_before"),
    ]
    after_bound = deadline_bound(after, "deadline_after")
    if after_bound is not None:
        lows.append(after_bound + timedelta(microseconds=1))
    low = max((b for b in lows if b is not None), default=None)
    high = min((b for b in highs if b is not None), default=None)
    return low, high


async def listing(
    session: DbSession,
    caller: Caller,
    result: PageResult[Task],
    includes: frozenset[str],
    request: Request,
) -> Listing[TaskRead]:
    items = await task_service.describe_tasks(session, caller, result.items, includes)
    return Listing.of(result, items, request.url)


async def one(
    session: DbSession,
    caller: Caller,
    task: Task,
    includes: frozenset[str],
    comment_stats: dict[str, tuple[int, int]] | None = None,
) -> TaskRead:
    views = await task_service.describe_tasks(session, caller, [task], includes, comment_stats)
    return views[0]


async def completed_one(
    session: DbSession, caller: Caller, completed: task_service.CompletedTask
) -> TaskRead:
    """The view of a task just completed, from the comment counts its completion read."""
    return await one(session, caller, completed.task, frozenset(), completed.comment_stats)


@router.get("/runs/{process_id}/tasks")
async def list_run_tasks(
    process_id: str,
    caller: Caller,
    session: DbSession,
    page: Page,
    includes: With,
    request: Request,
    status: Status = None,
    sort: Annotated[str, Query(pattern="^-?(position|deadline)$")] = "position",
    without_pagination: bool = False,
    owners: Annotated[str | None, Query(description="Comma-separated user ids")] = None,
    groups: Annotated[str | None, Query(description="Comma-separated group ids")] = None,
    guests: Annotated[str | None, Query(description="Comma-separated guest emails")] = None,
    unassigned: bool = False,
    current_task: Annotated[str | None, Query(alias="currentTask")] = None,
    replace_page: Annotated[int | None, Query(ge=1)] = None,
    deadline_start_range: str | None = None,
    deadline_end_range: str | None = None,
    deadline_on: str | None = None,
    deadline_before: str | None = None,
    deadline_after: str | None = None,
) -> Listing[TaskRead]:
    """A run's tasks. `currentTask` answers the page holding that task; `replace_page` is
    the page to answer instead of `page`; `without_pagination=true` answers the whole run."""
    low, high = deadline_window(
        deadline_start_range, deadline_end_range, deadline_on, deadline_before, deadline_after
    )
    filters = RunTaskFilters(
        status=status,
        owner_ids=csv_ints(owners),
        group_ids=csv_ids(groups),
        guest_emails=csv_ids(guests),
        unassigned=unassigned,
        deadline_from=low,
        deadline_to=high,
        sort=sort,
        current_task=current_task,
    )
    if replace_page is not None:
        page = PageRequest(page=replace_page, per_page=page.per_page)
    result = await task_service.list_process_tasks(
        session, caller, process_id, page=unpaginated(page, without_pagination), filters=filters
    )
    return await listing(session, caller, result, includes, request)


@router.get("/runs/{process_id}/tasks/{task_id}")
async def get_run_task(
    process_id: str, task_id: str, caller: Caller, session: DbSession, includes: With
) -> Data[TaskRead]:
    task = await task_service.get_task(session, caller, task_id, process_id=process_id)
    return Data(data=await one(session, caller, task, includes))


@router.put("/runs/{process_id}/tasks/{task_id}")
async def update_run_task(
    process_id: str, task_id: str, body: TaskUpdate, caller: Caller, session: DbSession
) -> Data[TaskRead]:
    task = await task_service.update_task(session, caller, task_id, body, process_id=process_id)
    return Data(data=await one(session, caller, task, frozenset()))


@router.post("/runs/{process_id}/completed-tasks")
async def complete_run_task(
    process_id: str, body: TaskCompletion, caller: Caller, session: DbSession
) -> TaskCompleted:
    completed = await task_service.complete_task(session, caller, body, process_id=process_id)
    return TaskCompleted(data=await completed_one(session, caller, completed))


@router.delete("/runs/{process_id}/completed-tasks/{task_id}")
async def reopen_run_task(
    process_id: str, task_id: str, caller: Caller, session: DbSession
) -> TaskCompleted:
    task = await task_service.reopen_task(session, caller, task_id, process_id=process_id)
    return TaskCompleted(data=await one(session, caller, task, frozenset()))


@router.get("/tasks")
async def list_org_tasks(
    caller: Caller,
    session: DbSession,
    page: Page,
    visibility: Archived,
    includes: With,
    request: Request,
    status: Status = None,
    owners: Annotated[str | None, Query(description="Comma-separated user ids")] = None,
    q: str | None = None,
    is_oneoff: bool | None = None,
    sort: SortBy = None,
    without_pagination: bool = False,
) -> Listing[TaskRead]:
    filters = TaskFilters(
        status=status,
        owner_ids=csv_ints(owners),
        query=q,
        is_oneoff=is_oneoff,
        visibility=visibility,
        sort=sort,
    )
    result = await task_service.list_tasks(
        session, caller, filters=filters, page=unpaginated(page, without_pagination)
    )
    return await listing(session, caller, result, includes, request)


@router.post("/tasks", status_code=201)
async def create_task(body: OneOffTaskCreate, caller: Caller, session: DbSession) -> Data[TaskRead]:
    """Create a one-off task (a task outside any process)."""
    task = await create_oneoff_task(session, caller, body)
    return Data(data=await one(session, caller, task, frozenset()))


@router.get("/tasks/{task_id}")
async def get_task(
    task_id: str, caller: Caller, session: DbSession, includes: With
) -> Data[TaskRead]:
    task = await task_service.get_task(session, caller, task_id)
    return Data(data=await one(session, caller, task, includes))


@router.put("/tasks/{task_id}")
async def update_task(
    task_id: str, body: TaskUpdate, caller: Caller, session: DbSession
) -> Data[TaskRead]:
    task = await task_service.update_task(session, caller, task_id, body)
    return Data(data=await one(session, caller, task, frozenset()))


@router.post("/completed-tasks")
async def complete_oneoff_task(
    body: TaskCompletion, caller: Caller, session: DbSession
) -> Data[TaskRead]:
    completed = await task_service.complete_task(session, caller, body, process_id=None)
    return Data(data=await completed_one(session, caller, completed))


@router.delete("/completed-tasks/{task_id}")
async def reopen_oneoff_task(task_id: str, caller: Caller, session: DbSession) -> Data[TaskRead]:
    task = await task_service.reopen_task(session, caller, task_id, process_id=None)
    return Data(data=await one(session, caller, task, frozenset()))


@router.get("/me/tasks")
async def list_my_tasks(
    caller: Caller,
    session: DbSession,
    page: Page,
    visibility: Archived,
    includes: With,
    request: Request,
    status: Status = "active",
    q: str | None = None,
    checklist_id: str | None = None,
    sort: SortBy = None,
    without_pagination: bool = False,
) -> Listing[TaskRead]:
    """Tasks assigned to the caller; open ones unless `status` says otherwise (`all`)."""
    filters = TaskFilters(
        status=status,
        owner_ids=(caller.user_id,),
        query=q,
        template_id=checklist_id,
        visibility=visibility,
        sort=sort,
    )
    result = await task_service.list_tasks(
        session, caller, filters=filters, page=unpaginated(page, without_pagination)
    )
    return await listing(session, caller, result, includes, request)


@router.get("/users/{user_id}/tasks")
async def list_member_tasks(
    user_id: int,
    caller: Caller,
    session: DbSession,
    page: Page,
    visibility: Archived,
    includes: With,
    request: Request,
    status: Status = "all",
    sort_by: SortBy = None,
) -> Listing[TaskRead]:
    await org_service.get_member(session, org_id=caller.org_id, user_id=user_id)
    filters = TaskFilters(status=status, owner_ids=(user_id,), visibility=visibility, sort=sort_by)
    result = await task_service.list_tasks(session, caller, filters=filters, page=page)
    return await listing(session, caller, result, includes, request)


@router.delete("/tasks/{task_id}", status_code=204)
async def archive_task(task_id: str, caller: Caller, session: DbSession) -> Response:
    """Archive a one-off task (and its comments). Process tasks go with their process: 422."""
    task = await task_service.oneoff_task(session, caller, task_id)
    await audit_service.archive(session, caller, task)
    return Response(status_code=204)


@router.put("/tasks/{task_id}/restore")
async def restore_task(task_id: str, caller: Caller, session: DbSession) -> Data[TaskRead]:
    task = await task_service.oneoff_task(session, caller, task_id)
    await audit_service.restore(session, caller, task)
    return Data(data=await one(session, caller, task, frozenset()))


@router.delete(
    "/tasks/{task_id}/delete",
    status_code=204,
    response_model=None,
    responses={200: {"model": PurgePreview}},
)
async def purge_task(
    task_id: str, caller: Caller, session: DbSession, dry_run: bool = False
) -> Response:
    """Permanently delete an archived one-off task with its comments, answers and links.
    Admins only; 422 while not archived or for a process task."""
    task = await task_service.oneoff_task(session, caller, task_id, admin=True)
    counts = await audit_service.purge(session, caller, task, dry_run=dry_run)
    return purge_response(counts, dry_run, Response(status_code=204))
