"""Comment (thread) routes. Comments are read through a task's `?with=threads`."""

from fastapi import APIRouter

from procession.api.deps import DbSession
from procession.api.schemas import Data
from procession.auth.deps import Caller
from procession.comments import service as comment_service
from procession.comments.schemas import (
    CommentCreate,
    CommentRead,
    CommentUpdate,
    IssueReport,
    IssueResolution,
)

router = APIRouter(prefix="/organizations/{org}/tasks/{task_id}/comment", tags=["comments"])
issues_router = APIRouter(prefix="/organizations/{org}/tasks/{task_id}", tags=["comments"])


@router.post("", status_code=201)
async def add_comment(
    task_id: str, body: CommentCreate, caller: Caller, session: DbSession
) -> Data[CommentRead]:
    comment = await comment_service.add_comment(session, caller, task_id, body)
    return Data(data=CommentRead.of(comment))


@router.put("/{comment_id}")
async def update_comment(
    task_id: str, comment_id: str, body: CommentUpdate, caller: Caller, session: DbSession
) -> Data[CommentRead]:
    comment = await comment_service.update_comment(session, caller, task_id, comment_id, body)
    return Data(data=CommentRead.of(comment))


@router.delete("/{comment_id}")
async def delete_comment(
    task_id: str, comment_id: str, caller: Caller, session: DbSession
) -> Data[CommentRead]:
    """Delete a comment: it disappears from the task's threads (kept archived)."""
    comment = await comment_service.delete_comment(session, caller, task_id, comment_id)
    return Data(data=CommentRead.of(comment))


@issues_router.post("/problem", status_code=201)
async def report_issue(
    task_id: str, body: IssueReport, caller: Caller, session: DbSession
) -> Data[CommentRead]:
    """Report an issue on a task: a `problem` thread that blocks completion until resolved."""
    comment = await comment_service.report_issue(session, caller, task_id, body)
    return Data(data=CommentRead.of(comment))


@issues_router.post("/resolved-threads", status_code=201)
async def resolve_issue(
    task_id: str, body: IssueResolution, caller: Caller, session: DbSession
) -> Data[CommentRead]:
    """Resolve an open issue of the task with a `resolve` thread."""
    comment = await comment_service.resolve_issue(session, caller, task_id, body)
    return Data(data=CommentRead.of(comment))
