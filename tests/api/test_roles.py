"""Tallyfy's role rules (reference 1.12) over every write route of the route table: light
members change only their own work, standard members everything but permanent deletes,
other people's comments and the audit trail."""

from typing import Any

import pytest

from tests.api.routes import ORG_ROUTES, request
from tests.conftest import World
from tests.databases import snapshot
from tests.factories import launch, make_template, ok, tasks_of

WRITES = [(m, p) for m, p in ORG_ROUTES if m != "GET"]
ADMIN_ONLY = {
    ("DELETE", "/organizations/{org}/runs/{process_id}/delete"),
    ("DELETE", "/organizations/{org}/checklists/{template_id}/delete"),
    ("DELETE", "/organizations/{org}/tasks/{task_id}/delete"),
    ("DELETE", "/organizations/{org}/tags/{tag_id}/delete"),
    ("PUT", "/organizations/{org}/retention"),
    ("POST", "/organizations/{org}/bulk/delete"),
    ("POST", "/organizations/{org}/retention/run"),
    ("PUT", "/organizations/{org}/runs/{process_id}/legal-hold"),
    ("DELETE", "/organizations/{org}/runs/{process_id}/legal-hold"),
    ("PUT", "/organizations/{org}/checklists/{template_id}/legal-hold"),
    ("DELETE", "/organizations/{org}/checklists/{template_id}/legal-hold"),
    ("POST", "/organizations/{org}/webhooks"),
    ("PUT", "/organizations/{org}/webhooks/{webhook_id}"),
    ("DELETE", "/organizations/{org}/webhooks/{webhook_id}"),
    ("POST", "/organizations/{org}/webhooks/{webhook_id}/deliveries/{delivery_id}/retry"),
    ("POST", "/organizations/{org}/groups"),
    ("PUT", "/organizations/{org}/groups/{group_id}"),
    ("DELETE", "/organizations/{org}/groups/{group_id}"),
    ("PUT", "/organizations/{org}/users/{user_id}/role"),
    ("DELETE", "/organizations/{org}/users/{user_id}/disable"),
    ("PUT", "/organizations/{org}/users/{user_id}/enable"),
    ("PUT", "/organizations/{org}/users/{user_id}/approve"),
}
AUTHOR_OR_ADMIN = {
    ("PUT", "/organizations/{org}/tasks/{task_id}/comment/{comment_id}"),
    ("DELETE", "/organizations/{org}/tasks/{task_id}/comment/{comment_id}"),
}


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_light_member_may_not_write_what_is_not_theirs(
    world: World,
    ids: dict[str, Any],
    method: str,
    path: str,
) -> None:
    before = snapshot(world.settings, skip=())
    response = request(world.light, method, path, ids)
    assert response.status_code == 403, (method, path, response.text)
    assert response.json()["code"] == "FORBIDDEN"
    assert snapshot(world.settings, skip=()) == before


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_standard_member_is_refused_only_admin_and_author_actions(
    world: World,
    ids: dict[str, Any],
    method: str,
    path: str,
) -> None:
    response = request(world.standard, method, path, ids)
    if (method, path) in ADMIN_ONLY | AUTHOR_OR_ADMIN:
        assert response.status_code == 403, (method, path, response.text)
    else:
        assert response.status_code != 403, (method, path, response.text)


def test_only_admins_read_the_audit_trail(world: World) -> None:
    assert world.standard.get("/audit-events").status_code == 403
    assert world.light.get("/audit-events").status_code == 403
    assert world.admin.get("/audit-events").status_code == 200


def test_light_member_works_on_tasks_assigned_to_them(world: World) -> None:
    api = world.admin
    template = make_template(api, steps=1)
    light_id = world.org.light.user_id
    run = launch(api, template["id"])
    task = tasks_of(api, run["id"])[0]
    ok(api.put(f"/runs/{run['id']}/tasks/{task['id']}", {"owners": {"users": [light_id]}}))
    light = world.light
    path = f"/runs/{run['id']}/tasks/{task['id']}"
    assert light.put(path, {"summary": "on it"}).status_code == 403
    assert light.put(path, {"owners": {"users": [world.org.admin.user_id]}}).status_code == 403
    assert ok(light.put(path, {"taskdata": {}}))["data"]["owners"]["users"] == [light_id]
    comment = ok(light.post(f"/tasks/{task['id']}/comment", {"content": "done soon"}), 201)
    assert comment["data"]["author_id"] == light_id
    done = ok(light.post(f"/runs/{run['id']}/completed-tasks", {"task_id": task["id"]}))
    assert done["data"]["completer_id"] == light_id
    reopened = ok(light.delete(f"/runs/{run['id']}/completed-tasks/{task['id']}"))
    assert reopened["data"]["status"] == "in-progress"
    assert [t["id"] for t in ok(light.get("/me/tasks"))["data"]] == [task["id"]]
    assert light.post("/runs", {"checklist_id": template["id"]}).status_code == 403
