"""SQLite's planner statistics are gathered by a background job (procession/db/statistics.py);
PostgreSQL's autovacuum keeps its own."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from sqlalchemy import insert, text

from procession.config import Settings
from procession.db import statistics
from procession.db.base import new_id
from procession.db.session import Database
from procession.tags.models import Tag
from tests.conftest import run_async, seed_org


@asynccontextmanager
async def opened(settings: Settings) -> AsyncIterator[Database]:
    database = Database(settings)
    try:
        yield database
    finally:
        await database.dispose()


def test_large_tables_get_statistics_and_small_ones_keep_the_defaults(
    settings: Settings,
) -> None:
    if not settings.is_sqlite:
        pytest.skip("PostgreSQL's autovacuum gathers its statistics")
    org = run_async(seed_org(settings, "Acme"))

    async def add_tags(count: int) -> None:
        rows = [{"id": new_id(), "org_id": org.id, "title": f"tag {n}"} for n in range(count)]
        async with opened(settings) as database, database.transaction() as session:
            await session.execute(insert(Tag), rows)

    async def one_round() -> set[str]:
        """Gather, then the tables with statistics, as a new connection reads them."""
        async with opened(settings) as database:
            assert await statistics.gather(database, settings) == 0  # the next round is later
        async with opened(settings) as database, database.transaction(writes=False) as session:
            return set((await session.scalars(text("SELECT tbl FROM sqlite_stat1"))).all())

    assert run_async(one_round()) == set()  # every table is small: the planner's defaults
    run_async(add_tags(3 * statistics.MIN_ROWS))  # the estimate is within about ±50%
    assert run_async(one_round()) == {"tags"}  # users, memberships... are still small
