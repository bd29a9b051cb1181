"""a partial index of live runs by organization, for the count of the default list of runs

PostgreSQL counted an organization's live runs (the `total` of `GET /runs`) with a scan of
the whole table: 5.4 ms for 15,000 live runs of 20,000. From a partial index on org_id,
whose one key PostgreSQL deduplicates into a few pages, the count reads the index alone:
1.6 ms.

Revision ID: c9e0e5f0a011
Revises: c9e0e5f0a010
Create Date: 2026-12-06 12:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c9e0e5f0a011"
down_revision: str | None = "c9e0e5f0a010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("archived_at IS NULL")


def upgrade() -> None:
    op.create_index(
        "ix_processes_org_live",
        "processes",
        ["org_id"],
        postgresql_where=LIVE,
        sqlite_where=LIVE,
    )


def downgrade() -> None:
    op.drop_index("ix_processes_org_live", table_name="processes")
