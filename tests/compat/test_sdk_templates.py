"""The SDK's template copies, step copies, form-field moves and automation rules, driven end to
end against the live server (reference 3.2-3.5)."""

from collections.abc import Callable
from typing import Any

import pytest
from tallyfy import TallyfySDK, Template

from tests.compat.conftest import Blueprint


def field(sdk: TallyfySDK, org_id: str, template_id: str, step_id: str, label: str) -> str:
    capture = sdk.add_form_field_to_step(
        org_id, template_id, step_id, {"field_type": "text", "label": label}
    )
    return str(capture.id)


def captures_of(sdk: TallyfySDK, org_id: str, template_id: str, step_id: str) -> list[str]:
    step = next(s for s in sdk.get_template_steps(org_id, template_id) if s.id == step_id)
    return [capture.label for capture in step.captures]


def visibility_rule(condition_step: str, target_step: str, verb: str = "show") -> dict[str, Any]:
    return {
        "automated_alias": f"{verb} after step",
        "conditions": [
            {
                "conditionable_id": condition_step,
                "conditionable_type": "Step",
                "operation": "completed",
                "statement": "any_time",
                "logic": "and",
                "position": 1,
            }
        ],
        "then_actions": [
            {"action_type": "visibility", "action_verb": verb, "target_step_id": target_step}
        ],
    }


