"""Tests generated from the app's own route table (its OpenAPI document), so a new endpoint
is covered without anyone remembering: every route needs a token, and another organization
never reaches this organization's objects (404, and the database does not change)."""

import re
from typing import Any

import pytest

from procession.main import create_app
from tests.conftest import Api, World
from tests.databases import snapshot
from tests.factories import add_capture, make_oneoff, make_run, ok, steps_of

PATHS = create_app().openapi()["paths"]
ROUTES = [
    (method.upper(), path.removeprefix("/api"))
    for path, operations in PATHS.items()
    for method in operations
]
ORG_ROUTES = [r for r in ROUTES if r[1].startswith("/organizations/{org}")]
ID_ROUTES = [r for r in ORG_ROUTES if re.search(r"\{(?!org\})", r[1])]

# A valid body for every route that takes one, so validation never answers before the
# ownership check does. `{name}` placeholders are this organization's ids.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/tags"): {"title": "new"},
    ("PUT", "/tags/{tag_id}"): {"title": "renamed"},
    ("POST", "/checklists/tags"): {
        "tag_id": "{tag_id}",
        "subject_type": "Run",
        "subject_id": "{process_id}",
    },
    ("POST", "/checklists"): {"title": "new"},
    ("PUT", "/checklists/{template_id}"): {"title": "renamed"},
    ("POST", "/checklists/{template_id}/steps"): {"title": "new"},
    ("PUT", "/checklists/{template_id}/steps/{step_id}"): {"title": "renamed"},
    ("PUT", "/checklists/{template_id}/steps/{step_id}/reorder"): {"position": 1},
    ("POST", "/checklists/{template_id}/steps/{step_id}/captures"): {
        "field_type": "text",
        "label": "new",
    },
    ("PUT", "/checklists/{template_id}/steps/{step_id}/captures/{capture_id}"): {"label": "x"},
    ("POST", "/runs"): {"checklist_id": "{template_id}"},
    ("PUT", "/runs/{process_id}"): {"name": "renamed"},
    ("PUT", "/runs/{process_id}/tasks/{task_id}"): {"title": "renamed"},
    ("POST", "/runs/{process_id}/completed-tasks"): {"task_id": "{task_id}"},
    ("POST", "/tasks"): {"title": "new", "owners": {"users": []}, "deadline": "2030-01-01"},
    ("PUT", "/tasks/{task_id}"): {"title": "renamed"},
    ("POST", "/completed-tasks"): {"task_id": "{oneoff_id}"},
    ("POST", "/tasks/{task_id}/comment"): {"content": "hello"},
    ("PUT", "/tasks/{task_id}/comment/{comment_id}"): {"content": "edited"},
}


def fill(value: Any, ids: dict[str, Any]) -> Any:
    if isinstance(value, str):
        return re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), value)
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    return value


@pytest.fixture
def ids(world: World) -> dict[str, Any]:
    """One object of every kind in the test organization."""
    api = world.admin
    run, tasks = make_run(api, steps=1)
    step = steps_of(api, run["checklist_id"])[0]
    capture = add_capture(api, run["checklist_id"], step["id"])
    comment = ok(api.post(f"/tasks/{tasks[0]['id']}/comment", {"content": "x"}), 201)["data"]
    tag = ok(api.post("/tags", {"title": "mine"}), 201)["data"]
    body = {"tag_id": tag["id"], "subject_type": "Run", "subject_id": run["id"]}
    tagging = ok(api.post("/checklists/tags", body))["data"]
    oneoff = make_oneoff(api, owner=world.org.admin.user_id)
    return {
        "org": world.org.id,
        "template_id": run["checklist_id"],
        "step_id": step["id"],
        "capture_id": capture["id"],
        "process_id": run["id"],
        "task_id": tasks[0]["id"],
        "oneoff_id": oneoff["id"],
        "comment_id": comment["id"],
        "tag_id": tag["id"],
        "tagging_id": tagging["id"],
        "user_id": world.org.standard.user_id,
    }


def request(api: Api, method: str, path: str, ids: dict[str, Any]) -> Any:
    relative = fill(path.removeprefix("/organizations/{org}"), ids)
    body = BODIES.get((method, path.removeprefix("/organizations/{org}")))
    return api.request(method, relative, json=fill(body, ids) if body else None)


def test_every_route_with_a_body_has_one_here() -> None:
    needing = {
        (m.upper(), p.removeprefix("/api/organizations/{org}"))
        for p, ops in PATHS.items()
        for m, op in ops.items()
        if "requestBody" in op
    }
    assert needing == set(BODIES)


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_route_needs_a_token(world: World, method: str, path: str) -> None:
    url = "/api" + path.replace("{org}", world.org.id)
    url = re.sub(r"\{\w+\}", "0" * 32, url).replace("/users/" + "0" * 32, "/users/1")
    response = world.client.request(method, url)
    assert response.status_code == 401, (method, path, response.text)


@pytest.mark.parametrize(("method", "path"), ORG_ROUTES)
def test_another_organizations_admin_gets_404_on_every_route_here(
    world: World, ids: dict[str, Any], method: str, path: str
) -> None:
    before = snapshot(world.settings, skip=())
    response = request(world.outsider, method, path, ids)
    assert response.status_code == 404, (method, path, response.text)
    assert response.json()["code"] == "RESOURCE_NOT_FOUND"
    assert snapshot(world.settings, skip=()) == before


@pytest.mark.parametrize(("method", "path"), ID_ROUTES)
def test_ids_of_this_organization_are_404_in_another(
    world: World, ids: dict[str, Any], method: str, path: str
) -> None:
    before = snapshot(world.settings, skip=())
    theirs = {**ids, "org": world.other.id}
    response = request(world.other_admin, method, path, theirs)
    assert response.status_code == 404, (method, path, response.text)
    assert snapshot(world.settings, skip=()) == before


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/runs", {"checklist_id": "{template_id}"}, 422),
        ("/checklists/tags", BODIES[("POST", "/checklists/tags")], 422),
        ("/completed-tasks", {"task_id": "{oneoff_id}"}, 404),
        (
            "/tasks",
            {"title": "x", "owners": {"users": ["{user_id}"]}, "deadline": "2030-01-01"},
            422,
        ),
    ],
)
def test_ids_of_this_organization_in_another_ones_bodies_are_refused(
    world: World, ids: dict[str, Any], path: str, body: dict[str, Any], status: int
) -> None:
    """Ids sent in a body: Tallyfy answers 422 for a launch or a tag on an object it cannot
    see, 404 for a task to complete; either way nothing changes and nothing leaks."""
    before = snapshot(world.settings, skip=())
    response = world.other_admin.post(path, fill(body, ids))
    assert response.status_code == status, response.text
    assert snapshot(world.settings, skip=()) == before
