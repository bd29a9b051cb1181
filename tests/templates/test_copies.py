"""Copies and moves inside templates over HTTP (reference 3.2 B8-B9, 3.3 C2/C6, 3.4 D2/D5):
template copies, step copies, the form-fields read, moving and reordering form fields, and
tags on new steps."""

from typing import Any

from tests.conftest import Api, World
from tests.databases import snapshot
from tests.factories import add_capture, launch, ok, steps_of, tasks_of
from tests.templates.helpers import HEX32, MISSING, assert_error, assert_field_error


def template_with_everything(api: Api, world: World) -> dict[str, Any]:
    """A template with a kick-off field, two steps (the first with two form fields, an
    assignee and a tag, the second with a deadline anchored to the first), a template tag
    and a rule naming the steps and a form field."""
    template = ok(
        api.post(
            "/checklists",
            {
                "title": "Vendor onboarding",
                "summary": "Bring a vendor on board",
                "guidance": "Be thorough",
                "prerun": [{"label": "Vendor name", "field_type": "text"}],
            },
        ),
        201,
    )["data"]
    tag = ok(api.post("/tags", {"title": "vendors"}), 201)["data"]
    steps = f"/checklists/{template['id']}/steps"
    first = ok(
        api.post(
            steps,
            {"title": "Collect", "assignees": [world.org.standard.user_id], "tags": [tag["id"]]},
        ),
        201,
    )["data"]
    deadline = {"value": 2, "unit": "days", "option": "from", "step": first["id"]}
    second = ok(api.post(steps, {"title": "Review", "deadline": deadline}), 201)["data"]
    capture = add_capture(api, template["id"], first["id"], label="Bank")
    add_capture(api, template["id"], first["id"], label="Tax id", field_type="number")
    link = {"tag_id": tag["id"], "subject_type": "Checklist", "subject_id": template["id"]}
    ok(api.post("/checklists/tags", link))
    rule = {
        "automated_alias": "skip review",
        "conditions": [
            {
                "conditionable_id": capture["id"],
                "conditionable_type": "Capture",
                "operation": "equals",
                "statement": "none",
            }
        ],
        "then_actions": [
            {"action_type": "visibility", "action_verb": "hide", "target_step_id": second["id"]}
        ],
    }
    ok(api.post(f"/checklists/{template['id']}/automated-actions", rule), 201)
    return {"template": template, "first": first, "second": second, "capture": capture, "tag": tag}


# ---------------------------------------------------------------- template copies


def test_clone_template_copies_everything_into_a_new_live_template(world: World, api: Api) -> None:
    built = template_with_everything(api, world)
    source = built["template"]

    response = api.post(
        f"/checklists/{source['id']}/clone",
        data={"tenant": world.org.id, "title": "Vendor onboarding v2"},
    )

    copy = ok(response, 201)["data"]
    assert HEX32.match(copy["id"])
    assert copy["id"] != source["id"]
    assert (copy["title"], copy["summary"], copy["guidance"]) == (
        "Vendor onboarding v2",
        "Bring a vendor on board",
        "Be thorough",
    )
    assert (copy["status"], copy["archived_at"]) == ("active", None)
    assert copy["owner_id"] == world.org.admin.user_id
    assert [f["label"] for f in copy["prerun"]] == ["Vendor name"]
    assert copy["prerun"][0]["id"] != source["prerun"][0]["id"]
    full = ok(api.get(f"/checklists/{copy['id']}?with=steps,tags"))["data"]
    first, second = full["steps"]
    assert [(s["title"], s["position"]) for s in full["steps"]] == [("Collect", 1), ("Review", 2)]
    assert first["id"] != built["first"]["id"]
    assert first["assignees"] == [world.org.standard.user_id]
    assert [(c["label"], c["position"]) for c in first["captures"]] == [("Bank", 1), ("Tax id", 2)]
    assert first["captures"][0]["id"] != built["capture"]["id"]
    assert second["deadline"]["step"] == first["id"]
    assert [t["tag_id"] for t in full["tags"]] == [built["tag"]["id"]]
    (rule,) = full["automated_actions"]
    assert rule["automated_alias"] == "skip review"
    assert rule["conditions"][0]["conditionable_id"] == first["captures"][0]["id"]
    assert rule["then_actions"][0]["target_step_id"] == second["id"]
    # The source is untouched.
    again = ok(api.get(f"/checklists/{source['id']}?with=steps"))["data"]
    assert [s["id"] for s in again["steps"]] == [built["first"]["id"], built["second"]["id"]]
    assert (
        again["automated_actions"][0]["then_actions"][0]["target_step_id"]
        == (built["second"]["id"])
    )


