"""Guest routes (`/guests`, `/guests-list`, `/guests/{email}`, `/guests/{guest}/tasks`)."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from procession.api.deps import Archived, DbSession, MemberPage, Page, With
from procession.api.schemas import Data, Listing
from procession.auth.deps import Caller
from procession.db.repository import PageRequest
from procession.guests import service as guest_service
from procession.guests.models import Guest
from procession.guests.schemas import GuestCreate, GuestRead, GuestUpdate
from procession.tasks import service as task_service
from procession.tasks.schemas import TaskRead
from procession.tasks.service import SORT_PATTERN, TaskFilters

# Guests are addressed by email in the path (the SDK percent-encodes it). A slash, or a bare
# `.`/`..` that clients resolve as a dot segment, can never name one: such paths would
# otherwise route elsewhere instead of answering as a guest route.
GuestEmail = Annotated[str, Path(pattern=r"^[^/@\s]+@[^/@\s]+$", max_length=254)]
GuestKey = Annotated[str, Path(pattern=r"^[^/.\s][^/\s]*$", max_length=254)]

router = APIRouter(prefix="/organizations/{org}", tags=["guests"])
ALL_ROWS = 10_000


async def describe(
    session: DbSession, caller: Caller, request: Request, guests: list[Guest], with_stats: bool
) -> list[GuestRead]:
    stats = await guest_service.stats_of(session, caller, guests) if with_stats else {}
    base = str(request.base_url)
    return [GuestRead.of(g, base, stats.get(g.id)) for g in guests]


@router.get("/guests")
async def list_guests(
    caller: Caller,
    session: DbSession,
    page: MemberPage,
    includes: With,
    request: Request,
    q: Annotated[str | None, Query(description="Matches email or name")] = None,
    sort: str | None = None,
    sort_by: str | None = None,
    without_pagination: bool = False,
) -> Listing[GuestRead]:
    if without_pagination:
        page = PageRequest(page=1, per_page=ALL_ROWS)
    result = await guest_service.list_guests(
        session, caller, page=page, query=q, sort=sort or sort_by
    )
    items = await describe(session, caller, request, result.items, "stats" in includes)
    return Listing.of(result, items, request.url)


@router.get("/guests-list")
async def list_guests_lite(
    caller: Caller, session: DbSession, request: Request
) -> Data[list[GuestRead]]:
    """Every guest in one list, without pagination (capped at 10,000)."""
    page = PageRequest(page=1, per_page=ALL_ROWS)
    result = await guest_service.list_guests(session, caller, page=page)
    return Data(data=await describe(session, caller, request, result.items, False))


@router.post("/guests", status_code=201)
async def create_guest(
    body: GuestCreate, caller: Caller, session: DbSession, request: Request
) -> Data[GuestRead]:
    guest = await guest_service.create_guest(session, caller, body)
    return Data(data=GuestRead.of(guest, str(request.base_url)))


@router.get("/guests/{guest_email}")
async def get_guest(
    guest_email: GuestEmail, caller: Caller, session: DbSession, includes: With, request: Request
) -> Data[GuestRead]:
    guest = await guest_service.get_guest(session, caller, guest_email)
    return Data(data=(await describe(session, caller, request, [guest], "stats" in includes))[0])


@router.put("/guests/{guest_email}")
async def update_guest(
    guest_email: GuestEmail, body: GuestUpdate, caller: Caller, session: DbSession, request: Request
) -> Data[GuestRead]:
    guest = await guest_service.update_guest(session, caller, guest_email, body)
    return Data(data=GuestRead.of(guest, str(request.base_url)))


@router.delete("/guests/{guest_email}/disable")
async def disable_guest(
    guest_email: GuestEmail, caller: Caller, session: DbSession, request: Request
) -> Data[GuestRead]:
    guest = await guest_service.disable_guest(session, caller, guest_email)
    return Data(data=GuestRead.of(guest, str(request.base_url)))


@router.put("/guests/{guest_email}/enable")
async def enable_guest(
    guest_email: GuestEmail, caller: Caller, session: DbSession, request: Request
) -> Data[GuestRead]:
    guest = await guest_service.enable_guest(session, caller, guest_email)
    return Data(data=GuestRead.of(guest, str(request.base_url)))


@router.get("/guests/{guest_id}/tasks")
async def list_guest_tasks(
    guest_id: GuestKey,
    caller: Caller,
    session: DbSession,
    page: Page,
    visibility: Archived,
    includes: With,
    request: Request,
    status: str | None = "all",
    sort_by: Annotated[str | None, Query(pattern=SORT_PATTERN)] = None,
) -> Listing[TaskRead]:
    """Tasks assigned to a guest; `guest_id` is the code from the guest's `link` (the email
    or the numeric id work too)."""
    guest = await guest_service.find_guest(session, caller, guest_id)
    filters = TaskFilters(
        status=status, guest_emails=(guest.email,), visibility=visibility, sort=sort_by
    )
    result = await task_service.list_tasks(session, caller, filters=filters, page=page)
    items = await task_service.describe_tasks(session, caller, result.items, includes)
    return Listing.of(result, items, request.url)
