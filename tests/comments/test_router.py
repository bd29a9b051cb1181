"""Comments (threads) on tasks: add, read through `?with=threads`, edit and delete."""

import time
from typing import Any

import pytest

from tests.conftest import Api, World
from tests.factories import launch, make_oneoff, make_run, make_template, ok, steps_of, tasks_of
from tests.processes.builders import (
    MISSING_ID,
    bad_token,
    counts,
    forbidden,
    invalid,
    not_found,
    unauthenticated,
)

ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("POST", "/tasks/{task}/comment", {"content": "Hello"}),
    ("PUT", "/tasks/{task}/comment/{comment}", {"content": "Edited"}),
    ("DELETE", "/tasks/{task}/comment/{comment}", None),
]
COMMENT_ROUTES = ROUTES[1:]


def route_id(route: tuple[str, str, Any]) -> str:
    return f"{route[0]} {route[1]}"


def call(api: Api, route: tuple[str, str, dict[str, Any] | None], **ids: str) -> Any:
    method, path, body = route
    return api.request(method, path.format(**ids), json=body)


def add(api: Api, task_id: str, content: str = "Hello", **fields: Any) -> dict[str, Any]:
    return ok(api.post(f"/tasks/{task_id}/comment", {"content": content, **fields}), 201)["data"]


def threads(api: Api, task_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = ok(api.get(f"/tasks/{task_id}?with=threads"))["data"]["threads"][
        "data"
    ]
    return found


@pytest.fixture
def task(api: Api) -> dict[str, Any]:
    return make_run(api, steps=1)[1][0]


@pytest.fixture
def comment(api: Api, task: dict[str, Any]) -> dict[str, Any]:
    return add(api, task["id"], "First!")


@pytest.fixture
def shared_task(world: World, api: Api) -> dict[str, Any]:
    """A process task assigned to both the standard and the light member."""
    template = make_template(api, steps=1)
    step = steps_of(api, template["id"])[0]
    users = [world.org.standard.user_id, world.org.light.user_id]
    run = launch(api, template["id"], tasks={step["id"]: {"owners": {"users": users}}})
    return tasks_of(api, run["id"])[0]


# ---------------------------------------------------------------- authentication and tenancy


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_every_comment_route_answers_401_without_a_token(
    world: World, comment: dict[str, Any], route: Any
) -> None:
    unauthenticated(call(world.anonymous, route, task=comment["task_id"], comment=comment["id"]))


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_every_comment_route_answers_401_with_an_unknown_token(
    world: World, comment: dict[str, Any], route: Any
) -> None:
    unauthenticated(call(bad_token(world), route, task=comment["task_id"], comment=comment["id"]))


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_every_comment_route_answers_404_to_a_member_of_another_organization(
    world: World, comment: dict[str, Any], route: Any
) -> None:
    not_found(call(world.outsider, route, task=comment["task_id"], comment=comment["id"]))

    assert [c["content"] for c in threads(world.admin, comment["task_id"])] == ["First!"]


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_every_comment_route_answers_404_for_a_task_of_another_organization(
    world: World, comment: dict[str, Any], route: Any
) -> None:
    foreign_task = make_run(world.other_admin, steps=1)[1][0]
    before = counts(world, "comments")

    not_found(call(world.admin, route, task=foreign_task["id"], comment=comment["id"]))

    assert counts(world, "comments") == before


@pytest.mark.parametrize("route", COMMENT_ROUTES, ids=route_id)
def test_every_comment_route_answers_404_for_a_comment_of_another_organization(
    world: World, task: dict[str, Any], route: Any
) -> None:
    foreign_task = make_run(world.other_admin, steps=1)[1][0]
    foreign = add(world.other_admin, foreign_task["id"], "Theirs")

    not_found(call(world.admin, route, task=task["id"], comment=foreign["id"]))

    assert [c["content"] for c in threads(world.other_admin, foreign_task["id"])] == ["Theirs"]


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_every_comment_route_answers_404_for_missing_ids(
    world: World, comment: dict[str, Any], route: Any
) -> None:
    not_found(call(world.admin, route, task=MISSING_ID, comment=comment["id"]))
    if route in COMMENT_ROUTES:
        not_found(call(world.admin, route, task=comment["task_id"], comment=MISSING_ID))


@pytest.mark.parametrize("route", COMMENT_ROUTES, ids=route_id)
def test_a_comment_addressed_through_another_task_is_not_found(
    api: Api, comment: dict[str, Any], route: Any
) -> None:
    other_task = make_run(api, steps=1)[1][0]

    not_found(call(api, route, task=other_task["id"], comment=comment["id"]))


# ---------------------------------------------------------------- add and read


def test_add_comment_answers_201_with_the_caller_as_author(
    world: World, api: Api, task: dict[str, Any]
) -> None:
    response = api.post(
        f"/tasks/{task['id']}/comment",
        {"content": "Looks good", "sent_to": [world.org.standard.user_id], "unknown": 1},
    )

    comment = ok(response, 201)["data"]
    assert len(comment["id"]) == 32
    assert comment["task_id"] == task["id"]
    assert comment["content"] == "Looks good"
    assert comment["author_id"] == world.org.admin.user_id
    assert comment["author_type"] == "member"
    assert (comment["label"], comment["state"]) == ("comment", "open")
    assert comment["sent_to"] == [world.org.standard.user_id]
    assert comment["archived_at"] is None
    assert comment["created_at"].endswith("Z")
    assert comment["updated_at"].endswith("Z")


def test_comments_are_read_through_the_tasks_threads_oldest_first(world: World, api: Api) -> None:
    run, tasks = make_run(api, steps=1)
    first = add(api, tasks[0]["id"], "First")
    second = add(world.standard, tasks[0]["id"], "Second")

    by_run = ok(api.get(f"/runs/{run['id']}/tasks/{tasks[0]['id']}?with=threads"))["data"]
    by_task = threads(api, tasks[0]["id"])

    assert by_run["threads"] == {"data": [first, second]}
    assert by_task == [first, second]
    assert by_run["threads_count"] == 2
    assert second["author_id"] == world.org.standard.user_id


def test_add_comment_on_a_oneoff_task(world: World, api: Api) -> None:
    oneoff = make_oneoff(api, owner=world.org.standard.user_id)

    comment = add(world.standard, oneoff["id"], "Will do")

    assert threads(api, oneoff["id"]) == [comment]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"content": ""}, "content"),
        ({"content": None}, "content"),
        ({}, "content"),
        ({"content": "x", "label": "shout"}, "label"),
        ({"content": "x", "state": "hidden"}, "state"),
        ({"content": "x", "sent_to": [999_999]}, "sent_to"),
        ({"content": "x", "sent_to": "everyone"}, "sent_to"),
    ],
)
def test_add_comment_with_an_invalid_field_answers_422_and_adds_nothing(
    world: World, api: Api, task: dict[str, Any], body: dict[str, Any], field: str
) -> None:
    invalid(api.post(f"/tasks/{task['id']}/comment", body), field)

    assert counts(world, "comments") == {"comments": 0}


