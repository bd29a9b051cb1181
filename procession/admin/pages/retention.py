"""The organization's retention policy, a dry run of it, and running it now (admins only)."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from procession.admin.web import Member, flash, redirect, render
from procession.api.deps import DbSession
from procession.retention import service as retention_service
from procession.retention.schemas import RetentionPolicyWrite

router = APIRouter(prefix="/retention")


@router.get("", response_class=HTMLResponse)
async def retention(request: Request, member: Member, session: DbSession) -> HTMLResponse:
    policy = await retention_service.read_policy(session, member)
    return render(request, "retention.html", {"policy": policy})


def days(value: str) -> int | None:
    """A window from its form input: blank means off (validated by the schema)."""
    return int(value) if value.strip() else None


@router.post("")
async def save_retention(
    request: Request,
    member: Member,
    session: DbSession,
    archive_completed_after_days: Annotated[str, Form(pattern=r"^\s*\d{0,5}\s*$")] = "",
    purge_archived_after_days: Annotated[str, Form(pattern=r"^\s*\d{0,5}\s*$")] = "",
) -> RedirectResponse:
    data = RetentionPolicyWrite(
        archive_completed_after_days=days(archive_completed_after_days),
        purge_archived_after_days=days(purge_archived_after_days),
    )
    await retention_service.set_policy(session, member, data)
    flash(request, "Retention policy saved.")
    return redirect(request, "retention")


@router.post("/run")
async def run_retention(
    request: Request,
    member: Member,
    session: DbSession,
    dry_run: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    report = await retention_service.run_now(session, member, dry_run=dry_run)
    flash(request, report.summary(), "info" if dry_run else "success")
    return redirect(request, "retention")
