"""Making tasks: one per step when a process launches, and one-off tasks."""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from procession.auth.service import Principal
from procession.db.base import new_id
from procession.db.types import utcnow
from procession.errors import RuleViolation
from procession.orgs import service as org_service
from procession.processes.models import Process
from procession.tags import service as tag_service
from procession.tasks.models import Task, TaskOwner, TaskStatus
from procession.tasks.repository import (
    TaskRepository,
    fields_table,
    owners_table,
    tasks_table,
)
from procession.tasks.schemas import TASK_EXTRA_KEYS, OneOffTaskCreate, OwnersInput, TaskOverride
from procession.templates.repository import CapturePlan, StepPlan

DEFAULT_DEADLINE = timedelta(days=5)
UNIT_SECONDS = {
    "minutes": 60,
    "hours": 3600,
    "days": 86400,
    "weeks": 7 * 86400,
    "months": 30 * 86400,
}
STEP_TASK_SETTINGS = (
    "everyone_must_complete",
    "can_complete_only_assignees",
    "prevent_guest_comment",
    "is_soft_start_date",
    "allow_guest_owners",
    "webhook",
    "top_secret",
)


def deadline_from_rule(rule: dict[str, Any] | None, launched_at: datetime) -> datetime:
    """A step's deadline rule applied at launch. Rules anchored to another step are measured
    from the launch too (a simplification: steps have no start times of their own yet)."""
    if not rule:
        return launched_at + DEFAULT_DEADLINE
    unit_seconds = UNIT_SECONDS.get(str(rule.get("unit", "days")), UNIT_SECONDS["days"])
    offset = timedelta(seconds=rule.get("value", 0) * unit_seconds)
    return launched_at - offset if rule.get("option") == "prior_to" else launched_at + offset


async def check_owners(session: AsyncSession, org_id: str, owners: OwnersInput, key: str) -> None:
    """422 on `key` unless every user among the owners is a member of the organization."""
    known = await org_service.member_ids(session, org_id=org_id, user_ids=owners.users)
    unknown = [user_id for user_id in owners.users if user_id not in known]
    if unknown:
        raise RuleViolation(f"{key}.users", f"User {unknown[0]} is not a member.")


def owner_rows(task_id: str, owners: OwnersInput) -> list[dict[str, Any]]:
    """One row per owner, each naming every column: one `executemany` takes them all."""
    empty = {"task_id": task_id, "user_id": None, "guest_email": None, "group_id": None}
    rows: list[dict[str, Any]] = [{**empty, "user_id": u} for u in owners.users]
    # Emails are matched case-insensitively (a guest's task list), so they are stored lower-cased.
    rows += [{**empty, "guest_email": g.lower()} for g in owners.guests]
    rows += [{**empty, "group_id": g} for g in owners.groups]
    return rows


def owners_for_step(
    step: StepPlan,
    override: TaskOverride | None,
    launcher_id: int,
    *,
    roles: dict[str, OwnersInput] | None = None,
    assign_starter: bool = True,
) -> OwnersInput:
    """Who gets the task: the launch's override, else the step's assignees plus whoever the
    launch's `roles` name for the step's roles, else the launcher when the step says so
    (Tallyfy's `assign_run_starter`, on by default) and the launch did not ask to assign
    someone else (`assign_someone_else`)."""
    if override is not None and override.owners is not None:
        return override.owners
    owners = OwnersInput(users=step.assignees, guests=step.guests, groups=step.groups)
    for role_id in step.settings.get("roles", []):
        given = (roles or {}).get(role_id)
        if given is not None:
            owners = OwnersInput(
                users=list(dict.fromkeys(owners.users + given.users)),
                guests=list(dict.fromkeys(owners.guests + given.guests)),
                groups=list(dict.fromkeys(owners.groups + given.groups)),
            )
    if owners.is_empty and assign_starter and step.settings.get("assign_run_starter", True):
        return OwnersInput(users=[launcher_id])
    return owners


def launch_order(steps: list[StepPlan], overrides: dict[str, TaskOverride]) -> list[StepPlan]:
    """The steps in the order of their tasks: a `position` override moves a step's task to
    that place (ahead of a step whose own position it takes); the others keep step order."""

    def key(step: StepPlan) -> tuple[int, int, int]:
        chosen = overrides.get(step.id)
        if chosen is not None and chosen.position is not None:
            return (chosen.position, 0, step.position)
        return (step.position, 1, step.position)

    return sorted(steps, key=key)


