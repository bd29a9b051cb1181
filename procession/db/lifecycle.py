"""Lifecycle rules shared by every archivable resource."""

from procession.db.base import LifecycleMixin
from procession.errors import InvalidState


def ensure_live(row: LifecycleMixin, message: str) -> None:
    """Archived objects are read-only: raise `InvalidState` (422) with `message` if archived."""
    if row.archived_at is not None:
        raise InvalidState(message, code="ARCHIVED")
