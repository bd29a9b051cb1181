"""comments are hidden with their task instead of being stamped by its archive

Archiving a process stamped its tasks and then every comment of those tasks; on PostgreSQL
the comments' UPDATE was 1.3 of the 1.6 s an archive of 10,000 tasks and 100,000 comments
took, since each updated row gets a new entry in every index of its table. Comments now
inherit their task's archive (`lifecycle: inherit`): their own archive state only says
whether they were deleted on their own. This clears the stamp from the comments an archive
of their task or process hid; those deleted on their own keep theirs.

Revision ID: c9e0e5f0a010
Revises: c9e0e5f0a009
Create Date: 2026-11-25 01:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c9e0e5f0a010"
down_revision: str | None = "c9e0e5f0a009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "UPDATE comments SET archived_at = NULL, archived_by_id = NULL, archive_batch_id = NULL"
        " WHERE archive_batch_id IS NOT NULL AND EXISTS (SELECT 1 FROM tasks"
        " WHERE tasks.id = comments.task_id AND tasks.archive_batch_id = comments.archive_batch_id)"
    )


def downgrade() -> None:
    """Stamp the live comments of archived tasks with their task's archive again."""
    of_task = "(SELECT tasks.{0} FROM tasks WHERE tasks.id = comments.task_id)"
    op.execute(
        "UPDATE comments SET"
        f" archived_at = {of_task.format('archived_at')},"
        f" archived_by_id = {of_task.format('archived_by_id')},"
        f" archive_batch_id = {of_task.format('archive_batch_id')}"
        " WHERE archived_at IS NULL AND EXISTS (SELECT 1 FROM tasks"
        " WHERE tasks.id = comments.task_id AND tasks.archived_at IS NOT NULL)"
    )