def test_add_comment_on_a_task_of_an_archived_run_answers_422(api: Api) -> None:
    run, tasks = make_run(api, steps=1)
    ok(api.delete(f"/runs/{run['id']}"))

    invalid(api.post(f"/tasks/{tasks[0]['id']}/comment", {"content": "Hi"}), code="ARCHIVED")


def test_add_comment_on_an_archived_oneoff_task_answers_422(world: World, api: Api) -> None:
    oneoff = make_oneoff(api, owner=world.org.admin.user_id)
    assert api.delete(f"/tasks/{oneoff['id']}").status_code == 204

    invalid(api.post(f"/tasks/{oneoff['id']}/comment", {"content": "Hi"}), code="ARCHIVED")


def test_light_member_may_comment_on_their_own_task_but_not_someone_elses(
    world: World, api: Api, task: dict[str, Any], shared_task: dict[str, Any]
) -> None:
    comment = add(world.light, shared_task["id"], "Mine")

    assert comment["author_id"] == world.org.light.user_id
    forbidden(world.light.post(f"/tasks/{task['id']}/comment", {"content": "Not mine"}))
    assert threads(api, task["id"]) == []


def test_a_problem_comment_flags_its_task(api: Api, task: dict[str, Any]) -> None:
    problem = add(api, task["id"], "Blocked", label="problem")

    assert problem["label"] == "problem"
    assert problem["resolve_id"] is None
    assert ok(api.get(f"/tasks/{task['id']}"))["data"]["problem"] is True


# ---------------------------------------------------------------- update


def test_author_may_edit_their_comment(world: World, api: Api, shared_task: dict[str, Any]) -> None:
    comment = add(world.standard, shared_task["id"], "Draft")

    edited = ok(
        world.standard.put(
            f"/tasks/{shared_task['id']}/comment/{comment['id']}",
            {"content": "Final", "state": "collapsed"},
        )
    )["data"]

    assert (edited["id"], edited["content"], edited["state"]) == (
        comment["id"],
        "Final",
        "collapsed",
    )
    assert edited["label"] == "comment"
    assert edited["author_id"] == world.org.standard.user_id
    assert threads(api, shared_task["id"]) == [edited]


def test_admin_may_edit_someone_elses_comment(
    world: World, api: Api, shared_task: dict[str, Any]
) -> None:
    comment = add(world.standard, shared_task["id"], "Typo")

    edited = ok(
        api.put(f"/tasks/{shared_task['id']}/comment/{comment['id']}", {"content": "Fixed"})
    )["data"]

    assert edited["content"] == "Fixed"
    assert edited["author_id"] == world.org.standard.user_id


