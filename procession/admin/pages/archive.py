"""The archive: archived items of each kind with who archived them and when; Restore; and
Delete permanently behind a confirmation page that shows the dry run and wants the name."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.ext.asyncio import AsyncSession

from procession.admin.web import Member, PageOf, flash, redirect, render
from procession.api.deps import DbSession
from procession.audit import service as audit_service
from procession.auth.models import Role
from procession.auth.service import Principal
from procession.errors import NotFound, RuleViolation
from procession.orgs import service as org_service
from procession.processes import service as process_service
from procession.processes.models import Process
from procession.tags import service as tag_service
from procession.tags.models import Tag
from procession.tasks import service as task_service
from procession.tasks.models import Task
from procession.templates import service as template_service
from procession.templates.models import Template

router = APIRouter(prefix="/archive")


class Intent(Enum):
    """Why an archive page fetches an object: what it will do decides the lock and the role."""

    RESTORE = "restore"
    REVIEW_PURGE = "review_purge"  # the confirmation page: a GET, which only reads
    PURGE = "purge"

    @property
    def locks(self) -> bool:
        """Whether the object is locked for a change, as the API's lifecycle routes lock it."""
        return self is not Intent.REVIEW_PURGE

    @property
    def purges(self) -> bool:
        """Whether it leads to a permanent delete, which only admins may do."""
        return self is not Intent.RESTORE


Fetch = Callable[[AsyncSession, Principal, str, Intent], Awaitable[Any]]


@dataclass(frozen=True)
class Kind:
    """One kind of archivable object as the archive pages show it."""

    label: str
    model: type[Any]
    fetch: Fetch
    """Finds one (404, then role checks), locked when the intent changes it."""
    name: Callable[[Any], str]
    only: tuple[Any, ...] = ()


async def oneoff_task(
    session: AsyncSession, member: Principal, task_id: str, intent: Intent
) -> Task:
    return await task_service.oneoff_task(
        session, member, task_id, admin=intent.purges, for_update=intent.locks
    )


def locking(get: Callable[..., Awaitable[Any]]) -> Fetch:
    """A service's `get_x(session, caller, id, for_update=...)` as a `Fetch`, locking per intent."""

    async def fetch(session: AsyncSession, member: Principal, item_id: str, intent: Intent) -> Any:
        return await get(session, member, item_id, for_update=intent.locks)

    return fetch


KINDS = {
    "processes": Kind(
        "Process",
        Process,
        locking(process_service.get_process),
        lambda p: p.name,
    ),
    "templates": Kind(
        "Template",
        Template,
        locking(template_service.get_template),
        lambda t: t.title,
    ),
    # A process's tasks come back with their process; only one-off tasks are restored alone.
    "tasks": Kind("Task", Task, oneoff_task, lambda t: t.title, (Task.process_id.is_(None),)),
    "tags": Kind(
        "Tag",
        Tag,
        locking(tag_service.get_tag),
        lambda t: t.title,
    ),
}


def kind_of(slug: str) -> Kind:
    if slug not in KINDS:
        raise NotFound("Archive")
    return KINDS[slug]


@router.get("")
async def archive_home(request: Request, member: Member) -> RedirectResponse:
    return redirect(request, "archived", kind="processes")


@router.get("/{kind}", response_class=HTMLResponse)
async def archived(
    request: Request, kind: str, member: Member, session: DbSession, page: PageOf
) -> HTMLResponse:
    chosen = kind_of(kind)
    result = await audit_service.list_archived(session, member, chosen.model, page, *chosen.only)
    archivers = {item.archived_by_id for item in result.items if item.archived_by_id}
    context = {
        "kind": kind,
        "kinds": KINDS,
        "result": result,
        "items": [(item, chosen.name(item)) for item in result.items],
        "names": await org_service.names_of(session, org_id=member.org_id, user_ids=archivers),
    }
    return render(request, "archive.html", context)


@router.post("/{kind}/{object_id}/restore")
async def restore(
    request: Request, kind: str, object_id: str, member: Member, session: DbSession
) -> RedirectResponse:
    chosen = kind_of(kind)
    found = await chosen.fetch(session, member, object_id, Intent.RESTORE)
    if isinstance(found, Tag):
        await tag_service.ensure_title_free(session, member, found)
    await audit_service.restore(session, member, found)
    flash(request, f"{chosen.label} “{chosen.name(found)}” restored.")
    return redirect(request, "archived", kind=kind)


@router.get("/{kind}/{object_id}/delete", response_class=HTMLResponse)
async def confirm_delete(
    request: Request, kind: str, object_id: str, member: Member, session: DbSession
) -> HTMLResponse:
    """What a permanent delete would destroy (the dry run), and the form that does it."""
    chosen = kind_of(kind)
    found = await chosen.fetch(session, member, object_id, Intent.REVIEW_PURGE)
    counts = await audit_service.purge(session, member, found, dry_run=True)
    context = {"kind": kind, "chosen": chosen, "object": found, "name": chosen.name(found)}
    return render(request, "confirm_delete.html", context | {"counts": counts})


@router.post("/{kind}/{object_id}/delete")
async def delete(
    request: Request,
    kind: str,
    object_id: str,
    member: Member,
    session: DbSession,
    confirm_name: Annotated[str, Form()] = "",
) -> RedirectResponse:
    chosen = kind_of(kind)
    found = await chosen.fetch(session, member, object_id, Intent.PURGE)
    name = chosen.name(found)
    if confirm_name.strip() != name.strip():
        # Checked after the role (403) and before the state (422): a wrong name deletes nothing.
        member.require(Role.ADMIN, action=f"permanently delete this {chosen.label.lower()}")
        raise RuleViolation(
            "confirm_name", "The name you typed does not match; nothing was deleted."
        )
    counts = await audit_service.purge(session, member, found)
    flash(request, f"{chosen.label} “{name}” permanently deleted ({sum(counts.values())} rows).")
    return redirect(request, "archived", kind=kind)
