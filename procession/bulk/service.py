"""Bulk archive, restore and permanent delete: select objects by ids or by a list filter,
then put each through the same audited operation as the single endpoints
(`procession.audit.service`), one savepoint per object.

Small selections are handled in the request; larger ones become a `BulkJob` whose items are
fixed at creation and which `procession.bulk.runner` works through in chunks.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from procession.audit import service as audit_service
from procession.auth.models import Role
from procession.auth.service import Principal
from procession.bulk.models import BulkJob, BulkJobItem
from procession.bulk.schemas import (
    MAX_ITEMS,
    PLURALS,
    AnySelection,
    BulkResult,
    ItemResult,
    ProcessSelection,
    TagSelection,
    TaskSelection,
    TemplateSelection,
)
from procession.db.base import LifecycleMixin
from procession.db.repository import (
    AnySelect,
    PageRequest,
    PageResult,
    Visibility,
    paginate,
    with_visibility,
)
from procession.db.types import utcnow
from procession.errors import AppError, NotFound, RuleViolation
from procession.processes import service as process_service
from procession.tags import service as tag_service
from procession.tags.models import Tag
from procession.tasks import service as task_service
from procession.templates import service as template_service

MODELS: dict[str, type[Any]] = {kind: model for model, (kind, _) in audit_service.AUDITED.items()}
VERBS = {"archive": "archive", "restore": "restore", "delete": "permanently delete"}


def require_role(caller: Principal, action: str, object_type: str) -> None:
    """403 for the whole call when the caller's role can never do `action`: archive and
    restore need an editor (admin or standard), a permanent delete an admin."""
    what = f"{VERBS[action]} {PLURALS[object_type]} in bulk"
    if action == "delete":
        caller.require(Role.ADMIN, action=what)
    else:
        caller.require_editor(what)


def matching(
    session: AsyncSession, caller: Principal, body: AnySelection, action: str
) -> tuple[AnySelect, dict[str, Any]]:
    """The select of the objects `body.filter` matches, through the list endpoint's own
    query, and the values to bind to it; among live objects for an archive, archived ones
    otherwise."""
    visibility = Visibility.LIVE if action == "archive" else Visibility.ARCHIVED
    params: dict[str, Any] = {}
    match body:
        case ProcessSelection(filter=f) if f is not None:
            filters = process_service.ProcessFilters(
                status=f.status,
                template_id=f.checklist_id or f.blueprint_id,
                owner_ids=tuple(f.owners),
                tag_id=f.tag,
                query=f.q,
                starred=f.starred,
                visibility=visibility,
            )
            stmt, params = process_service.process_query(caller.org_id, filters)
        case TemplateSelection(filter=f) if f is not None:
            stmt = template_service.select_templates(
                session, caller, visibility=visibility, query=f.q, starred=f.starred
            )
        case TaskSelection(filter=f) if f is not None:
            task_filters = task_service.TaskFilters(
                status=f.status,
                owner_ids=tuple(f.owners),
                query=f.q,
                is_oneoff=True,
                visibility=visibility,
            )
            stmt = task_service.select_tasks(session, caller, task_filters)
        case TagSelection(filter=f) if f is not None:
            stmt = tag_service.select_tags(
                session,
                caller,
                visibility=visibility,
                query=f.q,
                include_auto_generated=f.all,
                auto_generated=f.auto_generated,
            )
        case _:
            raise AssertionError("matching() needs a filter")
    model = MODELS[body.type]
    # Again: `status=archived` makes the process list show archived ones whatever was asked.
    narrowed: AnySelect = with_visibility(stmt, model, visibility)
    return narrowed.with_only_columns(model.id), params


async def select_ids(
    session: AsyncSession, caller: Principal, body: AnySelection, action: str
) -> list[str]:
    """The ids to act on, in order: those sent (repeats dropped), or those the filter
    matches now. 422 when a filter matches more than `MAX_ITEMS`."""
    if body.ids is not None:
        return list(dict.fromkeys(body.ids))
    stmt, params = matching(session, caller, body, action)
    ids = list(await session.scalars(stmt.limit(MAX_ITEMS + 1), params))
    if len(ids) > MAX_ITEMS:
        raise RuleViolation("filter", f"The filter matches more than {MAX_ITEMS} objects.")
    return ids


async def fetch(
    session: AsyncSession, caller: Principal, object_type: str, object_id: str, action: str
) -> LifecycleMixin:
    """The object, locked, as the single endpoint fetches it: 404 (another organization's
    too), and for tasks 422 unless it is a one-off task."""
    if object_type == "process":
        return await process_service.get_process(session, caller, object_id, for_update=True)
    if object_type == "template":
        return await template_service.get_template(session, caller, object_id, for_update=True)
    if object_type == "task":
        return await task_service.oneoff_task(session, caller, object_id, admin=action == "delete")
    return await tag_service.get_tag(session, caller, object_id, for_update=True)


async def perform(
    session: AsyncSession,
    caller: Principal,
    action: str,
    object_type: str,
    object_id: str,
    *,
    dry_run: bool,
) -> dict[str, int] | None:
    """One object through the audited operation; the rows a permanent delete removes."""
    obj = await fetch(session, caller, object_type, object_id, action)
    if action == "archive":
        await audit_service.archive(session, caller, obj)
        return None
    if action == "restore":
        if isinstance(obj, Tag):
            await tag_service.ensure_title_free(session, caller, obj)
        await audit_service.restore(session, caller, obj)
        return None
    return await audit_service.purge(session, caller, obj, dry_run=dry_run)


@dataclass(frozen=True)
class Outcome:
    """What happened to one object: done, not_found or refused (with the error's message
    and code), and the rows a permanent delete removes."""

    outcome: str
    reason: str | None = None
    code: str | None = None
    counts: dict[str, int] | None = None

    def record(self, item: BulkJobItem) -> None:
        item.outcome, item.reason, item.code, item.counts = (
            self.outcome,
            self.reason[:500] if self.reason else None,
            self.code,
            self.counts,
        )


async def attempt(
    session: AsyncSession,
    caller: Principal,
    action: str,
    object_type: str,
    object_id: str,
    *,
    dry_run: bool,
) -> Outcome:
    """Act on one object inside its own savepoint, so a refused one leaves nothing
    half-written."""
    savepoint = await session.begin_nested()
    try:
        counts = await perform(session, caller, action, object_type, object_id, dry_run=dry_run)
    except NotFound as error:
        await savepoint.rollback()
        return Outcome("not_found", error.message, error.code)
    except AppError as error:
        await savepoint.rollback()
        return Outcome("refused", error.message, error.code)
    await savepoint.commit()
    return Outcome("done", counts=counts)


async def handle(
    session: AsyncSession,
    caller: Principal,
    action: str,
    object_type: str,
    items: Sequence[BulkJobItem],
    *,
    dry_run: bool,
) -> None:
    """Act on each item's object in order and record the outcomes on the items.

    A dry run does the same work inside one more savepoint and then rolls it back: later
    objects see what earlier ones would have changed (a restored tag's title, say), so it
    reports what the real run does, and it writes nothing (no audit entry, no webhook).
    """
    batch = await session.begin_nested() if dry_run else None
    outcomes = [
        await attempt(session, caller, action, object_type, item.object_id, dry_run=dry_run)
        for item in items
    ]
    if batch is not None:
        await batch.rollback()
    for item, outcome in zip(items, outcomes, strict=True):
        outcome.record(item)


def tally(job: BulkJob, items: Sequence[BulkJobItem]) -> None:
    """Add handled `items` to the job's counters."""
    outcomes = Counter(item.outcome for item in items)
    job.processed += len(items)
    job.done += outcomes["done"]
    job.not_found += outcomes["not_found"]
    job.refused += outcomes["refused"]


async def run_now(
    session: AsyncSession, caller: Principal, action: str, body: AnySelection, ids: list[str]
) -> BulkResult:
    """Handle every id in the request's transaction."""
    items = [BulkJobItem(position=n, object_id=object_id) for n, object_id in enumerate(ids)]
    await handle(session, caller, action, body.type, items, dry_run=body.dry_run)
    outcomes = Counter(item.outcome for item in items)
    return BulkResult(
        action=action,
        type=body.type,
        dry_run=body.dry_run,
        total=len(items),
        done=outcomes["done"],
        not_found=outcomes["not_found"],
        refused=outcomes["refused"],
        results=[ItemResult.of(item) for item in items],
    )


async def create_job(
    session: AsyncSession,
    caller: Principal,
    action: str,
    body: AnySelection,
    ids: list[str],
    *,
    lease_until: datetime | None = None,
) -> BulkJob:
    """A queued job over `ids`, one item row each. With `lease_until`, the job is created
    already running and held by the caller until then (the CLI runs it in-process)."""
    job = BulkJob(
        org_id=caller.org_id,
        action=action,
        object_type=body.type,
        dry_run=body.dry_run,
        selection=body.selection(),
        total=len(ids),
        created_by_id=caller.user_id,
    )
    if lease_until is not None:
        job.status, job.started_at, job.lease_until = "running", utcnow(), lease_until
    session.add(job)
    await session.flush()
    if ids:
        rows = [
            {"job_id": job.id, "position": n, "object_id": object_id}
            for n, object_id in enumerate(ids)
        ]
        await session.execute(insert(BulkJobItem), rows)
    else:
        job.status, job.finished_at, job.lease_until = "done", utcnow(), None
    await session.flush()
    return job


async def submit(
    session: AsyncSession,
    caller: Principal,
    action: str,
    body: AnySelection,
    *,
    sync_limit: int,
    lease_until: datetime | None = None,
) -> BulkResult | BulkJob:
    """Start a bulk `action`: 403 when the caller's role never allows it, 422 for a
    selection that is too large. Up to `sync_limit` objects are handled now (a
    `BulkResult`); more become a `BulkJob` (see `create_job` for `lease_until`)."""
    require_role(caller, action, body.type)
    ids = await select_ids(session, caller, body, action)
    if len(ids) <= sync_limit:
        return await run_now(session, caller, action, body, ids)
    return await create_job(session, caller, action, body, ids, lease_until=lease_until)


def visible_jobs(caller: Principal) -> AnySelect:
    """Admins see every job of the organization; other members the jobs they started."""
    stmt = select(BulkJob).where(BulkJob.org_id == caller.org_id)
    if not caller.is_admin:
        stmt = stmt.where(BulkJob.created_by_id == caller.user_id)
    return stmt


async def get_job(session: AsyncSession, caller: Principal, job_id: str) -> BulkJob:
    """A job the caller may see (404 otherwise, as for another organization's)."""
    stmt = visible_jobs(caller).where(BulkJob.id == job_id)
    job: BulkJob | None = (await session.scalars(stmt)).one_or_none()
    if job is None:
        raise NotFound("Bulk job")
    return job


async def list_jobs(
    session: AsyncSession, caller: Principal, page: PageRequest, *, status: str | None = None
) -> PageResult[BulkJob]:
    """The jobs the caller may see, newest first."""
    stmt = visible_jobs(caller)
    if status:
        stmt = stmt.where(BulkJob.status == status)
    order = (BulkJob.created_at.desc(), BulkJob.id.desc())
    return await paginate(session, stmt.order_by(*order), page)


async def list_items(
    session: AsyncSession,
    caller: Principal,
    job_id: str,
    page: PageRequest,
    *,
    outcome: str | None = None,
) -> PageResult[BulkJobItem]:
    """A job's handled items in selection order; `outcome` narrows to one outcome."""
    job = await get_job(session, caller, job_id)
    stmt = select(BulkJobItem).where(BulkJobItem.job_id == job.id, BulkJobItem.outcome.is_not(None))
    if outcome:
        stmt = stmt.where(BulkJobItem.outcome == outcome)
    return await paginate(session, stmt.order_by(BulkJobItem.position), page)
