"""Processes: launch from a template, list, read and update."""

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, case, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from procession.api.schemas import Data
from procession.auth.service import Principal
from procession.automations import engine as rule_engine
from procession.db.lifecycle import ensure_live
from procession.db.repository import (
    AnySelect,
    PageRequest,
    PageResult,
    Visibility,
    contains_pattern,
    paginate_bound,
    with_visibility,
)
from procession.db.types import utcnow
from procession.errors import NotFound, RuleViolation
from procession.folders.repository import filed_in
from procession.orgs import service as org_service
from procession.processes.models import Process
from procession.processes.repository import ProcessRepository
from procession.processes.schemas import ProcessLaunch, ProcessUpdate, RunRead
from procession.tags import service as tag_service
from procession.tags.models import Tag, Tagging
from procession.tags.repository import TagRepository
from procession.tags.schemas import TaggingRead
from procession.tasks import service as task_service
from procession.tasks.creation import check_owners, create_process_tasks
from procession.tasks.models import Task, TaskField, TaskOwner, TaskStatus
from procession.templates import service as template_service
from procession.templates.models import PrerunField
from procession.templates.repository import TemplateRepository
from procession.templates.values import check_value, is_empty
from procession.webhooks import outbox

WORKFLOW_STATUSES = frozenset({"active", "problem", "complete"})
STATUS_ALIASES = {"issue": "problem"}
TASK_STATUSES = {
    "in-progress": Task.status != TaskStatus.COMPLETED,
    "completed": Task.status == TaskStatus.COMPLETED,
}
SORTS = {
    "created_at": (Process.created_at, Process.id),
    "-created_at": (Process.created_at.desc(), Process.id.desc()),
    "name": (Process.name, Process.id),
    "-name": (Process.name.desc(), Process.id),
}


@dataclass(frozen=True)
class ProcessFilters:
    """The filters of `GET /runs`, as Tallyfy names them."""

    status: str | None = None
    template_id: str | None = None
    owner_ids: tuple[int, ...] = ()
    group_ids: tuple[str, ...] = ()
    task_status: str | None = None
    kind: str | None = None
    tag_id: str | None = None
    query: str | None = None
    starred: bool | None = None
    sort: str = "-created_at"
    visibility: Visibility = Visibility.LIVE
    folder_ids: tuple[str, ...] = ()


def past_deadline(now: Any) -> tuple[Any, ...]:
    """The criteria of a late task: open, with a deadline before `now` (a value, or a bind
    parameter for a statement built once)."""
    return (Task.status != TaskStatus.COMPLETED, Task.deadline < now)


def late_task() -> Any:
    """An open task of the process (correlated on `Process.id`) past its deadline `:now`."""
    return exists().where(Task.process_id == Process.id, *past_deadline(bindparam("now")))


@dataclass(frozen=True)
class ProcessQueryShape:
    """What of `ProcessFilters` shapes the SQL of the list's select; the values are bound."""

    visibility: Visibility
    status: str | None  # a workflow status, `delayed`, or None
    starred: bool | None
    template: bool
    kind: bool
    owners: bool
    groups: bool
    task_status: str | None
    tag: bool
    name: bool
    folders: bool
    sort: str


