"""Query-planner statistics for SQLite, gathered in the background.

Until `ANALYZE` has run, SQLite's planner guesses that an equality on an index's leading
columns matches few rows. On `org_id` it never does: on a server with one organization every
row matches. Listing runs by tag, it walked every live run of the organization and probed
the tag's runs for each (0.6 ms with 2,000 runs, 11 ms with 20,000); with statistics it
reads the tag's few runs by primary key (0.02-0.08 ms). PostgreSQL's autovacuum keeps its
own statistics, so the job is SQLite's only.

Statistics of a small table are dropped again. They would make the planner scan it (the
cheapest plan while it is small), and it would go on scanning until the next round however
much the table grew: a fresh database would scan every table for an hour. Without
statistics SQLite assumes a large table and uses its indexes, which costs a small table
little.

A migration runs a round too, when the database has statistics (`refresh_after_migration`):
statistics for the other indexes of a table and none for a new one made SQLite take the new
index of `tasks` for every task list (48 -> 380 ms a page at 320,000 live tasks).
"""

from typing import Any

from sqlalchemy import Connection, TextClause, inspect, text

from procession.config import Settings
from procession.db.session import Database

REFRESH_SECONDS = 3600.0
"""Gathered at start-up, then hourly: often enough to follow a database as it grows."""

ANALYSIS_LIMIT = 400
"""Rows sampled per index: SQLite's advice for an approximate `ANALYZE` that takes
milliseconds whatever the size of the tables (15 ms on the full benchmark data). Its row
counts are estimates, within about half either way."""

MIN_ROWS = 10_000
"""Tables estimated below this many rows keep no statistics (see above)."""

DROP_SMALL_TABLES = text(
    "DELETE FROM sqlite_stat1 WHERE tbl IN ("
    " SELECT tbl FROM sqlite_stat1 GROUP BY tbl"
    " HAVING max(CAST(stat AS INTEGER)) < :min_rows)"
)
"""Each row's `stat` starts with the estimated number of rows of its index (or table)."""

ROUND: tuple[tuple[TextClause, dict[str, Any]], ...] = (
    (text(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}"), {}),
    (text("ANALYZE"), {}),
    (DROP_SMALL_TABLES, {"min_rows": MIN_ROWS}),
    (text("ANALYZE sqlite_schema"), {}),  # the planner reads the statistics again
)
"""One round's statements and their parameters, in order (the benchmarks run them too)."""


async def gather(database: Database, settings: Settings) -> int:
    """The background job: one `ROUND` in its own write transaction (other connections
    reread the statistics on their own after the commit). Returns 0, so the next round
    comes `REFRESH_SECONDS` later (see `ops/background.py`)."""
    async with database.transaction() as session:
        await session.run_sync(lambda sync_session: run_round(sync_session.connection()))
    return 0


def refresh_after_migration(connection: Connection) -> None:
    """One `ROUND` in the connection's transaction, if the database has statistics to bring
    up to date with the schema a migration just made. A database without any is left so:
    SQLite then plans as it does before any `ANALYZE`, and the server's first round gathers
    them."""
    if inspect(connection).has_table("sqlite_stat1"):
        run_round(connection)


def run_round(connection: Connection) -> None:
    """`ROUND`'s statements, in the connection's transaction."""
    for statement, params in ROUND:
        connection.execute(statement, params)
