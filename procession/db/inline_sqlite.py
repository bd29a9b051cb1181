"""An async SQLAlchemy dialect for SQLite that calls `sqlite3` inline, on the event loop.

aiosqlite runs every statement on a worker thread and wakes the event loop when it is
done; for the sub-millisecond statements a request runs, that hand-off costs more than
the statement (measured in `bench/`). Here the statement runs where it is awaited, in
SQLAlchemy's greenlet, with no thread and no await at all.

What makes blocking the loop safe: `Database` lets one write transaction at a time begin
per process (an `asyncio.Lock`), so a writer never waits on SQLite's lock for another
writer of its own process, which would need the loop it is blocking; readers never wait
in WAL mode. A writer of another process is waited for up to the busy timeout.
"""

import asyncio
import sqlite3
import weakref
from typing import Any, Literal

from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
from sqlalchemy.engine.interfaces import AdaptedConnection

IsolationLevel = Literal["DEFERRED", "EXCLUSIVE", "IMMEDIATE"] | None


class InlineCursor(sqlite3.Cursor):
    async def _async_soft_close(self) -> None:
        """Called by SQLAlchemy's async result on an async driver's cursor: the rows of a
        `sqlite3` cursor stay readable, so there is nothing to do."""


class InlineConnection(AdaptedConnection):
    """A `sqlite3` connection presented as the driver connection of an async dialect."""

    __slots__ = ("_sqlite", "dbapi")

    def __init__(self, dbapi: "InlineDBAPI", connection: sqlite3.Connection) -> None:
        self.dbapi = dbapi
        self._sqlite = connection

    @property
    def driver_connection(self) -> sqlite3.Connection:
        return self._sqlite

    @property
    def isolation_level(self) -> IsolationLevel:
        return self._sqlite.isolation_level

    @isolation_level.setter
    def isolation_level(self, value: IsolationLevel) -> None:
        self._sqlite.isolation_level = value

    def cursor(self, server_side: bool = False) -> sqlite3.Cursor:
        return self._sqlite.cursor(InlineCursor)

    def execute(self, operation: Any, parameters: Any = ()) -> sqlite3.Cursor:
        return self.cursor().execute(operation, parameters)

    def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._sqlite.create_function(*args, **kwargs)

    def commit(self) -> None:
        self._sqlite.commit()

    def rollback(self) -> None:
        self._sqlite.rollback()

    def close(self) -> None:
        self._sqlite.close()


class InlineDBAPI:
    """The DBAPI module SQLAlchemy sees: `sqlite3`'s names, connecting inline."""

    paramstyle = "qmark"
    has_stop = False  # no worker thread to stop (read by the aiosqlite dialect)

    def __init__(self) -> None:
        for name in (
            "DatabaseError",
            "Error",
            "IntegrityError",
            "InterfaceError",
            "NotSupportedError",
            "OperationalError",
            "ProgrammingError",
            "DataError",
            "InternalError",
            "Warning",
            "sqlite_version",
            "sqlite_version_info",
            "PARSE_COLNAMES",
            "PARSE_DECLTYPES",
            "Binary",
        ):
            setattr(self, name, getattr(sqlite3, name))

    def connect(self, *args: Any, **kwargs: Any) -> InlineConnection:
        # The pool may hand a connection to another thread's event loop (tests, the CLI).
        kwargs["check_same_thread"] = False
        return InlineConnection(self, sqlite3.connect(*args, **kwargs))


class SQLiteDialect_inline(SQLiteDialect_aiosqlite):
    driver = "inline"
    supports_statement_cache = True
    supports_server_side_cursors = False
    has_terminate = False

    @classmethod
    def import_dbapi(cls) -> Any:
        return InlineDBAPI()

    def get_driver_connection(self, connection: Any) -> Any:
        return connection.driver_connection


_writer_locks: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock]" = (
    weakref.WeakKeyDictionary()
)


def writer_lock() -> asyncio.Lock:
    """The lock write transactions on the running event loop take turns with."""
    loop = asyncio.get_running_loop()
    lock = _writer_locks.get(loop)
    if lock is None:
        lock = _writer_locks[loop] = asyncio.Lock()
    return lock
