"""One-off (standalone) tasks: create, read, update, complete, reopen, archive, restore and
permanently delete, through `/tasks` and `/completed-tasks`."""

from typing import Any

import pytest

from tests.conftest import Api, World
from tests.factories import make_oneoff, make_run, ok
from tests.processes.builders import (
    MISSING_ID,
    counts,
    forbidden,
    invalid,
    make_tag,
    not_found,
)


@pytest.fixture
def oneoff(world: World, api: Api) -> dict[str, Any]:
    return make_oneoff(api, owner=world.org.standard.user_id, summary="Ask for Jo")


def ids_of(api: Api, path: str, **params: Any) -> set[str]:
    return {t["id"] for t in ok(api.get(path, params=params))["data"]}


# ---------------------------------------------------------------- create


def test_create_oneoff_task_answers_201_with_a_task_outside_any_run(world: World, api: Api) -> None:
    response = api.post(
        "/tasks",
        {
            "title": "Call the client",
            "summary": "Ask for Jo",
            "owners": {"users": [world.org.standard.user_id], "guests": ["jane@example.com"]},
            "deadline": "2030-01-31 17:00:00",
            "task_type": "expiring",
            "prevent_guest_comment": True,
        },
    )

    task = ok(response, 201)["data"]
    assert len(task["id"]) == 32
    assert (task["title"], task["summary"], task["task_type"]) == (
        "Call the client",
        "Ask for Jo",
        "expiring",
    )
    assert (task["run_id"], task["checklist_id"], task["step_id"]) == (None, None, None)
    assert task["is_oneoff_task"] is True
    assert task["status"] == "not-started"
    assert task["deadline"] == "2030-01-31T17:00:00.000Z"
    assert task["owners"]["users"] == [world.org.standard.user_id]
    assert task["owners"]["guests"] == ["jane@example.com"]
    assert task["starter_id"] == world.org.admin.user_id
    assert task["prevent_guest_comment"] is True
    assert ok(api.get(f"/tasks/{task['id']}"))["data"] == task


def test_create_oneoff_task_accepts_name_and_description_as_aliases(world: World, api: Api) -> None:
    body = {
        "name": "Aliased",
        "description": "Described",
        "owners": {"users": [world.org.admin.user_id]},
        "deadline": "2030-01-31T17:00:00Z",
    }

    task = ok(api.post("/tasks", body), 201)["data"]

    assert (task["title"], task["summary"]) == ("Aliased", "Described")


def test_create_oneoff_task_applies_its_tags(world: World, api: Api) -> None:
    tag = make_tag(api)

    task = make_oneoff(api, owner=world.org.admin.user_id, tags=[tag["id"]])

    tags = ok(api.get(f"/tasks/{task['id']}?with=tags"))["data"]["tags"]["data"]
    assert [t["tag_id"] for t in tags] == [tag["id"]]


def test_standard_member_may_create_a_oneoff_task(world: World) -> None:
    task = make_oneoff(world.standard, owner=world.org.light.user_id)

    assert task["starter_id"] == world.org.standard.user_id


def test_light_member_may_not_create_a_oneoff_task(world: World) -> None:
    before = counts(world, "tasks", "task_owners")
    body = {
        "title": "Mine",
        "owners": {"users": [world.org.light.user_id]},
        "deadline": "2030-01-31 17:00:00",
    }

    forbidden(world.light.post("/tasks", body))

    assert counts(world, "tasks", "task_owners") == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": None}, "title"),
        ({"title": ""}, "title"),
        ({"title": "x" * 601}, "title"),
        ({"deadline": None}, "deadline"),
        ({"deadline": "next week"}, "deadline"),
        ({"owners": None}, "owners"),
        ({"owners": {}}, "owners"),
        ({"owners": {"users": [999_999]}}, "owners.users"),
        ({"task_type": "chore"}, "task_type"),
        ({"tags": [MISSING_ID]}, "tags"),
    ],
)
def test_create_oneoff_task_with_an_invalid_field_answers_422_and_creates_nothing(
    world: World, api: Api, change: dict[str, Any], field: str
) -> None:
    body = {
        "title": "Call the client",
        "owners": {"users": [world.org.admin.user_id]},
        "deadline": "2030-01-31 17:00:00",
    }
    body = {k: v for k, v in {**body, **change}.items() if v is not None}
    before = counts(world, "tasks", "task_owners", "taggings")

    invalid(api.post("/tasks", body), field)

    assert counts(world, "tasks", "task_owners", "taggings") == before


# ---------------------------------------------------------------- get and update


def test_get_task_answers_a_process_task_too(api: Api) -> None:
    run, tasks = make_run(api, steps=1)

    task = ok(api.get(f"/tasks/{tasks[0]['id']}?with=threads"))["data"]

    assert task["run_id"] == run["id"]
    assert task["threads"] == {"data": []}