def test_clone_template_keeps_the_title_when_none_is_sent_and_accepts_json(
    world: World, api: Api
) -> None:
    source = ok(api.post("/checklists", {"title": "Audit"}), 201)["data"]
    copy = ok(api.post(f"/checklists/{source['id']}/clone", {"tenant": world.org.id}), 201)
    assert copy["data"]["title"] == "Audit"
    assert copy["data"]["id"] != source["id"]
    launched = launch(api, copy["data"]["id"])
    assert launched["checklist_id"] == copy["data"]["id"]


def test_clone_of_an_archived_template_is_live(world: World, api: Api) -> None:
    source = ok(api.post("/checklists", {"title": "Old"}), 201)["data"]
    ok(api.delete(f"/checklists/{source['id']}"))
    copy = ok(api.post(f"/checklists/{source['id']}/clone", data={"tenant": world.org.id}), 201)
    assert copy["data"]["archived_at"] is None


def test_clone_template_needs_a_tenant(api: Api) -> None:
    source = ok(api.post("/checklists", {"title": "Audit"}), 201)["data"]
    assert_field_error(api.post(f"/checklists/{source['id']}/clone", data={}), "tenant")
    assert_field_error(api.post(f"/checklists/{source['id']}/clone"), "tenant")


def test_clone_template_from_an_organization_the_caller_is_not_in_is_404(world: World) -> None:
    theirs = ok(world.other_admin.post("/checklists", {"title": "Secret"}), 201)["data"]
    before = snapshot(world.settings)
    response = world.admin.post(
        f"/checklists/{theirs['id']}/clone", data={"tenant": world.other.id}
    )
    assert_error(response, 404)
    response = world.admin.post(f"/checklists/{theirs['id']}/clone", data={"tenant": world.org.id})
    assert_error(response, 404)
    assert snapshot(world.settings) == before


def test_light_member_may_not_clone_a_template(world: World, api: Api) -> None:
    source = ok(api.post("/checklists", {"title": "Audit"}), 201)["data"]
    response = world.light.post(f"/checklists/{source['id']}/clone", data={"tenant": world.org.id})
    assert_error(response, 403)


# ---------------------------------------------------------------- step copies


def test_clone_step_places_the_copy_after_the_original_with_its_form_fields(api: Api) -> None:
    template = ok(api.post("/checklists", {"title": "Audit"}), 201)["data"]
    path = f"/checklists/{template['id']}/steps"
    for title in ("A", "B", "C"):
        ok(api.post(path, {"title": title, "summary": f"Do {title}"}), 201)
    b = steps_of(api, template["id"])[1]
    add_capture(api, template["id"], b["id"], label="First")
    add_capture(api, template["id"], b["id"], label="Second", field_type="textarea")

    copy = ok(api.post(f"{path}/{b['id']}/clone"), 201)["data"]

    assert HEX32.match(copy["id"])
    assert copy["id"] != b["id"]
    assert (copy["title"], copy["summary"], copy["position"]) == ("B", "Do B", 3)
    assert [(c["label"], c["field_type"]) for c in copy["captures"]] == [
        ("First", "text"),
        ("Second", "textarea"),
    ]
    assert all(c["step_id"] == copy["id"] for c in copy["captures"])
    order = [(s["title"], s["position"], s["id"]) for s in steps_of(api, template["id"])]
    assert [(t, p) for t, p, _ in order] == [("A", 1), ("B", 2), ("B", 3), ("C", 4)]
    assert order[2][2] == copy["id"]
    original = ok(api.get(f"{path}/{b['id']}"))["data"]
    assert [c["label"] for c in original["captures"]] == ["First", "Second"]


def test_clone_step_of_a_missing_step_is_404(api: Api) -> None:
    template = ok(api.post("/checklists", {"title": "Audit"}), 201)["data"]
    assert_error(api.post(f"/checklists/{template['id']}/steps/{MISSING}/clone"), 404)


