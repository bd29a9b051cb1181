"""Alembic environment: the URL comes from Settings; SQLite migrations run in batch mode."""

from alembic import context
from sqlalchemy import create_engine

from procession.config import Settings
from procession.db import statistics
from procession.db.engine import install_sqlite_hooks, sqlite_path
from procession.db.models import Base
from procession.search.backend import is_index_object

config = context.config


def include_name(name: str | None, type_: str, _parents: object) -> bool:
    """Leave the search indexes (made by their migration, not the models) out of
    autogenerate and `alembic check`."""
    return not (type_ in ("table", "index") and is_index_object(name))


settings: Settings = config.attributes.get("settings") or Settings()


def run_migrations() -> None:
    url = settings.database_url
    path = sqlite_path(url) if settings.is_sqlite else None
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    if settings.is_sqlite:
        install_sqlite_hooks(engine)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=settings.is_sqlite,
            compare_type=True,
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()
    if settings.is_sqlite:
        # A transaction of its own: on SQLite Alembic commits each migration itself, and what
        # ran after them on that connection would be rolled back when it closes.
        with engine.begin() as connection:
            statistics.refresh_after_migration(connection)
    engine.dispose()


run_migrations()
