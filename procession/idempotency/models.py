"""Remembered answers to writes sent with an `Idempotency-Key`."""

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from procession.db.base import Base
from procession.db.types import JsonType, utcnow


class IdempotentRequest(Base):
    """One key of one client: the request's fingerprint and, once it finished, its answer.

    `status` is None while the first request runs; `lease_until` lets a retry take over a
    request whose server died before answering.
    """

    __tablename__ = "idempotent_requests"
    __table_args__ = (
        UniqueConstraint("client", "key"),
        Index("ix_idempotent_requests_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client: Mapped[str] = mapped_column(String(64))
    """SHA-256 of the request's credential: keys are private to whoever sent them."""
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[int | None] = mapped_column(default=None)
    headers: Mapped[list[Any]] = mapped_column(JsonType, default=list)
    body: Mapped[bytes] = mapped_column(LargeBinary, default=b"")
    lease_until: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
