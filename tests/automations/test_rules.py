"""Automation rules over HTTP (reference 3.5 E1-E3, 4.4): create, replace, delete, how they
are listed on their template, what they may name, and their place in the template's
lifecycle."""

from typing import Any

import pytest

from tests.conftest import Api, World
from tests.databases import snapshot
from tests.factories import add_capture, make_template, ok, steps_of
from tests.templates.helpers import HEX32, MISSING, assert_error, assert_field_error


@pytest.fixture
def template(api: Api) -> dict[str, Any]:
    """A template with two steps, a form field on the first and a kick-off field."""
    made = make_template(api, steps=2, prerun=[{"label": "Country", "field_type": "text"}])
    first, second = steps_of(api, made["id"])
    capture = add_capture(api, made["id"], first["id"], label="Amount", field_type="number")
    return {
        "id": made["id"],
        "first": first["id"],
        "second": second["id"],
        "capture": capture["id"],
        "prerun": made["prerun"][0]["id"],
    }


def rule_body(template: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {
        "automated_alias": "Big amounts need a review",
        "condition_logic": "and",
        "conditions": [
            {
                "conditionable_id": template["capture"],
                "conditionable_type": "Capture",
                "operation": "greater_than",
                "statement": "1000",
                "logic": "and",
                "position": 1,
            }
        ],
        "then_actions": [
            {
                "action_type": "visibility",
                "action_verb": "show",
                "target_step_id": template["second"],
                "position": 1,
            }
        ],
        **changes,
    }


def rules_path(template: dict[str, Any]) -> str:
    return f"/checklists/{template['id']}/automated-actions"


def listed(api: Api, template_id: str) -> list[dict[str, Any]]:
    body = ok(api.get(f"/checklists/{template_id}?with=automated_actions"))["data"]
    rules: list[dict[str, Any]] = body["automated_actions"]
    return rules


# ---------------------------------------------------------------- create


def test_create_rule_answers_201_with_the_rule_and_lists_it_on_the_template(
    api: Api, template: dict[str, Any]
) -> None:
    rule = ok(api.post(rules_path(template), rule_body(template)), 201)["data"]

    assert HEX32.match(rule["id"])
    assert rule["checklist_id"] == template["id"]
    assert (rule["automated_alias"], rule["condition_logic"]) == (
        "Big amounts need a review",
        "and",
    )
    (condition,) = rule["conditions"]
    assert HEX32.match(condition["id"])
    assert condition["conditionable_id"] == template["capture"]
    assert (condition["conditionable_type"], condition["operation"]) == ("Capture", "greater_than")
    assert (condition["statement"], condition["logic"], condition["position"]) == ("1000", "and", 1)
    (action,) = rule["then_actions"]
    assert HEX32.match(action["id"])
    assert (action["action_type"], action["action_verb"]) == ("visibility", "show")
    assert action["target_step_id"] == template["second"]
    assert (action["actionable_id"], action["actionable_type"]) == (template["second"], "Step")
    assert (action["deadline"], action["assignees"]) == (None, None)
    assert rule["archived_at"] is None
    assert listed(api, template["id"]) == [rule]
    # Without `with`, the bare list is there too (it is always present).
    assert ok(api.get(f"/checklists/{template['id']}"))["data"]["automated_actions"] == [rule]


def test_create_rule_accepts_the_sdks_other_spellings(api: Api, template: dict[str, Any]) -> None:
    body = rule_body(template)
    body["alias"] = body.pop("automated_alias")
    body["actions"] = body.pop("then_actions")
    body["condition_logic"] = "OR"
    rule = ok(api.post(rules_path(template), body), 201)["data"]
    assert rule["automated_alias"] == "Big amounts need a review"
    assert rule["condition_logic"] == "or"
    assert rule["then_actions"][0]["target_step_id"] == template["second"]


def test_create_rule_with_assignment_and_deadline_actions(
    world: World, api: Api, template: dict[str, Any]
) -> None:
    actions = [
        {
            "action_type": "assignment",
            "action_verb": "assign",
            "target_step_id": template["second"],
            "assignees": {"users": [world.org.standard.user_id], "guests": ["a@example.com"]},
        },
        {
            "action_type": "deadline",
            "action_verb": "deadline",
            "target_step_id": template["second"],
            "deadline": {"value": 3, "unit": "hours"},
        },
    ]
    rule = ok(api.post(rules_path(template), rule_body(template, then_actions=actions)), 201)
    assign, deadline = rule["data"]["then_actions"]
    assert assign["assignees"] == {
        "users": [world.org.standard.user_id],
        "guests": ["a@example.com"],
        "groups": [],
    }
    assert [assign["position"], deadline["position"]] == [1, 2]
    assert deadline["deadline"] == {"value": 3, "unit": "hours"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"conditions": []}, "conditions"),
        ({"then_actions": []}, "then_actions"),
        ({"condition_logic": "xor"}, "condition_logic"),
        (
            {
                "conditions": [
                    {
                        "conditionable_id": MISSING,
                        "conditionable_type": "Step",
                        "operation": "completed",
                    }
                ]
            },
            "conditions.0.conditionable_id",
        ),
        (
            {
                "conditions": [
                    {"conditionable_id": "x", "conditionable_type": "Run", "operation": "completed"}
                ]
            },
            "conditions.0.conditionable_type",
        ),
        (
            {
                "then_actions": [
                    {"action_type": "visibility", "action_verb": "assign", "target_step_id": "x"}
                ]
            },
            "then_actions.0.action_verb",
        ),
        (
            {
                "then_actions": [
                    {"action_type": "visibility", "action_verb": "hide", "target_step_id": MISSING}
                ]
            },
            "then_actions.0.target_step_id",
        ),
        (
            {"then_actions": [{"action_type": "deadline", "action_verb": "deadline"}]},
            "then_actions.0.target_step_id",
        ),
    ],
)
def test_create_rule_answers_422_naming_the_bad_field(
    world: World, api: Api, template: dict[str, Any], change: dict[str, Any], field: str
) -> None:
    before = snapshot(world.settings)
    assert_field_error(api.post(rules_path(template), rule_body(template, **change)), field)
    assert snapshot(world.settings) == before


