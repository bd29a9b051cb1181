"""Processes: filtered list with progress, one process with its tasks, form values and
comments; tagging and archiving."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.ext.asyncio import AsyncSession

from procession.admin.web import Member, PageOf, flash, redirect, redirect_back, render
from procession.api.deps import DbSession
from procession.audit import service as audit_service
from procession.auth.service import Principal
from procession.db.repository import PageRequest, Visibility
from procession.orgs import service as org_service
from procession.processes import service as process_service
from procession.processes.service import ProcessFilters
from procession.tags import service as tag_service
from procession.tags.schemas import TaggingCreate
from procession.tasks import service as task_service
from procession.templates import service as template_service

router = APIRouter(prefix="/processes")
STATUSES = ("active", "problem", "complete")
CHOICES = PageRequest(per_page=100)  # filter and tag menus offer the first hundred


async def live_tags(session: AsyncSession, member: Principal) -> list[tuple[str, str]]:
    result = await tag_service.list_tags(session, member, page=CHOICES, visibility=Visibility.LIVE)
    return [(tag.id, tag.title) for tag in result.items]


@router.get("", response_class=HTMLResponse)
async def processes(
    request: Request,
    member: Member,
    session: DbSession,
    page: PageOf,
    status: str = "",
    template: str = "",
    tag: str = "",
    q: str = "",
) -> HTMLResponse:
    filters = ProcessFilters(
        status=status if status in STATUSES else None,
        template_id=template or None,
        tag_id=tag or None,
        query=q.strip() or None,
    )
    result = await process_service.list_processes(session, member, filters=filters, page=page)
    runs = await process_service.describe_processes(session, member, result.items, frozenset())
    templates = await template_service.list_templates(
        session, member, page=CHOICES, visibility=Visibility.LIVE
    )
    context = {
        "result": result,
        "runs": runs,
        "statuses": [(s, s.capitalize()) for s in STATUSES],
        "templates": [(t.id, t.title) for t in templates.items],
        "tags": await live_tags(session, member),
        "chosen": {"status": status, "template": template, "tag": tag, "q": q},
    }
    return render(request, "processes.html", context)


@router.get("/{process_id}", response_class=HTMLResponse)
async def process(
    request: Request, process_id: str, member: Member, session: DbSession, page: PageOf
) -> HTMLResponse:
    found = await process_service.get_process(session, member, process_id)
    (run,) = await process_service.describe_processes(
        session, member, [found], frozenset({"tags", "checklist"})
    )
    result = await task_service.list_process_tasks(session, member, process_id, page=page)
    tasks = await task_service.describe_tasks(
        session, member, result.items, frozenset({"form_fields", "threads"})
    )
    people = {run.owner_id} | {u for t in tasks for u in t.owners.users}
    people |= {c.author_id for t in tasks for c in (t.threads.data if t.threads else [])}
    people |= {t.completer_id for t in tasks}
    context = {
        "run": run,
        "subject": found,
        "tasks": tasks,
        "result": result,
        "names": await org_service.names_of(
            session, org_id=member.org_id, user_ids={p for p in people if p is not None}
        ),
        "tags": await live_tags(session, member),
    }
    return render(request, "process.html", context)


@router.post("/{process_id}/tags")
async def tag_process(
    request: Request,
    process_id: str,
    member: Member,
    session: DbSession,
    tag_id: Annotated[str, Form(min_length=1)],
) -> RedirectResponse:
    await process_service.get_process(session, member, process_id)
    link = TaggingCreate(tag_id=tag_id, subject_type="Run", subject_id=process_id)
    _, tag = await tag_service.tag_subject(session, member, link)
    flash(request, f"Tagged “{tag.title}”.")
    return redirect_back(request)


@router.post("/{process_id}/tags/{tagging_id}/remove")
async def untag_process(
    request: Request, process_id: str, tagging_id: int, member: Member, session: DbSession
) -> RedirectResponse:
    await process_service.get_process(session, member, process_id)
    _, tag = await tag_service.untag(session, member, tagging_id)
    flash(request, f"Tag “{tag.title}” removed.")
    return redirect_back(request)


@router.post("/{process_id}/archive")
async def archive_process(
    request: Request, process_id: str, member: Member, session: DbSession
) -> RedirectResponse:
    found = await process_service.get_process(session, member, process_id, for_update=True)
    await audit_service.archive(session, member, found)
    flash(request, f"Process “{found.name}” archived, with its tasks and comments.")
    return redirect(request, "processes")
