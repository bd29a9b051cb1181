"""Reading transactions (`Database.transaction(writes=False)`, every GET request): queries
only, and on PostgreSQL each statement on its own."""

import asyncio
from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import func, insert, select, text

from procession.config import Settings
from procession.db.base import new_id
from procession.db.engine import WriteWhileReading
from procession.db.session import Database
from procession.tags.models import Tag
from tests.conftest import World, run_async


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    database = Database(settings)
    yield database
    run_async(database.dispose())


def tag_titles(database: Database, org_id: str) -> list[str]:
    async def read() -> list[str]:
        async with database.transaction() as session:
            found = await session.scalars(select(Tag.title).where(Tag.org_id == org_id))
            return list(found)

    return run_async(read())


def test_a_write_in_a_reading_transaction_raises_and_leaves_nothing(
    world: World, database: Database
) -> None:
    row = {"id": new_id(), "org_id": world.org.id, "title": "written while reading"}

    async def write_while_reading() -> None:
        async with database.transaction(writes=False) as session:
            await session.execute(insert(Tag), [row])

    with pytest.raises(WriteWhileReading):
        run_async(write_while_reading())
    assert "written while reading" not in tag_titles(database, world.org.id)

    async def write() -> None:  # the same statement in a writing transaction
        async with database.transaction() as session:
            await session.execute(insert(Tag), [row])

    run_async(write())
    assert "written while reading" in tag_titles(database, world.org.id)


def test_on_postgresql_each_statement_of_a_reading_transaction_runs_on_its_own(
    settings: Settings, database: Database
) -> None:
    """No BEGIN and COMMIT round trips: under READ COMMITTED every statement of a
    transaction had a snapshot of its own anyway. `now()` is a transaction's start."""
    if settings.is_sqlite:
        pytest.skip("SQLite keeps one transaction: it holds a page and its count together")

    async def two_clocks(writes: bool) -> tuple[datetime, datetime]:
        async with database.transaction(writes=writes) as session:
            first = await session.scalar(select(func.now()))
            await asyncio.sleep(0.01)
            second = await session.scalar(select(func.now()))
            return first, second

    first, second = run_async(two_clocks(writes=False))
    assert second > first
    first, second = run_async(two_clocks(writes=True))
    assert second == first


def test_a_reading_transaction_may_run_a_query_that_starts_with_a_cte(
    database: Database,
) -> None:
    """Search's statements start with WITH."""

    async def read() -> object:
        async with database.transaction(writes=False) as session:
            return await session.scalar(text("WITH one AS (SELECT 1 AS n) SELECT n FROM one"))

    assert run_async(read()) == 1
