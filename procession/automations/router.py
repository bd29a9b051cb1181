"""Automation rule routes (reference 3.5): create, replace, delete. A template's rules are
read through the template, as its bare `automated_actions` list."""

from fastapi import APIRouter, Response

from procession.api.deps import DbSession
from procession.api.schemas import Data
from procession.auth.deps import Caller
from procession.automations import service as rule_service
from procession.automations.schemas import RuleCreate, RuleRead, RuleUpdate

router = APIRouter(
    prefix="/organizations/{org}/checklists/{template_id}/automated-actions",
    tags=["automations"],
)


@router.post("", status_code=201)
async def create_automation_rule(
    template_id: str, body: RuleCreate, caller: Caller, session: DbSession
) -> Data[RuleRead]:
    rule = await rule_service.create_rule(session, caller, template_id, body)
    return Data(data=RuleRead.of(rule))


@router.put("/{rule_id}")
async def update_automation_rule(
    template_id: str, rule_id: str, body: RuleUpdate, caller: Caller, session: DbSession
) -> Data[RuleRead]:
    rule = await rule_service.update_rule(session, caller, template_id, rule_id, body)
    return Data(data=RuleRead.of(rule))


@router.delete("/{rule_id}", status_code=204)
async def delete_automation_rule(
    template_id: str, rule_id: str, caller: Caller, session: DbSession
) -> Response:
    await rule_service.delete_rule(session, caller, template_id, rule_id)
    return Response(status_code=204)
