"""Templates (checklists), steps, form fields (captures) and kick-off fields over HTTP:
each endpoint's success path and its errors."""

import re
from typing import Any

import pytest

from tests.conftest import Api, World
from tests.factories import add_capture, make_template, ok, steps_of

HEX32 = re.compile(r"^[0-9a-f]{32}$")
MISSING = "0" * 32


def template_path(template: dict[str, Any], suffix: str = "") -> str:
    return f"/checklists/{template['id']}{suffix}"


# ---------------------------------------------------------------- templates


def test_create_template_answers_201_with_every_flag_emitted(api: Api, world: World) -> None:
    body = ok(api.post("/checklists", {"title": "Audit", "summary": "Yearly"}), 201)["data"]
    assert HEX32.match(body["id"])
    assert (body["title"], body["summary"], body["type"]) == ("Audit", "Yearly", "procedure")
    assert body["owner_id"] == world.org.admin.user_id
    assert body["created_by"] == world.org.admin.user_id
    for flag in ("starred", "is_public", "is_featured", "auto_naming", "is_pinned"):
        assert body[flag] is False, flag
    assert body["allow_launcher_change_name"] is True
    assert body["prerun"] == []
    assert body["automated_actions"] == []
    assert body["archived_at"] is None
    assert body["steps_count"] == 0
    assert "steps" not in body


def test_create_template_with_kickoff_fields(api: Api) -> None:
    prerun = [
        {"label": "Employee name", "field_type": "text", "required": True},
        {"label": "Start date", "field_type": "date", "required": False},
    ]
    body = ok(api.post("/checklists", {"title": "Hire", "prerun": prerun}), 201)["data"]
    assert [(f["label"], f["field_type"], f["required"]) for f in body["prerun"]] == [
        ("Employee name", "text", True),
        ("Start date", "date", False),
    ]
    assert all(HEX32.match(f["id"]) and f["checklist_id"] == body["id"] for f in body["prerun"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "title"),
        ({"title": ""}, "title"),
        ({"title": "x" * 251}, "title"),
        ({"title": 12}, "title"),
        ({"title": "ok", "type": "poem"}, "type"),
        ({"title": "ok", "owner_id": 999_999}, "owner_id"),
        ({"title": "ok", "users": [999_999]}, "users"),
        ({"title": "ok", "prerun": [{"label": "no type"}]}, "prerun.0"),
    ],
)
def test_create_template_rejects_bad_bodies_field_by_field(
    api: Api, body: dict[str, Any], field: str
) -> None:
    response = api.post("/checklists", body)
    assert response.status_code == 422
    error = response.json()
    assert error["error"] is True
    assert field in error["errors"], error
    assert ok(api.get("/checklists"))["meta"]["pagination"]["total"] == 0


def test_light_members_may_not_create_or_edit_templates(world: World) -> None:
    template = make_template(world.admin, steps=1)
    step = steps_of(world.admin, template["id"])[0]
    light = world.light
    assert light.post("/checklists", {"title": "Mine"}).status_code == 403
    assert light.put(template_path(template), {"title": "Mine"}).status_code == 403
    assert light.post(template_path(template, "/steps"), {"title": "More"}).status_code == 403
    path = template_path(template, f"/steps/{step['id']}/captures")
    assert light.post(path, {"field_type": "text", "label": "x"}).status_code == 403
    assert light.get(template_path(template)).status_code == 200
    assert light.put(f"/checklists/{MISSING}", {"title": "x"}).status_code == 404


def test_list_templates_searches_titles_and_paginates(api: Api) -> None:
    for title in ("Onboarding", "Offboarding", "Quarterly audit"):
        make_template(api, title=title, steps=0)
    found = ok(api.get("/checklists?q=BOARD&per_page=1"))
    assert found["meta"]["pagination"]["total"] == 2
    assert found["meta"]["pagination"]["total_pages"] == 2
    assert len(found["data"]) == 1
    titles = {t["title"] for t in ok(api.get("/checklists?q=board"))["data"]}
    assert titles == {"Onboarding", "Offboarding"}
    assert ok(api.get("/checklists?q=100%"))["data"] == []


def test_list_templates_filters_starred_and_hides_archived(api: Api) -> None:
    starred = make_template(api, title="Starred", steps=0, starred=True)
    archived = make_template(api, title="Old", steps=0)
    ok(api.delete(template_path(archived)))
    assert [t["id"] for t in ok(api.get("/checklists?starred=true"))["data"]] == [starred["id"]]
    assert archived["id"] not in {t["id"] for t in ok(api.get("/checklists"))["data"]}


