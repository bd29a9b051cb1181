"""Applying a template's automation rules inside one process (reference 3.5, 4.4).

`apply_rules(session, process_id)` is called when a process is launched, when one of its
tasks is completed or reopened, and when its form answers or kick-off answers change. It
evaluates every rule of the process's template against the process as it is now:

- a rule holds when its conditions do, all of them (`condition_logic` "and", the default) or
  any (`"or"`). A `Step` condition holds once that step's task is completed; `Capture` and
  `Prerun` conditions compare the answer of that form field or kick-off field with the
  condition's `statement` (`equals`, `not_equals`, `contains`, `not_contains`, `equals_any`
  (a comma-separated list), `greater_than`, `less_than`, `is_empty`, `is_not_empty`), case-
  and surrounding-space-insensitively; an option answer is compared by its text, a list
  answer item by item.
- Visibility is a state: a step targeted by `show` actions is visible only while one of
  those rules holds; a step targeted by a `hide` action is hidden while that rule holds
  (hide wins). A hidden task that is not completed gets the status `auto-skipped`: it is
  not counted in the process's progress, does not keep the process from completing and is
  not listed among open tasks. Shown again, it goes back to `not-started` (or `in-progress`
  once started). Completed tasks are never hidden.
- The other actions are events: they run once when their rule starts to hold (recorded in
  `RuleFiring`), and again only after it has stopped holding and holds anew. `assign` adds
  the action's members, guests and groups to the target task; `assign_only` makes them its
  only assignees; `unassign` removes them; `deadline` sets the target task's deadline to
  `value` `unit`s from now (not for completed tasks); `reopen` reopens a completed task.
"""

from collections import defaultdict
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from procession.automations.models import AutomationRule, RuleFiring
from procession.automations.repository import RuleRepository
from procession.db.types import utcnow
from procession.processes.models import Process
from procession.tasks.models import Task, TaskField, TaskOwner, TaskStatus
from procession.templates.values import is_empty

UNIT_SECONDS = {"minutes": 60, "hours": 3600, "days": 86400, "weeks": 604800, "months": 2592000}
OWNER_COLUMNS = {"users": "user_id", "guests": "guest_email", "groups": "group_id"}


def texts(value: Any) -> list[str]:
    """An answer as the texts a statement is compared with."""
    if value is None:
        return []
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, dict):
        if value.get("selected") is False:
            return []
        for key in ("text", "value", "label"):
            if value.get(key) is not None:
                return texts(value[key])
        return []
    if isinstance(value, list):
        return [text for item in value for text in texts(item)]
    return [str(value).strip().casefold()]


def number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def compare(operation: str, answer: Any, statement: str | None) -> bool:
    if operation == "is_empty":
        return is_empty(answer)
    if operation == "is_not_empty":
        return not is_empty(answer)
    found = texts(answer)
    wanted = (statement or "").strip().casefold()
    if operation == "equals":
        return wanted in found
    if operation == "not_equals":
        return wanted not in found
    if operation == "contains":
        return any(wanted in text for text in found)
    if operation == "not_contains":
        return not any(wanted in text for text in found)
    if operation == "equals_any":
        options = {option.strip() for option in wanted.split(",") if option.strip()}
        return any(text in options for text in found)
    if operation in ("greater_than", "less_than"):
        limit = number(wanted)
        values = [n for n in map(number, found) if n is not None]
        if limit is None:
            return False
        if operation == "greater_than":
            return any(n > limit for n in values)
        return any(n < limit for n in values)
    return False


def rule_holds(
    rule: AutomationRule, tasks_by_step: dict[str, Task], answers: dict[str, Any]
) -> bool:
    results = []
    for condition in sorted(rule.conditions, key=lambda c: c.get("position") or 0):
        target = condition.get("conditionable_id") or ""
        if condition.get("conditionable_type") == "Step":
            task = tasks_by_step.get(target)
            results.append(task is not None and task.is_completed)
        else:
            results.append(
                compare(
                    condition.get("operation", ""), answers.get(target), condition.get("statement")
                )
            )
    if not results:
        return False
    return any(results) if rule.condition_logic == "or" else all(results)


def visibility(rules: list[AutomationRule], holding: set[str]) -> dict[str, bool]:
    """Whether each step some visibility action targets is visible now."""
    shows: dict[str, list[str]] = defaultdict(list)
    hides: dict[str, list[str]] = defaultdict(list)
    for rule in rules:
        for action in rule.actions:
            if action.get("action_type") == "visibility":
                verb = shows if action.get("action_verb") == "show" else hides
                verb[action["target_step_id"]].append(rule.id)
    return {
        step_id: (not shows[step_id] or any(r in holding for r in shows[step_id]))
        and not any(r in holding for r in hides[step_id])
        for step_id in shows.keys() | hides.keys()
    }


