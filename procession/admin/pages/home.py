"""Home: the organization's processes at a glance and the member's open tasks."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from procession.admin.web import Member, render
from procession.api.deps import DbSession
from procession.db.repository import PageRequest
from procession.processes import service as process_service
from procession.tasks import service as task_service
from procession.tasks.service import TaskFilters

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, member: Member, session: DbSession) -> HTMLResponse:
    counts = await process_service.count_by_state(session, member)
    mine = TaskFilters(status="active", owner_ids=(member.user_id,))
    result = await task_service.list_tasks(
        session, member, filters=mine, page=PageRequest(per_page=10)
    )
    tasks = await task_service.describe_tasks(session, member, result.items, frozenset({"run"}))
    return render(
        request, "home.html", {"counts": counts, "tasks": tasks, "tasks_total": result.total}
    )