@pytest.mark.parametrize(("author", "editor"), [("admin", "standard"), ("standard", "light")])
def test_a_non_admin_may_not_edit_or_delete_someone_elses_comment(
    world: World, shared_task: dict[str, Any], author: str, editor: str
) -> None:
    comment = add(getattr(world, author), shared_task["id"], "Theirs")
    caller: Api = getattr(world, editor)
    path = f"/tasks/{shared_task['id']}/comment/{comment['id']}"

    forbidden(caller.put(path, {"content": "Hijacked"}))
    forbidden(caller.delete(path))

    assert threads(world.admin, shared_task["id"]) == [comment]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"content": ""}, "content"),
        ({"label": "shout"}, "label"),
        ({"sent_to": [999_999]}, "sent_to"),
    ],
)
def test_edit_comment_with_an_invalid_field_answers_422_and_changes_nothing(
    api: Api, comment: dict[str, Any], body: dict[str, Any], field: str
) -> None:
    invalid(api.put(f"/tasks/{comment['task_id']}/comment/{comment['id']}", body), field)

    assert threads(api, comment["task_id"]) == [comment]


def test_edit_comment_of_an_archived_run_answers_422(api: Api) -> None:
    run, tasks = make_run(api, steps=1)
    comment = add(api, tasks[0]["id"])
    ok(api.delete(f"/runs/{run['id']}"))

    response = api.put(f"/tasks/{tasks[0]['id']}/comment/{comment['id']}", {"content": "No"})

    invalid(response, code="ARCHIVED")


# ---------------------------------------------------------------- delete


def test_delete_comment_answers_it_archived_and_removes_it_from_threads(
    api: Api, comment: dict[str, Any]
) -> None:
    kept = add(api, comment["task_id"], "Kept")
    path = f"/tasks/{comment['task_id']}/comment/{comment['id']}"

    deleted = ok(api.delete(path))["data"]

    assert deleted["id"] == comment["id"]
    assert deleted["content"] == "First!"
    assert deleted["archived_at"] is not None
    assert threads(api, comment["task_id"]) == [kept]
    assert ok(api.get(f"/tasks/{comment['task_id']}"))["data"]["threads_count"] == 1
    not_found(api.delete(path))
    not_found(api.put(path, {"content": "Back?"}))


def test_author_may_delete_their_comment_and_admin_anyones(
    world: World, api: Api, shared_task: dict[str, Any]
) -> None:
    own = add(world.light, shared_task["id"], "Mine")
    other = add(world.standard, shared_task["id"], "Theirs")
    base = f"/tasks/{shared_task['id']}/comment"

    assert ok(world.light.delete(f"{base}/{own['id']}"))["data"]["archived_at"] is not None
    assert ok(api.delete(f"{base}/{other['id']}"))["data"]["archived_at"] is not None
    assert threads(api, shared_task["id"]) == []


def test_deleting_the_open_problem_clears_the_tasks_flag(api: Api, task: dict[str, Any]) -> None:
    problem = add(api, task["id"], "Blocked", label="problem")

    ok(api.delete(f"/tasks/{task['id']}/comment/{problem['id']}"))

    assert ok(api.get(f"/tasks/{task['id']}"))["data"]["problem"] is False


def test_a_deleted_comment_stays_deleted_when_its_run_is_archived_and_restored(api: Api) -> None:
    run, tasks = make_run(api, steps=1)
    deleted = add(api, tasks[0]["id"], "Gone")
    kept = add(api, tasks[0]["id"], "Kept")
    ok(api.delete(f"/tasks/{tasks[0]['id']}/comment/{deleted['id']}"))

    ok(api.delete(f"/runs/{run['id']}"))
    ok(api.put(f"/runs/{run['id']}/activate"))

    assert threads(api, tasks[0]["id"]) == [kept]


def test_a_comment_is_activity_on_its_run_and_leaves_its_status_and_progress(api: Api) -> None:
    run, tasks = make_run(api, steps=2)
    ok(api.post(f"/runs/{run['id']}/completed-tasks", {"task_id": tasks[1]["id"]}))
    before = ok(api.get(f"/runs/{run['id']}"))["data"]
    assert (before["status"], before["progress"]["complete"]) == ("active", 1)
    time.sleep(0.002)  # stored to the millisecond
    ok(api.post(f"/tasks/{tasks[0]['id']}/comment", {"content": "Invoice attached"}), 201)
    after = ok(api.get(f"/runs/{run['id']}"))["data"]
    assert after["last_updated"] > before["last_updated"]
    assert (after["status"], after["progress"]) == (before["status"], before["progress"])
