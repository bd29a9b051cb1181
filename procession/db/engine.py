"""Engine construction: SQLite pragmas and BEGIN handling, PostgreSQL pool settings, JSON."""

import json
import re
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import event
from sqlalchemy.dialects import registry
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
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
LONG_NUMBER = re.compile(r"\d{19}")
LONG_NUMBER_BYTES = re.compile(rb"\d{19}")


def json_text(value: Any) -> str:
    """A JSON column's text."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except orjson.JSONEncodeError:
        return json.dumps(value)


def json_value(text: str | bytes | memoryview) -> Any:
    """A JSON column's value (PostgreSQL's driver hands over bytes, SQLite's a str)."""
    if isinstance(text, memoryview):
        text = bytes(text)
    long = LONG_NUMBER.search(text) if isinstance(text, str) else LONG_NUMBER_BYTES.search(text)
    if long:
        return json.loads(text)
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


JSON_CODEC = {"json_serializer": json_text, "json_deserializer": json_value}


def make_engine(settings: Settings) -> AsyncEngine:
    """The async engine requests use. SQLite gets its pragmas on every new connection."""
    if not settings.is_sqlite:
        return create_async_engine(
            settings.async_database_url,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_pool_size,
            pool_pre_ping=True,
            **JSON_CODEC,
        )
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
