"""Statements for guests: one organization's guests, found by email, code or id."""

from typing import Any

from sqlalchemy import case, func, select

from procession.auth.models import Membership, User
from procession.db.repository import AnySelect, Repository
from procession.guests.models import Guest
from procession.tasks.models import Task, TaskOwner, TaskStatus

SORTABLE = {
    "email": Guest.email,
    "first_name": Guest.first_name,
    "last_name": Guest.last_name,
    "created_at": Guest.created_at,
    "updated_at": Guest.updated_at,
}


class GuestRepository(Repository[Guest]):
    model = Guest
    resource = "Guest"

    def listing(self, *, query: str | None, sort: str | None) -> AnySelect:
        """The organization's guests, oldest first unless `sort` names a column (`-` for
        descending; unknown names are ignored); `query` matches the email or the name."""
        stmt = self.base()
        if query:
            like = f"%{query.lower()}%"
            name = func.lower(Guest.first_name + " " + Guest.last_name)
            stmt = stmt.where(Guest.email.like(like) | name.like(like))
        column = SORTABLE.get((sort or "").lstrip("-"))
        if column is not None:
            stmt = stmt.order_by(column.desc() if (sort or "").startswith("-") else column)
        return stmt.order_by(Guest.id)

    async def find(self, **criteria: Any) -> Guest | None:
        """The guest of this organization whose columns equal `criteria`, if any."""
        stmt = self.base().filter_by(**criteria)
        return (await self.session.scalars(stmt)).one_or_none()

    async def is_member_email(self, email: str) -> bool:
        """Whether `email` (lower-cased) belongs to a member of this organization."""
        stmt = (
            select(Membership.user_id)
            .join(User, User.id == Membership.user_id)
            .where(Membership.org_id == self.org_id, func.lower(User.email) == email)
        )
        return (await self.session.scalars(stmt)).first() is not None

    async def task_stats(self, emails: list[str]) -> dict[str, dict[str, Any]]:
        """Per guest email: live tasks assigned, how many are completed (one-off ones apart)
        and when the last was completed. One grouped query for any number of guests."""
        if not emails:
            return {}
        guest = TaskOwner.guest_email
        done = Task.status == TaskStatus.COMPLETED
        oneoff_done = done & Task.process_id.is_(None)
        stmt = (
            select(
                guest,
                func.count(Task.id),
                func.sum(case((done, 1), else_=0)),
                func.max(case((done, Task.completed_at))),
                func.sum(case((oneoff_done, 1), else_=0)),
                func.max(case((oneoff_done, Task.completed_at))),
            )
            .join(Task, Task.id == TaskOwner.task_id)
            .where(guest.in_(emails), Task.org_id == self.org_id, Task.archived_at.is_(None))
            .group_by(guest)
        )
        keys = (
            "assigned_tasks",
            "tasks_completed",
            "last_task_completed_at",
            "one_off_tasks_completed",
            "last_one_off_task_completed_at",
        )
        return {
            row[0]: dict(zip(keys, row[1:], strict=True))
            for row in (await self.session.execute(stmt)).all()
        }
