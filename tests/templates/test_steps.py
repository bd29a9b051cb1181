"""Template steps over HTTP (reference 3.3, 4.5): list, add, get, update, reorder, delete.
Authentication, tenancy and role errors of these routes are in test_router."""

from typing import Any

import pytest

from tests.conftest import Api, World
from tests.databases import snapshot
from tests.factories import ok
from tests.templates.helpers import (
    HEX32,
    MISSING,
    STEP_FLAGS,
    assert_error,
    assert_field_error,
    assert_flags,
    assert_timestamps,
    named,
)


@pytest.fixture
def template(api: Api) -> str:
    """A template with steps "Step 1".."Step 4", in that order."""
    template_id: str = ok(api.post("/checklists", {"title": "Onboarding"}), 201)["data"]["id"]
    for n in range(1, 5):
        ok(api.post(f"/checklists/{template_id}/steps", {"title": f"Step {n}"}), 201)
    return template_id


def listed(api: Api, template_id: str) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = ok(api.get(f"/checklists/{template_id}/steps"))["data"]
    return steps


def order(api: Api, template_id: str) -> list[tuple[str, int]]:
    return [(s["title"], s["position"]) for s in listed(api, template_id)]


def step_id(api: Api, template_id: str, title: str) -> str:
    return next(s["id"] for s in listed(api, template_id) if s["title"] == title)


# ---------------------------------------------------------------- add


def test_add_step_answers_201_with_the_full_step(api: Api) -> None:
    template_id = ok(api.post("/checklists", {"title": "Audit"}), 201)["data"]["id"]
    step = ok(api.post(f"/checklists/{template_id}/steps", {"title": "Check"}), 201)["data"]
    assert HEX32.match(step["id"])
    assert (step["checklist_id"], step["title"], step["position"]) == (template_id, "Check", 1)
    assert (step["step_type"], step["summary"], step["alias"]) == ("task", None, None)
    assert (step["assignees"], step["guests"], step["groups"], step["captures"]) == ([], [], [], [])
    assert (step["deadline"], step["start_date"], step["archived_at"]) == (None, None, None)
    assert (step["max_assignable"], step["roles"]) == (1, [])
    assert_flags(step, STEP_FLAGS)
    assert step["assign_run_starter"] is True
    assert step["top_secret"] is False
    assert_timestamps(step, "created_at", "last_updated")


def test_add_step_appends_whatever_position_is_sent(api: Api, template: str) -> None:
    body = {"title": "Step 5", "position": 1, "checklist_id": MISSING}
    step = ok(api.post(f"/checklists/{template}/steps", body), 201)["data"]
    assert (step["position"], step["checklist_id"]) == (5, template)
    assert order(api, template) == [(f"Step {n}", n) for n in range(1, 6)]
    assert ok(api.get(f"/checklists/{template}"))["data"]["steps_count"] == 5


def test_add_step_stores_every_setting_it_is_sent(world: World, api: Api, template: str) -> None:
    sent = {
        "title": "Approve",
        "summary": "Sign it",
        "step_type": "approval",
        "alias": "approve",
        "assignees": [world.org.standard.user_id, world.org.light.user_id],
        "guests": ["guest@example.com"],
        "groups": ["g1"],
        "deadline": {"value": 2, "unit": "hours", "option": "prior_to", "step": "start_run"},
        "start_date": {"value": 1, "unit": "weeks"},
        "max_assignable": 3,
        "webhook": "https://example.com/hook",
        "everyone_must_complete": True,
        "assign_run_starter": False,
        "roles": ["approver"],
    }
    step = ok(api.post(f"/checklists/{template}/steps", sent), 201)["data"]
    assert {key: step[key] for key in sent} == sent
    assert ok(api.get(f"/checklists/{template}/steps/{step['id']}"))["data"] == step


def test_step_title_may_be_600_characters(api: Api, template: str) -> None:
    step = ok(api.post(f"/checklists/{template}/steps", {"title": "x" * 600}), 201)["data"]
    assert len(step["title"]) == 600


def test_add_step_fills_deadline_defaults(api: Api, template: str) -> None:
    body = {"title": "Soon", "deadline": {"value": 3}, "start_date": {"value": 0}}
    step = ok(api.post(f"/checklists/{template}/steps", body), 201)["data"]
    assert step["deadline"] == {"value": 3, "unit": "days", "option": "from", "step": "start_run"}
    assert step["start_date"] == {"value": 0, "unit": "days"}


