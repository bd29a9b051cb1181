"""SQLite's WAL checkpoints, copied back by a background job instead of by a request.

In WAL mode every commit appends the pages it changed to the write-ahead log, and by default
the commit that takes the log past 1,000 pages then copies the log back into the database
file before it returns. That one request pays for everybody's writes: about 7 ms per 1,000
pages on the benchmark machine, once every seven 100-step launches (each adds about 140
pages): a part of the launch's p95 when measured in-process.

Here connections checkpoint on their own only past `engine.BACKSTOP_PAGES`, so that the log
stays bounded when no job runs (`PROCESSION_BACKGROUND_JOBS=false` and no `procession worker`),
and the `checkpoint` job copies the log every `INTERVAL_SECONDS` on a thread of its own. It
is SQLite's PASSIVE checkpoint: it takes no lock that readers or writers wait for, and what
it cannot copy yet (pages a reader still needs) it copies next round. PostgreSQL checkpoints
by itself.
"""

import asyncio
import sqlite3
from pathlib import Path

from procession.config import Settings
from procession.db.engine import sqlite_path
from procession.db.session import Database

INTERVAL_SECONDS = 1.0


def checkpoint_now(path: Path) -> tuple[int, int]:
    """Copy what the log of the database at `path` holds back into it, on a connection of its
    own; (pages in the log, pages copied). A database that is not there is not created."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True)
    try:
        _busy, logged, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return logged, copied
    finally:
        connection.close()


async def checkpoint(database: Database, settings: Settings) -> int:
    """The background job: one checkpoint, on a thread (it reads and writes the files for a
    few milliseconds, with the GIL released). Returns 0, so the next round comes
    `INTERVAL_SECONDS` later (see `ops/background.py`)."""
    path = sqlite_path(settings.database_url)
    if path is not None:
        await asyncio.to_thread(checkpoint_now, path)
    return 0
