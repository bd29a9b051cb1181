"""Tag statements."""

from typing import Any

from sqlalchemy import ColumnElement, func, select

from procession.db.repository import Repository
from procession.tags.models import SUBJECT_COLUMNS, Tag, Tagging


class TagRepository(Repository[Tag]):
    model = Tag
    resource = "Tag"

    async def title_taken(self, title: str, *, except_id: str | None = None) -> bool:
        """Whether a live tag of this organization already has `title` (case-insensitive).

        Both sides are lowered by the database: SQLite lowers only ASCII, and a Python-lowered
        "Ó" would miss the stored one and hit the unique index instead."""
        same = func.lower(Tag.title) == func.lower(title)
        stmt = self.base().where(Tag.archived_at.is_(None), same)
        if except_id:
            stmt = stmt.where(Tag.id != except_id)
        return (await self.session.scalars(stmt.limit(1))).first() is not None

    async def live_ids(self, ids: list[str]) -> set[str]:
        stmt = select(Tag.id).where(
            Tag.org_id == self.org_id, Tag.id.in_(ids), Tag.archived_at.is_(None)
        )
        return set((await self.session.scalars(stmt)).all())

    async def taggings_for(
        self, subject_type: str, subject_ids: list[str]
    ) -> list[tuple[Tagging, Tag]]:
        """Visible tag links of these subjects (live tags only), oldest first."""
        if not subject_ids:
            return []
        column = subject_column(subject_type)
        stmt = (
            select(Tagging, Tag)
            .join(Tag, Tag.id == Tagging.tag_id)
            .where(column.in_(subject_ids), Tag.archived_at.is_(None))
            .order_by(Tagging.id)
        )
        return [(tagging, tag) for tagging, tag in (await self.session.execute(stmt)).all()]

    async def get_tagging(self, tagging_id: int) -> tuple[Tagging, Tag] | None:
        stmt = (
            select(Tagging, Tag)
            .join(Tag, Tag.id == Tagging.tag_id)
            .where(Tagging.id == tagging_id, Tag.org_id == self.org_id)
        )
        row = (await self.session.execute(stmt)).one_or_none()
        return (row[0], row[1]) if row else None


def subject_column(subject_type: str) -> ColumnElement[Any]:
    column: ColumnElement[Any] = getattr(Tagging, SUBJECT_COLUMNS[subject_type])
    return column
