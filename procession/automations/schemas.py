"""Wire shapes of automation rules (reference 3.5, 4.4)."""

from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BaseModel, BeforeValidator, Field

from procession.api.schemas import Timestamp, WireModel
from procession.automations.models import AutomationRule
from procession.templates.schemas import Input

Unit = Literal["minutes", "hours", "days", "weeks", "months"]


def lowercase(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


Logic = Annotated[Literal["and", "or"], BeforeValidator(lowercase)]
ConditionableType = Literal["Step", "Capture", "Prerun"]
Operation = Literal[
    "completed",
    "contains",
    "not_contains",
    "equals",
    "not_equals",
    "equals_any",
    "greater_than",
    "less_than",
    "is_empty",
    "is_not_empty",
]
ActionType = Literal["visibility", "deadline", "assignment", "status"]
ActionVerb = Literal["show", "hide", "deadline", "assign", "assign_only", "unassign", "reopen"]
VERBS: dict[str, frozenset[str]] = {
    "visibility": frozenset({"show", "hide"}),
    "deadline": frozenset({"deadline"}),
    "assignment": frozenset({"assign", "assign_only", "unassign"}),
    "status": frozenset({"reopen"}),
}


def statement_text(value: Any) -> Any:
    """Statements are compared as text; numbers and booleans sent bare are accepted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


class ConditionInput(Input):
    """One condition; an `id` echoed from a read keeps that condition's id."""

    id: str | None = None
    conditionable_id: str = Field(min_length=1, max_length=32)
    conditionable_type: ConditionableType
    operation: Operation
    statement: Annotated[str | None, BeforeValidator(statement_text)] = Field(None, max_length=2000)
    logic: Logic = "and"
    position: int | None = Field(None, ge=0)
    column_contains_name: str | None = Field(None, max_length=600)


class DeadlineInput(BaseModel):
    value: int = Field(ge=0, le=100_000)
    unit: Unit = "days"


class AssigneesInput(BaseModel):
    users: list[int] = []
    guests: list[str] = []
    groups: list[str] = []


class ActionInput(Input):
    id: str | None = None
    action_type: ActionType
    action_verb: ActionVerb
    target_step_id: str | None = Field(None, max_length=32)
    position: int | None = Field(None, ge=0)
    actionable_id: str | None = Field(None, max_length=32)
    actionable_type: str | None = Field(None, max_length=32)
    deadline: DeadlineInput | None = None
    assignees: AssigneesInput | None = None


class RuleCreate(Input):
    """`alias` and `actions` are accepted for `automated_alias` and `then_actions` (the SDK
    accepts both spellings). Echoed `id` and timestamps are ignored."""

    automated_alias: str | None = Field(
        None, max_length=250, validation_alias=AliasChoices("automated_alias", "alias")
    )
    condition_logic: Logic = "and"
    conditions: list[ConditionInput] = Field(min_length=1, max_length=100)
    then_actions: list[ActionInput] = Field(
        min_length=1, max_length=100, validation_alias=AliasChoices("then_actions", "actions")
    )


class RuleUpdate(Input):
    """A rule's replacement; keys left out keep their current value."""

    automated_alias: str | None = Field(
        None, max_length=250, validation_alias=AliasChoices("automated_alias", "alias")
    )
    condition_logic: Logic | None = None
    conditions: list[ConditionInput] | None = Field(None, min_length=1, max_length=100)
    then_actions: list[ActionInput] | None = Field(
        None, min_length=1, max_length=100, validation_alias=AliasChoices("then_actions", "actions")
    )


class RuleRead(WireModel):
    id: str
    checklist_id: str
    automated_alias: str | None
    condition_logic: str
    conditions: list[dict[str, Any]]
    then_actions: list[dict[str, Any]]
    created_at: Timestamp
    last_updated: Timestamp
    archived_at: Timestamp | None = None

    @classmethod
    def of(cls, rule: AutomationRule) -> "RuleRead":
        return cls(
            id=rule.id,
            checklist_id=rule.template_id,
            automated_alias=rule.alias,
            condition_logic=rule.condition_logic,
            conditions=rule.conditions,
            then_actions=rule.actions,
            created_at=rule.created_at,
            last_updated=rule.updated_at,
        )