def process_query(org_id: str, filters: ProcessFilters) -> tuple[AnySelect, dict[str, Any]]:
    """The select of the organization's processes `filters` match, in their sort order, and
    the values to bind to it. `status=archived` selects archived ones, `issue` is `problem`,
    `delayed` selects unfinished processes with an open task past its deadline, and values
    nothing knows (`status=whatever`) filter nothing.

    The select is built once per combination of filters (`select_processes`): building it,
    and keying it in SQLAlchemy's statement cache, cost more than running a page of it."""
    status = STATUS_ALIASES.get(filters.status or "", filters.status)
    starred = filters.status == "starred" or filters.starred is not None
    shape = ProcessQueryShape(
        visibility=Visibility.ARCHIVED if filters.status == "archived" else filters.visibility,
        status=status if status in WORKFLOW_STATUSES or status == "delayed" else None,
        starred=(filters.starred is not False) if starred else None,
        template=bool(filters.template_id),
        kind=bool(filters.kind),
        owners=bool(filters.owner_ids),
        groups=bool(filters.group_ids),
        task_status=filters.task_status if filters.task_status in TASK_STATUSES else None,
        tag=bool(filters.tag_id),
        name=bool(filters.query),
        folders=bool(filters.folder_ids),
        sort=filters.sort if filters.sort in SORTS else "-created_at",
    )
    params = {
        "org_id": org_id,
        "status": status,
        "now": utcnow(),
        "template_id": filters.template_id,
        "kind": filters.kind,
        "owner_ids": list(filters.owner_ids),
        "group_ids": list(filters.group_ids),
        "tag_id": filters.tag_id,
        "name_like": contains_pattern(filters.query.lower()) if filters.query else None,
        "folder_ids": list(filters.folder_ids),
    }
    return select_processes(shape), params


def owned_tasks(shape: ProcessQueryShape) -> AnySelect | None:
    """Ids of the tasks assigned to one of the `owners` users or `groups` (None: no filter)."""
    who = []
    if shape.owners:
        who.append(TaskOwner.user_id.in_(bindparam("owner_ids", expanding=True)))
    if shape.groups:
        who.append(TaskOwner.group_id.in_(bindparam("group_ids", expanding=True)))
    return select(TaskOwner.task_id).where(or_(*who)) if who else None


def with_task_filters(stmt: AnySelect, shape: ProcessQueryShape) -> AnySelect:
    """`owners` (the run's owner or an assignee of one of its tasks), `groups` (a group
    assigned to one of its tasks) and `task_status` (`in-progress`, `completed`: a task in
    that state; with `owners` or `groups`, one assigned to them)."""
    owned = owned_tasks(shape)
    if owned is not None:
        assigned = select(Task.process_id).where(Task.id.in_(owned), Task.process_id.is_not(None))
        if shape.owners:
            owner = Process.owner_id.in_(bindparam("owner_ids", expanding=True))
            stmt = stmt.where(or_(owner, Process.id.in_(assigned)))
        else:
            stmt = stmt.where(Process.id.in_(assigned))
    if shape.task_status is not None:
        matching = exists().where(Task.process_id == Process.id, TASK_STATUSES[shape.task_status])
        if owned is not None:
            matching = matching.where(Task.id.in_(owned))
        stmt = stmt.where(matching)
    return stmt


@lru_cache(maxsize=256)
def select_processes(shape: ProcessQueryShape) -> AnySelect:
    """The list's select for one combination of filters, with bind parameters for their
    values (`process_query` gives them)."""
    stmt: AnySelect = with_visibility(ProcessRepository.in_org(), Process, shape.visibility)
    if shape.status in WORKFLOW_STATUSES:
        stmt = stmt.where(Process.status == bindparam("status"))
    if shape.status == "delayed":
        stmt = stmt.where(Process.status != "complete", late_task())
    if shape.starred is not None:
        stmt = stmt.where(Process.is_starred.is_(shape.starred))
    if shape.template:
        stmt = stmt.where(Process.template_id == bindparam("template_id"))
    if shape.kind:
        stmt = stmt.where(Process.kind == bindparam("kind"))
    stmt = with_task_filters(stmt, shape)
    if shape.tag:
        # An archived tag filters nothing in (reference 2.6): its links are hidden with it.
        tagged = (
            select(Tagging.process_id)
            .join(Tag, Tag.id == Tagging.tag_id)
            .where(Tagging.tag_id == bindparam("tag_id"), Tag.archived_at.is_(None))
        )
        stmt = stmt.where(Process.id.in_(tagged))
    if shape.name:
        stmt = stmt.where(func.lower(Process.name).like(bindparam("name_like"), escape="/"))
    if shape.folders:
        stmt = stmt.where(Process.id.in_(filed_in("Run", bindparam("folder_ids", expanding=True))))
    return stmt.order_by(*SORTS[shape.sort])


