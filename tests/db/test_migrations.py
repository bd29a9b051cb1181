"""Migrations on the engine under test: from nothing to head, down past the last schema change
and back up, and models and migrations never drift."""

import os
from collections.abc import Iterator

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from procession.config import Settings
from procession.db import migrate
from procession.db.models import Base
from procession.search.backend import is_index_object
from tests.databases import DatabaseFactory


@pytest.fixture
def empty(databases: DatabaseFactory) -> Iterator[Settings]:
    settings = databases.empty()
    yield settings
    databases.drop(settings)


def tables(settings: Settings) -> set[str]:
    return {table for table, _ in columns(settings)}


def columns(settings: Settings) -> set[tuple[str, str]]:
    """(table, column) pairs of the database's schema, Alembic's own table and the search
    indexes (SQLite's FTS5 tables, which no model declares) left out."""
    return {(t, c) for t, c in schema(settings) if c != "" and not is_index_object(t)}


def schema(settings: Settings) -> set[tuple[str, str]]:
    """Every (table, column) pair and every (index, "") of the database."""
    engine = create_engine(settings.database_url)
    try:
        inspector = inspect(engine)
        names = [t for t in inspector.get_table_names() if t != "alembic_version"]
        found = {
            (table, column["name"]) for table in names for column in inspector.get_columns(table)
        }
        found |= {(str(i["name"]), "") for table in names for i in inspector.get_indexes(table)}
        return found
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
    at_head = schema(empty)
    # Down one step at a time, through the steps that change data only, to the last step that
    # changed the schema (its downgrade must run), then up again to the very same schema.
    for _ in script.walk_revisions():
        migrate.downgrade(empty, "-1")
        assert columns(empty) <= MODEL_COLUMNS
        if schema(empty) != at_head:
            break
    migrate.upgrade(empty)
    assert schema(empty) == at_head
    assert columns(empty) == MODEL_COLUMNS


def test_models_and_migrations_agree(empty: Settings) -> None:
    migrate.upgrade(empty)
    command.check(migrate.alembic_config(empty))  # raises when a model change has no migration


def test_a_migration_gathers_sqlites_statistics_again(empty: Settings) -> None:
    """Statistics for the other indexes of `tasks` and none for a new one made SQLite take the
    new one for every task list. After a migration the statistics are those of the schema it
    made: the stale rows are gone, a large table's are gathered again."""
    if not empty.is_sqlite:
        pytest.skip("SQLite's statistics: PostgreSQL keeps its own")
    migrate.upgrade(empty, "c9e0e5f0a013")
    engine = create_engine(empty.database_url)
    try:
        with engine.begin() as db:
            db.exec_driver_sql(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30000)"
                " INSERT INTO organizations (id, name, settings, created_at, updated_at)"
                " SELECT printf('%032d', i), 'Org', '{}', '2026-01-01', '2026-01-01' FROM n"
            )
            db.exec_driver_sql("ANALYZE")  # creates sqlite_stat1
            db.exec_driver_sql("DELETE FROM sqlite_stat1")
            db.exec_driver_sql(
                "INSERT INTO sqlite_stat1 VALUES"
                " ('tasks', 'ix_tasks_org_live_deadline', '320200 320200 1 1 1 1')"
            )
        migrate.upgrade(empty)
        with engine.connect() as db:
            tables = db.exec_driver_sql("SELECT DISTINCT tbl FROM sqlite_stat1").scalars().all()
        assert tables == ["organizations"]
    finally:
        engine.dispose()


def test_suite_runs_on_the_engine_it_was_asked_for(databases: DatabaseFactory) -> None:
    wanted = "postgresql" if "postgresql" in os.environ.get("TEST_DATABASE_URL", "") else "sqlite"
    assert databases.engine_name == wanted
    assert databases.fresh().database_url.startswith(wanted)