def test_get_oneoff_task_with_threads_wraps_its_comments(api: Api, oneoff: dict[str, Any]) -> None:
    ok(api.post(f"/tasks/{oneoff['id']}/comment", {"content": "On it"}), 201)

    task = ok(api.get(f"/tasks/{oneoff['id']}", params={"with": "threads"}))["data"]

    assert [c["content"] for c in task["threads"]["data"]] == ["On it"]
    assert task["threads_count"] == 1


def test_update_oneoff_task_changes_only_what_it_is_sent(
    world: World, api: Api, oneoff: dict[str, Any]
) -> None:
    body = {
        "name": "Call Acme",
        "deadline": "2031-05-01 08:30:00",
        "owners": {"users": [world.org.light.user_id]},
    }

    updated = ok(api.put(f"/tasks/{oneoff['id']}", body))["data"]

    assert updated["title"] == "Call Acme"
    assert updated["summary"] == "Ask for Jo"
    assert updated["deadline"] == "2031-05-01T08:30:00.000Z"
    assert updated["owners"]["users"] == [world.org.light.user_id]
    assert updated["status"] == "in-progress"
    assert ok(api.get(f"/tasks/{oneoff['id']}"))["data"] == updated


def test_update_of_a_process_task_through_tasks_works(api: Api) -> None:
    run, tasks = make_run(api, steps=1)

    updated = ok(api.put(f"/tasks/{tasks[0]['id']}", {"summary": "Directly"}))["data"]

    assert updated["summary"] == "Directly"
    assert updated["run_id"] == run["id"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": None}, "title"),
        ({"name": ""}, "name"),
        ({"deadline": "whenever"}, "deadline"),
        ({"owners": {"users": [999_999]}}, "owners.users"),
        ({"max_assignable": -1}, "max_assignable"),
    ],
)
def test_update_oneoff_task_with_an_invalid_field_answers_422_and_changes_nothing(
    api: Api, oneoff: dict[str, Any], body: dict[str, Any], field: str
) -> None:
    invalid(api.put(f"/tasks/{oneoff['id']}", body), field)

    assert ok(api.get(f"/tasks/{oneoff['id']}"))["data"] == oneoff


def test_light_member_may_only_fill_in_their_own_oneoff_task(world: World, api: Api) -> None:
    own = make_oneoff(api, owner=world.org.light.user_id)
    other = make_oneoff(api, owner=world.org.standard.user_id)

    assert ok(world.light.put(f"/tasks/{own['id']}", {"taskdata": {}}))["data"]["id"] == own["id"]
    forbidden(world.light.put(f"/tasks/{own['id']}", {"summary": "Mine"}))
    forbidden(world.light.put(f"/tasks/{other['id']}", {"taskdata": {}}))


# ---------------------------------------------------------------- complete and reopen


def test_complete_oneoff_task_through_completed_tasks(
    world: World, api: Api, oneoff: dict[str, Any]
) -> None:
    body = ok(api.post("/completed-tasks", {"task_id": oneoff["id"]}))

    assert "tasks_changed_by_rules" not in body
    task = body["data"]
    assert task["status"] == "completed"
    assert task["completer_id"] == world.org.admin.user_id
    assert task["completed_at"] is not None
    assert ids_of(api, "/tasks", status="complete") == {oneoff["id"]}


def test_complete_an_already_completed_oneoff_task_answers_422(
    api: Api, oneoff: dict[str, Any]
) -> None:
    ok(api.post("/completed-tasks", {"task_id": oneoff["id"]}))

    invalid(api.post("/completed-tasks", {"task_id": oneoff["id"]}))


def test_complete_a_process_task_through_completed_tasks_answers_422(api: Api) -> None:
    run, tasks = make_run(api, steps=1)

    invalid(api.post("/completed-tasks", {"task_id": tasks[0]["id"]}))

    assert ok(api.get(f"/runs/{run['id']}/tasks/{tasks[0]['id']}"))["data"]["status"] == (
        "not-started"
    )


def test_complete_a_missing_oneoff_task_answers_404(world: World, api: Api) -> None:
    foreign = make_oneoff(world.other_admin, owner=world.other.admin.user_id)

    not_found(api.post("/completed-tasks", {"task_id": MISSING_ID}))
    not_found(api.post("/completed-tasks", {"task_id": foreign["id"]}))
    invalid(api.post("/completed-tasks", {}), "task_id")


def test_reopen_oneoff_task_clears_its_completion(api: Api, oneoff: dict[str, Any]) -> None:
    ok(api.post("/completed-tasks", {"task_id": oneoff["id"]}))

    task = ok(api.delete(f"/completed-tasks/{oneoff['id']}"))["data"]

    assert task["status"] == "in-progress"
    assert (task["completed_at"], task["completer_id"]) == (None, None)


def test_reopen_an_open_oneoff_task_answers_422(api: Api, oneoff: dict[str, Any]) -> None:
    invalid(api.delete(f"/completed-tasks/{oneoff['id']}"))