async def apply_action(
    session: AsyncSession, task: Task, action: dict[str, Any], changed: dict[str, str]
) -> None:
    """Run one event action (assignment, deadline, reopen) on its target task."""
    kind, verb = action.get("action_type"), action.get("action_verb")
    if kind == "deadline" and action.get("deadline") and not task.is_completed:
        rule = action["deadline"]
        seconds = int(rule.get("value", 0)) * UNIT_SECONDS.get(rule.get("unit", "days"), 86400)
        task.deadline = utcnow() + timedelta(seconds=seconds)
        changed[task.id] = "deadline"
    elif kind == "assignment":
        people = action.get("assignees") or {}
        rows = [
            {"task_id": task.id, column: value}
            for key, column in OWNER_COLUMNS.items()
            for value in people.get(key, [])
        ]
        current = {
            (owner.user_id, owner.guest_email, owner.group_id): owner
            for owner in (
                await session.scalars(select(TaskOwner).where(TaskOwner.task_id == task.id))
            ).all()
        }

        def key(row: dict[str, Any]) -> tuple[Any, Any, Any]:
            return (row.get("user_id"), row.get("guest_email"), row.get("group_id"))

        if verb == "assign_only":
            await session.execute(delete(TaskOwner).where(TaskOwner.task_id == task.id))
            current = {}
        if verb == "unassign":
            for row in rows:
                owner = current.get(key(row))
                if owner is not None:
                    await session.delete(owner)
        else:
            missing = [row for row in rows if key(row) not in current]
            missing = list({key(row): row for row in missing}.values())
            if missing:
                await session.execute(insert(TaskOwner), missing)
        changed[task.id] = verb or "assignment"
    elif kind == "status" and verb == "reopen" and task.is_completed:
        task.status = TaskStatus.IN_PROGRESS
        task.completed_at = task.completer_id = task.is_approved = None
        changed[task.id] = "reopened"


def recount(process: Process, tasks: list[Task]) -> None:
    """Progress of the process without its hidden tasks; complete once every shown task is."""
    shown = [t for t in tasks if t.status != TaskStatus.AUTO_SKIPPED]
    process.task_count = len(shown)
    process.completed_task_count = sum(1 for t in shown if t.is_completed)
    if process.status == "problem":
        return
    if shown and process.completed_task_count == len(shown):
        process.status, process.completed_at = "complete", process.completed_at or utcnow()
    else:
        process.status, process.completed_at = "active", None


async def apply_rules(session: AsyncSession, process_id: str | None) -> dict[str, str]:
    """Evaluate the rules of the process's template and apply what they decide (see the
    module's text). Returns what changed, task id -> `hidden`, `shown`, `assign`, ...; empty
    when the template has no rules (no query when the process was loaded with `has_rules`,
    one otherwise) or the task has no process."""
    if process_id is None:
        return {}
    process = await session.get(Process, process_id)
    if process is None or process.template_id is None or process.has_rules is False:
        return {}
    rules = (await RuleRepository(session).rules_of([process.template_id]))[process.template_id]
    if not rules:
        return {}
    tasks = list(
        (
            await session.scalars(
                select(Task).where(Task.process_id == process.id).order_by(Task.position)
            )
        ).all()
    )
    by_step = {task.step_id: task for task in tasks if task.step_id}
    answered = await session.execute(
        select(TaskField.capture_id, TaskField.value)
        .join(Task, Task.id == TaskField.task_id)
        .where(Task.process_id == process.id)
    )
    answers: dict[str, Any] = {**process.prerun}
    answers.update((capture_id, value) for capture_id, value in answered.all())
    holding = {rule.id for rule in rules if rule_holds(rule, by_step, answers)}
    changed: dict[str, str] = {}
    for step_id, visible in visibility(rules, holding).items():
        task = by_step.get(step_id)
        if task is None or task.is_completed:
            continue
        if not visible and task.status != TaskStatus.AUTO_SKIPPED:
            task.status = TaskStatus.AUTO_SKIPPED
            changed[task.id] = "hidden"
        elif visible and task.status == TaskStatus.AUTO_SKIPPED:
            task.status = TaskStatus.IN_PROGRESS if task.started_at else TaskStatus.NOT_STARTED
            changed[task.id] = "shown"
    fired = set(
        (
            await session.scalars(
                select(RuleFiring.rule_id).where(RuleFiring.process_id == process.id)
            )
        ).all()
    )
    if fired - holding:
        await session.execute(
            delete(RuleFiring).where(
                RuleFiring.process_id == process.id, RuleFiring.rule_id.in_(fired - holding)
            )
        )
    for rule in rules:
        if rule.id not in holding or rule.id in fired:
            continue
        session.add(RuleFiring(process_id=process.id, rule_id=rule.id))
        for action in sorted(rule.actions, key=lambda a: a.get("position") or 0):
            task = by_step.get(action.get("target_step_id") or "")
            if task is not None and action.get("action_type") != "visibility":
                await apply_action(session, task, action, changed)
    if changed:
        recount(process, tasks)
    await session.flush()
    return changed