async def list_processes(
    session: AsyncSession, caller: Principal, *, filters: ProcessFilters, page: PageRequest
) -> PageResult[Process]:
    """One page of the processes `filters` match (`process_query`)."""
    stmt, params = process_query(caller.org_id, filters)
    return await paginate_bound(session, stmt, params, page)


async def count_by_state(session: AsyncSession, caller: Principal) -> dict[str, int]:
    """How many of the organization's processes are active, in problem, complete, archived."""
    state = case((Process.archived_at.is_not(None), "archived"), else_=Process.status)
    stmt = select(state, func.count()).where(Process.org_id == caller.org_id).group_by(state)
    counts = dict.fromkeys(("active", "problem", "complete", "archived"), 0)
    counts.update(dict((await session.execute(stmt)).all()))
    return counts


async def get_process(
    session: AsyncSession, caller: Principal, process_id: str, *, for_update: bool = False
) -> Process:
    """A process of the caller's organization, archived or not; `NotFound` otherwise."""
    return await ProcessRepository(session, caller.org_id).get_or_raise(
        process_id, for_update=for_update
    )


def kickoff_values(
    fields: list[PrerunField], sent: dict[str, Any], *, enforce_required: bool
) -> dict[str, Any]:
    """The kick-off answers to store: checked against their fields, unknown keys dropped.
    With `enforce_required`, every required field must have an answer (422 per field)."""
    values = {f.id: check_value(f, sent[f.id], f"prerun.{f.id}") for f in fields if f.id in sent}
    if enforce_required:
        missing = {
            f"prerun.{f.id}": [f"{f.label} is required"]
            for f in fields
            if f.required and is_empty(values.get(f.id))
        }
        if missing:
            raise RuleViolation.many(missing)
    return values


def default_name(title: str, launched_at: datetime) -> str:
    return f"{title} - {launched_at:%Y-%m-%d %H:%M}"


async def launch_process(session: AsyncSession, caller: Principal, data: ProcessLaunch) -> Process:
    """Launch a process from a live template: one task per step, form fields copied, kick-off
    answers checked. 403 for light members; 422 (on `checklist_id`) for a template that is
    missing, archived or another organization's. All or nothing: any failure rolls back."""
    caller.require_editor("launch processes")
    repo = TemplateRepository(session, caller.org_id)
    template = await repo.get(data.checklist_id)
    if template is None:
        raise RuleViolation("checklist_id", "The selected checklist_id is invalid.")
    if template.is_archived:
        raise RuleViolation("checklist_id", "Cannot launch from an archived template.")
    owner_id = data.owner_id or caller.user_id
    await org_service.ensure_members(session, caller, "owner_id", [owner_id])
    await org_service.ensure_members(session, caller, "users", data.users)
    for role_id, owners in data.roles.items():
        await check_owners(session, caller.org_id, owners, f"roles.{role_id}")
    prerun_fields = (await repo.prerun_of([template.id]))[template.id]
    prerun = kickoff_values(prerun_fields, data.prerun, enforce_required=True)
    steps, captures = await repo.launch_plan(template.id)
    launched_at = utcnow()
    processes = ProcessRepository(session, caller.org_id)
    process = await processes.insert(
        Process(
            org_id=caller.org_id,
            increment_id=await processes.next_increment_id(),
            template_id=template.id,
            template_title=template.title,
            kind=template.kind,
            name=data.name or default_name(template.title, launched_at),
            summary=data.summary,
            owner_id=owner_id,
            started_by_id=caller.user_id,
            is_starred=data.starred,
            is_public=data.is_public,
            prerun=prerun,
            prerun_length=len(prerun_fields),
            task_count=len(steps),
            parent_id=data.parent_id,
            settings=data.settings(),
            created_at=launched_at,
            updated_at=launched_at,
        )
    )
    await create_process_tasks(
        session,
        caller,
        process=process,
        steps=steps,
        captures=captures,
        overrides=data.tasks,
        roles=data.roles,
        assign_starter=not data.assign_someone_else,
    )
    await rule_engine.apply_rules(session, process.id)
    await tag_service.tag_new_subject(session, caller.org_id, "Run", process.id, data.tags)
    await outbox.emit(session, caller, "process.launched", process.id, process.name)
    return process


