"""Groups: list, read, create, update and delete; deleting one removes it from step
assignees and task owners."""

from sqlalchemy import String, cast, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from procession.auth.models import Role
from procession.auth.service import Principal
from procession.db.repository import AnySelect, PageRequest, PageResult, paginate
from procession.db.types import utcnow
from procession.errors import RuleViolation
from procession.groups.models import Group, GroupGuest, GroupMember
from procession.groups.repository import GroupRepository
from procession.groups.schemas import GroupCreate, GroupRead, GroupUpdate
from procession.orgs import service as org_service
from procession.tasks.models import Task, TaskOwner
from procession.templates.models import Step, Template

SORT_COLUMNS = {"name": Group.name, "created_at": Group.created_at, "updated_at": Group.updated_at}
MANAGE = "manage groups"


def select_groups(
    session: AsyncSession,
    caller: Principal,
    *,
    query: str | None = None,
    sort_by: str | None = None,
    descending: bool = False,
) -> AnySelect:
    """The organization's groups whose name contains `query`, by name unless `sort_by` says
    otherwise."""
    stmt = GroupRepository(session, caller.org_id).base()
    if query:
        stmt = stmt.where(func.lower(Group.name).contains(query.lower(), autoescape=True))
    column = SORT_COLUMNS[sort_by or "name"]
    order = column.desc() if descending else column.asc()
    return stmt.order_by(order, Group.id)


async def list_groups(
    session: AsyncSession,
    caller: Principal,
    *,
    page: PageRequest,
    query: str | None = None,
    sort_by: str | None = None,
    descending: bool = False,
) -> PageResult[Group]:
    stmt = select_groups(session, caller, query=query, sort_by=sort_by, descending=descending)
    return await paginate(session, stmt, page)


async def describe_groups(
    session: AsyncSession, caller: Principal, groups: list[Group]
) -> list[GroupRead]:
    """Wire views of `groups` with their members and guests (two queries for any number)."""
    repo = GroupRepository(session, caller.org_id)
    ids = [group.id for group in groups]
    members = await repo.members_of(ids)
    guests = await repo.guests_of(ids)
    return [GroupRead.of(group, members[group.id], guests[group.id]) for group in groups]


async def get_group(
    session: AsyncSession, caller: Principal, group_id: str, *, for_update: bool = False
) -> Group:
    return await GroupRepository(session, caller.org_id).get_or_raise(
        group_id, for_update=for_update
    )


async def ensure_name_free(repo: GroupRepository, name: str, except_id: str | None = None) -> None:
    if await repo.name_taken(name, except_id=except_id):
        raise RuleViolation("name", "A group with this name already exists.")


async def replace_people(
    session: AsyncSession,
    group: Group,
    *,
    members: list[int] | None = None,
    guests: list[str] | None = None,
) -> None:
    """Replace the group's members and/or guests with these lists (duplicates dropped, the
    given order kept). Members must have been checked by `org_service.ensure_members`."""
    if members is not None:
        await session.execute(delete(GroupMember).where(GroupMember.group_id == group.id))
        unique_members = list(dict.fromkeys(members))
        session.add_all(
            GroupMember(group_id=group.id, user_id=user_id, position=n)
            for n, user_id in enumerate(unique_members)
        )
    if guests is not None:
        await session.execute(delete(GroupGuest).where(GroupGuest.group_id == group.id))
        unique_guests = list(dict.fromkeys(email.lower() for email in guests))
        session.add_all(
            GroupGuest(group_id=group.id, email=email, position=n)
            for n, email in enumerate(unique_guests)
        )
    await session.flush()


async def create_group(session: AsyncSession, caller: Principal, data: GroupCreate) -> Group:
    """Create a group. Admins only (403); 422 for a name in use or a member id that is not a
    member of this organization."""
    caller.require(Role.ADMIN, action=MANAGE)
    repo = GroupRepository(session, caller.org_id)
    await ensure_name_free(repo, data.name)
    await org_service.ensure_members(session, caller, "members", data.members)
    group = repo.add(Group(org_id=caller.org_id, name=data.name, description=data.description))
    await session.flush()
    await replace_people(session, group, members=data.members, guests=list(data.guests))
    return group


async def update_group(
    session: AsyncSession, caller: Principal, group_id: str, data: GroupUpdate
) -> Group:
    """Change what the body carries; `members` and `guests` replace the lists."""
    repo = GroupRepository(session, caller.org_id)
    group = await repo.get_or_raise(group_id, for_update=True)
    caller.require(Role.ADMIN, action=MANAGE)
    changes = data.model_dump(exclude_unset=True)
    if "name" in changes:
        await ensure_name_free(repo, changes["name"], except_id=group.id)
        group.name = changes["name"]
    if "description" in changes:
        group.description = changes["description"]
    if data.members is not None:
        await org_service.ensure_members(session, caller, "members", data.members)
    guests = list(data.guests) if data.guests is not None else None
    await replace_people(session, group, members=data.members, guests=guests)
    group.updated_at = utcnow()  # also when only the lists changed
    await session.flush()
    return group


async def delete_group(session: AsyncSession, caller: Principal, group_id: str) -> None:
    """Delete a group for good (admins only). Its member and guest rows go with it (ON DELETE
    CASCADE); the people stay. It is taken off every step's assignees and every task's
    owners in this organization."""
    repo = GroupRepository(session, caller.org_id)
    group = await repo.get_or_raise(group_id, for_update=True)
    caller.require(Role.ADMIN, action=MANAGE)
    await remove_from_steps(session, caller.org_id, group.id)
    org_tasks = select(Task.id).where(Task.org_id == caller.org_id)
    await session.execute(
        delete(TaskOwner)
        .where(TaskOwner.group_id == group.id, TaskOwner.task_id.in_(org_tasks))
        .execution_options(synchronize_session=False)
    )
    await session.delete(group)
    await session.flush()


async def remove_from_steps(session: AsyncSession, org_id: str, group_id: str) -> int:
    """Take `group_id` out of the `groups` list of every step of the organization's
    templates. Two statements whatever the number of steps: one finds the steps whose JSON
    list names the group (the text match is only a pre-filter, as ids are 32 hex
    characters), one executemany UPDATE writes the shortened lists. Portable across SQLite
    and PostgreSQL, with no JSON operators."""
    stmt = (
        select(Step.id, Step.groups)
        .join(Template, Template.id == Step.template_id)
        .where(Template.org_id == org_id, cast(Step.groups, String).contains(group_id))
    )
    changes = [
        {"id": step_id, "groups": [g for g in groups if g != group_id]}
        for step_id, groups in (await session.execute(stmt)).all()
        if group_id in groups
    ]
    if changes:
        await session.execute(update(Step), changes)
    return len(changes)