@pytest.mark.parametrize(
    ("body", "field"),
    named(
        [
            ({}, "title"),
            ({"title": None}, "title"),
            ({"title": ""}, "title"),
            ({"title": "x" * 601}, "title"),
            ({"title": 5}, "title"),
            ({"title": "x", "step_type": "dance"}, "step_type"),
            ({"title": "x", "alias": "x" * 65}, "alias"),
            ({"title": "x", "assignees": [999_999]}, "assignees"),
            ({"title": "x", "assignees": ["someone"]}, "assignees.0"),
            ({"title": "x", "assignees": 3}, "assignees"),
            ({"title": "x", "guests": "guest@example.com"}, "guests"),
            ({"title": "x", "deadline": {"value": -1}}, "deadline.value"),
            ({"title": "x", "deadline": {"value": 1, "unit": "years"}}, "deadline.unit"),
            ({"title": "x", "deadline": {"value": 1, "option": "after"}}, "deadline.option"),
            ({"title": "x", "deadline": "tomorrow"}, "deadline"),
            ({"title": "x", "start_date": {"unit": "days"}}, "start_date.value"),
            ({"title": "x", "max_assignable": -1}, "max_assignable"),
            ({"title": "x", "everyone_must_complete": "maybe"}, "everyone_must_complete"),
        ]
    ),
)
def test_add_step_answers_422_naming_the_bad_field(
    world: World, api: Api, template: str, body: dict[str, Any], field: str
) -> None:
    before = snapshot(world.settings)
    assert_field_error(api.post(f"/checklists/{template}/steps", body), field)
    assert snapshot(world.settings) == before


def test_add_step_refuses_assignees_of_another_organization(
    world: World, api: Api, template: str
) -> None:
    body = {"title": "x", "assignees": [world.org.light.user_id, world.other.standard.user_id]}
    error = assert_field_error(api.post(f"/checklists/{template}/steps", body), "assignees")
    assert str(world.other.standard.user_id) in error["errors"]["assignees"][0]
    assert len(listed(api, template)) == 4


# ---------------------------------------------------------------- list


def test_list_steps_follows_positions_not_creation(api: Api, template: str) -> None:
    last = step_id(api, template, "Step 4")
    ok(api.put(f"/checklists/{template}/steps/{last}/reorder", {"position": 1}))
    assert order(api, template) == [("Step 4", 1), ("Step 1", 2), ("Step 2", 3), ("Step 3", 4)]


def test_list_steps_paginates_with_correct_meta(api: Api, template: str) -> None:
    first = ok(api.get(f"/checklists/{template}/steps?per_page=3"))
    pagination = first["meta"]["pagination"]
    assert {k: v for k, v in pagination.items() if k != "links"} == {
        "total": 4,
        "count": 3,
        "per_page": 3,
        "current_page": 1,
        "total_pages": 2,
    }
    assert set(pagination["links"]) == {"next"}
    second = ok(api.get(f"/checklists/{template}/steps?per_page=3&page=2"))
    assert second["meta"]["pagination"]["count"] == 1
    assert set(second["meta"]["pagination"]["links"]) == {"previous", "prev"}
    walked = [s["title"] for page in (first, second) for s in page["data"]]
    assert walked == ["Step 1", "Step 2", "Step 3", "Step 4"]
    beyond = ok(api.get(f"/checklists/{template}/steps?per_page=3&page=3"))
    assert beyond["data"] == []
    assert beyond["meta"]["pagination"]["total"] == 4


def test_list_steps_of_an_empty_template_has_one_empty_page(api: Api) -> None:
    template_id = ok(api.post("/checklists", {"title": "Empty"}), 201)["data"]["id"]
    listing = ok(api.get(f"/checklists/{template_id}/steps"))
    assert listing["data"] == []
    assert listing["meta"]["pagination"] == {
        "total": 0,
        "count": 0,
        "per_page": 10,
        "current_page": 1,
        "total_pages": 1,
        "links": {},
    }


def test_list_steps_shows_only_that_template(api: Api, template: str) -> None:
    other = ok(api.post("/checklists", {"title": "Other"}), 201)["data"]["id"]
    ok(api.post(f"/checklists/{other}/steps", {"title": "Elsewhere"}), 201)
    assert [s["checklist_id"] for s in listed(api, template)] == [template] * 4


# ---------------------------------------------------------------- get


def test_get_step_matches_its_listed_and_included_forms(api: Api, template: str) -> None:
    first = listed(api, template)[0]
    path = f"/checklists/{template}/steps/{first['id']}"
    ok(api.post(f"{path}/captures", {"field_type": "text", "label": "Notes"}), 201)
    step = ok(api.get(path))["data"]
    assert [c["label"] for c in step["captures"]] == ["Notes"]
    assert step["title"] == "Step 1"
    included = ok(api.get(f"/checklists/{template}?with=steps"))["data"]["steps"][0]
    assert included == step == listed(api, template)[0]