async def update_process(
    session: AsyncSession, caller: Principal, process_id: str, data: ProcessUpdate
) -> Process:
    """Change name, summary, owner, starred, public or kick-off answers (merged by field id).
    404, then 403 (light members), then 422 for an archived process."""
    process = await ProcessRepository(session, caller.org_id).get_or_raise(
        process_id, for_update=True
    )
    caller.require_editor("update processes")
    ensure_live(process, task_service.ARCHIVED_PROCESS)
    changes = data.model_dump(exclude_unset=True, exclude={"prerun"})
    if changes.get("owner_id") is not None:
        await org_service.ensure_members(session, caller, "owner_id", [changes["owner_id"]])
    if "users" in changes:
        await org_service.ensure_members(session, caller, "users", changes["users"])
    kept: dict[str, Any] = {
        k: changes[k] for k in ("publicly_hidden_fields", "users", "groups") if k in changes
    }
    if kept:
        process.settings = {**process.settings, **kept}
    columns = {"name": "name", "summary": "summary", "owner_id": "owner_id"}
    columns |= {"starred": "is_starred", "is_public": "is_public"}
    for key, column in columns.items():
        if key in changes:
            setattr(process, column, changes[key])
    if data.prerun is not None and process.template_id:
        fields = await TemplateRepository(session, caller.org_id).prerun_of([process.template_id])
        answers = kickoff_values(fields[process.template_id], data.prerun, enforce_required=False)
        process.prerun = {**process.prerun, **answers}
        await rule_engine.apply_rules(session, process.id)
    process.updated_at = utcnow()
    await session.flush()
    return process


async def complete_kickoff(session: AsyncSession, caller: Principal, process_id: str) -> Process:
    """Mark the kick-off form complete (`prerun_status: complete`). 404, then 403 (light
    members), then 422 for an archived process or while a required kick-off field has no
    value. Completing a completed form changes nothing (the first completion is kept)."""
    process = await ProcessRepository(session, caller.org_id).get_or_raise(
        process_id, for_update=True
    )
    caller.require_editor("complete kick-off forms")
    ensure_live(process, task_service.ARCHIVED_PROCESS)
    if process.prerun_completed_at is not None:
        return process
    if process.template_id:
        fields = await TemplateRepository(session, caller.org_id).prerun_of([process.template_id])
        kickoff_values(fields[process.template_id], process.prerun, enforce_required=True)
    process.prerun_completed_at = utcnow()
    process.prerun_completed_by_id = caller.user_id
    process.updated_at = utcnow()
    await session.flush()
    return process


async def reopen_kickoff(session: AsyncSession, caller: Principal, process_id: str) -> Process:
    """Reopen the kick-off form (`prerun_status: pending`). 404, then 403 (light members),
    then 422 for an archived process. Reopening an open form changes nothing."""
    process = await ProcessRepository(session, caller.org_id).get_or_raise(
        process_id, for_update=True
    )
    caller.require_editor("reopen kick-off forms")
    ensure_live(process, task_service.ARCHIVED_PROCESS)
    if process.prerun_completed_at is not None:
        process.prerun_completed_at = None
        process.prerun_completed_by_id = None
        process.updated_at = utcnow()
        await session.flush()
    return process


# Built once: every view of a run counts its late tasks, and building costs more than running.
LATE_TASKS = (
    select(Task.process_id, func.count())
    .where(
        Task.process_id.in_(bindparam("process_ids", expanding=True)),
        *past_deadline(bindparam("now")),
    )
    .group_by(Task.process_id)
)


# One run with its late-task count in one statement, for the views of a single run.
RUN_WITH_LATE_TASKS = ProcessRepository.by_id().add_columns(
    select(func.count())
    .where(Task.process_id == Process.id, *past_deadline(bindparam("now")))
    .scalar_subquery()
)


