"""Migrations on the engine under test: from nothing to head, one step down and back up, and
models and migrations never drift."""

import os
from collections.abc import Iterator

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from procession.config import Settings
from procession.db import migrate
from procession.db.models import Base
from tests.databases import DatabaseFactory


@pytest.fixture
def empty(databases: DatabaseFactory) -> Iterator[Settings]:
    settings = databases.empty()
    yield settings
    databases.drop(settings)


def tables(settings: Settings) -> set[str]:
    return {table for table, _ in columns(settings)}


def columns(settings: Settings) -> set[tuple[str, str]]:
    """(table, column) pairs of the database's schema, Alembic's own table left out."""
    engine = create_engine(settings.database_url)
    try:
        inspector = inspect(engine)
        return {
            (table, column["name"])
            for table in inspector.get_table_names()
            if table != "alembic_version"
            for column in inspector.get_columns(table)
        }
    finally:
        engine.dispose()


MODEL_COLUMNS = {(t.name, c.name) for t in Base.metadata.tables.values() for c in t.columns}


def test_upgrade_from_empty_downgrade_one_step_and_upgrade_again(empty: Settings) -> None:
    assert tables(empty) == set()
    migrate.upgrade(empty)
    assert tables(empty) == set(Base.metadata.tables)
    script = ScriptDirectory.from_config(migrate.alembic_config(empty))
    head = script.get_revision("head")
    assert head is not None
    migrate.downgrade(empty, "-1")
    assert columns(empty) < MODEL_COLUMNS  # the last step's tables or columns are gone
    migrate.upgrade(empty)
    assert columns(empty) == MODEL_COLUMNS


def test_models_and_migrations_agree(empty: Settings) -> None:
    migrate.upgrade(empty)
    command.check(migrate.alembic_config(empty))  # raises when a model change has no migration


def test_suite_runs_on_the_engine_it_was_asked_for(databases: DatabaseFactory) -> None:
    wanted = "postgresql" if "postgresql" in os.environ.get("TEST_DATABASE_URL", "") else "sqlite"
    assert databases.engine_name == wanted
    assert databases.fresh().database_url.startswith(wanted)