@pytest.mark.sdk("duplicate_template", "get_template")
def test_duplicate_template_copies_the_template_with_its_steps_and_fields(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    blueprint = build_template(steps=2)
    field(sdk, org_id, blueprint.id, blueprint.steps[0]["id"], "Account number")

    copy = sdk.duplicate_template(org_id, blueprint.id, "A copy", org_id)

    assert isinstance(copy, Template)
    assert copy.id != blueprint.id
    assert copy.title == "A copy"
    assert copy.archived_at is None
    fetched = sdk.get_template(org_id, copy.id)
    assert fetched is not None
    assert [step.title for step in fetched.steps] == ["Step 1", "Step 2"]
    assert {step.id for step in fetched.steps}.isdisjoint(s["id"] for s in blueprint.steps)
    assert [c.label for c in fetched.steps[0].captures] == ["Account number"]


@pytest.mark.sdk("clone_step", "get_template_steps")
def test_clone_step_puts_a_copy_with_its_fields_after_the_original(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    blueprint = build_template(steps=2)
    original = blueprint.steps[0]["id"]
    field(sdk, org_id, blueprint.id, original, "Invoice")

    copy = sdk.clone_step(org_id, blueprint.id, original)

    assert copy["id"] != original
    assert copy["title"] == "Step 1"
    assert copy["position"] == 2
    assert [c["label"] for c in copy["captures"]] == ["Invoice"]
    steps = sdk.get_template_steps(org_id, blueprint.id)
    assert [(s.title, s.position) for s in steps] == [("Step 1", 1), ("Step 1", 2), ("Step 2", 3)]
    assert steps[1].id == copy["id"]


@pytest.mark.sdk("get_kickoff_form_fields", "update_template_metadata")
def test_get_kickoff_form_fields_returns_the_kickoff_fields(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    blueprint = build_template(steps=1)
    field(sdk, org_id, blueprint.id, blueprint.steps[0]["id"], "Not a kick-off field")
    assert sdk.get_kickoff_form_fields(org_id, blueprint.id) == []
    prerun = [
        {"label": "Client", "field_type": "text"},
        {"label": "Budget", "field_type": "number"},
    ]
    sdk.update_template_metadata(org_id, blueprint.id, prerun=prerun)

    fields = sdk.get_kickoff_form_fields(org_id, blueprint.id)

    assert [(f["label"], f["field_type"]) for f in fields] == [
        ("Client", "text"),
        ("Budget", "number"),
    ]
    assert all(len(f["id"]) == 32 for f in fields)
    assert all(f["checklist_id"] == blueprint.id for f in fields)


@pytest.mark.sdk("move_form_field", "add_form_field_to_step", "get_template_steps")
def test_move_form_field_moves_a_field_to_another_step(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    blueprint = build_template(steps=2)
    first, second = (s["id"] for s in blueprint.steps)
    moving = field(sdk, org_id, blueprint.id, first, "Moving")
    field(sdk, org_id, blueprint.id, first, "Staying")
    field(sdk, org_id, blueprint.id, second, "Already there")

    assert sdk.move_form_field(org_id, blueprint.id, first, moving, second, position=1) is True

    assert captures_of(sdk, org_id, blueprint.id, first) == ["Staying"]
    assert captures_of(sdk, org_id, blueprint.id, second) == ["Moving", "Already there"]


@pytest.mark.sdk("reorder_form_fields", "get_template_steps")
def test_reorder_form_fields_puts_fields_in_the_order_asked(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    blueprint = build_template(steps=1)
    step = blueprint.steps[0]["id"]
    a, b, c = (field(sdk, org_id, blueprint.id, step, label) for label in ("A", "B", "C"))

    order = [{"id": c, "position": 1}, {"capture_id": a, "position": 2}, {"id": b, "position": 3}]
    assert sdk.reorder_form_fields(org_id, blueprint.id, step, order) is True

    assert captures_of(sdk, org_id, blueprint.id, step) == ["C", "A", "B"]
    fetched = sdk.get_template_steps(org_id, blueprint.id)[0]
    assert [capture.position for capture in fetched.captures] == [1, 2, 3]


@pytest.mark.sdk("add_step_to_template", "create_tag")
def test_add_step_to_template_tags_the_step(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    blueprint = build_template(steps=0)
    tag = sdk.create_tag(org_id, "sdk-step-tag")
    assert tag is not None

    step = sdk.add_step_to_template(
        org_id, blueprint.id, {"title": "Tagged step", "tags": [tag.id], "summary": "Check it"}
    )

    assert step["title"] == "Tagged step"
    assert step["summary"] == "Check it"
    assert [(t["tag_id"], t["subject_type"], t["subject_id"]) for t in step["tags"]] == [
        (tag.id, "Step", step["id"])
    ]


@pytest.mark.sdk("create_automation_rule", "get_template")
def test_create_automation_rule_is_listed_on_the_template(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    blueprint = build_template(steps=2)
    first, second = (s["id"] for s in blueprint.steps)

    rule = sdk.create_automation_rule(org_id, blueprint.id, visibility_rule(first, second))

    assert len(rule["id"]) == 32
    assert rule["automated_alias"] == "show after step"
    assert rule["conditions"][0]["conditionable_id"] == first
    assert rule["then_actions"][0]["target_step_id"] == second
    template = sdk.get_template(org_id, blueprint.id)
    assert template is not None
    assert [a.id for a in template.automated_actions] == [rule["id"]]
    assert template.automated_actions[0].then_actions[0].action_verb == "show"


@pytest.mark.sdk("update_automation_rule", "create_automation_rule", "get_template")
def test_update_automation_rule_merges_the_change_into_the_rule(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    blueprint = build_template(steps=2)
    first, second = (s["id"] for s in blueprint.steps)
    rule = sdk.create_automation_rule(org_id, blueprint.id, visibility_rule(first, second))
    hide = [{"action_type": "visibility", "action_verb": "hide", "target_step_id": second}]

    updated = sdk.update_automation_rule(
        org_id, blueprint.id, rule["id"], alias="renamed", then_actions=hide
    )

    assert updated["id"] == rule["id"]
    assert updated["automated_alias"] == "renamed"
    assert updated["conditions"] == rule["conditions"]
    assert updated["then_actions"][0]["action_verb"] == "hide"
    template = sdk.get_template(org_id, blueprint.id)
    assert template is not None
    (stored,) = template.automated_actions
    assert (stored.automated_alias, stored.then_actions[0].action_verb) == ("renamed", "hide")


@pytest.mark.sdk("delete_automation_rule", "create_automation_rule", "get_template")
def test_delete_automation_rule_removes_it_from_the_template(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    blueprint = build_template(steps=2)
    first, second = (s["id"] for s in blueprint.steps)
    rule = sdk.create_automation_rule(org_id, blueprint.id, visibility_rule(first, second))

    sdk.delete_automation_rule(org_id, blueprint.id, rule["id"])

    template = sdk.get_template(org_id, blueprint.id)
    assert template is not None
    assert template.automated_actions == []


@pytest.mark.sdk("get_step_visibility_conditions", "create_automation_rule")
def test_get_step_visibility_conditions_sees_the_rules(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    blueprint = build_template(steps=3)
    first, second, third = (s["id"] for s in blueprint.steps)
    shown = sdk.create_automation_rule(org_id, blueprint.id, visibility_rule(first, third))
    hidden = sdk.create_automation_rule(
        org_id, blueprint.id, visibility_rule(second, third, verb="hide")
    )

    analysis = sdk.get_step_visibility_conditions(org_id, blueprint.id, third)

    assert analysis["step_info"]["id"] == third
    assert analysis["step_info"]["default_visibility"] == "conditionally_visible"
    rules = analysis["visibility_rules"]
    assert [r["automation_id"] for r in rules["show_rules"]] == [shown["id"]]
    assert [r["automation_id"] for r in rules["hide_rules"]] == [hidden["id"]]
    assert rules["show_rules"][0]["conditions"] == ["'Step 1' is completed"]
    alone = sdk.get_step_visibility_conditions(org_id, blueprint.id, first)
    assert alone["behavior_analysis"]["total_rules"] == 0


@pytest.mark.sdk("get_step_dependencies", "create_automation_rule")
def test_get_step_dependencies_sees_the_rules(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    blueprint = build_template(steps=2)
    first, second = (s["id"] for s in blueprint.steps)
    rule = sdk.create_automation_rule(org_id, blueprint.id, visibility_rule(first, second))

    source = sdk.get_step_dependencies(org_id, blueprint.id, first)
    target = sdk.get_step_dependencies(org_id, blueprint.id, second)

    assert [(d["step_id"], d["automation_id"]) for d in source["dependencies"]["outgoing"]] == [
        (second, rule["id"])
    ]
    assert [(d["step_id"], d["automation_id"]) for d in target["dependencies"]["incoming"]] == [
        (first, rule["id"])
    ]
    assert [d["automation_id"] for d in target["dependencies"]["conditional_visibility"]] == [
        rule["id"]
    ]


@pytest.mark.sdk(
    "create_automation_rule", "launch_process", "get_tasks_for_process", "complete_task"
)
def test_a_rule_created_through_the_sdk_shows_a_step_in_a_process(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    blueprint = build_template(steps=3)
    first, _, third = (s["id"] for s in blueprint.steps)
    sdk.create_automation_rule(org_id, blueprint.id, visibility_rule(first, third))
    run = sdk.launch_process(org_id, blueprint.id, "Rules at work")

    tasks = sdk.get_tasks_for_process(org_id, process_id=run.id).data
    assert [t.status for t in tasks] == ["not-started", "not-started", "auto-skipped"]
    sdk.complete_task(org_id, run.id, tasks[0].id)

    after = sdk.get_tasks_for_process(org_id, process_id=run.id).data
    assert [t.status for t in after] == ["completed", "not-started", "not-started"]
