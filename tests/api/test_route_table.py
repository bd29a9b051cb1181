"""Tests generated from the app's own route table, so a new endpoint is covered without anyone
remembering: every route needs a token, and another organization never reaches this
organization's objects (404, and the database does not change)."""

import re
from typing import Any

import pytest

from tests.api.routes import BODIES, ID_ROUTES, ORG_ROUTES, PATHS, ROUTES, fill, request
from tests.conftest import World
from tests.databases import snapshot


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
