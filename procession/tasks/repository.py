"""Task statements."""

from typing import Any, cast

from sqlalchemy import Table, bindparam, inspect, select
from sqlalchemy.orm.attributes import set_committed_value

from procession.db.repository import Repository
from procession.errors import NotFound
from procession.tasks.models import Task, TaskField, TaskOwner
from procession.tasks.schemas import OwnersRead

# Built once: every task view runs them (see comments/repository.py). Owners and answers are
# read as plain rows from the tables: a view needs a few columns of each, and loading them as
# entities (with every JSON column of a form field decoded) was most of a task list's cost.
# The tables themselves, for reads of plain rows and for a launch's bulk inserts.
tasks_table, fields_table, owners_table = (
    cast(Table, model.__table__) for model in (Task, TaskField, TaskOwner)
)
OWNERS = (
    select(
        owners_table.c.task_id,
        owners_table.c.user_id,
        owners_table.c.guest_email,
        owners_table.c.group_id,
    )
    .where(owners_table.c.task_id.in_(bindparam("task_ids", expanding=True)))
    .order_by(owners_table.c.id)
)
FIELDS = (
    select(TaskField)
    .where(TaskField.task_id.in_(bindparam("task_ids", expanding=True)))
    .order_by(TaskField.position, TaskField.id)
)
ANSWERS = (
    select(fields_table.c.task_id, fields_table.c.capture_id, fields_table.c.value)
    .where(fields_table.c.task_id.in_(bindparam("task_ids", expanding=True)))
    .order_by(fields_table.c.position, fields_table.c.id)
)


def holds_fields(task: Task) -> bool:
    """Whether the task holds its form fields (`TaskRepository.load_fields`)."""
    # The instance's dict, not `inspect(task).attrs`: that builds a state for every attribute.
    return "fields" in inspect(task).dict


class TaskRepository(Repository[Task]):
    model = Task
    resource = "Task"

    async def owners_of(self, task_ids: list[str]) -> dict[str, OwnersRead]:
        found = {task_id: OwnersRead() for task_id in task_ids}
        if task_ids:
            params = {"task_ids": task_ids}
            for task_id, user_id, guest_email, group_id in await self.session.execute(
                OWNERS, params
            ):
                owners = found[task_id]
                if user_id is not None:
                    owners.users.append(user_id)
                elif guest_email is not None:
                    owners.guests.append(guest_email)
                elif group_id is not None:
                    owners.groups.append(group_id)
        return found

    async def load_fields(self, tasks: list[Task]) -> None:
        """Give each task its form fields (`task.fields`, in the form's order), in one query
        for those that do not hold them yet. A task's fields are only made at launch, so
        what a task holds stays whole for the transaction, and a view of it later reads its
        answers there instead of selecting them again."""
        missing = {task.id: task for task in tasks if not holds_fields(task)}
        if not missing:
            return
        found: dict[str, list[TaskField]] = {task_id: [] for task_id in missing}
        for field in (await self.session.scalars(FIELDS, {"task_ids": list(missing)})).all():
            found[field.task_id].append(field)
        for task_id, fields in found.items():
            set_committed_value(missing[task_id], "fields", fields)

    async def answers_of(self, task_ids: list[str]) -> dict[str, dict[str, Any]]:
        """Each task's form answers (`taskdata`) by capture id, in the form's order."""
        found: dict[str, dict[str, Any]] = {task_id: {} for task_id in task_ids}
        if task_ids:
            params = {"task_ids": task_ids}
            for task_id, capture_id, value in await self.session.execute(ANSWERS, params):
                found[task_id][capture_id] = value
        return found

    async def in_process(self, process_id: str, task_id: str, *, for_update: bool = False) -> Task:
        """A task of this process (404 when it belongs to another process or organization)."""
        task = await self.get_or_raise(task_id, for_update=for_update)
        if task.process_id != process_id:
            raise NotFound("Task")
        return task
