"""An async SQLAlchemy dialect for SQLite that calls `sqlite3` inline, on the event loop.

aiosqlite runs every statement on a worker thread and wakes the event loop when it is
done; for the sub-millisecond statements a request runs, that hand-off costs more than
the statement (measured in `bench/`). Here the statement runs where it is awaited, with no
thread and no await at all, and `InlineSession` skips SQLAlchemy's greenlet as well.

What makes blocking the loop safe: `Database` lets one write transaction at a time begin
per process (an `asyncio.Lock`), so a writer never waits on SQLite's lock for another
writer of its own process, which would need the loop it is blocking; readers never wait
in WAL mode. A writer of another process is waited for up to the busy timeout.
"""

import asyncio
import sqlite3
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, TypeVar

from sqlalchemy import Executable
from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
from sqlalchemy.engine import Engine
from sqlalchemy.engine.interfaces import AdaptedConnection
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.pool import QueuePool
from sqlalchemy.util import EMPTY_DICT, greenlet_spawn

T = TypeVar("T")

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


class InlineSession(AsyncSession):
    """The `AsyncSession` of the inline driver: once its transaction holds a connection
    (`hold_connection`), its work runs where it is awaited instead of in a greenlet of its own.

    `AsyncSession` runs every call in a new greenlet so that the driver can suspend it. This
    driver never suspends, and the detour is a large part of the session's own cost: a select
    by primary key took 58 µs through it and 35 µs inline. Taking the connection goes through
    the greenlet only when the pool has none idle, since then it waits. Commit, rollback and close
    give the connection back, so whatever follows them takes the greenlet again, but for closing
    a session left with no transaction. What is not overridden here (`delete`, `refresh`,
    savepoints) keeps the greenlet.
    """

    holds_connection = False

    async def hold_connection(self) -> None:
        """Begin the transaction now, on a connection of the pool: inline when one is idle,
        else through the greenlet, where the pool can wait for one to be given back."""
        bind = self.sync_session.get_bind()
        pool = bind.pool if isinstance(bind, Engine) else None
        if isinstance(pool, QueuePool) and pool.checkedin():
            self.sync_session.connection()
        else:
            await self.connection()
        self.holds_connection = True

    async def _call(
        self, method: Callable[..., T], *args: Any, releases: bool = False, **kwargs: Any
    ) -> T:
        """`method` of the sync session: inline while the connection is held, else in a
        greenlet as `AsyncSession` would. `releases`: the call gives the connection back."""
        held = self.holds_connection
        if releases:
            self.holds_connection = False
        if held:
            return method(*args, **kwargs)
        return await greenlet_spawn(method, *args, **kwargs)

    async def execute(
        self,
        statement: Executable,
        params: Any = None,
        *,
        execution_options: Mapping[str, Any] = EMPTY_DICT,
        **kw: Any,
    ) -> Any:
        options = {**execution_options, "prebuffer_rows": True}  # as AsyncSession's results
        return await self._call(
            self.sync_session.execute, statement, params, execution_options=options, **kw
        )

    async def scalar(self, statement: Executable, params: Any = None, **kw: Any) -> Any:
        return (await self.execute(statement, params, **kw)).scalar()

    async def get(self, *args: Any, **kwargs: Any) -> Any:
        return await self._call(self.sync_session.get, *args, **kwargs)

    async def get_one(self, *args: Any, **kwargs: Any) -> Any:
        return await self._call(self.sync_session.get_one, *args, **kwargs)

    async def flush(self, objects: Sequence[Any] | None = None) -> None:
        await self._call(self.sync_session.flush, objects)

    async def commit(self) -> None:
        await self._call(self.sync_session.commit, releases=True)

    async def rollback(self) -> None:
        await self._call(self.sync_session.rollback, releases=True)

    async def close(self) -> None:
        if not self.sync_session.in_transaction():
            # Committed or rolled back: no connection to give back, so closing only forgets
            # the session's objects and cannot wait. Inline, a request skips its last greenlet.
            self.holds_connection = False
            self.sync_session.close()
            return
        await self._call(self.sync_session.close, releases=True)
