"""SQLite's planner statistics are gathered by a background job (procession/db/statistics.py);
PostgreSQL's autovacuum keeps its own."""

import pytest
from sqlalchemy import text

from procession.config import Settings
from procession.db import statistics
from procession.db.session import Database
from procession.main import background_jobs
from tests.conftest import run_async, seed_org


def test_the_job_runs_on_sqlite_only(settings: Settings) -> None:
    names = [job.name for job in background_jobs(settings)]
    assert ("statistics" in names) is settings.is_sqlite


def test_one_round_leaves_statistics_for_the_planner(settings: Settings) -> None:
    if not settings.is_sqlite:
        pytest.skip("PostgreSQL's autovacuum gathers its statistics")
    run_async(seed_org(settings, "Acme"))

    async def analysed_tables() -> set[str]:
        database = Database(settings)
        try:
            async with database.transaction(writes=False) as session:
                exists = "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"
                if not (await session.execute(text(exists))).scalar_one():
                    return set()
                return set((await session.scalars(text("SELECT tbl FROM sqlite_stat1"))).all())
        finally:
            await database.dispose()

    async def one_round() -> int:
        database = Database(settings)
        try:
            return await statistics.gather(database, settings)
        finally:
            await database.dispose()

    assert run_async(analysed_tables()) == set()
    assert run_async(one_round()) == 0  # nothing left to do: the next round is an hour away
    assert {"users", "memberships", "api_tokens"} <= run_async(analysed_tables())
