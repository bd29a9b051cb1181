"""Comments on tasks: add, edit, delete (a delete archives the comment)."""

from sqlalchemy.ext.asyncio import AsyncSession

from procession.auth.service import Principal
from procession.comments.models import Comment
from procession.comments.repository import CommentRepository
from procession.comments.schemas import (
    CommentCreate,
    CommentUpdate,
    IssueReport,
    IssueResolution,
)
from procession.db import lifecycle
from procession.errors import NotFound, RuleViolation
from procession.orgs import service as org_service
from procession.tasks import service as task_service
from procession.tasks.models import Task


async def add_comment(
    session: AsyncSession, caller: Principal, task_id: str, data: CommentCreate
) -> Comment:
    """Comment on a task the caller may work on. 422 when the task or its process is
    archived, or when `sent_to` names someone outside the organization."""
    # Any comment is activity on its process; a `problem` also puts it in problem, which a
    # recount (stamping it too) decides.
    is_issue = data.label == "problem"
    if is_issue:
        task = await task_service.workable_task(session, caller, task_id)
    else:
        task = await task_service.workable_task_stamping_process(session, caller, task_id)
    await org_service.ensure_members(session, caller, "sent_to", data.sent_to)
    comment = await CommentRepository(session, caller.org_id).insert(
        Comment(
            org_id=caller.org_id,
            task_id=task.id,
            author_id=caller.user_id,
            content=data.content,
            label=data.label,
            state=data.state,
            sent_to=data.sent_to,
        )
    )
    if is_issue:
        await task_service.refresh_process(session, task)
    return comment


async def authored_comment(
    session: AsyncSession, caller: Principal, task_id: str, comment_id: str
) -> tuple[Task, Comment]:
    """A live comment on a live task, which only its author or an admin may change."""
    task = await task_service.workable_task(session, caller, task_id)
    comment = await CommentRepository(session, caller.org_id).get_or_raise(
        comment_id, for_update=True
    )
    if comment.task_id != task_id or comment.is_archived:
        raise NotFound("Comment")
    if comment.author_id != caller.user_id and not caller.is_admin:
        caller.require("admin", action="change other people's comments")
    return task, comment


async def update_comment(
    session: AsyncSession, caller: Principal, task_id: str, comment_id: str, data: CommentUpdate
) -> Comment:
    task, comment = await authored_comment(session, caller, task_id, comment_id)
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if "sent_to" in changes:
        await org_service.ensure_members(session, caller, "sent_to", changes["sent_to"])
    for key, value in changes.items():
        setattr(comment, key, value)
    await session.flush()
    await task_service.refresh_process(session, task)  # the label may open or close an issue
    return comment


async def delete_comment(
    session: AsyncSession, caller: Principal, task_id: str, comment_id: str
) -> Comment:
    """Archive the comment under its own batch, so restoring its process later leaves it
    deleted."""
    task, comment = await authored_comment(session, caller, task_id, comment_id)
    await lifecycle.archive(session, comment, caller.user_id)
    await task_service.refresh_process(session, task)  # deleting an issue closes it
    return comment


async def report_issue(
    session: AsyncSession, caller: Principal, task_id: str, data: IssueReport
) -> Comment:
    """Report an issue: a `problem` thread on the task. Until it is resolved the task shows
    `problem: true`, cannot be completed, and its process is in `problem`. Same checks as
    `add_comment`."""
    return await add_comment(
        session, caller, task_id, CommentCreate(content=data.content, label="problem")
    )


async def resolve_issue(
    session: AsyncSession, caller: Principal, task_id: str, data: IssueResolution
) -> Comment:
    """Resolve the issue `thread_id` of this task with a `resolve` thread, whose id becomes
    the issue's `resolve_id`. When no issue remains open, the task's problem flag clears and
    the process leaves `problem`. 404 for the task; 422 (on `thread_id`) unless the thread is
    an open issue of this task."""
    task = await task_service.workable_task(session, caller, task_id)
    issue = await CommentRepository(session, caller.org_id).get(data.thread_id, for_update=True)
    if (
        issue is None
        or issue.task_id != task.id
        or issue.is_archived
        or issue.label != "problem"
        or issue.resolve_id is not None
    ):
        raise RuleViolation("thread_id", "This thread is not an open issue of this task.")
    resolution = await CommentRepository(session, caller.org_id).insert(
        Comment(
            org_id=caller.org_id,
            task_id=task.id,
            author_id=caller.user_id,
            content=data.content,
            label="resolve",
            state=data.state,
            sent_to=[],
        )
    )
    issue.resolve_id = resolution.id
    await session.flush()
    await task_service.refresh_process(session, task)  # the last open issue leaves `problem`
    return resolution
