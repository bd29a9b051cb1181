"""Comment statements."""

from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, case, func, select

from procession.comments.models import Comment
from procession.db.repository import Repository


def not_deleted() -> ColumnElement[bool]:
    """A comment shows under its task unless it was deleted on its own. Archiving its task or
    process leaves it alone (`lifecycle: inherit`): it is hidden because its task is, so
    an archived process still shows its whole conversation, and a restore brings it back."""
    return Comment.archived_at.is_(None)


def open_issue() -> ColumnElement[bool]:
    """A `problem` comment that no `resolve` has answered yet (callers choose which
    lifecycle states count)."""
    return and_(Comment.label == "problem", Comment.resolve_id.is_(None))


# The per-task statements of task views are built once: every view of a task runs them, and
# building a statement costs more than running it.
VISIBLE_COMMENTS = (
    select(Comment)
    .where(Comment.task_id.in_(bindparam("task_ids", expanding=True)), not_deleted())
    .order_by(Comment.created_at, Comment.id)
)
OPEN_PROBLEM: Any = case((open_issue(), 1), else_=0)
COMMENT_STATS = (
    select(Comment.task_id, func.count(), func.coalesce(func.sum(OPEN_PROBLEM), 0))
    .where(Comment.task_id.in_(bindparam("task_ids", expanding=True)), not_deleted())
    .group_by(Comment.task_id)
)


class CommentRepository(Repository[Comment]):
    model = Comment
    resource = "Comment"

    async def visible_for(self, task_ids: list[str]) -> dict[str, list[Comment]]:
        """The visible comments of these tasks, oldest first."""
        found: dict[str, list[Comment]] = {task_id: [] for task_id in task_ids}
        if task_ids:
            params = {"task_ids": task_ids}
            for comment in (await self.session.scalars(VISIBLE_COMMENTS, params)).all():
                found[comment.task_id].append(comment)
        return found

    async def stats_for(self, task_ids: list[str]) -> dict[str, tuple[int, int]]:
        """(visible comments, open problems) per task, in one grouped query."""
        found = dict.fromkeys(task_ids, (0, 0))
        if not task_ids:
            return found
        params = {"task_ids": task_ids}
        for task_id, comments, problems in await self.session.execute(COMMENT_STATS, params):
            found[task_id] = (comments, int(problems))
        return found
