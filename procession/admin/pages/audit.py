"""The audit trail of archives, restores and permanent deletes (admins only)."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from procession.admin.web import Member, PageOf, render
from procession.api.deps import DbSession
from procession.audit import service as audit_service
from procession.orgs import service as org_service

router = APIRouter(prefix="/audit")
ACTIONS = ("archive", "restore", "purge", "hold", "unhold")
OBJECT_TYPES = ("process", "template", "task", "tag")


@router.get("", response_class=HTMLResponse)
async def audit(
    request: Request,
    member: Member,
    session: DbSession,
    page: PageOf,
    action: str = "",
    object_type: str = "",
    q: str = "",
) -> HTMLResponse:
    result = await audit_service.list_events(
        session,
        member,
        page=page,
        action=action if action in ACTIONS else None,
        object_type=object_type if object_type in OBJECT_TYPES else None,
        object_id=q.strip() or None,
    )
    actors = {event.actor_id for event in result.items if event.actor_id}
    context = {
        "result": result,
        "actions": [(a, a.capitalize()) for a in ACTIONS],
        "object_types": [(t, t.capitalize()) for t in OBJECT_TYPES],
        "chosen": {"action": action, "object_type": object_type, "q": q},
        "names": await org_service.names_of(session, org_id=member.org_id, user_ids=actors),
    }
    return render(request, "audit.html", context)