# ---------------------------------------------------------------- form fields


def test_form_fields_lists_kickoff_fields_and_every_steps_form_fields(
    world: World, api: Api
) -> None:
    built = template_with_everything(api, world)
    template_id = built["template"]["id"]
    fields = ok(api.get(f"/checklists/{template_id}/form-fields"))["data"]
    assert (fields["id"], fields["title"]) == (template_id, "Vendor onboarding")
    assert [f["label"] for f in fields["ko_form_fields"]] == ["Vendor name"]
    assert fields["ko_form_fields"][0]["id"] == built["template"]["prerun"][0]["id"]
    assert [(f["label"], f["step_id"]) for f in fields["form_fields"]] == [
        ("Bank", built["first"]["id"]),
        ("Tax id", built["first"]["id"]),
    ]


def test_form_fields_of_another_organizations_template_is_404(world: World) -> None:
    theirs = ok(world.other_admin.post("/checklists", {"title": "Secret"}), 201)["data"]
    assert_error(world.admin.get(f"/checklists/{theirs['id']}/form-fields"), 404)


# ---------------------------------------------------------------- moving form fields


def fields_of(api: Api, template_id: str, step_id: str) -> list[tuple[str, int]]:
    step = ok(api.get(f"/checklists/{template_id}/steps/{step_id}"))["data"]
    return [(c["label"], c["position"]) for c in step["captures"]]


def two_steps_with_fields(api: Api) -> tuple[str, str, str, dict[str, str]]:
    template = ok(api.post("/checklists", {"title": "Audit"}), 201)["data"]
    path = f"/checklists/{template['id']}/steps"
    a = ok(api.post(path, {"title": "A"}), 201)["data"]["id"]
    b = ok(api.post(path, {"title": "B"}), 201)["data"]["id"]
    ids = {}
    for step, labels in ((a, ("a1", "a2", "a3")), (b, ("b1", "b2"))):
        for label in labels:
            # The SDK sends position 1 for every new field: order then follows creation.
            ids[label] = add_capture(api, template["id"], step, label=label, position=1)["id"]
    return template["id"], a, b, ids


def test_move_out_moves_a_field_to_another_step_at_a_position(api: Api) -> None:
    template_id, a, b, ids = two_steps_with_fields(api)
    path = f"/checklists/{template_id}/steps/{a}/captures/{ids['a2']}/move-out"

    moved = ok(api.put(path, {"target_step_id": b, "position": 2}))["data"]

    assert (moved["id"], moved["step_id"], moved["position"]) == (ids["a2"], b, 2)
    assert fields_of(api, template_id, a) == [("a1", 1), ("a3", 2)]
    assert fields_of(api, template_id, b) == [("b1", 1), ("a2", 2), ("b2", 3)]


def test_move_out_past_the_end_appends(api: Api) -> None:
    template_id, a, b, ids = two_steps_with_fields(api)
    path = f"/checklists/{template_id}/steps/{a}/captures/{ids['a1']}/move-out"
    ok(api.put(path, {"target_step_id": b, "position": 99}))
    assert fields_of(api, template_id, b) == [("b1", 1), ("b2", 2), ("a1", 3)]


def test_move_out_to_a_step_of_another_template_is_refused(api: Api) -> None:
    template_id, a, _, ids = two_steps_with_fields(api)
    _, elsewhere, _, _ = two_steps_with_fields(api)
    path = f"/checklists/{template_id}/steps/{a}/captures/{ids['a1']}/move-out"
    assert_field_error(api.put(path, {"target_step_id": elsewhere}), "target_step_id")
    assert [label for label, _ in fields_of(api, template_id, a)] == ["a1", "a2", "a3"]


def test_move_out_of_a_field_that_is_not_on_that_step_is_404(api: Api) -> None:
    template_id, a, b, ids = two_steps_with_fields(api)
    path = f"/checklists/{template_id}/steps/{a}/captures/{ids['b1']}/move-out"
    assert_error(api.put(path, {"target_step_id": b}), 404)


