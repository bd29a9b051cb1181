"""Engine construction: SQLite pragmas and BEGIN handling, PostgreSQL pool settings, JSON."""

import json
import re
import select
import time
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import event
from sqlalchemy.dialects import registry
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from procession.config import Settings

# Execution option a session sets when it will write: on SQLite the transaction then starts
# with BEGIN IMMEDIATE, taking the write lock up front instead of failing with SQLITE_BUSY
# when two read-then-write transactions try to upgrade their locks at once.
WRITE_OPTION = "procession_writes"

registry.register("sqlite.inline", "procession.db.inline_sqlite", "SQLiteDialect_inline")


def sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite URL (None for in-memory databases)."""
    path = url.split(":///", 1)[1] if ":///" in url else ""
    return Path(path) if path and path != ":memory:" else None


# orjson reads and writes the small documents our columns hold several times faster than the
# `json` module (a 100-step launch decodes about 900 and encodes 500). Where the two differ,
# `json` is used: orjson refuses to write integers beyond 64 bits, reads them as floats, and
# cannot read the NaN and Infinity that `json` wrote into older rows.
LONG_NUMBER = re.compile(rb"[0-9]{19}")
DIGITS = b"0123456789"


def json_text(value: Any) -> str:
    """A JSON column's text."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except orjson.JSONEncodeError:
        return json.dumps(value)


def json_value(text: str | bytes | memoryview) -> Any:
    """A JSON column's value (PostgreSQL's driver hands over bytes, SQLite's a str).

    Raises TypeError for anything else: SQLite hands over a number when its column affinity
    made one of the stored text, and SQLAlchemy's SQLite JSON type returns that number as it
    is when the deserializer raises TypeError (as `json.loads` does)."""
    if isinstance(text, str):
        raw = text.encode()
    elif isinstance(text, bytes | memoryview):
        raw = bytes(text)
    else:
        raise TypeError(f"a JSON text is str or bytes, not {type(text).__name__}")
    # Only a text with 19 digits can hold a number beyond 64 bits. Counting them (deleting
    # them is a C loop) before searching for a run of 19: the search alone, on every text,
    # took three times as long as orjson's parse (a 100-step launch reads 800 texts).
    if len(raw) - len(raw.translate(None, DIGITS)) >= 19 and LONG_NUMBER.search(raw):
        return json.loads(raw)
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return json.loads(raw)


JSON_CODEC = {"json_serializer": json_text, "json_deserializer": json_value}


def make_engine(settings: Settings) -> AsyncEngine:
    """The async engine requests use. SQLite gets its pragmas on every new connection;
    PostgreSQL's pooled connections are checked before use (`install_postgres_hooks`)."""
    if not settings.is_sqlite:
        engine = create_async_engine(
            settings.async_database_url,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_pool_size,
            **JSON_CODEC,
        )
        install_postgres_hooks(engine.sync_engine)
        return engine
    path = sqlite_path(settings.database_url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    # A fixed pool and no overflow: new SQLite connections are costly (a thread and the
    # pragmas each), and churning overflow connections under load cost more than waiting.
    engine = create_async_engine(
        settings.async_database_url,
        pool_size=settings.db_pool_size,
        max_overflow=0,
        **JSON_CODEC,
    )
    install_sqlite_hooks(engine.sync_engine)
    return engine


IDLE_PING_SECONDS = 10.0
"""A PostgreSQL connection that sat in the pool longer than this is pinged before use."""

CHECKED_IN = "procession_checked_in"  # connection info: when it last went back to the pool


def install_postgres_hooks(engine: Any) -> None:
    """Make sure a pooled connection is alive before a request uses it, with a round trip to
    the server only when there is reason to doubt it.

    SQLAlchemy's `pool_pre_ping` pings at every checkout, a round trip per request (get run
    served 12% more without it at full scale; docs/PERFORMANCE.md). A connection is pinged
    here when the server wrote to it while it sat in the pool (a restart,
    `pg_terminate_backend` and `idle_session_timeout` each send an error and close it, so its
    socket turns readable), or when it sat there longer than `IDLE_PING_SECONDS` (one a
    firewall dropped without a word). A failed ping makes the pool replace the connection,
    as a failed pre-ping does.
    """
    dbapi_error = engine.dialect.loaded_dbapi.Error

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info[CHECKED_IN] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        checked_in = record.info.get(CHECKED_IN)
        if checked_in is None:
            return  # connected for this checkout
        driver = dbapi_connection.driver_connection
        if driver.closed:
            raise DisconnectionError("the connection was closed")
        if time.monotonic() - checked_in > IDLE_PING_SECONDS or readable(driver.fileno()):
            try:
                engine.dialect.do_ping(dbapi_connection)
            except dbapi_error as error:
                raise DisconnectionError(str(error)) from error


class WriteWhileReading(RuntimeError):
    """A statement other than a query ran in a reading transaction (`Database.transaction`)."""


def refuse_writes(engine: Any) -> None:
    """Make every statement but a query raise `WriteWhileReading` on `engine`, the engine of
    the reading transactions. On PostgreSQL their statements commit one by one, so a write
    there would stay when the rest of its request failed; it is refused on SQLite as well,
    so that the tests catch it on either database."""

    @event.listens_for(engine, "before_cursor_execute")
    def _only_queries(_conn: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.startswith(("SELECT", "WITH")):
            raise WriteWhileReading(f"a reading transaction ran {statement[:40]!r}")


def readable(fd: int) -> bool:
    """Whether `fd` has something to read (or was closed by its peer), without waiting.
    `poll`, not `select`: a server process may hold more than `select`'s 1,024 descriptors."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


BACKSTOP_PAGES = 10_000
"""SQLite's `wal_autocheckpoint` on our connections: a commit that takes the write-ahead log
past this many pages (about 40 MB) copies it back itself. The background job of
`db/checkpoint.py` does that every second, well before; the backstop bounds the log when it
does not run."""


SQLITE_PRAGMAS = (
    "foreign_keys=ON",
    "journal_mode=WAL",
    "synchronous=NORMAL",
    "busy_timeout=5000",
    f"wal_autocheckpoint={BACKSTOP_PAGES}",
)
"""Set on every SQLite connection (the benchmarks' floors set the same)."""


def install_sqlite_hooks(engine: Any) -> None:
    """Foreign keys on (else ON DELETE CASCADE does nothing), WAL with its checkpoints left to
    the background (`BACKSTOP_PAGES`), a busy timeout, and our BEGIN.

    pysqlite's own transaction handling is switched off (SQLAlchemy's documented recipe) so that
    savepoints work and so we choose between BEGIN and BEGIN IMMEDIATE.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # On the driver's own cursor: through `exec_driver_sql`, SQLAlchemy's statement
        # machinery took 25 µs of a small read's 800, for a statement that returns nothing.
        # Statement listeners (`before_cursor_execute`) do not see it; `begin_statement` names it.
        # Its errors are wrapped as SQLAlchemy's are, so "database is locked" answers 503.
        statement = begin_statement(conn)
        dbapi_error = conn.dialect.loaded_dbapi.Error
        try:
            conn.connection.cursor().execute(statement)
        except dbapi_error as error:
            raise DBAPIError.instance(statement, (), error, dbapi_error) from error


def begin_statement(conn: Connection) -> str:
    """The statement a SQLite transaction of `conn` begins with (see WRITE_OPTION)."""
    return "BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE_OPTION, False) else "BEGIN"
