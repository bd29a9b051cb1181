"""An archive or restore overtaken by another transaction between its read and its UPDATE.

PostgreSQL's READ COMMITTED lets another transaction commit in that gap when the caller read
the row without locking it, as the retention job does (the routes lock it first). The late
UPDATE then changes no row, and the object must show the row as the winner left it, not what
the loser meant to write. SQLite's write transactions hold the write lock from their first
statement, so the gap does not exist there.
"""

from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from procession.config import Settings
from procession.db import lifecycle
from procession.db.base import new_id
from procession.db.session import Database
from procession.tags.models import Tag
from tests.conftest import run_async, seed_org

Operation = Callable[[AsyncSession, Tag], Awaitable[dict[str, int]]]


def archive(session: AsyncSession, tag: Tag) -> Awaitable[dict[str, int]]:
    return lifecycle.archive(session, tag, actor_id=None)


def restore(session: AsyncSession, tag: Tag) -> Awaitable[dict[str, int]]:
    return lifecycle.restore(session, tag)


async def overtaken(settings: Settings, archived: bool, operation: Operation) -> None:
    org = await seed_org(settings, "Acme")
    database = Database(settings)
    try:
        async with database.transaction() as session:
            tag = Tag(id=new_id(), org_id=org.id, title="audit")
            session.add(tag)
            await session.flush()
            if archived:
                await lifecycle.archive(session, tag, actor_id=None)
        async with database.transaction() as loser:
            late = await loser.get_one(Tag, tag.id)
            async with database.transaction() as winner:
                await operation(winner, await winner.get_one(Tag, tag.id))
            assert await operation(loser, late) == {}
            async with database.transaction(writes=False) as reader:
                row = await reader.get_one(Tag, tag.id)
            assert (late.archived_at, late.archive_batch_id) == (
                row.archived_at,
                row.archive_batch_id,
            )
            assert (late.archived_at is None) is archived
    finally:
        await database.dispose()


@pytest.mark.parametrize(("archived", "operation"), [(False, archive), (True, restore)])
def test_the_overtaken_operation_counts_nothing_and_shows_the_winners_row(
    settings: Settings, archived: bool, operation: Operation
) -> None:
    if settings.is_sqlite:
        pytest.skip("SQLite's write transactions cannot be overtaken")
    run_async(overtaken(settings, archived, operation))
