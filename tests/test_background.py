"""The background jobs' loops: how they stop (ops/background.py)."""

import asyncio

from procession.config import Settings
from procession.db.session import Database
from procession.ops import background
from procession.orgs import service as org_service
from tests.conftest import run_async
from tests.databases import row_counts


def test_stopping_lets_a_round_in_progress_finish_its_transaction(settings: Settings) -> None:
    """Cancelled in the middle, the round would roll back what it did (and a round cancelled
    during a statement can leave its connection checked out of the pool)."""

    async def work() -> None:
        inside = asyncio.Event()

        async def create_an_organization(database: Database, settings: Settings) -> int:
            async with database.transaction() as session:
                await org_service.create_organization(session, name="Made by a job")
                inside.set()
                await asyncio.sleep(0.2)
            return 1

        database = Database(settings)
        periodic = background.Periodic("org", create_an_organization, idle_seconds=3600)
        running = background.start([periodic], database, settings)
        await inside.wait()
        await running.stop()
        await database.dispose()

    run_async(work())
    assert row_counts(settings, ("organizations",)) == {"organizations": 1}


def test_stopping_ends_a_wait_between_rounds_at_once(settings: Settings) -> None:
    rounds = 0

    async def idle(database: Database, settings: Settings) -> int:
        nonlocal rounds
        rounds += 1
        return 0

    async def work() -> None:
        database = Database(settings)
        running = background.start(
            [background.Periodic("idle", idle, idle_seconds=3600)], database, settings
        )
        await asyncio.sleep(0.05)
        await asyncio.wait_for(running.stop(), timeout=5)
        await database.dispose()

    run_async(work())
    assert rounds == 1


def test_a_round_that_outlasts_the_grace_period_is_cancelled(settings: Settings) -> None:
    cancelled = False

    async def endless(database: Database, settings: Settings) -> int:
        nonlocal cancelled
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled = True
            raise
        return 1

    async def work() -> None:
        database = Database(settings)
        running = background.start(
            [background.Periodic("endless", endless, idle_seconds=1)], database, settings
        )
        await asyncio.sleep(0.05)
        await asyncio.wait_for(running.stop(grace_seconds=0.1), timeout=5)
        assert all(task.done() for task in running.tasks)
        await database.dispose()

    run_async(work())
    assert cancelled
