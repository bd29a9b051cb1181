"""Resource x case: the status codes and bodies of the lifecycle table (reference 2.9)."""

import pytest

from tests.conftest import Api, World
from tests.factories import ok
from tests.lifecycle.resources import RESOURCES, Resource

MISSING = "0" * 32

each_resource = pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: r.name)


@each_resource
def test_archive_hides_from_default_lists_and_keeps_the_object_readable(
    world: World, resource: Resource
) -> None:
    obj = resource.create(world)
    response = resource.archive(world.admin, obj["id"])
    assert response.status_code == resource.archive_status
    if resource.archive_status == 200:
        assert response.json()["data"][resource.archived_field] is not None
    else:
        assert response.content == b""
    assert obj["id"] not in resource.listed_ids(world.admin)
    assert obj["id"] in resource.listed_ids(world.admin, archived="only")
    assert obj["id"] in resource.listed_ids(world.admin, archived="true")
    assert resource.read(world.admin, obj["id"])[resource.archived_field] is not None


def test_archived_run_reads_as_archived_and_restores_its_previous_status(world: World) -> None:
    run = RESOURCES[0].create(world)
    archived = ok(world.admin.delete(f"/runs/{run['id']}"))["data"]
    assert archived["status"] == "archived"
    restored = ok(world.admin.put(f"/runs/{run['id']}/activate"))["data"]
    assert restored["status"] == "active"
    assert restored["archived_at"] is None


def test_archived_template_answers_with_message_and_empty_references(world: World) -> None:
    template = RESOURCES[1].create(world)
    body = ok(world.admin.delete(f"/checklists/{template['id']}"))
    assert body["message"] == "The template was archived."
    assert body["deleted_references"] == []
    assert body["data"]["id"] == template["id"]


@each_resource
def test_restore_brings_the_object_back_into_default_lists(
    world: World, resource: Resource
) -> None:
    obj = resource.create(world)
    resource.archive(world.admin, obj["id"])
    body = ok(resource.restore(world.admin, obj["id"]))["data"]
    assert body["id"] == obj["id"]
    assert body[resource.archived_field] is None
    assert obj["id"] in resource.listed_ids(world.admin)


@each_resource
def test_purge_of_a_live_object_is_422_and_changes_nothing(
    world: World, resource: Resource
) -> None:
    obj = resource.create(world)
    response = resource.purge(world.admin, obj["id"])
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "NOT_ARCHIVED"
    assert "archived" in body["message"]
    assert resource.read(world.admin, obj["id"])[resource.archived_field] is None


@each_resource
def test_purge_of_an_archived_object_removes_it(world: World, resource: Resource) -> None:
    obj = resource.create(world)
    resource.archive(world.admin, obj["id"])
    response = resource.purge(world.admin, obj["id"])
    assert response.status_code == resource.purge_status
    if resource.name == "template":
        assert response.json() == {
            "message": "The template was permanently deleted.",
            "deleted_references": [],
        }
    else:
        assert response.content == b""
    assert world.admin.get(resource.path(obj["id"])).status_code == 404
    assert obj["id"] not in resource.listed_ids(world.admin, archived="true")


@each_resource
@pytest.mark.parametrize("member", ["standard", "light"])
def test_purge_by_a_non_admin_is_403_whatever_the_state(
    world: World, resource: Resource, member: str
) -> None:
    obj = resource.create(world)
    caller = getattr(world, member)
    assert resource.purge(caller, obj["id"]).status_code == 403
    resource.archive(world.admin, obj["id"])
    response = resource.purge(caller, obj["id"])
    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"
    assert resource.read(world.admin, obj["id"])[resource.archived_field] is not None


@each_resource
def test_light_members_may_not_archive_or_restore(world: World, resource: Resource) -> None:
    obj = resource.create(world)
    assert resource.archive(world.light, obj["id"]).status_code == 403
    resource.archive(world.admin, obj["id"])
    assert resource.restore(world.light, obj["id"]).status_code == 403
    assert resource.read(world.admin, obj["id"])[resource.archived_field] is not None