def test_create_rule_refuses_what_another_template_or_organization_holds(
    world: World, api: Api, template: dict[str, Any]
) -> None:
    elsewhere = steps_of(api, make_template(api, steps=1)["id"])[0]["id"]
    action = {"action_type": "visibility", "action_verb": "hide", "target_step_id": elsewhere}
    response = api.post(rules_path(template), rule_body(template, then_actions=[action]))
    assert_field_error(response, "then_actions.0.target_step_id")
    outsider = world.other.admin.user_id
    assign = {
        "action_type": "assignment",
        "action_verb": "assign",
        "target_step_id": template["second"],
        "assignees": {"users": [outsider]},
    }
    response = api.post(rules_path(template), rule_body(template, then_actions=[assign]))
    assert_field_error(response, "then_actions.0.assignees.users")


def test_create_rule_on_a_missing_or_foreign_template_is_404(world: World) -> None:
    theirs = make_template(world.other_admin, steps=1)
    body = {
        "conditions": [
            {"conditionable_id": MISSING, "conditionable_type": "Step", "operation": "completed"}
        ],
        "then_actions": [
            {"action_type": "visibility", "action_verb": "hide", "target_step_id": MISSING}
        ],
    }
    assert_error(world.admin.post(f"/checklists/{MISSING}/automated-actions", body), 404)
    assert_error(world.admin.post(f"/checklists/{theirs['id']}/automated-actions", body), 404)


def test_light_member_may_not_create_rules(
    world: World, api: Api, template: dict[str, Any]
) -> None:
    assert_error(world.light.post(rules_path(template), rule_body(template)), 403)


# ---------------------------------------------------------------- update


def test_update_rule_with_the_echoed_read_keeps_nested_ids(
    api: Api, template: dict[str, Any]
) -> None:
    rule = ok(api.post(rules_path(template), rule_body(template)), 201)["data"]
    (current,) = listed(api, template["id"])
    hide = {"action_type": "visibility", "action_verb": "hide"}
    echoed = {
        **current,
        "automated_alias": "Renamed",
        "then_actions": [{**current["then_actions"][0], **hide}],
    }

    updated = ok(api.put(f"{rules_path(template)}/{rule['id']}", echoed))["data"]

    assert updated["id"] == rule["id"]
    assert updated["automated_alias"] == "Renamed"
    assert updated["conditions"] == rule["conditions"]
    assert updated["then_actions"][0]["id"] == rule["then_actions"][0]["id"]
    assert updated["then_actions"][0]["action_verb"] == "hide"
    assert listed(api, template["id"]) == [updated]


