"""Per-organization retention policy."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from procession.db.base import Base
from procession.db.types import utcnow


class RetentionPolicy(Base):
    """What retention does for one organization. Both windows are off (None) until an admin
    sets them; an organization without a row has no retention at all."""

    __tablename__ = "retention_policies"

    org_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    archive_completed_after_days: Mapped[int | None] = mapped_column(Integer, default=None)
    """Archive processes that have been complete for this many days."""
    purge_archived_after_days: Mapped[int | None] = mapped_column(Integer, default=None)
    """Permanently delete what has sat in the archive for this many days."""
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