def test_get_template_with_steps_and_tags_and_unknown_includes(api: Api) -> None:
    template = make_template(api, steps=2)
    step = steps_of(api, template["id"])[0]
    add_capture(api, template["id"], step["id"], label="Notes")
    tag = ok(api.post("/tags", {"title": "hr"}), 201)["data"]
    ok(
        api.post(
            "/checklists/tags",
            {"tag_id": tag["id"], "subject_type": "Checklist", "subject_id": template["id"]},
        )
    )
    body = ok(api.get(template_path(template, "?with=steps,tags,prerun,automated_actions,bogus")))
    data = body["data"]
    assert [s["title"] for s in data["steps"]] == ["Step 1", "Step 2"]
    assert [c["label"] for c in data["steps"][0]["captures"]] == ["Notes"]
    assert data["steps"][1]["captures"] == []
    assert all(s["assignees"] == [] and s["guests"] == [] for s in data["steps"])
    assert [(t["tag_id"], t["title"]) for t in data["tags"]] == [(tag["id"], "hr")]
    assert isinstance(data["tags"][0]["id"], int)
    assert data["steps_count"] == 2


@pytest.mark.parametrize("caller", ["admin", "outsider"])
def test_get_template_of_another_organization_is_404(world: World, caller: str) -> None:
    theirs = make_template(world.other_admin, steps=0)
    response = getattr(world, caller).get(template_path(theirs))
    assert response.status_code == 404
    assert response.json()["code"] == "RESOURCE_NOT_FOUND"
    assert world.admin.get(f"/checklists/{MISSING}").status_code == 404


def test_update_template_changes_only_what_is_sent(api: Api) -> None:
    template = make_template(api, steps=0, summary="Before", icon="star")
    body = ok(api.put(template_path(template), {"summary": "After", "starred": True}))["data"]
    assert (body["title"], body["summary"], body["starred"], body["icon"]) == (
        template["title"],
        "After",
        True,
        "star",
    )
    assert body["last_updated"] >= template["last_updated"]


def test_update_template_ignores_read_only_keys_and_refuses_null_title(api: Api) -> None:
    template = make_template(api, steps=0)
    echoed = {**template, "title": "Renamed", "id": "ignored", "created_at": "ignored"}
    assert ok(api.put(template_path(template), echoed))["data"]["title"] == "Renamed"
    response = api.put(template_path(template), {"title": None})
    assert response.status_code == 422
    assert "title" in response.json()["errors"]


def test_update_template_prerun_updates_creates_and_removes_fields(api: Api) -> None:
    prerun = [{"label": "Keep", "field_type": "text"}, {"label": "Drop", "field_type": "text"}]
    template = ok(api.post("/checklists", {"title": "K", "prerun": prerun}), 201)["data"]
    keep, _drop = template["prerun"]
    wanted = [
        {"id": keep["id"], "label": "Kept", "required": False},
        {"label": "New", "field_type": "dropdown", "options": [{"text": "a"}, {"text": "b"}]},
    ]
    body = ok(api.put(template_path(template), {"prerun": wanted}))["data"]
    assert [(f["label"], f["required"]) for f in body["prerun"]] == [
        ("Kept", False),
        ("New", True),
    ]
    assert body["prerun"][0]["id"] == keep["id"]
    assert body["prerun"][1]["options"] == [{"id": 1, "text": "a"}, {"id": 2, "text": "b"}]
    unknown = api.put(template_path(template), {"prerun": [{"id": MISSING, "label": "x"}]})
    assert unknown.status_code == 422


# ---------------------------------------------------------------- steps


def test_add_step_appends_whatever_position_is_sent(api: Api, world: World) -> None:
    template = make_template(api, steps=2)
    body = {
        "title": "Third",
        "position": 1,
        "summary": "Do it",
        "assignees": [world.org.standard.user_id],
        "guests": ["guest@example.com"],
        "deadline": {"value": 2, "unit": "days"},
    }
    step = ok(api.post(template_path(template, "/steps"), body), 201)["data"]
    assert step["position"] == 3
    assert (step["title"], step["summary"]) == ("Third", "Do it")
    assert step["assignees"] == [world.org.standard.user_id]
    assert step["guests"] == ["guest@example.com"]
    assert step["deadline"] == {"value": 2, "unit": "days", "option": "from", "step": "start_run"}
    assert step["captures"] == []
    assert step["assign_run_starter"] is True


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "title"),
        ({"title": ""}, "title"),
        ({"title": "x", "assignees": [999_999]}, "assignees"),
        ({"title": "x", "step_type": "dance"}, "step_type"),
        ({"title": "x", "deadline": {"value": -1}}, "deadline.value"),
    ],
)
def test_add_step_rejects_bad_bodies(api: Api, body: dict[str, Any], field: str) -> None:
    template = make_template(api, steps=0)
    response = api.post(template_path(template, "/steps"), body)
    assert response.status_code == 422
    assert field in response.json()["errors"]


def test_list_steps_in_position_order_with_pagination(api: Api) -> None:
    template = make_template(api, steps=3)
    first = ok(api.get(template_path(template, "/steps?per_page=2")))
    assert [s["title"] for s in first["data"]] == ["Step 1", "Step 2"]
    assert first["meta"]["pagination"]["total"] == 3
    second = ok(api.get(template_path(template, "/steps?per_page=2&page=2")))
    assert [s["title"] for s in second["data"]] == ["Step 3"]