async def describe_process(
    session: AsyncSession, caller: Principal, process_id: str, includes: frozenset[str]
) -> RunRead:
    """The wire view of one process of the caller's organization, archived or not (`NotFound`
    otherwise), as `describe_processes` makes it, with one statement fewer."""
    params = {"org_id": caller.org_id, "id": process_id, "now": utcnow()}
    row = (await session.execute(RUN_WITH_LATE_TASKS, params)).one_or_none()
    if row is None:
        raise NotFound("Process")
    process, late = row
    return (await describe_processes(session, caller, [process], includes, {process.id: late}))[0]


async def late_tasks_of(session: AsyncSession, process_ids: list[str]) -> dict[str, int]:
    """How many open tasks are past their deadline, per process, in one grouped query."""
    found = dict.fromkeys(process_ids, 0)
    if process_ids:
        params = {"process_ids": process_ids, "now": utcnow()}
        rows = await session.execute(LATE_TASKS, params)
        found.update((pid, late) for pid, late in rows if pid is not None)
    return found


# Built once, as the statements of the run views' includes: building one costs more than
# running it for a page of runs.
FORM_VALUES = (
    select(Task.process_id, TaskField.capture_id, TaskField.value)
    .join(Task, Task.id == TaskField.task_id)
    .where(Task.process_id.in_(bindparam("process_ids", expanding=True)))
    .order_by(Task.position, TaskField.position, TaskField.id)
)
TASKS_OF_PROCESSES = (
    select(Task)
    .where(Task.process_id.in_(bindparam("process_ids", expanding=True)))
    .order_by(Task.position, Task.id)
)


async def form_values_of(session: AsyncSession, process_ids: list[str]) -> dict[str, Any]:
    """`form_fields_values`: every task form answer of each process keyed by capture id."""
    found: dict[str, dict[str, Any]] = {pid: {} for pid in process_ids}
    if process_ids:
        params = {"process_ids": process_ids}
        for process_id, capture_id, value in await session.execute(FORM_VALUES, params):
            found[process_id][capture_id] = value
    return found


async def describe_processes(
    session: AsyncSession,
    caller: Principal,
    processes: list[Process],
    includes: frozenset[str],
    late: dict[str, int] | None = None,
) -> list[RunRead]:
    """Wire views of `processes` with their late-task counts (counted here unless `late` has
    them) and the `?with=` includes (`tasks`, `tags`, `checklist`, and `form_fields_values`),
    in a fixed number of queries."""
    ids = [p.id for p in processes]
    if late is None:
        late = await late_tasks_of(session, ids)
    extra: dict[str, dict[str, Any]] = {
        p.id: {"late_tasks": late[p.id], "due_date_passed": late[p.id] > 0} for p in processes
    }
    if "form_fields_values" in includes:
        for process_id, values in (await form_values_of(session, ids)).items():
            extra[process_id]["form_fields_values"] = values
    if "tasks" in includes:
        tasks = list((await session.scalars(TASKS_OF_PROCESSES, {"process_ids": ids})).all())
        for process_id in ids:
            extra[process_id]["tasks"] = Data(data=[])
        for view in await task_service.describe_tasks(session, caller, tasks, frozenset()):
            extra[view.run_id or ""]["tasks"].data.append(view)
    if "tags" in includes:
        for process_id in ids:
            extra[process_id]["tags"] = Data(data=[])
        for tagging, tag in await TagRepository(session, caller.org_id).taggings_for("Run", ids):
            extra[tagging.subject[1]]["tags"].data.append(TaggingRead.of(tagging, tag))
    if "checklist" in includes:
        template_ids = list({p.template_id for p in processes if p.template_id})
        templates = await TemplateRepository(session, caller.org_id).get_many(template_ids)
        views = await template_service.describe_templates(session, caller, templates, frozenset())
        by_id = {view.id: view for view in views}
        for process in processes:
            extra[process.id]["checklist"] = Data(data=by_id.get(process.template_id or ""))
    return [RunRead.of(process, **extra[process.id]) for process in processes]
