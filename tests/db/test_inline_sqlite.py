"""The inline SQLite driver: the same app, statements run on the event loop."""

import asyncio
from typing import Any

import greenlet
import pytest
from sqlalchemy import Connection, event, text

from procession.config import Settings
from procession.db.engine import begin_statement
from procession.db.inline_sqlite import InlineSession
from procession.db.session import Database
from tests.conftest import run_async


@pytest.fixture
def inline(settings: Settings) -> Settings:
    if not settings.is_sqlite:
        pytest.skip("SQLite only")
    return settings.model_copy(update={"sqlite_driver": "inline"})


async def insert_then_fail(database: Database) -> None:
    async with database.transaction() as session:
        await session.execute(text("INSERT INTO notes VALUES ('lost')"))
        raise RuntimeError


def test_transactions_commit_roll_back_and_nest(inline: Settings) -> None:
    async def work() -> list[str]:
        database = Database(inline)
        try:
            async with database.transaction() as session:
                await session.execute(text("CREATE TABLE notes (body TEXT)"))
                await session.execute(text("INSERT INTO notes VALUES ('kept')"))
                savepoint = await session.begin_nested()
                await session.execute(text("INSERT INTO notes VALUES ('rolled back')"))
                await savepoint.rollback()
            with pytest.raises(RuntimeError):
                await insert_then_fail(database)
            async with database.transaction(writes=False) as session:
                return list((await session.scalars(text("SELECT body FROM notes"))).all())
        finally:
            await database.dispose()

    assert run_async(work()) == ["kept"]


def test_writers_of_one_loop_take_turns_instead_of_blocking_it(inline: Settings) -> None:
    """Each writer yields to the loop while holding SQLite's write lock; without the turn
    taking, the second writer's BEGIN IMMEDIATE would block the loop the first needs."""

    async def writer(database: Database, n: int) -> None:
        async with database.transaction() as session:
            await session.execute(text("INSERT INTO counts VALUES (:n)"), {"n": n})
            await asyncio.sleep(0.01)

    async def work() -> int:
        database = Database(inline)
        try:
            async with database.transaction() as session:
                await session.execute(text("CREATE TABLE counts (n INTEGER)"))
            await asyncio.wait_for(
                asyncio.gather(*(writer(database, n) for n in range(20))), timeout=10
            )
            async with database.transaction(writes=False) as session:
                return int((await session.scalars(text("SELECT COUNT(*) FROM counts"))).one())
        finally:
            await database.dispose()

    assert run_async(work()) == 20


def record_greenlets(database: Database) -> dict[str, list[greenlet.greenlet]]:
    """The greenlets each statement of `database` ran in, by its SQL, in order."""
    seen: dict[str, list[greenlet.greenlet]] = {}

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.setdefault(statement, []).append(greenlet.getcurrent())

    def begin(conn: Connection) -> None:
        seen.setdefault(begin_statement(conn), []).append(greenlet.getcurrent())

    event.listen(database.engine.sync_engine, "before_cursor_execute", before)
    event.listen(database.engine.sync_engine, "begin", begin)
    return seen


def test_statements_run_in_the_callers_greenlet_once_the_connection_is_held(
    inline: Settings,
) -> None:
    """The first transaction finds no idle connection in the pool: only taking one (and its
    BEGIN) goes through SQLAlchemy's greenlet, where the pool could wait. The second takes
    the connection the first gave back, in the caller's greenlet."""

    async def work() -> tuple[greenlet.greenlet, dict[str, list[greenlet.greenlet]]]:
        database = Database(inline)
        seen = record_greenlets(database)
        try:
            for query in ("SELECT 1", "SELECT 2"):
                async with database.transaction(writes=False) as session:
                    assert isinstance(session, InlineSession)
                    assert await session.scalar(text(query)) is not None
            return greenlet.getcurrent(), seen
        finally:
            await database.dispose()

    caller, seen = run_async(work())
    first_begin, second_begin = seen["BEGIN"]
    assert first_begin is not caller
    assert second_begin is caller
    assert seen["SELECT 1"] == [caller]
    assert seen["SELECT 2"] == [caller]


def test_a_session_without_its_connection_goes_through_the_greenlet(inline: Settings) -> None:
    async def work() -> tuple[greenlet.greenlet, dict[str, list[greenlet.greenlet]]]:
        database = Database(inline)
        seen = record_greenlets(database)
        session = InlineSession(database.engine)
        try:
            assert (await session.execute(text("SELECT 3"))).scalar_one() == 3
            await session.commit()
            return greenlet.getcurrent(), seen
        finally:
            await session.close()
            await database.dispose()

    caller, seen = run_async(work())
    assert seen["SELECT 3"] != [caller]


def test_a_transaction_on_an_idle_connection_switches_no_greenlet(inline: Settings) -> None:
    """Once the pool holds an idle connection, a whole read transaction (taking it, BEGIN,
    the query, commit, close) runs where it is awaited: no greenlet is switched to."""

    async def work() -> list[str]:
        database = Database(inline)
        switches: list[str] = []
        try:
            async with database.transaction(writes=False) as session:
                await session.scalar(text("SELECT 1"))  # leaves an idle connection in the pool
            greenlet.settrace(lambda event, _args: switches.append(event))
            try:
                async with database.transaction(writes=False) as session:
                    await session.scalar(text("SELECT 2"))
            finally:
                greenlet.settrace(None)
            return switches
        finally:
            await database.dispose()

    assert run_async(work()) == []
