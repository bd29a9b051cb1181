"""Sessions: one transaction per HTTP request, `unit_of_work()` for the CLI and jobs."""

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from procession.config import Settings
from procession.db import inline_sqlite
from procession.db.engine import WRITE_OPTION, make_engine, refuse_writes


class Database:
    """The engine and its session factories; built once per app (or CLI command)."""

    def __init__(self, settings: Settings) -> None:
        self.engine: AsyncEngine = make_engine(settings)
        self._inline = settings.is_sqlite and settings.sqlite_driver == "inline"
        # Sessions know where uploaded files live, so removing a purged file's bytes after the
        # commit works wherever the purge runs (request, job, CLI): see `files/storage.py`.
        info = {"files_dir": settings.files_dir}
        session_class = inline_sqlite.InlineSession if self._inline else AsyncSession
        # PostgreSQL runs a reading transaction's statements each on its own (autocommit):
        # READ COMMITTED gives every statement of a transaction a snapshot of its own anyway,
        # and without BEGIN and COMMIT a get run makes two round trips instead of four.
        # SQLite keeps the transaction: there it holds a page and its count to one snapshot,
        # and its BEGIN costs no round trip. On both, a write there raises.
        readers = self.engine.execution_options(
            **({} if settings.is_sqlite else {"isolation_level": "AUTOCOMMIT"})
        )
        refuse_writes(readers.sync_engine)
        self._readers = async_sessionmaker(
            readers, class_=session_class, expire_on_commit=False, info=info
        )
        self._writers = async_sessionmaker(
            self.engine.execution_options(**{WRITE_OPTION: True}),
            class_=session_class,
            expire_on_commit=False,
            info=info,
        )

    @asynccontextmanager
    async def transaction(self, *, writes: bool = True) -> AsyncIterator[AsyncSession]:
        """One session in one transaction: committed on clean exit, rolled back on any error.

        This is the only place Procession commits. `writes=False` is a transaction that only
        reads (a write raises `WriteWhileReading`): SQLite then does not take the write lock
        up front, and PostgreSQL runs each statement on its own, so a row lock it takes
        (`FOR UPDATE`) ends with its statement.
        """
        maker = self._writers if writes else self._readers
        async with self._writer_turn(writes):
            # Spelled out rather than `async with maker() as session, session.begin()`: those
            # context managers cost a third of a small request's transaction (a task to shield
            # the close, a greenlet for the explicit BEGIN). The session begins with its first
            # statement; the inline driver's begins at once, so that what follows can skip the
            # greenlets (see InlineSession). A request's close is shielded by FastAPI.
            session = maker()
            try:
                if isinstance(session, inline_sqlite.InlineSession):
                    await session.hold_connection()
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()  # what listeners of a rollback expect (files/storage)
                raise
            finally:
                await session.close()

    def _writer_turn(self, writes: bool) -> AbstractAsyncContextManager[object]:
        """With the inline SQLite driver, write transactions of this event loop take turns
        (see `db/inline_sqlite.py`); otherwise SQLite's own lock is waited for off the loop."""
        if writes and self._inline:
            return inline_sqlite.writer_lock()
        return nullcontext()

    async def dispose(self) -> None:
        await self.engine.dispose()


@asynccontextmanager
async def unit_of_work(settings: Settings) -> AsyncIterator[AsyncSession]:
    """A database and one transaction, for CLI commands and jobs outside a request."""
    database = Database(settings)
    try:
        async with database.transaction() as session:
            yield session
    finally:
        await database.dispose()
