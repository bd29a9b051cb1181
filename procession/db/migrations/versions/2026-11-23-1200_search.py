"""full-text search indexes

SQLite: one FTS5 external-content table per searched text column (trigram tokenizer, so
matching is case-insensitive substring as Tallyfy's search is), kept in sync by triggers on
the base table, and filled from the existing rows here ('rebuild'). The index stores only
the tokens; the text is read back from the base table by rowid.

PostgreSQL: one GIN expression index on `to_tsvector('simple', <column>)` per column; the
database keeps it in sync and building it indexes the existing rows.

A later migration that recreates one of these base tables on SQLite (batch mode copies the
table and drops the old one, which drops its triggers and may renumber rowids) must create
the triggers again and run 'rebuild' (copy `_sqlite_up` below).

Revision ID: c4d0e5f0a004
Revises: c3c0e5f0a003
Create Date: 2026-11-23 12:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c4d0e5f0a004"
down_revision: str | None = "c3c0e5f0a003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (base table, text column): the index for each is named `search_<table>`.
INDEXED = (
    ("templates", "title"),
    ("processes", "name"),
    ("tasks", "title"),
    ("template_steps", "title"),
    ("step_captures", "label"),
)


def _sqlite_up(table: str, column: str) -> list[str]:
    fts = f"search_{table}"
    remove = (
        f"INSERT INTO {fts}({fts}, rowid, {column}) VALUES ('delete', old.rowid, old.{column});"
    )
    add = f"INSERT INTO {fts}(rowid, {column}) VALUES (new.rowid, new.{column});"
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({column}, content='{table}', tokenize='trigram')",
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {add} END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {remove} END",
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {column} ON {table} BEGIN {remove} {add} END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def _sqlite_down(table: str) -> list[str]:
    fts = f"search_{table}"
    return [
        *(f"DROP TRIGGER IF EXISTS {fts}_{event}" for event in ("insert", "delete", "update")),
        f"DROP TABLE IF EXISTS {fts}",
    ]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, column in INDEXED:
        if sqlite:
            for statement in _sqlite_up(table, column):
                op.execute(statement)
        else:
            op.execute(
                f"CREATE INDEX ix_search_{table} ON {table} "
                f"USING gin (to_tsvector('simple'::regconfig, {column}))"
            )


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, _ in INDEXED:
        if sqlite:
            for statement in _sqlite_down(table):
                op.execute(statement)
        else:
            op.execute(f"DROP INDEX IF EXISTS ix_search_{table}")