# ---------------------------------------------------------------- update


def test_update_step_changes_only_what_is_sent(world: World, api: Api, template: str) -> None:
    first = step_id(api, template, "Step 1")
    path = f"/checklists/{template}/steps/{first}"
    full = {
        "assignees": [world.org.standard.user_id],
        "guests": ["g@example.com"],
        "groups": ["g1"],
        "summary": "Before",
        "deadline": {"value": 1, "unit": "days", "option": "from", "step": "start_run"},
        "top_secret": True,
    }
    before = ok(api.put(path, full))["data"]
    after = ok(api.put(path, {"title": "Renamed"}))["data"]
    assert after["title"] == "Renamed"
    assert {**after, "title": None, "last_updated": None} == {
        **before,
        "title": None,
        "last_updated": None,
    }
    assert_timestamps(after, "last_updated")


def test_update_step_replaces_present_buckets_and_keeps_absent_ones(
    world: World, api: Api, template: str
) -> None:
    first = step_id(api, template, "Step 1")
    path = f"/checklists/{template}/steps/{first}"
    ok(api.put(path, {"assignees": [world.org.light.user_id], "guests": ["a@x.io"]}))
    body = ok(api.put(path, {"groups": ["g2"], "guests": []}))["data"]
    assert (body["assignees"], body["guests"], body["groups"]) == (
        [world.org.light.user_id],
        [],
        ["g2"],
    )
    cleared = ok(api.put(path, {"assignees": []}))["data"]
    assert (cleared["assignees"], cleared["groups"]) == ([], ["g2"])


def test_update_step_clears_deadline_and_summary_with_null(api: Api, template: str) -> None:
    path = f"/checklists/{template}/steps/{step_id(api, template, 'Step 2')}"
    ok(api.put(path, {"summary": "Do it", "deadline": {"value": 2}, "start_date": {"value": 1}}))
    body = ok(api.put(path, {"summary": None, "deadline": None, "start_date": None}))["data"]
    assert (body["summary"], body["deadline"], body["start_date"]) == (None, None, None)
    assert body["title"] == "Step 2"


def test_update_step_ignores_an_echoed_read_and_its_position(api: Api, template: str) -> None:
    read = listed(api, template)[1]
    echoed = {
        **read,
        "title": "Renamed",
        "id": MISSING,
        "checklist_id": MISSING,
        "position": 4,
        "created_at": "x",
        "bogus": True,
    }
    body = ok(api.put(f"/checklists/{template}/steps/{read['id']}", echoed))["data"]
    assert (body["id"], body["checklist_id"], body["position"]) == (read["id"], template, 2)
    assert body["title"] == "Renamed"
    assert body["created_at"] == read["created_at"]
    assert "bogus" not in body
    assert [t for t, _ in order(api, template)] == ["Step 1", "Renamed", "Step 3", "Step 4"]


@pytest.mark.parametrize(
    ("body", "field"),
    named(
        [
            ({"title": None}, "title"),
            ({"title": ""}, "title"),
            ({"title": "x" * 601}, "title"),
            ({"step_type": None}, "step_type"),
            ({"step_type": "dance"}, "step_type"),
            ({"assignees": [999_999]}, "assignees"),
            ({"assignees": None}, "assignees"),
            ({"guests": None}, "guests"),
            ({"groups": None}, "groups"),
            ({"deadline": {"value": "soon"}}, "deadline.value"),
            ({"max_assignable": None}, "max_assignable"),
            ({"roles": "approver"}, "roles"),
        ]
    ),
)
def test_update_step_answers_422_naming_the_bad_field(
    world: World, api: Api, template: str, body: dict[str, Any], field: str
) -> None:
    path = f"/checklists/{template}/steps/{step_id(api, template, 'Step 1')}"
    before = snapshot(world.settings)
    assert_field_error(api.put(path, body), field)
    assert snapshot(world.settings) == before


def test_update_step_refuses_an_assignee_of_another_organization(
    world: World, api: Api, template: str
) -> None:
    path = f"/checklists/{template}/steps/{step_id(api, template, 'Step 1')}"
    assert_field_error(api.put(path, {"assignees": [world.other.admin.user_id]}), "assignees")
    assert ok(api.get(path))["data"]["assignees"] == []


# ---------------------------------------------------------------- reorder


