"""Tasks: the member's own tasks, one-off tasks, and the actions on any task (fill in its
form, complete, reopen, comment), which the process page uses too."""

from datetime import UTC, date, datetime, time
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from procession.admin.web import Member, PageOf, answers_from, flash, redirect_back, render
from procession.api.deps import DbSession
from procession.audit import service as audit_service
from procession.comments import service as comment_service
from procession.comments.schemas import CommentCreate
from procession.tasks import service as task_service
from procession.tasks.creation import create_oneoff_task
from procession.tasks.models import Task
from procession.tasks.schemas import OneOffTaskCreate, OwnersInput, TaskCompletion, TaskUpdate
from procession.tasks.service import TaskFilters

router = APIRouter(prefix="/tasks")
SHOWN = {"active": "Open", "complete": "Completed", "all": "All"}


@router.get("", response_class=HTMLResponse)
async def my_tasks(
    request: Request, member: Member, session: DbSession, page: PageOf, status: str = "active"
) -> HTMLResponse:
    status = status if status in SHOWN else "active"
    filters = TaskFilters(status=status, owner_ids=(member.user_id,))
    result = await task_service.list_tasks(session, member, filters=filters, page=page)
    tasks = await task_service.describe_tasks(session, member, result.items, frozenset({"run"}))
    context = {"result": result, "tasks": tasks, "status": status, "shown": SHOWN}
    return render(request, "tasks.html", context)


@router.post("")
async def create_task(
    request: Request,
    member: Member,
    session: DbSession,
    title: Annotated[str, Form(min_length=1, max_length=600)],
    deadline: Annotated[date, Form()],
    summary: Annotated[str, Form(max_length=10_000)] = "",
) -> RedirectResponse:
    data = OneOffTaskCreate(
        title=title.strip(),
        summary=summary.strip() or None,
        owners=OwnersInput(users=[member.user_id]),
        deadline=datetime.combine(deadline, time(17, 0), UTC),
    )
    task = await create_oneoff_task(session, member, data)
    flash(request, f"Task “{task.title}” created and assigned to you.")
    return redirect_back(request, "my_tasks")


async def save_form(request: Request, member: Member, session: DbSession, task_id: str) -> Task:
    """Store the answers typed into the task's form (blank inputs change nothing)."""
    task = await task_service.get_task(session, member, task_id)
    answers = await answers_from(request, "field.")
    if answers:
        update = TaskUpdate(taskdata=answers)
        await task_service.update_task(session, member, task_id, update, process_id=task.process_id)
    return task


@router.post("/{task_id}/save")
async def save_task(
    request: Request, task_id: str, member: Member, session: DbSession
) -> RedirectResponse:
    task = await save_form(request, member, session, task_id)
    flash(request, f"Saved the answers of “{task.title}”.")
    return redirect_back(request, "my_tasks")


@router.post("/{task_id}/complete")
async def complete_task(
    request: Request,
    task_id: str,
    member: Member,
    session: DbSession,
    decision: Annotated[Literal["", "approve", "reject"], Form()] = "",
) -> RedirectResponse:
    """Save the answers in the form, then complete (approval tasks: with the decision)."""
    task = await save_form(request, member, session, task_id)
    completion = TaskCompletion(
        task_id=task_id, is_approved={"": None, "approve": True, "reject": False}[decision]
    )
    await task_service.complete_task(session, member, completion, process_id=task.process_id)
    flash(request, f"Completed “{task.title}”.")
    return redirect_back(request, "my_tasks")


@router.post("/{task_id}/reopen")
async def reopen_task(
    request: Request, task_id: str, member: Member, session: DbSession
) -> RedirectResponse:
    task = await task_service.get_task(session, member, task_id)
    await task_service.reopen_task(session, member, task_id, process_id=task.process_id)
    flash(request, f"Reopened “{task.title}”.")
    return redirect_back(request, "my_tasks")


@router.post("/{task_id}/comments")
async def comment(
    request: Request,
    task_id: str,
    member: Member,
    session: DbSession,
    content: Annotated[str, Form(min_length=1, max_length=20_000)],
    problem: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    data = CommentCreate(content=content.strip(), label="problem" if problem else "comment")
    await comment_service.add_comment(session, member, task_id, data)
    flash(request, "Problem reported." if problem else "Comment added.")
    return redirect_back(request, "my_tasks")


@router.post("/{task_id}/archive")
async def archive_task(
    request: Request, task_id: str, member: Member, session: DbSession
) -> RedirectResponse:
    task = await task_service.oneoff_task(session, member, task_id)
    await audit_service.archive(session, member, task)
    flash(request, f"Task “{task.title}” archived.")
    return redirect_back(request, "my_tasks")
