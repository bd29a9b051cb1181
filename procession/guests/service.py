"""Guests of an organization: list, create, read, update, disable and enable.

Everyone in the organization may read guests; admins and standard members manage them
(reference 1.12 is silent on guests, so they follow the other "create/update" rows)."""

from sqlalchemy.ext.asyncio import AsyncSession

from procession.auth.service import Principal
from procession.db.repository import PageRequest, PageResult, paginate
from procession.db.types import utcnow
from procession.errors import NotFound, RuleViolation
from procession.guests.models import Guest
from procession.guests.repository import GuestRepository
from procession.guests.schemas import GuestCreate, GuestStats, GuestUpdate


async def list_guests(
    session: AsyncSession,
    caller: Principal,
    *,
    page: PageRequest,
    query: str | None = None,
    sort: str | None = None,
) -> PageResult[Guest]:
    """One page of the organization's guests (disabled ones included)."""
    stmt = GuestRepository(session, caller.org_id).listing(query=query, sort=sort)
    return await paginate(session, stmt, page)


async def get_guest(session: AsyncSession, caller: Principal, email: str) -> Guest:
    """The guest with this email (any case); `NotFound` when the organization has none."""
    guest = await GuestRepository(session, caller.org_id).find(email=email.strip().lower())
    if guest is None:
        raise NotFound("Guest")
    return guest


async def find_guest(session: AsyncSession, caller: Principal, key: str) -> Guest:
    """The guest named by `key`: the code from its link, its email, or its numeric id."""
    repo = GuestRepository(session, caller.org_id)
    if "@" in key:
        guest = await repo.find(email=key.strip().lower())
    elif key.isdigit() and len(key) < 10:
        guest = await repo.find(id=int(key))
    else:
        guest = await repo.find(code=key)
    if guest is None:
        raise NotFound("Guest")
    return guest


async def create_guest(session: AsyncSession, caller: Principal, data: GuestCreate) -> Guest:
    """Add a guest. 422 when the email is a member's or already a guest's here; 403 for
    light members."""
    caller.require_editor("add guests")
    email = str(data.email).lower()
    repo = GuestRepository(session, caller.org_id)
    if await repo.is_member_email(email):
        raise RuleViolation("email", "This email belongs to a member of the organization.")
    if await repo.find(email=email) is not None:
        raise RuleViolation("email", "This email is already a guest of the organization.")
    guest = repo.add(Guest(org_id=caller.org_id, email=email, **data.changes()))
    await session.flush()
    return guest


async def update_guest(
    session: AsyncSession, caller: Principal, email: str, data: GuestUpdate
) -> Guest:
    """Change the profile fields the request sent (a disabled guest too)."""
    guest = await get_guest(session, caller, email)
    caller.require_editor("change guests")
    for name, value in data.changes().items():
        setattr(guest, name, value)
    await session.flush()
    return guest


async def disable_guest(session: AsyncSession, caller: Principal, email: str) -> Guest:
    """Mark the guest disabled; disabling a disabled guest changes nothing (idempotent)."""
    guest = await get_guest(session, caller, email)
    caller.require_editor("disable guests")
    if not guest.is_disabled:
        guest.disabled_at = utcnow()
        guest.disabled_by_id = caller.user_id
        await session.flush()
    return guest


async def enable_guest(session: AsyncSession, caller: Principal, email: str) -> Guest:
    """Clear the guest's disabled mark; enabling an enabled guest changes nothing."""
    guest = await get_guest(session, caller, email)
    caller.require_editor("enable guests")
    if guest.is_disabled:
        guest.disabled_at = None
        guest.disabled_by_id = None
        guest.reactivated_at = utcnow()
        guest.reactivated_by_id = caller.user_id
        await session.flush()
    return guest


async def stats_of(
    session: AsyncSession, caller: Principal, guests: list[Guest]
) -> dict[int, GuestStats]:
    """`with=stats` for these guests, by guest id, in one query."""
    found = await GuestRepository(session, caller.org_id).task_stats([g.email for g in guests])
    stats: dict[int, GuestStats] = {}
    for guest in guests:
        row = found.get(guest.email, {})
        stats[guest.id] = GuestStats(**{k: v for k, v in row.items() if v is not None})
    return stats
