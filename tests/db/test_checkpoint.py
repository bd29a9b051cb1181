"""SQLite's write-ahead log is copied back by a background job (procession/db/checkpoint.py),
not by the commit that fills it."""

import contextlib
import sqlite3
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from procession.config import Settings
from procession.db.checkpoint import checkpoint_now
from procession.db.engine import sqlite_path
from procession.db.session import Database
from procession.main import create_app
from tests.conftest import run_async

PAGE = 4096
LOGGED_PAGES = 2_000
"""Twice SQLite's default `wal_autocheckpoint`, a fifth of ours."""


@pytest.fixture
def database_file(settings: Settings) -> Path:
    path = sqlite_path(settings.database_url)
    if path is None:
        pytest.skip("PostgreSQL checkpoints by itself")
    return path


def write_pages(settings: Settings, pages: int) -> None:
    """Commit about `pages` new pages, 100 at a time, through Procession's own connections."""

    async def work() -> None:
        database = Database(settings)
        try:
            async with database.transaction() as session:
                await session.execute(text("CREATE TABLE ballast (body BLOB)"))
            for _ in range(pages // 100):
                async with database.transaction() as session:
                    blob = text("INSERT INTO ballast VALUES (randomblob(:size))")
                    await session.execute(blob, {"size": 100 * PAGE})
        finally:
            await database.dispose()

    run_async(work())


def test_commits_leave_the_log_to_the_job_which_copies_all_of_it(
    settings: Settings, database_file: Path
) -> None:
    """With SQLite's default, a commit past 1,000 pages would have copied the log back and
    the next one started it over: the log would hold fewer pages than were written."""
    # The last connection to close copies the log back and removes it: keep one open.
    with contextlib.closing(sqlite3.connect(database_file)) as keeper:
        keeper.execute("SELECT count(*) FROM sqlite_schema").fetchone()
        write_pages(settings, LOGGED_PAGES)
        logged, copied = checkpoint_now(database_file)
    assert logged >= LOGGED_PAGES
    assert copied == logged


def test_the_server_copies_the_log_back_within_seconds(
    settings: Settings, database_file: Path
) -> None:
    """The job runs beside the requests: the database file grows by what was written, which
    until then only the log held."""
    with TestClient(create_app(settings.model_copy(update={"background_jobs": True}))):
        before = database_file.stat().st_size
        write_pages(settings, 1_000)
        deadline = time.monotonic() + 10
        while database_file.stat().st_size < before + 900 * PAGE:
            assert time.monotonic() < deadline, "the log was not copied back"
            time.sleep(0.1)
