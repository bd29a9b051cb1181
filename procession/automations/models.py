"""Automation rules (Tallyfy "automated actions") of a template, and which rules have fired in
each process launched from it."""

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from procession.db.base import Base, HexIdMixin, TimestampMixin
from procession.db.types import JsonType, utcnow


class AutomationRule(HexIdMixin, TimestampMixin, Base):
    """An if-then rule: when its conditions hold in a process, its actions apply there.

    Part of its template (archived and purged with it). Conditions and actions are stored as
    lists of objects because they are only ever read and written whole, with their rule.
    """

    __tablename__ = "automation_rules"

    template_id: Mapped[str] = mapped_column(
        ForeignKey("templates.id", ondelete="CASCADE"), index=True
    )
    alias: Mapped[str | None] = mapped_column(String(250), default=None)
    condition_logic: Mapped[str] = mapped_column(String(3), default="and")
    conditions: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    actions: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)


class RuleFiring(Base):
    """A rule whose conditions held the last time its process was evaluated. One-shot actions
    (assign, deadline, reopen) run when this row appears; it goes when the conditions stop
    holding, so the rule fires again if they hold again later."""

    __tablename__ = "automation_rule_firings"
    __table_args__ = (UniqueConstraint("process_id", "rule_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    process_id: Mapped[str] = mapped_column(ForeignKey("processes.id", ondelete="CASCADE"))
    rule_id: Mapped[str] = mapped_column(
        ForeignKey("automation_rules.id", ondelete="CASCADE"), index=True
    )
    fired_at: Mapped[datetime] = mapped_column(default=utcnow)
