"""Templates (Tallyfy "checklists"), their steps, the steps' form fields and kick-off fields."""

from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procession.automations.models import AutomationRule
from procession.db.base import (
    Base,
    HexIdMixin,
    LegalHoldMixin,
    LifecycleMixin,
    OrgScopedMixin,
    TimestampMixin,
)
from procession.db.types import JsonType


class Template(HexIdMixin, OrgScopedMixin, TimestampMixin, LifecycleMixin, LegalHoldMixin, Base):
    """A blueprint from which processes are launched.

    Columns hold what Procession reads or filters on; the long tail of Tallyfy settings that are
    only stored and returned lives in `settings`.
    """

    __tablename__ = "templates"
    # The next sequence number is max(increment_id) per organization: an index seek.
    __table_args__ = (Index("ix_templates_org_increment", "org_id", "increment_id"),)
    org_id_index = False  # ix_templates_org_increment begins with it

    increment_id: Mapped[int] = mapped_column(Integer, default=1)
    title: Mapped[str] = mapped_column(String(250))
    summary: Mapped[str | None] = mapped_column(Text, default=None)
    kind: Mapped[str] = mapped_column(String(16), default="procedure")
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    is_starred: Mapped[bool] = mapped_column(default=False)
    is_public: Mapped[bool] = mapped_column(default=False)
    settings: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)

    steps: Mapped[list["Step"]] = relationship(
        back_populates="template",
        order_by="Step.position",
        lazy="raise",
        passive_deletes=True,
        info={"lifecycle": "part"},
    )
    prerun_fields: Mapped[list["PrerunField"]] = relationship(
        order_by="PrerunField.position",
        lazy="raise",
        passive_deletes=True,
        info={"lifecycle": "part"},
    )
    automation_rules: Mapped[list[AutomationRule]] = relationship(
        lazy="raise", passive_deletes=True, info={"lifecycle": "part"}
    )


class Step(HexIdMixin, TimestampMixin, Base):
    """One step of a template; becomes one task in every process launched from it.

    Assignees are stored as lists of ids because they are only copied at launch.
    """

    __tablename__ = "template_steps"

    template_id: Mapped[str] = mapped_column(
        ForeignKey("templates.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(600))
    summary: Mapped[str | None] = mapped_column(Text, default=None)
    step_type: Mapped[str] = mapped_column(String(32), default="task")
    alias: Mapped[str | None] = mapped_column(String(64), default=None)
    assignees: Mapped[list[int]] = mapped_column(JsonType, default=list)
    guests: Mapped[list[str]] = mapped_column(JsonType, default=list)
    groups: Mapped[list[str]] = mapped_column(JsonType, default=list)
    deadline: Mapped[dict[str, Any] | None] = mapped_column(JsonType, default=None)
    start_date: Mapped[dict[str, Any] | None] = mapped_column(JsonType, default=None)
    settings: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)

    template: Mapped[Template] = relationship(back_populates="steps", lazy="raise")
    captures: Mapped[list["Capture"]] = relationship(
        order_by="Capture.position",
        lazy="raise",
        passive_deletes=True,
        info={"lifecycle": "part"},
    )


class FieldMixin:
    """What a form field is, shared by step captures, kick-off fields and task form fields."""

    field_type: Mapped[str] = mapped_column(String(32), default="text")
    label: Mapped[str] = mapped_column(String(600))
    guidance: Mapped[str | None] = mapped_column(Text, default=None)
    position: Mapped[int] = mapped_column(Integer, default=1)
    required: Mapped[bool] = mapped_column(default=True)
    options: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    columns: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    settings: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)


class Capture(HexIdMixin, TimestampMixin, FieldMixin, Base):
    """A form field on a step (Tallyfy "capture")."""

    __tablename__ = "step_captures"

    step_id: Mapped[str] = mapped_column(
        ForeignKey("template_steps.id", ondelete="CASCADE"), index=True
    )


class PrerunField(HexIdMixin, TimestampMixin, FieldMixin, Base):
    """A kick-off field: asked once when a process is launched (Tallyfy "prerun")."""

    __tablename__ = "prerun_fields"

    template_id: Mapped[str] = mapped_column(
        ForeignKey("templates.id", ondelete="CASCADE"), index=True
    )
