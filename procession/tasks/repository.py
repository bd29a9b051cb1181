"""Task statements."""

from sqlalchemy import bindparam, select

from procession.db.repository import Repository
from procession.errors import NotFound
from procession.tasks.models import Task, TaskField, TaskOwner
from procession.tasks.schemas import OwnersRead

# Built once: every task view runs them (see comments/repository.py).
OWNERS = (
    select(TaskOwner)
    .where(TaskOwner.task_id.in_(bindparam("task_ids", expanding=True)))
    .order_by(TaskOwner.id)
)
FIELDS = (
    select(TaskField)
    .where(TaskField.task_id.in_(bindparam("task_ids", expanding=True)))
    .order_by(TaskField.position, TaskField.id)
)


class TaskRepository(Repository[Task]):
    model = Task
    resource = "Task"

    async def owners_of(self, task_ids: list[str]) -> dict[str, OwnersRead]:
        found = {task_id: OwnersRead() for task_id in task_ids}
        if task_ids:
            params = {"task_ids": task_ids}
            for owner in (await self.session.scalars(OWNERS, params)).all():
                owners = found[owner.task_id]
                if owner.user_id is not None:
                    owners.users.append(owner.user_id)
                elif owner.guest_email is not None:
                    owners.guests.append(owner.guest_email)
                elif owner.group_id is not None:
                    owners.groups.append(owner.group_id)
        return found

    async def fields_of(self, task_ids: list[str]) -> dict[str, list[TaskField]]:
        found: dict[str, list[TaskField]] = {task_id: [] for task_id in task_ids}
        if task_ids:
            params = {"task_ids": task_ids}
            for field in (await self.session.scalars(FIELDS, params)).all():
                found[field.task_id].append(field)
        return found

    async def in_process(self, process_id: str, task_id: str, *, for_update: bool = False) -> Task:
        """A task of this process (404 when it belongs to another process or organization)."""
        task = await self.get_or_raise(task_id, for_update=for_update)
        if task.process_id != process_id:
            raise NotFound("Task")
        return task
