"""Group statements."""

from collections import defaultdict
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from procession.auth.models import Membership
from procession.db.repository import Repository
from procession.groups.models import Group, GroupGuest, GroupMember


class GroupRepository(Repository[Group]):
    model = Group
    resource = "Group"

    async def name_taken(self, name: str, *, except_id: str | None = None) -> bool:
        """Whether another group of this organization has `name` (case-insensitive; the
        database lowers both sides, as for tag titles)."""
        stmt = self.base().where(func.lower(Group.name) == func.lower(name))
        if except_id:
            stmt = stmt.where(Group.id != except_id)
        return (await self.session.scalars(stmt.limit(1))).first() is not None

    async def members_of(self, group_ids: list[str]) -> dict[str, list[int]]:
        """Each group's member ids, in the order they were given. People who have left the
        organization since are left out."""
        found: dict[str, list[int]] = {group_id: [] for group_id in group_ids}
        if not group_ids:
            return found
        stmt = (
            select(GroupMember.group_id, GroupMember.user_id)
            .join(
                Membership,
                (Membership.user_id == GroupMember.user_id) & (Membership.org_id == self.org_id),
            )
            .where(GroupMember.group_id.in_(group_ids))
            .order_by(GroupMember.group_id, GroupMember.position)
        )
        for group_id, user_id in (await self.session.execute(stmt)).all():
            found[group_id].append(user_id)
        return found

    async def guests_of(self, group_ids: list[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {group_id: [] for group_id in group_ids}
        if not group_ids:
            return found
        stmt = (
            select(GroupGuest.group_id, GroupGuest.email)
            .where(GroupGuest.group_id.in_(group_ids))
            .order_by(GroupGuest.group_id, GroupGuest.position)
        )
        for group_id, email in (await self.session.execute(stmt)).all():
            found[group_id].append(email)
        return found

    async def existing_ids(self, group_ids: list[str]) -> set[str]:
        if not group_ids:
            return set()
        stmt = select(Group.id).where(Group.org_id == self.org_id, Group.id.in_(group_ids))
        return set((await self.session.scalars(stmt)).all())


class GroupRef(NamedTuple):
    id: str
    name: str


async def groups_by_user(
    session: AsyncSession, org_id: str, user_ids: list[int]
) -> dict[int, list[GroupRef]]:
    """The organization's groups each user belongs to (one query; every asked user is a key,
    with an empty list when in no group). Groups come in name order."""
    found: dict[int, list[GroupRef]] = defaultdict(list)
    if user_ids:
        stmt = (
            select(GroupMember.user_id, Group.id, Group.name)
            .join(Group, Group.id == GroupMember.group_id)
            .where(Group.org_id == org_id, GroupMember.user_id.in_(user_ids))
            .order_by(Group.name, Group.id)
        )
        for user_id, group_id, name in (await session.execute(stmt)).all():
            found[user_id].append(GroupRef(group_id, name))
    return {user_id: found.get(user_id, []) for user_id in user_ids}
