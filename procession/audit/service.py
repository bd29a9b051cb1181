"""Archive, restore and permanent delete as callers see them: the permission rules and the
audit trail around the one lifecycle engine (`procession.db.lifecycle`).

Callers fetch the object first (404), so the checks run in Tallyfy's order: 404, then 403,
then 422.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from procession.audit.models import AuditEvent
from procession.auth.models import Role
from procession.auth.service import Actor, Principal
from procession.db import lifecycle
from procession.db.base import LifecycleMixin
from procession.db.repository import (
    PageRequest,
    PageResult,
    Repository,
    paginate,
)
from procession.files import service as file_service
from procession.processes.models import Process
from procession.retention import hold
from procession.tags.models import Tag
from procession.tasks.models import Task
from procession.templates.models import Template
from procession.webhooks import outbox
from procession.webhooks.schemas import EVENT_TYPES

# How each archivable resource is named in the audit trail, and which attribute names it.
AUDITED: dict[type[Any], tuple[str, str]] = {
    Process: ("process", "name"),
    Template: ("template", "title"),
    Task: ("task", "title"),
    Tag: ("tag", "title"),
}


def record(
    session: AsyncSession, caller: Actor, action: str, obj: Any, counts: dict[str, int]
) -> None:
    object_type, name_attribute = AUDITED[type(obj)]
    session.add(
        AuditEvent(
            org_id=caller.org_id,
            actor_id=caller.user_id,
            action=action,
            object_type=object_type,
            object_id=obj.id,
            object_name=getattr(obj, name_attribute),
            counts=counts,
        )
    )


async def announce(
    session: AsyncSession,
    caller: Actor,
    event: str,
    obj: Any,
    counts: dict[str, int] | None = None,
) -> None:
    """Queue the `<object type>.<event>` webhook event in the caller's transaction, for the
    resources that have one (tasks announce completion, not their lifecycle)."""
    object_type, name_attribute = AUDITED[type(obj)]
    event_type = f"{object_type}.{event}"
    if event_type in EVENT_TYPES:
        await outbox.emit(session, caller, event_type, obj.id, getattr(obj, name_attribute), counts)


async def archive(session: AsyncSession, caller: Actor, obj: LifecycleMixin) -> None:
    """Archive `obj` with its cascade (403 for light members). Repeating it is a no-op that
    records nothing."""
    caller.require_editor(f"archive this {AUDITED[type(obj)][0]}")
    counts = await lifecycle.archive(session, obj, caller.user_id)
    if counts:
        record(session, caller, "archive", obj, counts)
        await announce(session, caller, "archived", obj)
    await session.flush()


async def restore(session: AsyncSession, caller: Actor, obj: LifecycleMixin) -> None:
    """Restore exactly what the archive of `obj` hid (403 for light members)."""
    caller.require_editor(f"restore this {AUDITED[type(obj)][0]}")
    counts = await lifecycle.restore(session, obj)
    if counts:
        record(session, caller, "restore", obj, counts)
        await announce(session, caller, "restored", obj)
    await session.flush()


async def purge(
    session: AsyncSession, caller: Actor, obj: LifecycleMixin, *, dry_run: bool = False
) -> dict[str, int]:
    """Permanently delete an archived `obj` with every dependent row: 403 unless admin, 422
    unless archived or on legal hold. The audit entry survives the delete."""
    kind = AUDITED[type(obj)][0]
    caller.require(Role.ADMIN, action=f"permanently delete this {kind}")
    hold.ensure_not_held(obj, kind)
    if not dry_run and obj.archived_at is not None:
        # Stored files go with their rows, but only once this transaction commits.
        await file_service.remove_files_after_purge(session, obj)
    counts = await lifecycle.purge(session, obj, dry_run=dry_run)
    if not dry_run:
        # Same transaction as the delete: the entry exists exactly when the delete happened.
        record(session, caller, "purge", obj, counts)
        await announce(session, caller, "purged", obj, counts)
    await session.flush()
    return counts


async def list_archived(
    session: AsyncSession, caller: Principal, model: type[Any], page: PageRequest, *where: Any
) -> PageResult[Any]:
    """Archived objects of one kind (an `AUDITED` model), most recently archived first.
    `where` narrows further (for tasks: only those archived on their own)."""
    stmt = (
        select(model)
        .where(model.org_id == caller.org_id, model.archived_at.is_not(None), *where)
        .order_by(model.archived_at.desc(), model.id)
    )
    return await paginate(session, stmt, page)


class AuditRepository(Repository[AuditEvent]):
    model = AuditEvent
    resource = "Audit event"


async def list_events(
    session: AsyncSession,
    caller: Principal,
    *,
    page: PageRequest,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> PageResult[AuditEvent]:
    """The organization's lifecycle events, newest first. Admins only (403)."""
    caller.require(Role.ADMIN, action="read the audit trail")
    stmt = AuditRepository(session, caller.org_id).base()
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if object_type:
        stmt = stmt.where(AuditEvent.object_type == object_type)
    if object_id:
        stmt = stmt.where(AuditEvent.object_id == object_id)
    if since:
        stmt = stmt.where(AuditEvent.created_at >= since)
    if until:
        stmt = stmt.where(AuditEvent.created_at < until)
    order = (AuditEvent.created_at.desc(), AuditEvent.id.desc())
    return await paginate(session, stmt.order_by(*order), page)