def test_update_step_leaves_absent_assignee_buckets_alone(api: Api, world: World) -> None:
    template = make_template(api, steps=1)
    step = steps_of(api, template["id"])[0]
    path = template_path(template, f"/steps/{step['id']}")
    ok(api.put(path, {"title": "Sign", "assignees": [world.org.light.user_id]}))
    body = ok(api.put(path, {"title": "Sign it", "summary": "Now"}))["data"]
    assert (body["title"], body["summary"]) == ("Sign it", "Now")
    assert body["assignees"] == [world.org.light.user_id]
    cleared = ok(api.put(path, {"assignees": []}))["data"]
    assert cleared["assignees"] == []
    assert api.put(path, {"title": None}).status_code == 422


def test_get_step_of_another_template_is_404(api: Api) -> None:
    first = make_template(api, steps=1)
    second = make_template(api, title="Other", steps=1)
    step = steps_of(api, first["id"])[0]
    assert api.get(template_path(second, f"/steps/{step['id']}")).status_code == 404
    assert ok(api.get(template_path(first, f"/steps/{step['id']}")))["data"]["id"] == step["id"]


def test_reorder_step_renumbers_its_siblings(api: Api) -> None:
    template = make_template(api, steps=4)
    steps = steps_of(api, template["id"])
    path = template_path(template, f"/steps/{steps[3]['id']}/reorder")
    assert ok(api.put(path, {"position": 2}))["data"]["position"] == 2
    order = [s["title"] for s in steps_of(api, template["id"])]
    assert order == ["Step 1", "Step 4", "Step 2", "Step 3"]
    down = template_path(template, f"/steps/{steps[0]['id']}/reorder")
    assert ok(api.put(down, {"position": 99}))["data"]["position"] == 4
    assert [s["position"] for s in steps_of(api, template["id"])] == [1, 2, 3, 4]
    assert api.put(path, {"position": 0}).status_code == 422


def test_delete_step_closes_the_gap(api: Api) -> None:
    template = make_template(api, steps=3)
    middle = steps_of(api, template["id"])[1]
    gone = ok(api.delete(template_path(template, f"/steps/{middle['id']}")))["data"]
    assert gone["id"] == middle["id"]
    remaining = steps_of(api, template["id"])
    assert [(s["title"], s["position"]) for s in remaining] == [("Step 1", 1), ("Step 3", 2)]
    assert api.delete(template_path(template, f"/steps/{middle['id']}")).status_code == 404


# ---------------------------------------------------------------- captures

FIELD_TYPES = [
    "text",
    "textarea",
    "dropdown",
    "multiselect",
    "checkbox",
    "radio",
    "date",
    "file",
    "table",
    "email",
    "url",
    "number",
    "assignees",
]


@pytest.mark.parametrize("field_type", FIELD_TYPES)
def test_add_capture_of_every_type(api: Api, field_type: str) -> None:
    template = make_template(api, steps=1)
    step = steps_of(api, template["id"])[0]
    capture = add_capture(
        api,
        template["id"],
        step["id"],
        field_type=field_type,
        label=f"A {field_type}",
        options=[{"text": "Yes"}, {"text": "No"}],
        columns=[{"label": "Item"}, {"label": "Qty"}],
    )
    assert HEX32.match(capture["id"])
    assert (capture["field_type"], capture["step_id"]) == (field_type, step["id"])
    assert capture["options"] == [{"id": 1, "text": "Yes"}, {"id": 2, "text": "No"}]
    assert capture["columns"] == [{"id": 1, "label": "Item"}, {"id": 2, "label": "Qty"}]
    assert capture["required"] is True


def test_add_capture_rejects_an_unknown_type_and_a_missing_label(api: Api) -> None:
    template = make_template(api, steps=1)
    path = template_path(template, f"/steps/{steps_of(api, template['id'])[0]['id']}/captures")
    bad_type = api.post(path, {"field_type": "hologram", "label": "x"})
    assert bad_type.status_code == 422
    assert "field_type" in bad_type.json()["errors"]
    assert "label" in api.post(path, {"field_type": "text"}).json()["errors"]


def test_update_capture_ignores_echoed_read_only_keys(api: Api) -> None:
    template = make_template(api, steps=1)
    step = steps_of(api, template["id"])[0]
    capture = add_capture(
        api, template["id"], step["id"], field_type="dropdown", options=[{"text": "a"}]
    )
    echoed = {**capture, "options": [*capture["options"], {"text": "b"}], "alias": "x"}
    path = template_path(template, f"/steps/{step['id']}/captures/{capture['id']}")
    body = ok(api.put(path, echoed))["data"]
    assert body["options"] == [{"id": 1, "text": "a"}, {"id": 2, "text": "b"}]
    assert body["id"] == capture["id"]
    assert body["step_id"] == step["id"]


def test_capture_cannot_be_read_alone_and_deletes_with_204(api: Api) -> None:
    template = make_template(api, steps=1)
    step = steps_of(api, template["id"])[0]
    capture = add_capture(api, template["id"], step["id"])
    path = template_path(template, f"/steps/{step['id']}/captures/{capture['id']}")
    assert api.get(path).status_code == 405
    deleted = api.delete(path)
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert steps_of(api, template["id"])[0]["captures"] == []
    assert api.delete(path).status_code == 404
