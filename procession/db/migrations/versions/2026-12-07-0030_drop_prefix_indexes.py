"""drop the indexes of one column that a composite index of the same table begins with

Each of these tables has a composite index or unique constraint whose first column is the
one indexed alone here, and that index finds the same rows (an organization's, a task's
fields, a tag's links, a folder's objects, and the rows ON DELETE CASCADE reaches). The
second index only cost a write on every insert, and on PostgreSQL on every update it could
not make in place: archiving a process rewrites its tasks' rows, once per index.

Revision ID: c9e0e5f0a012
Revises: c9e0e5f0a011
Create Date: 2026-12-07 00:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c9e0e5f0a012"
down_revision: str | None = "c9e0e5f0a011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PREFIX_INDEXES = (
    ("audit_events", "org_id"),
    ("folder_objects", "folder_id"),
    ("groups", "org_id"),
    ("guests", "org_id"),
    ("processes", "org_id"),
    ("taggings", "tag_id"),
    ("task_fields", "task_id"),
    ("tasks", "org_id"),
    ("templates", "org_id"),
)


def upgrade() -> None:
    for table, column in PREFIX_INDEXES:
        op.drop_index(f"ix_{table}_{column}", table_name=table)


def downgrade() -> None:
    for table, column in PREFIX_INDEXES:
        op.create_index(f"ix_{table}_{column}", table, [column])
