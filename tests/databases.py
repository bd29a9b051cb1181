"""Fresh, migrated databases for tests: SQLite files by default, or databases on the
PostgreSQL server named by TEST_DATABASE_URL (`make test-pg` starts one)."""

import json
import os
import shutil
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url

from procession.config import Settings
from procession.db import migrate


class DatabaseFactory:
    """Migrates one template database with Alembic, then hands out copies of it."""

    def __init__(self, workdir: Path, server_url: str | None) -> None:
        self.workdir = workdir
        self.server_url = server_url if server_url and "postgresql" in server_url else None
        self.template = self._migrated_template()

    @property
    def engine_name(self) -> str:
        return "postgresql" if self.server_url else "sqlite"

    def _settings(self, url: str) -> Settings:
        return Settings(database_url=url, _env_file=None)

    def _admin(self) -> Engine:
        assert self.server_url is not None
        settings = self._settings(self.server_url)
        return create_engine(settings.database_url, isolation_level="AUTOCOMMIT")

    def _url_for(self, name: str) -> str:
        assert self.server_url is not None
        url = make_url(self._settings(self.server_url).database_url).set(database=name)
        return url.render_as_string(hide_password=False)

    def _migrated_template(self) -> str:
        if self.server_url is None:
            path = self.workdir / "template.db"
            migrate.upgrade(self._settings(f"sqlite:///{path}"))
            return str(path)
        name = f"procession_template_{os.getpid()}"
        admin = self._admin()
        with admin.connect() as db:
            db.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            db.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        migrate.upgrade(self._settings(self._url_for(name)))
        return name

    def fresh(self) -> Settings:
        """A new database at head, empty but for Alembic's version row."""
        return self._create(template=self.template)

    def empty(self) -> Settings:
        """A new database with no tables at all (for migration tests)."""
        return self._create(template=None)

    def _create(self, template: str | None) -> Settings:
        name = f"t_{uuid.uuid4().hex[:16]}"
        if self.server_url is None:
            path = self.workdir / f"{name}.db"
            if template:
                shutil.copyfile(template, path)
            return self._with_files(self._settings(f"sqlite:///{path}"), name)
        admin = self._admin()
        with admin.connect() as db:
            source = f' TEMPLATE "{template}"' if template else ""
            db.execute(text(f'CREATE DATABASE "{name}"{source}'))
        admin.dispose()
        return self._with_files(self._settings(self._url_for(name)), name)

    def _with_files(self, settings: Settings, name: str) -> Settings:
        """Each database gets its own directory of uploaded files."""
        return settings.model_copy(update={"files_dir": self.workdir / f"{name}.files"})

    def drop(self, settings: Settings) -> None:
        if self.server_url is None:
            return
        name = make_url(settings.database_url).database
        admin = self._admin()
        with admin.connect() as db:
            db.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


Row = tuple[str, ...]
Snapshot = dict[str, list[Row]]


def sync_engine(settings: Settings) -> Engine:
    return create_engine(settings.database_url)


def query_plans(settings: Settings, statements: list[tuple[str, Any]]) -> list[str]:
    """Each statement's plan, its lines joined by " | ". On PostgreSQL the planner is told to
    avoid scans and sorts where it can, since it rightly scans and sorts tables this small:
    what is left is what no index could serve."""
    engine = sync_engine(settings)
    try:
        with engine.connect() as connection:
            if settings.is_sqlite:
                explain = "EXPLAIN QUERY PLAN "
            else:
                connection.exec_driver_sql("SET enable_seqscan = off")
                connection.exec_driver_sql("SET enable_sort = off")
                explain = "EXPLAIN "
            return [
                " | ".join(
                    str(row[-1]) for row in connection.exec_driver_sql(explain + sql, params)
                )
                for sql, params in statements
            ]
    finally:
        engine.dispose()


def snapshot(settings: Settings, *, skip: tuple[str, ...] = ("audit_events",)) -> Snapshot:
    """Every row of every table (but `skip` and Alembic's), every column, sorted; values as
    JSON text so rows compare and hash the same way on both engines."""
    engine = sync_engine(settings)
    try:
        with engine.connect() as db:
            # The full-text search tables (SQLite FTS5 and its shadow tables) are an index
            # the database keeps from the base tables, not data of their own.
            tables = [
                t
                for t in inspect(db).get_table_names()
                if t not in skip and t != "alembic_version" and not t.startswith("search_")
            ]
            return {
                table: sorted(
                    tuple(json.dumps(value, default=str, sort_keys=True) for value in row)
                    for row in db.execute(text(f"SELECT * FROM {table}"))
                )
                for table in tables
            }
    finally:
        engine.dispose()


def row_counts(settings: Settings, tables: tuple[str, ...]) -> dict[str, int]:
    engine = sync_engine(settings)
    try:
        with engine.connect() as db:
            return {t: db.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in tables}
    finally:
        engine.dispose()


def foreign_key_violations(settings: Settings) -> list[Any]:
    """Rows pointing at missing parents: SQLite's check; PostgreSQL never lets one exist."""
    if not settings.is_sqlite:
        return []
    engine = sync_engine(settings)
    try:
        with engine.connect() as db:
            return list(db.execute(text("PRAGMA foreign_key_check")).fetchall())
    finally:
        engine.dispose()
