"""The background jobs' loops: how they stop (ops/background.py)."""

import asyncio
import dataclasses

from procession.config import Settings
from procession.db.session import Database
from procession.main import background_jobs
from procession.ops import background
from procession.orgs import service as org_service
from tests.conftest import run_async
from tests.databases import row_counts


def stop_during_the_first_round(
    settings: Settings,
    job: background.Job,
    grace_seconds: float | None = None,
) -> None:
    """Run `job`'s loop (an hour's wait after an idle round) and stop it as soon as its first
    round has begun; the stop must be over within 5 s."""

    async def work() -> None:
        began = asyncio.Event()

        async def first_round_signalled(database: Database, settings: Settings) -> int:
            began.set()
            return await job(database, settings)

        database = Database(settings)
        periodic = background.Periodic("job", first_round_signalled, idle_seconds=3600)
        running = background.start([periodic], database, settings)
        if grace_seconds is not None:
            running = dataclasses.replace(running, grace_seconds=grace_seconds)
        try:
            await began.wait()
            await asyncio.wait_for(running.stop(), timeout=5.5)
            assert all(task.done() for task in running.tasks)
        finally:
            await database.dispose()

    run_async(work())


def test_stopping_lets_a_round_in_progress_finish_its_transaction(settings: Settings) -> None:
    """Cancelled in the middle, the round would roll back what it did (and a round cancelled
    during a statement can leave its connection checked out of the pool)."""

    async def create_an_organization(database: Database, settings: Settings) -> int:
        async with database.transaction() as session:
            await org_service.create_organization(session, name="Made by a job")
            await asyncio.sleep(0.2)
        return 1

    stop_during_the_first_round(settings, create_an_organization)
    assert row_counts(settings, ("organizations",)) == {"organizations": 1}


def test_stopping_ends_a_wait_between_rounds_at_once(settings: Settings) -> None:
    rounds = 0

    async def idle(database: Database, settings: Settings) -> int:
        nonlocal rounds
        rounds += 1
        return 0

    stop_during_the_first_round(settings, idle)
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

    stop_during_the_first_round(settings, endless, grace_seconds=0.1)
    assert cancelled


def test_stopping_waits_for_the_longest_round_a_job_declares(settings: Settings) -> None:
    """A delivery round lasts up to the webhook timeout (its deliveries go out together), so
    shutdown must wait longer than that setting, whatever it is."""
    settings = settings.model_copy(update={"webhook_timeout_seconds": 42.0})
    declared = {periodic.name: periodic.round_seconds for periodic in background_jobs(settings)}
    assert declared["webhooks"] == 42.0

    async def started() -> float:
        database = Database(settings)
        running = background.start(background_jobs(settings), database, settings)
        await running.stop()
        await database.dispose()
        return running.grace_seconds

    assert run_async(started()) == 42.0 + background.STOP_MARGIN_SECONDS