def test_update_rule_changes_only_what_is_sent(api: Api, template: dict[str, Any]) -> None:
    rule = ok(api.post(rules_path(template), rule_body(template)), 201)["data"]
    condition = {
        "conditionable_id": template["prerun"],
        "conditionable_type": "Prerun",
        "operation": "equals",
        "statement": "France",
    }
    path = f"{rules_path(template)}/{rule['id']}"
    updated = ok(api.put(path, {"conditions": [condition]}))["data"]
    assert updated["automated_alias"] == rule["automated_alias"]
    assert updated["then_actions"] == rule["then_actions"]
    (stored,) = updated["conditions"]
    assert stored["id"] != rule["conditions"][0]["id"]
    assert (stored["conditionable_type"], stored["statement"]) == ("Prerun", "France")


def test_update_rule_of_another_template_is_404(api: Api, template: dict[str, Any]) -> None:
    rule = ok(api.post(rules_path(template), rule_body(template)), 201)["data"]
    other = make_template(api, steps=1)
    response = api.put(f"/checklists/{other['id']}/automated-actions/{rule['id']}", {})
    assert_error(response, 404)
    assert_error(api.put(f"{rules_path(template)}/{MISSING}", {}), 404)


# ---------------------------------------------------------------- delete


def test_delete_rule_answers_204_and_the_template_no_longer_lists_it(
    api: Api, template: dict[str, Any]
) -> None:
    rule = ok(api.post(rules_path(template), rule_body(template)), 201)["data"]
    response = api.delete(f"{rules_path(template)}/{rule['id']}")
    assert response.status_code == 204
    assert listed(api, template["id"]) == []
    assert_error(api.delete(f"{rules_path(template)}/{rule['id']}"), 404)


def test_light_member_may_not_delete_rules(
    world: World, api: Api, template: dict[str, Any]
) -> None:
    rule = ok(api.post(rules_path(template), rule_body(template)), 201)["data"]
    assert_error(world.light.delete(f"{rules_path(template)}/{rule['id']}"), 403)
    assert len(listed(api, template["id"])) == 1


# ---------------------------------------------------------------- with the template


def test_a_step_a_rule_names_cannot_be_deleted(api: Api, template: dict[str, Any]) -> None:
    rule = ok(api.post(rules_path(template), rule_body(template)), 201)["data"]
    steps = f"/checklists/{template['id']}/steps"
    body = assert_error(api.delete(f"{steps}/{template['second']}"), 422, "STEP_IN_USE")
    assert "rules" in body["message"]
    assert api.delete(f"{rules_path(template)}/{rule['id']}").status_code == 204
    ok(api.delete(f"{steps}/{template['second']}"))


def test_a_step_whose_form_field_a_rule_names_cannot_be_deleted(
    api: Api, template: dict[str, Any]
) -> None:
    ok(api.post(rules_path(template), rule_body(template)), 201)
    steps = f"/checklists/{template['id']}/steps"
    assert_error(api.delete(f"{steps}/{template['first']}"), 422, "STEP_IN_USE")


def test_archived_template_keeps_its_rules_and_refuses_rule_changes(
    api: Api, template: dict[str, Any]
) -> None:
    rule = ok(api.post(rules_path(template), rule_body(template)), 201)["data"]
    ok(api.delete(f"/checklists/{template['id']}"))
    assert listed(api, template["id"]) == [rule]
    assert_error(api.post(rules_path(template), rule_body(template)), 422, "ARCHIVED")
    assert_error(api.put(f"{rules_path(template)}/{rule['id']}", {}), 422, "ARCHIVED")
    assert_error(api.delete(f"{rules_path(template)}/{rule['id']}"), 422, "ARCHIVED")
    ok(api.put(f"/checklists/{template['id']}/restore"))
    assert listed(api, template["id"]) == [rule]


def test_purging_a_template_deletes_its_rules(
    world: World, api: Api, template: dict[str, Any]
) -> None:
    ok(api.post(rules_path(template), rule_body(template)), 201)
    ok(api.post(rules_path(template), rule_body(template)), 201)
    ok(api.delete(f"/checklists/{template['id']}"))
    preview = ok(api.delete(f"/checklists/{template['id']}/delete?dry_run=true"))
    assert "automation_rules" in str(preview)
    assert len(snapshot(world.settings)["automation_rules"]) == 2

    ok(api.delete(f"/checklists/{template['id']}/delete"))

    assert snapshot(world.settings)["automation_rules"] == []