@pytest.mark.parametrize(
    ("moved", "position", "expected"),
    [
        ("Step 4", 2, ["Step 1", "Step 4", "Step 2", "Step 3"]),
        ("Step 1", 3, ["Step 2", "Step 3", "Step 1", "Step 4"]),
        ("Step 2", 1, ["Step 2", "Step 1", "Step 3", "Step 4"]),
        ("Step 1", 99, ["Step 2", "Step 3", "Step 4", "Step 1"]),
        ("Step 3", 3, ["Step 1", "Step 2", "Step 3", "Step 4"]),
    ],
)
def test_reorder_step_moves_it_and_renumbers_its_siblings(
    api: Api, template: str, moved: str, position: int, expected: list[str]
) -> None:
    path = f"/checklists/{template}/steps/{step_id(api, template, moved)}/reorder"
    body = ok(api.put(path, {"position": position}))["data"]
    assert (body["title"], body["position"]) == (moved, expected.index(moved) + 1)
    assert order(api, template) == [(title, n) for n, title in enumerate(expected, start=1)]


def test_reorder_step_leaves_other_templates_alone(api: Api, template: str) -> None:
    other = ok(api.post("/checklists", {"title": "Other"}), 201)["data"]["id"]
    for n in (1, 2):
        ok(api.post(f"/checklists/{other}/steps", {"title": f"Other {n}"}), 201)
    path = f"/checklists/{template}/steps/{step_id(api, template, 'Step 4')}/reorder"
    ok(api.put(path, {"position": 1}))
    assert order(api, other) == [("Other 1", 1), ("Other 2", 2)]


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "position"), ({"position": 0}, "position"), ({"position": "first"}, "position")],
)
def test_reorder_step_answers_422_for_a_bad_position(
    world: World, api: Api, template: str, body: dict[str, Any], field: str
) -> None:
    path = f"/checklists/{template}/steps/{step_id(api, template, 'Step 2')}/reorder"
    before = snapshot(world.settings)
    assert_field_error(api.put(path, body), field)
    assert snapshot(world.settings) == before


# ---------------------------------------------------------------- delete


@pytest.mark.parametrize(
    ("deleted", "remaining"),
    [
        ("Step 1", ["Step 2", "Step 3", "Step 4"]),
        ("Step 2", ["Step 1", "Step 3", "Step 4"]),
        ("Step 4", ["Step 1", "Step 2", "Step 3"]),
    ],
)
def test_delete_step_closes_up_positions(
    api: Api, template: str, deleted: str, remaining: list[str]
) -> None:
    gone_id = step_id(api, template, deleted)
    path = f"/checklists/{template}/steps/{gone_id}"
    ok(api.post(f"{path}/captures", {"field_type": "text", "label": "Notes"}), 201)
    gone = ok(api.delete(path))["data"]
    assert (gone["id"], gone["title"]) == (gone_id, deleted)
    assert [c["label"] for c in gone["captures"]] == ["Notes"]
    assert order(api, template) == [(title, n) for n, title in enumerate(remaining, start=1)]
    assert ok(api.get(f"/checklists/{template}"))["data"]["steps_count"] == 3
    assert api.get(path).status_code == 404
    assert api.delete(path).status_code == 404


def test_step_added_after_a_delete_takes_the_next_free_position(api: Api, template: str) -> None:
    ok(api.delete(f"/checklists/{template}/steps/{step_id(api, template, 'Step 2')}"))
    step = ok(api.post(f"/checklists/{template}/steps", {"title": "Step 5"}), 201)["data"]
    assert step["position"] == 4
    assert [n for _, n in order(api, template)] == [1, 2, 3, 4]


def test_delete_step_refuses_a_step_another_deadline_depends_on(api: Api, template: str) -> None:
    """Reference C5: 422 while another step's deadline is anchored to it."""
    anchor = step_id(api, template, "Step 1")
    deadline = {"value": 1, "unit": "days", "option": "from", "step": anchor}
    dependent = f"/checklists/{template}/steps/{step_id(api, template, 'Step 3')}"
    ok(api.put(dependent, {"deadline": deadline}))
    body = assert_error(api.delete(f"/checklists/{template}/steps/{anchor}"), 422)
    assert "depend" in body["message"]
    assert body["errors"]
    assert len(listed(api, template)) == 4
    ok(api.put(dependent, {"deadline": None}))
    ok(api.delete(f"/checklists/{template}/steps/{anchor}"))
    assert [t for t, _ in order(api, template)] == ["Step 2", "Step 3", "Step 4"]


def test_step_deadline_anchored_to_itself_does_not_block_its_delete(
    api: Api, template: str
) -> None:
    path = f"/checklists/{template}/steps/{step_id(api, template, 'Step 2')}"
    ok(api.put(path, {"deadline": {"value": 1, "step": step_id(api, template, "Step 2")}}))
    ok(api.delete(path))