@each_resource
@pytest.mark.parametrize("operation", ["archive", "restore", "purge"])
def test_another_organization_gets_404_and_changes_nothing(
    world: World, resource: Resource, operation: str
) -> None:
    obj = resource.create(world)
    if operation != "archive":
        resource.archive(world.admin, obj["id"])
    before = resource.read(world.admin, obj["id"])
    response = getattr(resource, operation)(world.outsider, obj["id"])
    assert response.status_code == 404
    assert response.json()["code"] == "RESOURCE_NOT_FOUND"
    foreign = Api(world.client, world.other.id, world.other.admin.token)
    assert getattr(resource, operation)(foreign, obj["id"]).status_code == 404
    assert resource.read(world.admin, obj["id"]) == before


@each_resource
@pytest.mark.parametrize("operation", ["archive", "restore", "purge"])
@pytest.mark.parametrize("member", ["admin", "standard", "light"])
def test_missing_id_is_404_before_any_role_check(
    world: World, resource: Resource, operation: str, member: str
) -> None:
    response = getattr(resource, operation)(getattr(world, member), MISSING)
    assert response.status_code == 404


@each_resource
@pytest.mark.parametrize("operation", ["archive", "restore", "purge"])
def test_lifecycle_calls_without_a_token_are_401(
    world: World, resource: Resource, operation: str
) -> None:
    obj = resource.create(world)
    assert getattr(resource, operation)(world.anonymous, obj["id"]).status_code == 401


@each_resource
def test_archive_twice_succeeds_and_keeps_the_first_archived_at(
    world: World, resource: Resource
) -> None:
    obj = resource.create(world)
    resource.archive(world.admin, obj["id"])
    first = resource.read(world.admin, obj["id"])[resource.archived_field]
    assert resource.archive(world.admin, obj["id"]).status_code == resource.archive_status
    assert resource.read(world.admin, obj["id"])[resource.archived_field] == first


@each_resource
def test_restore_of_a_live_object_answers_it_unchanged(world: World, resource: Resource) -> None:
    obj = resource.create(world)
    before = resource.read(world.admin, obj["id"])
    response = resource.restore(world.admin, obj["id"])
    assert response.status_code == 200
    assert response.json()["data"][resource.archived_field] is None
    assert resource.read(world.admin, obj["id"]) == before


@each_resource
def test_second_purge_is_404(world: World, resource: Resource) -> None:
    obj = resource.create(world)
    resource.archive(world.admin, obj["id"])
    assert resource.purge(world.admin, obj["id"]).status_code == resource.purge_status
    response = resource.purge(world.admin, obj["id"])
    assert response.status_code == 404
    assert response.json()["code"] == "RESOURCE_NOT_FOUND"
    assert resource.restore(world.admin, obj["id"]).status_code == 404
    assert resource.archive(world.admin, obj["id"]).status_code == 404


@each_resource
def test_dry_run_counts_what_would_go_and_removes_nothing(world: World, resource: Resource) -> None:
    obj = resource.create(world)
    resource.archive(world.admin, obj["id"])
    preview = ok(resource.purge(world.admin, obj["id"], dry_run="true"))
    assert preview["dry_run"] is True
    table = {"run": "processes", "template": "templates", "task": "tasks", "tag": "tags"}
    assert preview["would_delete"][table[resource.name]] == 1
    assert resource.read(world.admin, obj["id"])["id"] == obj["id"]


def test_process_tasks_cannot_be_archived_or_purged_on_their_own(world: World) -> None:
    run = RESOURCES[0].create(world)
    task = ok(world.admin.get(f"/runs/{run['id']}/tasks"))["data"][0]
    for response in (
        world.admin.delete(f"/tasks/{task['id']}"),
        world.admin.put(f"/tasks/{task['id']}/restore"),
        world.admin.delete(f"/tasks/{task['id']}/delete"),
    ):
        assert response.status_code == 422
        assert "process" in response.json()["message"]
