"""indexes for the per-organization sequence numbers

Creating a template, process or task reads max(increment_id) of its organization; without
an index that read scans every row the organization ever had (measured in bench/: launches
slowed with history). Plain indexes: no table is recreated, so the search triggers stay.

Revision ID: c7e0e5f0a007
Revises: c4d0e5f0a004
Create Date: 2026-11-23 15:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c7e0e5f0a007"
down_revision: str | None = "c4d0e5f0a004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("templates", "processes", "tasks")


def upgrade() -> None:
    for table in TABLES:
        op.create_index(f"ix_{table}_org_increment", table, ["org_id", "increment_id"])


def downgrade() -> None:
    for table in TABLES:
        op.drop_index(f"ix_{table}_org_increment", table_name=table)
