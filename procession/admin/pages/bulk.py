"""Bulk jobs: start an archive, restore or permanent delete over many objects, and follow its
progress. From these pages an operation always runs as a background job, however small, so
its progress and per-object results have a page."""

import re
from typing import Annotated, Literal
from urllib.parse import parse_qsl

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from procession.admin.web import Member, PageOf, flash, redirect, render, templates
from procession.api.deps import DbSession
from procession.bulk import service as bulk_service
from procession.bulk.models import BulkJob
from procession.bulk.schemas import PLURALS, bulk_request
from procession.errors import RuleViolation

router = APIRouter(prefix="/bulk")
ACTIONS = [("archive", "Archive"), ("restore", "Restore"), ("delete", "Delete permanently")]
OBJECT_TYPES = [(t, t.capitalize()) for t in ("process", "template", "task", "tag")]
OUTCOMES = [("refused", "Refused"), ("not_found", "Not found"), ("done", "Done")]


def parse_filter(text: str) -> dict[str, str]:
    """`status=complete&tag=...` (a list page's query string) or one KEY=VALUE per line."""
    try:
        return dict(parse_qsl(text.strip().replace("\n", "&"), strict_parsing=True))
    except ValueError as error:
        problem = "Write the filter as key=value pairs, e.g. status=complete&q=onboarding."
        raise RuleViolation("filter", problem) from error


@router.get("", response_class=HTMLResponse)
async def bulk(request: Request, member: Member, session: DbSession, page: PageOf) -> HTMLResponse:
    result = await bulk_service.list_jobs(session, member, page)
    context = {"result": result, "actions": ACTIONS, "object_types": OBJECT_TYPES}
    return render(request, "bulk.html", context)


@router.post("")
async def start_bulk(
    request: Request,
    member: Member,
    session: DbSession,
    action: Annotated[Literal["archive", "restore", "delete"], Form()],
    object_type: Annotated[str, Form()],
    filter: Annotated[str, Form()] = "",
    ids: Annotated[str, Form()] = "",
    dry_run: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    """Start a job over the ids given (spaces, commas or lines between them) or, when there
    are none, over what the filter matches (an empty filter matches everything)."""
    chosen = [part for part in re.split(r"[\s,]+", ids) if part]
    body = bulk_request(
        object_type,
        ids=chosen or None,
        filter=None if chosen else parse_filter(filter) if filter.strip() else {},
        dry_run=dry_run,
    )
    job = await bulk_service.submit(session, member, action, body, sync_limit=-1)
    assert isinstance(job, BulkJob), "a negative limit always makes a job"
    flash(request, f"Bulk {action} started ({PLURALS[body.type]}: {job.total}).")
    return redirect(request, "bulk_job", job_id=job.id)


@router.get("/{job_id}", response_class=HTMLResponse)
async def bulk_job(
    request: Request,
    job_id: str,
    member: Member,
    session: DbSession,
    page: PageOf,
    outcome: str = "",
) -> HTMLResponse:
    """A job's progress (kept up to date while it runs) and its per-object results."""
    job = await bulk_service.get_job(session, member, job_id)
    shown = outcome if outcome in dict(OUTCOMES) else None
    items = await bulk_service.list_items(session, member, job_id, page, outcome=shown)
    context = {"job": job, "plural": PLURALS[job.object_type], "items": items}
    context |= {"outcomes": OUTCOMES, "outcome": outcome}
    return render(request, "bulk_job.html", context)


@router.get("/{job_id}/progress", response_class=HTMLResponse)
async def bulk_job_progress(
    request: Request, job_id: str, member: Member, session: DbSession
) -> HTMLResponse:
    """The progress fragment the job page polls (htmx) every second until the job ends.
    Rendered on its own, not with `render`, so polling never takes a page's flash messages."""
    job = await bulk_service.get_job(session, member, job_id)
    return templates.TemplateResponse(request, "bulk_progress.html", {"job": job})
