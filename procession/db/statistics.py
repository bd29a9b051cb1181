"""Query-planner statistics for SQLite, gathered in the background.

Until `ANALYZE` has run, SQLite's planner guesses that an equality on an index's leading
columns matches few rows. On `org_id` it never does: on a server with one organization every
row matches. Listing runs by tag, it walked every live run of the organization and probed
the tag's runs for each (0.6 ms with 2,000 runs, ten times that with 20,000); with
statistics it reads the tag's few runs by primary key (0.02 ms). PostgreSQL's autovacuum
keeps its own statistics, so the job is SQLite's only.
"""

from sqlalchemy import text

from procession.config import Settings
from procession.db.session import Database

REFRESH_SECONDS = 3600.0
"""Gathered at start-up, then hourly: often enough to follow a database as it grows."""

ANALYSIS_LIMIT = 400
"""Rows sampled per index: SQLite's advice for an approximate `ANALYZE` that takes
milliseconds whatever the size of the tables."""


async def gather(database: Database, settings: Settings) -> int:
    """The background job: one approximate `ANALYZE` in its own write transaction. Returns 0,
    so the next round comes `REFRESH_SECONDS` later (see `ops/background.py`)."""
    async with database.transaction() as session:
        await session.execute(text(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}"))
        await session.execute(text("ANALYZE"))
    return 0
