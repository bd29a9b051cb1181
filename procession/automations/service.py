"""Automation rules: create, replace and delete a template's if-then rules (reference 3.5).

Every condition and action must name a step, form field or kick-off field of the rule's own
template (422 otherwise), so a rule can never reach into another template or organization.
"""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from procession.auth.service import Principal
from procession.automations.models import AutomationRule
from procession.automations.repository import RuleRepository
from procession.automations.schemas import (
    VERBS,
    ActionInput,
    ConditionInput,
    RuleCreate,
    RuleUpdate,
)
from procession.db.base import new_id
from procession.db.types import utcnow
from procession.errors import RuleViolation
from procession.orgs import service as org_service
from procession.templates import service as template_service
from procession.templates.repository import TemplateRepository

ACTION = "edit templates"


class Targets:
    """The ids a rule of one template may name."""

    def __init__(self, steps: set[str], captures: set[str], prerun: set[str]) -> None:
        self.by_type = {"Step": steps, "Capture": captures, "Prerun": prerun}

    @classmethod
    async def of(cls, repo: TemplateRepository, template_id: str) -> "Targets":
        steps = [s.id for s in await repo.steps_of(template_id)]
        captures = await repo.captures_of(steps)
        prerun = (await repo.prerun_of([template_id]))[template_id]
        return cls(
            set(steps),
            {c.id for found in captures.values() for c in found},
            {f.id for f in prerun},
        )


def kept_id(sent: str | None, known: set[str]) -> str:
    """An echoed nested id is kept when it is one of the rule's own; otherwise a new one."""
    return sent if sent is not None and sent in known else new_id()


def stored_conditions(
    conditions: list[ConditionInput], targets: Targets, known: set[str]
) -> list[dict[str, Any]]:
    stored = []
    for n, condition in enumerate(conditions):
        key = f"conditions.{n}"
        if condition.conditionable_id not in targets.by_type[condition.conditionable_type]:
            raise RuleViolation(
                f"{key}.conditionable_id",
                f"No {condition.conditionable_type} with this id in the template.",
            )
        if condition.conditionable_type == "Step" and condition.operation != "completed":
            raise RuleViolation(f"{key}.operation", "A step condition can only be `completed`.")
        if condition.conditionable_type != "Step" and condition.operation == "completed":
            raise RuleViolation(f"{key}.operation", "Only a step condition can be `completed`.")
        stored.append(
            {
                **condition.model_dump(exclude={"id", "position"}),
                "id": kept_id(condition.id, known),
                "position": n + 1 if condition.position is None else condition.position,
            }
        )
    return stored


async def stored_actions(
    session: AsyncSession,
    caller: Principal,
    actions: list[ActionInput],
    targets: Targets,
    known: set[str],
) -> list[dict[str, Any]]:
    stored = []
    for n, action in enumerate(actions):
        key = f"then_actions.{n}"
        if action.action_verb not in VERBS[action.action_type]:
            raise RuleViolation(
                f"{key}.action_verb",
                f"`{action.action_verb}` is not a verb of a `{action.action_type}` action.",
            )
        target = action.target_step_id or (
            action.actionable_id if action.actionable_type in (None, "Step") else None
        )
        if target is None or target not in targets.by_type["Step"]:
            raise RuleViolation(f"{key}.target_step_id", "No step with this id in the template.")
        if action.action_type == "deadline" and action.deadline is None:
            raise RuleViolation(f"{key}.deadline", "A deadline action needs a deadline.")
        if action.action_type == "assignment":
            people = action.assignees
            if people is None or (
                action.action_verb != "assign_only"
                and not (people.users or people.guests or people.groups)
            ):
                raise RuleViolation(f"{key}.assignees", "An assignment action needs assignees.")
            await org_service.ensure_members(
                session, caller, f"{key}.assignees.users", people.users
            )
        stored.append(
            {
                **action.model_dump(exclude={"id", "position", "target_step_id"}),
                "id": kept_id(action.id, known),
                "target_step_id": target,
                "actionable_id": action.actionable_id or target,
                "actionable_type": action.actionable_type or "Step",
                "position": n + 1 if action.position is None else action.position,
            }
        )
    return stored


async def found_rule(
    session: AsyncSession, caller: Principal, template_id: str, rule_id: str
) -> AutomationRule:
    """The rule of a template of the caller's organization (404 for either), before any role
    check so a 403 never reveals what a 404 hides."""
    await TemplateRepository(session, caller.org_id).get_or_raise(template_id)
    return await RuleRepository(session).get_rule(template_id, rule_id)


async def create_rule(
    session: AsyncSession, caller: Principal, template_id: str, data: RuleCreate
) -> AutomationRule:
    """Add a rule to a template: 404, then 403 (light members), then 422 (archived template,
    or a condition or action naming something outside the template)."""
    repo, template = await template_service.editable_template(session, caller, template_id, ACTION)
    targets = await Targets.of(repo, template.id)
    rule = AutomationRule(
        template_id=template.id,
        alias=data.automated_alias,
        condition_logic=data.condition_logic,
        conditions=stored_conditions(data.conditions, targets, set()),
        actions=await stored_actions(session, caller, data.then_actions, targets, set()),
    )
    session.add(rule)
    template.updated_at = utcnow()
    await session.flush()
    return rule


async def update_rule(
    session: AsyncSession, caller: Principal, template_id: str, rule_id: str, data: RuleUpdate
) -> AutomationRule:
    """Replace what the body carries; `conditions` and `then_actions`, when sent, are complete
    lists (nested ids echoed from a read are kept)."""
    rule = await found_rule(session, caller, template_id, rule_id)
    repo, template = await template_service.editable_template(session, caller, template_id, ACTION)
    targets = await Targets.of(repo, template.id)
    if "automated_alias" in data.model_fields_set:
        rule.alias = data.automated_alias
    if data.condition_logic is not None:
        rule.condition_logic = data.condition_logic
    if data.conditions is not None:
        known = {c["id"] for c in rule.conditions}
        rule.conditions = stored_conditions(data.conditions, targets, known)
    if data.then_actions is not None:
        known = {a["id"] for a in rule.actions}
        rule.actions = await stored_actions(session, caller, data.then_actions, targets, known)
    rule.updated_at = utcnow()
    template.updated_at = utcnow()
    await session.flush()
    return rule


async def delete_rule(
    session: AsyncSession, caller: Principal, template_id: str, rule_id: str
) -> None:
    """Remove a rule. Processes already launched stop applying it."""
    rule = await found_rule(session, caller, template_id, rule_id)
    _, template = await template_service.editable_template(session, caller, template_id, ACTION)
    await session.delete(rule)
    template.updated_at = utcnow()
    await session.flush()
