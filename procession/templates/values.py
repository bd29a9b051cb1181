"""Form answers: checking a value against the field it answers (kick-off fields at launch,
task form fields on update). Shapes follow Tallyfy's `taskdata` documentation."""

from datetime import datetime
from typing import Any

from procession.errors import RuleViolation
from procession.templates.models import FieldMixin

TEXT_TYPES = frozenset({"text", "textarea", "email", "url", "radio"})
LIST_TYPES = frozenset({"multiselect", "checkbox", "table", "file"})


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def check_value(field: FieldMixin, value: Any, key: str) -> Any:
    """The value to store for `field`, or `RuleViolation` on `key` when its shape is wrong.

    `None` clears an answer.
    """
    if value is None:
        return None
    kind = field.field_type

    def wrong(expected: str) -> RuleViolation:
        return RuleViolation(key, f"{field.label} must be {expected}.")

    if kind in TEXT_TYPES:
        if not isinstance(value, str):
            raise wrong("a string")
    elif kind == "date":
        if not isinstance(value, str):
            raise wrong("a date string")
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise wrong("an ISO 8601 date") from exc
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise wrong("a number")
        try:
            float(value)
        except ValueError as exc:
            raise wrong("a number") from exc
    elif kind == "dropdown":
        if not isinstance(value, dict | str):
            raise wrong("an option object")
    elif kind in LIST_TYPES:
        if not isinstance(value, list):
            raise wrong("a list")
        if kind == "table" and field.columns and len(value) != len(field.columns):
            raise RuleViolation(key, "Number of columns does not match required columns")
    elif kind == "assignees" and not isinstance(value, dict):
        raise wrong("an object with users, guests and groups")
    return value
