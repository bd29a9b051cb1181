"""Automation rule statements."""

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from procession.automations.models import AutomationRule
from procession.errors import NotFound

# Built once: every launch and every change to a task evaluates its template's rules.
RULES_OF = (
    select(AutomationRule)
    .where(AutomationRule.template_id.in_(bindparam("template_ids", expanding=True)))
    .order_by(AutomationRule.created_at, AutomationRule.id)
)


class RuleRepository:
    """Rules are reached through their template, which the caller has already found in its
    organization; every statement here is scoped by template id."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def rules_of(self, template_ids: list[str]) -> dict[str, list[AutomationRule]]:
        """The rules of these templates, each template's oldest first, in one query."""
        found: dict[str, list[AutomationRule]] = {template_id: [] for template_id in template_ids}
        if template_ids:
            params = {"template_ids": template_ids}
            for rule in (await self.session.scalars(RULES_OF, params)).all():
                found[rule.template_id].append(rule)
        return found

    async def get_rule(self, template_id: str, rule_id: str) -> AutomationRule:
        rule = await self.session.get(AutomationRule, rule_id)
        if rule is None or rule.template_id != template_id:
            raise NotFound("Automated action")
        return rule

    async def rules_naming_step(
        self, template_id: str, step_id: str, capture_ids: set[str] | None = None
    ) -> list[AutomationRule]:
        """Rules of the template whose conditions or actions name the step (or, in
        conditions, one of `capture_ids`, its form fields)."""
        named = {step_id} | (capture_ids or set())
        rules = (await self.rules_of([template_id]))[template_id]
        return [
            rule
            for rule in rules
            if any(c.get("conditionable_id") in named for c in rule.conditions)
            or any(
                step_id in (a.get("target_step_id"), a.get("actionable_id")) for a in rule.actions
            )
        ]