def test_reopen_a_process_task_through_completed_tasks_answers_422(api: Api) -> None:
    run, tasks = make_run(api, steps=2)
    ok(api.post(f"/runs/{run['id']}/completed-tasks", {"task_id": tasks[0]["id"]}))

    invalid(api.delete(f"/completed-tasks/{tasks[0]['id']}"))


def test_light_member_may_complete_their_own_oneoff_task_but_not_someone_elses(
    world: World, api: Api
) -> None:
    own = make_oneoff(api, owner=world.org.light.user_id)
    other = make_oneoff(api, owner=world.org.standard.user_id)

    assert ok(world.light.post("/completed-tasks", {"task_id": own["id"]}))["data"]["status"] == (
        "completed"
    )
    assert ok(world.light.delete(f"/completed-tasks/{own['id']}"))["data"]["status"] == (
        "in-progress"
    )
    forbidden(world.light.post("/completed-tasks", {"task_id": other["id"]}))
    ok(api.post("/completed-tasks", {"task_id": other["id"]}))
    forbidden(world.light.delete(f"/completed-tasks/{other['id']}"))


# ---------------------------------------------------------------- archive, restore, delete


def test_archive_oneoff_task_answers_204_and_hides_it(api: Api, oneoff: dict[str, Any]) -> None:
    response = api.delete(f"/tasks/{oneoff['id']}")

    assert response.status_code == 204
    assert response.content == b""
    assert ids_of(api, "/tasks") == set()
    assert ids_of(api, "/tasks", archived="only") == {oneoff["id"]}
    assert ok(api.get(f"/tasks/{oneoff['id']}"))["data"]["archived_at"] is not None
    assert api.delete(f"/tasks/{oneoff['id']}").status_code == 204


def test_an_archived_oneoff_task_may_not_be_changed(api: Api, oneoff: dict[str, Any]) -> None:
    assert api.delete(f"/tasks/{oneoff['id']}").status_code == 204

    invalid(api.put(f"/tasks/{oneoff['id']}", {"title": "No"}), code="ARCHIVED")
    invalid(api.post("/completed-tasks", {"task_id": oneoff["id"]}), code="ARCHIVED")


def test_restore_oneoff_task_brings_it_back(api: Api, oneoff: dict[str, Any]) -> None:
    assert api.delete(f"/tasks/{oneoff['id']}").status_code == 204

    restored = ok(api.put(f"/tasks/{oneoff['id']}/restore"))["data"]

    assert restored["archived_at"] is None
    assert ids_of(api, "/tasks") == {oneoff["id"]}


@pytest.mark.parametrize("action", ["archive", "restore", "delete"])
def test_oneoff_lifecycle_on_a_process_task_answers_422(api: Api, action: str) -> None:
    _, tasks = make_run(api, steps=1)
    path = f"/tasks/{tasks[0]['id']}"
    request = {
        "archive": lambda: api.delete(path),
        "restore": lambda: api.put(f"{path}/restore"),
        "delete": lambda: api.delete(f"{path}/delete"),
    }[action]

    invalid(request())

    assert ok(api.get(path))["data"]["archived_at"] is None


def test_delete_oneoff_task_permanently_answers_204_and_forgets_it(
    world: World, api: Api, oneoff: dict[str, Any]
) -> None:
    assert api.delete(f"/tasks/{oneoff['id']}").status_code == 204

    response = api.delete(f"/tasks/{oneoff['id']}/delete")

    assert response.status_code == 204
    not_found(api.get(f"/tasks/{oneoff['id']}"))
    assert counts(world, "tasks", "task_owners") == {"tasks": 0, "task_owners": 0}


def test_delete_an_active_oneoff_task_permanently_answers_422(
    api: Api, oneoff: dict[str, Any]
) -> None:
    invalid(api.delete(f"/tasks/{oneoff['id']}/delete"), code="NOT_ARCHIVED")

    assert ok(api.get(f"/tasks/{oneoff['id']}"))["data"]["archived_at"] is None


@pytest.mark.parametrize(
    ("member", "action"),
    [
        ("light", "archive"),
        ("light", "restore"),
        ("light", "delete"),
        ("standard", "delete"),
    ],
)
def test_a_member_without_the_role_may_not_archive_restore_or_delete_a_oneoff_task(
    world: World, api: Api, oneoff: dict[str, Any], member: str, action: str
) -> None:
    if action != "archive":
        assert api.delete(f"/tasks/{oneoff['id']}").status_code == 204
    caller: Api = getattr(world, member)
    path = f"/tasks/{oneoff['id']}"
    request = {
        "archive": lambda: caller.delete(path),
        "restore": lambda: caller.put(f"{path}/restore"),
        "delete": lambda: caller.delete(f"{path}/delete"),
    }[action]

    forbidden(request())

    archived = ok(api.get(path))["data"]["archived_at"]
    assert (archived is None) == (action == "archive")
