"""Tasks: read, describe, update, complete and reopen (process tasks and one-off tasks)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, case, delete, exists, func, insert, inspect, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import with_expression
from sqlalchemy.orm.attributes import set_committed_value

from procession.api.schemas import Data
from procession.auth.models import Role
from procession.auth.service import Principal
from procession.automations import engine as rule_engine
from procession.automations.models import AutomationRule
from procession.comments.models import Comment
from procession.comments.repository import CommentRepository, not_deleted, open_issue
from procession.comments.schemas import CommentRead
from procession.db.lifecycle import ensure_live
from procession.db.repository import (
    AnySelect,
    PageRequest,
    PageResult,
    Visibility,
    held,
    paginate,
    with_visibility,
)
from procession.db.types import utcnow
from procession.errors import InvalidState, PermissionDenied, RuleViolation
from procession.orgs import service as org_service
from procession.processes.models import Process
from procession.processes.repository import ProcessRepository
from procession.processes.schemas import RunRead
from procession.tags.repository import TagRepository
from procession.tags.schemas import TaggingRead
from procession.tasks.creation import check_owners, owner_rows
from procession.tasks.models import Task, TaskOwner, TaskStatus
from procession.tasks.repository import TaskRepository, holds_fields
from procession.tasks.schemas import (
    TASK_EXTRA_KEYS,
    TaskCompletion,
    TaskFieldRead,
    TaskRead,
    TaskUpdate,
)
from procession.templates.models import Step
from procession.templates.repository import TemplateRepository
from procession.templates.schemas import StepRead
from procession.templates.values import check_value, is_empty
from procession.webhooks import outbox

ARCHIVED_PROCESS = "Cannot update archived processes."
ARCHIVED_TASK = "Cannot change an archived task; restore it first."
DUE_SOON = timedelta(days=1)
"""An open task is "due soon" when its deadline falls within this window from now."""


@dataclass(frozen=True)
class TaskFilters:
    """Filters of the organization-wide task lists (`/tasks`, `/me/tasks`, users' tasks)."""

    status: str | None = None
    owner_ids: tuple[int, ...] = ()
    guest_emails: tuple[str, ...] = ()
    """Guest assignees' emails, lower-cased (as `task_owners` stores them)."""
    query: str | None = None
    is_oneoff: bool | None = None
    process_id: str | None = None
    template_id: str | None = None
    visibility: Visibility = Visibility.LIVE
    sort: str | None = None
    """One of `SORTS`, `-` in front for the reverse; none: soonest deadline first."""


SORTS = ("deadline", "newest", "completed_newest", "problems")
SORT_PATTERN = "^-?(" + "|".join(SORTS) + ")$"
"""Tallyfy's `sort` / `sort_by` values of the task lists (reference H1, H10, H11)."""


@dataclass(frozen=True)
class RunTaskFilters:
    """Filters of one process's task list (`GET /runs/{run}/tasks`). `owners`, `groups` and
    `guests` match a task assigned to any of them; `unassigned` a task with no one;
    `deadline_from` is inclusive, `deadline_to` exclusive."""

    status: str | None = None
    owner_ids: tuple[int, ...] = ()
    group_ids: tuple[str, ...] = ()
    guest_emails: tuple[str, ...] = ()
    unassigned: bool = False
    deadline_from: datetime | None = None
    deadline_to: datetime | None = None
    sort: str = "position"
    current_task: str | None = None


# ---------------------------------------------------------------- reading


# Neither completed nor hidden by an automation rule: a task someone still has to do.
OPEN_TASK = Task.status.not_in((TaskStatus.COMPLETED, TaskStatus.AUTO_SKIPPED))


def with_status(stmt: AnySelect, status: str | None) -> AnySelect:
    """Tallyfy's task status filters; `all` (or none) applies no filter."""
    if status in ("complete", "completed"):
        return stmt.where(Task.status == TaskStatus.COMPLETED)
    if status in ("active", "incomplete", "active_visible"):
        return stmt.where(OPEN_TASK)
    if status in ("inprogress", "in-progress"):
        return stmt.where(Task.status == TaskStatus.IN_PROGRESS)
    if status == "not-started":
        return stmt.where(Task.status == TaskStatus.NOT_STARTED)
    if status == "overdue":
        return stmt.where(OPEN_TASK, Task.deadline < utcnow())
    if status == "due_soon":
        now = utcnow()
        return stmt.where(
            OPEN_TASK,
            Task.deadline >= now,
            Task.deadline < now + DUE_SOON,
        )
    if status == "hasproblem":
        issue = exists().where(Comment.task_id == Task.id, open_issue(), not_deleted())
        return stmt.where(issue)
    return stmt


def with_assignees(stmt: AnySelect, filters: RunTaskFilters) -> AnySelect:
    """`owners`, `groups`, `guests` (a task assigned to any of them) and `unassigned`."""
    who = []
    if filters.owner_ids:
        who.append(TaskOwner.user_id.in_(filters.owner_ids))
    if filters.group_ids:
        who.append(TaskOwner.group_id.in_(filters.group_ids))
    if filters.guest_emails:
        who.append(func.lower(TaskOwner.guest_email).in_([g.lower() for g in filters.guest_emails]))
    if who:  # correlated on the task: the task_owners.task_id index serves every filter
        stmt = stmt.where(exists().where(TaskOwner.task_id == Task.id, or_(*who)))
    if filters.unassigned:
        stmt = stmt.where(~exists().where(TaskOwner.task_id == Task.id))
    return stmt


def select_tasks(session: AsyncSession, caller: Principal, filters: TaskFilters) -> AnySelect:
    """The select of the organization's tasks `filters` match, soonest deadline first."""
    stmt = with_visibility(TaskRepository(session, caller.org_id).base(), Task, filters.visibility)
    stmt = with_status(stmt, filters.status)
    if filters.owner_ids:
        owned = select(TaskOwner.task_id).where(TaskOwner.user_id.in_(filters.owner_ids))
        stmt = stmt.where(Task.id.in_(owned))
    if filters.guest_emails:
        guest_owner = TaskOwner.guest_email.in_(filters.guest_emails)
        stmt = stmt.where(Task.id.in_(select(TaskOwner.task_id).where(guest_owner)))
    if filters.query:
        stmt = stmt.where(func.lower(Task.title).contains(filters.query.lower(), autoescape=True))
    if filters.is_oneoff is not None:
        is_oneoff = Task.process_id.is_(None)
        stmt = stmt.where(is_oneoff if filters.is_oneoff else ~is_oneoff)
    if filters.template_id:
        stmt = stmt.where(Task.template_id == filters.template_id)
    return stmt.order_by(*task_order(filters.sort))


def task_order(sort: str | None) -> list[Any]:
    """ORDER BY terms for a `sort` value (see `SORTS`); ties fall back to the id. Absent
    times sort last either way."""
    key = (sort or "deadline").lstrip("-")
    reverse = (sort or "").startswith("-")
    if key == "problems":
        has_issue = (
            select(Comment.id)
            .where(Comment.task_id == Task.id, open_issue(), not_deleted())
            .exists()
        )
        first = case((has_issue, 0), else_=1)
        return [first.desc() if reverse else first, Task.deadline.asc().nulls_last(), Task.id]
    column, newest_first = {
        "newest": (Task.created_at, True),
        "completed_newest": (Task.completed_at, True),
    }.get(key, (Task.deadline, False))
    descending = newest_first != reverse
    ordered = column.desc() if descending else column.asc()
    if key == "newest":
        # `created_at` is never null: no `NULLS LAST`, which PostgreSQL's index of live tasks
        # newest first (`ix_tasks_org_live_newest`) would then not match.
        return [ordered, Task.id]
    # `NULLS LAST` rather than a leading `IS NULL` term: the default order is then the order
    # of the index of live tasks (`ix_tasks_org_live_deadline`), which a page reads in order.
    return [ordered.nulls_last(), Task.id]


async def list_tasks(
    session: AsyncSession, caller: Principal, *, filters: TaskFilters, page: PageRequest
) -> PageResult[Task]:
    """One page of `select_tasks`."""
    return await paginate(session, select_tasks(session, caller, filters), page)


async def list_process_tasks(
    session: AsyncSession,
    caller: Principal,
    process_id: str,
    *,
    page: PageRequest,
    filters: RunTaskFilters = RunTaskFilters(),
) -> PageResult[Task]:
    """The tasks of one process in step order (or by deadline), archived with it or not
    (Tallyfy shows an archived run's tasks when asked by run). With `current_task`, the
    answer is the page holding that task (when the filters keep it)."""
    await process_or_raise(session, caller, process_id)
    stmt = with_status(TaskRepository(session, caller.org_id).base(), filters.status)
    stmt = with_assignees(stmt, filters)
    if filters.deadline_from is not None:
        stmt = stmt.where(Task.deadline >= filters.deadline_from)
    if filters.deadline_to is not None:
        stmt = stmt.where(Task.deadline < filters.deadline_to)
    column = Task.deadline if filters.sort.lstrip("-") == "deadline" else Task.position
    order = column.desc() if filters.sort.startswith("-") else column
    stmt = stmt.where(Task.process_id == process_id).order_by(order, Task.position, Task.id)
    if filters.current_task:
        ids = list((await session.scalars(stmt.with_only_columns(Task.id))).all())
        if filters.current_task in ids:
            index = ids.index(filters.current_task)
            page = PageRequest(page=index // page.per_page + 1, per_page=page.per_page)
    return await paginate(session, stmt, page)


async def process_or_raise(
    session: AsyncSession, caller: Principal, process_id: str, *, for_update: bool = False
) -> Process:
    repo = ProcessRepository(session, caller.org_id)
    return await repo.get_or_raise(process_id, for_update=for_update)


async def get_task(
    session: AsyncSession, caller: Principal, task_id: str, *, process_id: str | None = None
) -> Task:
    """A task by id; with `process_id`, it must belong to that process (else 404)."""
    repo = TaskRepository(session, caller.org_id)
    if process_id is None:
        return await repo.get_or_raise(task_id)
    await process_or_raise(session, caller, process_id)
    return await repo.in_process(process_id, task_id)


PROCESSES_BY_ID = select(Process).where(Process.id.in_(bindparam("ids", expanding=True)))


async def describe_tasks(
    session: AsyncSession,
    caller: Principal,
    tasks: list[Task],
    includes: frozenset[str],
    comment_stats: dict[str, tuple[int, int]] | None = None,
) -> list[TaskRead]:
    """Wire views of `tasks` with their owners, answers and the `?with=` includes
    (`threads`, `step`, `run`, `form_fields`, `tags`), in a fixed number of queries.
    `comment_stats`, when the caller has them already (`CommentRepository.stats_for` of
    exactly these tasks, in this transaction), are not read again."""
    repo = TaskRepository(session, caller.org_id)
    ids = [t.id for t in tasks]
    owners = await repo.owners_of(ids)
    extra: dict[str, dict[str, Any]] = {t.id: {} for t in tasks}
    if "form_fields" in includes:
        await repo.load_fields(tasks)
        for task in tasks:
            extra[task.id]["form_fields"] = Data(
                data=[TaskFieldRead.of_field(field, task.step_id) for field in task.fields]
            )
    # The answers of tasks holding their fields are read there; the rest's alone, by columns.
    answers = {t.id: {f.capture_id: f.value for f in t.fields} for t in tasks if holds_fields(t)}
    if unread := [t.id for t in tasks if t.id not in answers]:
        answers.update(await repo.answers_of(unread))
    comments = CommentRepository(session, caller.org_id)
    stats = comment_stats if comment_stats is not None else await comments.stats_for(ids)
    process_ids = {t.process_id for t in tasks if t.process_id}
    processes = held(session, Process, process_ids)  # a run's own tasks: the run is loaded
    if missing := list(process_ids - processes.keys()):
        loaded = await session.scalars(PROCESSES_BY_ID, {"ids": missing})
        processes.update((p.id, p) for p in loaded.all())
    if "threads" in includes:
        for task_id, found in (await comments.visible_for(ids)).items():
            extra[task_id]["threads"] = Data(data=[CommentRead.of(c) for c in found])
    if "step" in includes:
        await include_steps(session, caller, tasks, extra)
    if "run" in includes:
        for task in tasks:
            if task.process_id:
                extra[task.id]["run"] = Data(
                    data=RunRead.of(processes[task.process_id]).model_dump(mode="json")
                )
    if "tags" in includes:
        tagged = await TagRepository(session, caller.org_id).taggings_for("Task", ids)
        for task in tasks:
            extra[task.id]["tags"] = Data(data=[])
        for tagging, tag in tagged:
            extra[tagging.subject[1]]["tags"].data.append(TaggingRead.of(tagging, tag))
    views = []
    for task in tasks:
        process = processes.get(task.process_id or "")
        run_status = None
        if process is not None:
            run_status = "archived" if process.is_archived else process.status
        views.append(
            TaskRead(
                **TaskRead.base_values(task),
                taskdata=answers[task.id],
                owners=owners[task.id],
                is_completable=not task.is_completed and task.archived_at is None,
                problem=stats[task.id][1] > 0,
                run_status=run_status,
                threads_count=stats[task.id][0],
                **extra[task.id],
            )
        )
    return views


async def include_steps(
    session: AsyncSession, caller: Principal, tasks: list[Task], extra: dict[str, dict[str, Any]]
) -> None:
    """`with=step`: each task's template step, or null when the template is gone."""
    step_ids = list({t.step_id for t in tasks if t.step_id})
    steps = {s.id: s for s in (await session.scalars(select(Step).where(Step.id.in_(step_ids))))}
    captures = await TemplateRepository(session, caller.org_id).captures_of(list(steps))
    for task in tasks:
        step = steps.get(task.step_id or "")
        extra[task.id]["step"] = Data(data=StepRead.of(step, captures[step.id]) if step else None)


async def oneoff_task(
    session: AsyncSession,
    caller: Principal,
    task_id: str,
    *,
    admin: bool = False,
    for_update: bool = True,
) -> Task:
    """A one-off task, for archive, restore or permanent delete: 404, then 403 (light
    members; non-admins when `admin`), then 422 for a task that belongs to a process.
    Locked for the change unless `for_update` is False (a page that only shows it)."""
    repo = TaskRepository(session, caller.org_id)
    task = await repo.get_or_raise(task_id, for_update=for_update)
    if admin:
        caller.require(Role.ADMIN, action="permanently delete tasks")
    else:
        caller.require_editor("archive or restore tasks")
    if task.process_id is not None:
        raise InvalidState("This task belongs to a process: archive or delete the process instead.")
    return task


# ---------------------------------------------------------------- changing


# Built once: a change to a task addressed by its id alone (comments, issues, one-off tasks)
# finds and locks the task's process in one statement, before the task itself.
IS_PROCESS_OF_TASK = (Process.org_id == bindparam("org")) & (
    Process.id
    == select(Task.process_id)
    .where(Task.org_id == bindparam("org"), Task.id == bindparam("task"))
    .scalar_subquery()
)
# A change's process comes with whether its template has rules: a completion or an answer
# in a process whose template has none then spends no statement on them.
WITH_HAS_RULES = with_expression(
    Process.has_rules, exists().where(AutomationRule.template_id == Process.template_id)
)
# A change's process addressed by its id (`/runs/{run_id}/...`), locked.
PROCESS_FOR_CHANGE = ProcessRepository.by_id_for_update().options(WITH_HAS_RULES)
PROCESS_OF_TASK_FOR_UPDATE = (
    select(Process)
    .where(IS_PROCESS_OF_TASK)
    .options(WITH_HAS_RULES)
    .with_for_update(of=Process)
    .execution_options(populate_existing=True)
)
# The same, stamping the process's `updated_at` as it locks it (an UPDATE locks its row): for
# a change that is activity on the process and writes nothing else to it, such as a comment.
PROCESS_OF_TASK_TOUCHED = (
    update(Process)
    .where(IS_PROCESS_OF_TASK)
    .values(updated_at=bindparam("now"))
    .returning(Process)
    .execution_options(synchronize_session=False, populate_existing=True)
)


async def workable_task(
    session: AsyncSession, caller: Principal, task_id: str, *, process_id: str | None = None
) -> Task:
    """A task the caller may work on, locked for the change: 404, then 403 (light members
    work only on their own tasks), then 422 when it (or its process) is archived.

    Locks are always taken process first, then task (as archive and purge do), so
    concurrent changes to one process queue instead of deadlocking. `process_id` is the
    process the path names (`/runs/{run_id}/...`); without it, the task's own.
    """
    process: Process | None
    if process_id is None:
        params = {"org": caller.org_id, "task": task_id}
        process = (await session.scalars(PROCESS_OF_TASK_FOR_UPDATE, params)).one_or_none()
    else:
        processes = ProcessRepository(session, caller.org_id)
        process = await processes.get_or_raise(process_id, statement=PROCESS_FOR_CHANGE)
    return await task_in_locked_process(session, caller, task_id, process)


async def workable_task_stamping_process(
    session: AsyncSession, caller: Principal, task_id: str
) -> Task:
    """`workable_task` for a change that is activity on the task's process and writes nothing
    else to it (a comment): the statement that locks the process also moves its `updated_at`
    to now."""
    params = {"org": caller.org_id, "task": task_id, "now": utcnow()}
    process = (await session.scalars(PROCESS_OF_TASK_TOUCHED, params)).one_or_none()
    return await task_in_locked_process(session, caller, task_id, process)


async def task_in_locked_process(
    session: AsyncSession, caller: Principal, task_id: str, process: Process | None
) -> Task:
    """The rest of `workable_task`, once the task's process (None for a one-off task, or
    for no task) is locked."""
    repo = TaskRepository(session, caller.org_id)
    if process is not None:
        task = await repo.in_process(process.id, task_id, for_update=True)
        # The task holds on to its locked process: what the change does next (rules, recount)
        # finds it in the session instead of reading it again.
        set_committed_value(task, "process", process)
    else:  # a one-off task, or none: 404
        task = await repo.get_or_raise(task_id, for_update=True)
    if caller.role == Role.LIGHT:
        owners = (await repo.owners_of([task.id]))[task.id]
        if caller.user_id not in owners.users:
            caller.require_editor("work on tasks assigned to others")
    ensure_live(task, ARCHIVED_PROCESS if task.process_id else ARCHIVED_TASK)
    return task


STATUS_INPUTS = {
    "not-started": TaskStatus.NOT_STARTED,
    "in-progress": TaskStatus.IN_PROGRESS,
    "active": TaskStatus.IN_PROGRESS,
    "completed": TaskStatus.COMPLETED,
    "complete": TaskStatus.COMPLETED,
}
LIGHT_MEMBER_KEYS = frozenset({"taskdata", "status", "is_approved"})


async def update_task(
    session: AsyncSession,
    caller: Principal,
    task_id: str,
    data: TaskUpdate,
    *,
    process_id: str | None = None,
) -> Task:
    """Change what the body carries. `taskdata` answers form fields by capture id (unknown
    ids are dropped, as in Tallyfy); `owners` replaces all assignees; `position` moves the
    task among its process's tasks. `status` `completed` completes the task exactly as
    `complete_task` does (same checks, same 422s), after the other changes; `in-progress`
    (or `active`) and `not-started` reopen a completed task first, as `reopen_task` does.
    Light members may only send `taskdata` and `status`, on their own tasks (403). Any other
    change to a completed task must wait for a reopen (422)."""
    task = await workable_task(session, caller, task_id, process_id=process_id)
    if caller.role == Role.LIGHT and data.model_fields_set - LIGHT_MEMBER_KEYS:
        raise PermissionDenied("Light members may only fill in and complete their tasks.")
    target = STATUS_INPUTS[data.status] if data.status else None
    if task.is_completed and target in (TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS):
        task = await reopen_task(session, caller, task.id, process_id=task.process_id)
    if task.is_completed:
        if target == TaskStatus.COMPLETED:
            raise InvalidState("The task is already completed.")
        raise InvalidState("Cannot change a completed task; reopen it first.")
    await apply_changes(session, caller, task, data)
    if target == TaskStatus.COMPLETED:
        completion = TaskCompletion(task_id=task.id, is_approved=data.is_approved)
        completed = await complete_task(session, caller, completion, process_id=task.process_id)
        return completed.task
    if target == TaskStatus.NOT_STARTED:
        task.status = TaskStatus.NOT_STARTED
    elif task.status == TaskStatus.NOT_STARTED:
        task.status = TaskStatus.IN_PROGRESS
        task.started_at = task.started_at or utcnow()
    await session.flush()
    return task


async def apply_changes(
    session: AsyncSession, caller: Principal, task: Task, data: TaskUpdate
) -> None:
    """The field changes of `update_task`, flushed."""
    changes = data.model_dump(
        exclude_unset=True, exclude={"taskdata", "owners", "status", "position", "is_approved"}
    )
    for key in ("title", "summary", "task_type", "deadline", "started_at", "max_assignable"):
        if key in changes:
            setattr(task, key, changes[key])
    settings = {k: v for k, v in changes.items() if k in TASK_EXTRA_KEYS}
    if settings:
        task.settings = {**task.settings, **settings}
    if data.taskdata:
        await save_answers(session, caller, task, data.taskdata)
    if data.owners is not None:
        await check_owners(session, caller.org_id, data.owners, "owners")
        await session.execute(delete(TaskOwner).where(TaskOwner.task_id == task.id))
        rows = owner_rows(task.id, data.owners)
        if rows:
            await session.execute(insert(TaskOwner), rows)
    if data.position is not None:
        await move_task(session, task, data.position)
    task.updated_at = utcnow()
    await session.flush()
    if data.taskdata and await rule_engine.apply_rules(session, task.process_id):
        await refresh_process(session, task)


async def move_task(session: AsyncSession, task: Task, position: int) -> None:
    """Put a process task at `position` (1-based, clamped to the last place), shifting the
    tasks between its old and new places by one in a single UPDATE. A one-off task just
    takes the number."""
    if task.process_id is None:
        task.position = position
        return
    count = (
        await session.execute(
            select(func.count()).select_from(Task).where(Task.process_id == task.process_id)
        )
    ).scalar_one()
    new, old = min(position, count), task.position
    siblings = update(Task).where(Task.process_id == task.process_id, Task.id != task.id)
    if new < old:
        await session.execute(
            siblings.where(Task.position >= new, Task.position < old)
            .values(position=Task.position + 1)
            .execution_options(synchronize_session=False)
        )
    elif new > old:
        await session.execute(
            siblings.where(Task.position > old, Task.position <= new)
            .values(position=Task.position - 1)
            .execution_options(synchronize_session=False)
        )
    task.position = new


async def save_answers(
    session: AsyncSession, caller: Principal, task: Task, answers: dict[str, Any]
) -> None:
    await TaskRepository(session, caller.org_id).load_fields([task])
    for field in task.fields:
        if field.capture_id in answers:
            key = f"taskdata.{field.capture_id}"
            field.value = check_value(field, answers[field.capture_id], key)
            field.updated_at = utcnow()


@dataclass(frozen=True)
class CompletedTask:
    """A task `complete_task` completed, with its comment counts (`stats_for`), which the
    completion read to check for an open issue and the task's view shows."""

    task: Task
    comment_stats: dict[str, tuple[int, int]]


async def complete_task(
    session: AsyncSession,
    caller: Principal,
    data: TaskCompletion,
    *,
    process_id: str | None,
) -> CompletedTask:
    """Complete a task. 422 when already completed, when a required form field is empty,
    when an issue is open, or when an approval carries no decision. Completing the last
    open task of a process completes the process."""
    task = await workable_task(session, caller, data.task_id, process_id=process_id)
    if process_id is None and task.process_id is not None:
        raise InvalidState("This task belongs to a process: complete it through the process.")
    if task.is_completed:
        raise InvalidState("The task is already completed.")
    await TaskRepository(session, caller.org_id).load_fields([task])
    missing = {
        f"taskdata.{f.capture_id}": [f"{f.label} is required"]
        for f in task.fields
        if f.required and is_empty(f.value)
    }
    if missing:
        raise RuleViolation.many(missing)
    comment_stats = await CommentRepository(session, caller.org_id).stats_for([task.id])
    if comment_stats[task.id][1]:
        raise InvalidState("Resolve the open issue on this task before completing it.")
    if task.task_type == "approval" and data.is_approved is None:
        raise RuleViolation("is_approved", "An approval task needs is_approved.")
    completer = data.override_user or caller.user_id
    await org_service.ensure_members(session, caller, "override_user", [completer])
    await TaskRepository(session, caller.org_id).write(
        task,
        status=TaskStatus.COMPLETED,
        completed_at=utcnow(),
        completer_id=completer,
        is_approved=data.is_approved,
    )
    await rule_engine.apply_rules(session, task.process_id)
    process = await refresh_process(session, task)
    await announce_completion(session, caller, task, process)
    return CompletedTask(task, comment_stats)


async def reopen_task(
    session: AsyncSession, caller: Principal, task_id: str, *, process_id: str | None
) -> Task:
    """Reopen a completed task (422 if it is not completed); its process becomes active."""
    task = await workable_task(session, caller, task_id, process_id=process_id)
    if process_id is None and task.process_id is not None:
        raise InvalidState("This task belongs to a process: reopen it through the process.")
    if not task.is_completed:
        raise InvalidState("The task is not completed.")
    await TaskRepository(session, caller.org_id).write(
        task, status=TaskStatus.IN_PROGRESS, completed_at=None, completer_id=None, is_approved=None
    )
    await rule_engine.apply_rules(session, task.process_id)
    await refresh_process(session, task)
    return task


async def announce_completion(
    session: AsyncSession, caller: Principal, task: Task, process: Process | None
) -> None:
    """Queue `task.completed`, and `process.completed` when this completion (of a task that
    was open) completed its process."""
    await outbox.emit(session, caller, "task.completed", task.id, task.title)
    if process is not None and process.status == "complete":
        await outbox.emit(session, caller, "process.completed", process.id, process.name)


# Built once: every completion, reopening and issue comment recounts its process.
OPEN_ISSUES = (
    select(func.count())
    .select_from(Comment)
    .join(Task, Task.id == Comment.task_id)
    .where(Task.process_id == bindparam("process_id"), open_issue(), not_deleted())
    .correlate(None)  # its own tasks, not the row of the statement it sits in
    .scalar_subquery()
)
PROCESS_COUNTS = select(
    func.count(),
    func.coalesce(func.sum(case((Task.status == TaskStatus.COMPLETED, 1), else_=0)), 0),
    OPEN_ISSUES,
).where(Task.process_id == bindparam("process_id"), Task.status != TaskStatus.AUTO_SKIPPED)
"""A process's tasks (but the auto-skipped), how many are complete, and its open issues."""


async def refresh_process(session: AsyncSession, task: Task) -> Process | None:
    """Recount the process's tasks and open issues under a row lock and set its progress and
    status: `problem` while an issue is open on one of its tasks, else `complete` when every
    task is complete, else `active`. Returns the process (None for a one-off task)."""
    if task.process_id is None:
        return None
    # `workable_task` locked the process and gave it to the task: no second read of the row.
    repo = ProcessRepository(session, task.org_id)
    process = inspect(task).dict.get("process")
    if not isinstance(process, Process):
        process = await repo.get_or_raise(task.process_id, for_update=True)
    counts = await session.execute(PROCESS_COUNTS, {"process_id": process.id})
    total, completed, open_issues = counts.one()
    if open_issues:
        status, completed_at = "problem", None
    elif total and completed == total:
        status, completed_at = "complete", process.completed_at or utcnow()
    else:
        status, completed_at = "active", None
    await repo.write(
        process,
        task_count=total,
        completed_task_count=int(completed),
        status=status,
        completed_at=completed_at,
    )
    return process
