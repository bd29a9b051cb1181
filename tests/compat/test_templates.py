"""Templates, their steps and their form fields, built and read back through the SDK."""

from collections.abc import Callable

import pytest
from tallyfy import Capture, TallyfySDK, Template

from tests.compat.conftest import Blueprint, LiveServer


@pytest.mark.sdk("create_template")
def test_create_template_returns_the_new_template_with_its_fields(
    sdk: TallyfySDK, org_id: str, live_server: LiveServer
) -> None:
    template = sdk.create_template(
        org_id, "Vendor onboarding", summary="Bring a vendor on board", guidance="Be thorough"
    )

    assert isinstance(template, Template)
    assert len(template.id) == 32
    assert template.title == "Vendor onboarding"
    assert template.summary == "Bring a vendor on board"
    assert template.guidance == "Be thorough"
    assert template.type == "procedure"
    assert template.steps == []
    assert template.archived_at is None


@pytest.mark.sdk("get_template")
def test_get_template_returns_the_template_with_its_steps_in_order(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    blueprint = build_template(steps=3)

    template = sdk.get_template(org_id, blueprint.id)

    assert template is not None
    assert template.id == blueprint.id
    assert template.title == blueprint.title
    assert [step.title for step in template.steps] == ["Step 1", "Step 2", "Step 3"]
    assert [step.position for step in template.steps] == [1, 2, 3]
    assert [step.id for step in template.steps] == [step["id"] for step in blueprint.steps]
    assert all(step.checklist_id == blueprint.id for step in template.steps)
    assert template.prerun == []
    assert template.automated_actions == []
    assert template.tags == []


@pytest.mark.sdk("get_template_with_steps")
def test_get_template_with_steps_counts_and_returns_the_raw_steps(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    blueprint = build_template(steps=2)

    result = sdk.get_template_with_steps(org_id, blueprint.id)

    assert result is not None
    assert result["template"].id == blueprint.id
    assert result["template"].title == blueprint.title
    assert result["step_count"] == 2
    assert [step["title"] for step in result["steps"]] == ["Step 1", "Step 2"]
    assert result["raw_data"]["id"] == blueprint.id
    assert result["automation_count"] == 0
    assert result["prerun_field_count"] == 0


@pytest.mark.sdk("add_step_to_template", "get_template")
def test_add_step_to_template_appends_a_step_with_the_given_fields(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    blueprint = build_template(steps=1)

    step = sdk.add_step_to_template(
        org_id, blueprint.id, {"title": "Sign the contract", "summary": "Both parties sign"}
    )

    assert len(step["id"]) == 32
    assert step["title"] == "Sign the contract"
    assert step["summary"] == "Both parties sign"
    assert step["checklist_id"] == blueprint.id
    assert step["position"] == 2
    assert step["captures"] == []
    template = sdk.get_template(org_id, blueprint.id)
    assert template is not None
    assert [s.title for s in template.steps] == ["Step 1", "Sign the contract"]


@pytest.mark.sdk("add_form_field_to_step", "get_template")
def test_add_form_field_to_step_returns_the_capture_and_the_step_lists_it(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    blueprint = build_template(steps=1)
    step_id = blueprint.steps[0]["id"]

    capture = sdk.add_form_field_to_step(
        org_id,
        blueprint.id,
        step_id,
        {"field_type": "text", "label": "Vendor name", "guidance": "As registered"},
    )

    assert isinstance(capture, Capture)
    assert len(capture.id) == 32
    assert capture.step_id == step_id
    assert capture.field_type == "text"
    assert capture.label == "Vendor name"
    assert capture.guidance == "As registered"
    assert capture.required is True
    template = sdk.get_template(org_id, blueprint.id)
    assert template is not None
    captures = template.steps[0].captures
    assert [(c.id, c.label, c.required) for c in captures] == [(capture.id, "Vendor name", True)]


@pytest.mark.sdk("add_form_field_to_step")
def test_add_form_field_to_step_keeps_an_optional_dropdown_with_its_options(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    blueprint = build_template(steps=1)
    step_id = blueprint.steps[0]["id"]

    capture = sdk.add_form_field_to_step(
        org_id,
        blueprint.id,
        step_id,
        {
            "field_type": "dropdown",
            "label": "Tier",
            "required": False,
            "options": [{"id": 1, "text": "Gold"}, {"id": 2, "text": "Silver"}],
        },
    )

    assert capture is not None
    assert capture.field_type == "dropdown"
    assert capture.required is False
    assert [(option["id"], option["text"]) for option in capture.options] == [
        (1, "Gold"),
        (2, "Silver"),
    ]