def test_reorder_form_fields_moves_one_and_shifts_the_others(api: Api) -> None:
    template_id, a, _, ids = two_steps_with_fields(api)
    path = f"/checklists/{template_id}/steps/{a}/captures"

    answer = ok(api.put(path, {"capture_id": ids["a3"], "position": 1}))["data"]

    assert [(c["label"], c["position"]) for c in answer] == [("a3", 1), ("a1", 2), ("a2", 3)]
    assert fields_of(api, template_id, a) == [("a3", 1), ("a1", 2), ("a2", 3)]
    ok(api.put(path, {"capture_id": ids["a3"], "position": 3}))
    assert fields_of(api, template_id, a) == [("a1", 1), ("a2", 2), ("a3", 3)]


def test_reorder_form_fields_refuses_a_field_of_another_step(api: Api) -> None:
    template_id, a, _, ids = two_steps_with_fields(api)
    path = f"/checklists/{template_id}/steps/{a}/captures"
    assert_field_error(api.put(path, {"capture_id": ids["b1"], "position": 1}), "capture_id")
    assert_field_error(api.put(path, {"capture_id": ids["a1"], "position": 0}), "position")


def test_archived_template_refuses_copies_and_moves(world: World, api: Api) -> None:
    template_id, a, b, ids = two_steps_with_fields(api)
    ok(api.delete(f"/checklists/{template_id}"))
    steps = f"/checklists/{template_id}/steps"
    assert_error(api.post(f"{steps}/{a}/clone"), 422)
    move = f"{steps}/{a}/captures/{ids['a1']}/move-out"
    assert_error(api.put(move, {"target_step_id": b}), 422)
    assert_error(api.put(f"{steps}/{a}/captures", {"capture_id": ids["a1"], "position": 2}), 422)


# ---------------------------------------------------------------- tags on new steps


def test_add_step_tags_the_new_step(api: Api) -> None:
    template = ok(api.post("/checklists", {"title": "Audit"}), 201)["data"]
    first = ok(api.post("/tags", {"title": "legal"}), 201)["data"]
    second = ok(api.post("/tags", {"title": "finance"}), 201)["data"]
    body = {"title": "Sign", "tags": [first["id"], second["id"]]}

    step = ok(api.post(f"/checklists/{template['id']}/steps", body), 201)["data"]

    assert [(t["tag_id"], t["subject_type"], t["subject_id"]) for t in step["tags"]] == [
        (first["id"], "Step", step["id"]),
        (second["id"], "Step", step["id"]),
    ]
    # A copy of the step carries its tags too.
    copy = ok(api.post(f"/checklists/{template['id']}/steps/{step['id']}/clone"), 201)["data"]
    assert copy["id"] != step["id"]


def test_add_step_with_an_unknown_tag_adds_nothing(world: World, api: Api) -> None:
    template = ok(api.post("/checklists", {"title": "Audit"}), 201)["data"]
    theirs = ok(world.other_admin.post("/tags", {"title": "theirs"}), 201)["data"]
    before = snapshot(world.settings)
    response = api.post(
        f"/checklists/{template['id']}/steps", {"title": "x", "tags": [theirs["id"]]}
    )
    assert_field_error(response, "tags")
    assert snapshot(world.settings) == before


def test_a_launched_copy_has_the_copied_steps_as_tasks(world: World, api: Api) -> None:
    built = template_with_everything(api, world)
    copy = ok(
        api.post(f"/checklists/{built['template']['id']}/clone", data={"tenant": world.org.id}),
        201,
    )["data"]
    prerun = {copy["prerun"][0]["id"]: "Initech"}
    run = launch(api, copy["id"], prerun=prerun)
    assert [t["title"] for t in tasks_of(api, run["id"])] == ["Collect", "Review"]


def test_clone_template_answers_400_for_malformed_json_and_422_for_a_list(
    world: World, api: Api
) -> None:
    source = ok(api.post("/checklists", {"title": "Audit"}), 201)["data"]
    path = api.url(f"/checklists/{source['id']}/clone")
    headers = {**api.headers, "content-type": "application/json"}
    for body in (b'{"tenant": "unfinished', b'{"tenant":' + b"[" * 50_000 + b"]" * 50_000 + b"}"):
        response = world.client.post(path, content=body, headers=headers)
        assert_error(response, 400, "BAD_REQUEST")
    response = world.client.post(path, content=b'["tenant"]', headers=headers)
    assert_error(response, 422, "VALIDATION_ERROR")
