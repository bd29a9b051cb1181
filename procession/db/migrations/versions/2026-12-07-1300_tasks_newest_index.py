"""an index of live tasks newest first, for the task lists' `sort=newest`

`GET /tasks?sort=newest` (and `-newest`) sorted every live task of the organization for
each page: about 1 s for 320,000 on SQLite. With (org_id, created_at DESC, id) over live
tasks a page is read in order (58 ms in all, its count included); read backwards, it gives
`-newest` with only the ties sorted. Every task insert pays for it: a 100-step launch about
2 ms more (20-21 -> 22-23 ms in-process at quick scale).

On SQLite the statistics are gathered again after the migration (see `db/statistics.py`):
with statistics for the other indexes of `tasks` and none for this one, the planner took it
for the default order too (48 -> 380 ms a page at 320,000 live tasks).

Revision ID: c9e0e5f0a014
Revises: c9e0e5f0a013
Create Date: 2026-12-07 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c9e0e5f0a014"
down_revision: str | None = "c9e0e5f0a013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("archived_at IS NULL")


def upgrade() -> None:
    op.create_index(
        "ix_tasks_org_live_newest",
        "tasks",
        ["org_id", sa.column("created_at").desc(), "id"],
        postgresql_where=LIVE,
        sqlite_where=LIVE,
    )


def downgrade() -> None:
    op.drop_index("ix_tasks_org_live_newest", table_name="tasks")