async def create_process_tasks(
    session: AsyncSession,
    caller: Principal,
    *,
    process: Process,
    steps: list[StepPlan],
    captures: dict[str, list[CapturePlan]],
    overrides: dict[str, TaskOverride],
    roles: dict[str, OwnersInput] | None = None,
    assign_starter: bool = True,
) -> None:
    """One task per step with the step's form fields copied, in three bulk inserts. The
    process was numbered in this transaction, which holds its organization's lock.

    `overrides` (the launch's `tasks` object) must name only steps of the template: 422 on
    `tasks.<id>` otherwise. `roles` and `assign_starter` choose owners (`owners_for_step`).
    """
    step_ids = {step.id for step in steps}
    for step_id, override in overrides.items():
        if step_id not in step_ids:
            raise RuleViolation(f"tasks.{step_id}", "Unknown step for this template.")
        if override.owners is not None:
            await check_owners(session, caller.org_id, override.owners, f"tasks.{step_id}.owners")
    # The launch locked the organization as it numbered the process.
    next_increment = await TaskRepository(session, caller.org_id).next_increment_id(
        organization_locked=True
    )
    tasks, fields, owners = [], [], []
    for offset, step in enumerate(launch_order(steps, overrides)):
        chosen = overrides.get(step.id)
        task_id = new_id()
        deadline = (chosen.deadline if chosen else None) or deadline_from_rule(
            step.deadline, process.created_at
        )
        tasks.append(
            {
                "id": task_id,
                "org_id": caller.org_id,
                "increment_id": next_increment + offset,
                "process_id": process.id,
                "step_id": step.id,
                "template_id": process.template_id,
                "alias": step.alias,
                "title": step.title,
                "original_title": step.title,
                "summary": step.summary,
                "position": offset + 1,
                "task_type": step.step_type,
                "status": TaskStatus.NOT_STARTED,
                "deadline": deadline,
                "starter_id": caller.user_id,
                "max_assignable": chosen.max_assignable
                if chosen and chosen.max_assignable is not None
                else step.settings.get("max_assignable", 1),
                "settings": {k: step.settings[k] for k in STEP_TASK_SETTINGS if k in step.settings},
                "created_at": process.created_at,
                "updated_at": process.created_at,
            }
        )
        chosen_owners = owners_for_step(
            step, chosen, caller.user_id, roles=roles, assign_starter=assign_starter
        )
        owners += owner_rows(task_id, chosen_owners)
        fields += [copied_field(task_id, capture) for capture in captures[step.id]]
    # Into the tables, not through the ORM's bulk insert: that one walks every row again to
    # sort out its columns, a tenth of a 100-step launch. Column defaults apply either way.
    for table, rows in ((tasks_table, tasks), (fields_table, fields), (owners_table, owners)):
        if rows:
            await session.execute(insert(table), rows)


def copied_field(task_id: str, capture: CapturePlan) -> dict[str, Any]:
    """A task's own copy of a step capture, with its default answer if the capture has one."""
    default = capture.settings.get("default_value")
    use_default = capture.settings.get("default_value_enabled") and default is not None
    return {
        "id": new_id(),
        "task_id": task_id,
        "capture_id": capture.id,
        "field_type": capture.field_type,
        "label": capture.label,
        "guidance": capture.guidance,
        "position": capture.position,
        "required": capture.required,
        "options": capture.options,
        "columns": capture.columns,
        "settings": capture.settings,
        "value": default if use_default else None,
    }


async def create_oneoff_task(
    session: AsyncSession, caller: Principal, data: OneOffTaskCreate
) -> Task:
    """A task with no process. 403 for light members; 422 for owners or tags not found."""
    caller.require_editor("create tasks")
    await check_owners(session, caller.org_id, data.owners, "owners")
    repo = TaskRepository(session, caller.org_id)
    task = repo.add(
        Task(
            org_id=caller.org_id,
            increment_id=await repo.next_increment_id(),
            title=data.title,
            original_title=data.title,
            summary=data.summary,
            task_type=data.task_type,
            deadline=data.deadline,
            started_at=data.started_at or utcnow(),
            starter_id=caller.user_id,
            max_assignable=data.max_assignable,
            settings=data.model_dump(include=TASK_EXTRA_KEYS),
        )
    )
    await session.flush()
    await session.execute(insert(TaskOwner), owner_rows(task.id, data.owners))
    await tag_service.tag_new_subject(session, caller.org_id, "Task", task.id, data.tags)
    return task
