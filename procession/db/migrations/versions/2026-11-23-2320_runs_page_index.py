"""a partial index for the default page of runs: live ones, newest first

A page of runs is ordered by (created_at, id). PostgreSQL does not take `archived_at IS
NULL` as fixing that column, so it could not read ix_processes_org_live_created in that
order: it scanned and sorted every live run of the organization to return ten (20 ms for
15,000 runs). An index of live runs only, on (org_id, created_at, id), is read in order.

Revision ID: c8e0e5f0a008
Revises: c7e0e5f0a007
Create Date: 2026-11-23 23:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c8e0e5f0a008"
down_revision: str | None = "c7e0e5f0a007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("archived_at IS NULL")


def upgrade() -> None:
    op.create_index(
        "ix_processes_org_live_page",
        "processes",
        ["org_id", "created_at", "id"],
        postgresql_where=LIVE,
        sqlite_where=LIVE,
    )


def downgrade() -> None:
    op.drop_index("ix_processes_org_live_page", table_name="processes")
