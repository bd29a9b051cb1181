"""The task routes of a run (list, read, update, complete, reopen), the organization-wide
task lists, and the authentication and tenancy rules of every task route."""

from typing import Any

import pytest

from tests.conftest import Api, World
from tests.factories import launch, make_oneoff, make_run, make_template, ok, steps_of, tasks_of
from tests.processes.builders import (
    MISSING_ID,
    bad_token,
    counts,
    forbidden,
    form_template,
    invalid,
    not_found,
    unauthenticated,
)

ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/runs/{run}/tasks", None),
    ("GET", "/runs/{run}/tasks/{task}", None),
    ("PUT", "/runs/{run}/tasks/{task}", {"title": "Renamed"}),
    ("POST", "/runs/{run}/completed-tasks", {"task_id": "{task}"}),
    ("DELETE", "/runs/{run}/completed-tasks/{task}", None),
    ("GET", "/tasks", None),
    ("POST", "/tasks", {"title": "Call", "owners": {"users": []}, "deadline": "2030-01-01"}),
    ("GET", "/tasks/{oneoff}", None),
    ("PUT", "/tasks/{oneoff}", {"title": "Renamed"}),
    ("DELETE", "/tasks/{oneoff}", None),
    ("PUT", "/tasks/{oneoff}/restore", None),
    ("DELETE", "/tasks/{oneoff}/delete", None),
    ("POST", "/completed-tasks", {"task_id": "{oneoff}"}),
    ("DELETE", "/completed-tasks/{oneoff}", None),
    ("GET", "/me/tasks", None),
    ("GET", "/users/{user}/tasks", None),
]
ID_ROUTES = [route for route in ROUTES if "{" in route[1] or "{" in str(route[2])]
TABLES = ("tasks", "task_fields", "task_owners", "comments", "processes")


def route_id(route: tuple[str, str, Any]) -> str:
    return f"{route[0]} {route[1]}"


def call(api: Api, route: tuple[str, str, dict[str, Any] | None], ids: dict[str, Any]) -> Any:
    method, path, body = route
    if body is not None:
        body = {k: v.format(**ids) if isinstance(v, str) else v for k, v in body.items()}
        if "owners" in body:
            body["owners"] = {"users": [ids["user"]]}
    return api.request(method, path.format(**ids), json=body)


@pytest.fixture
def ids(world: World) -> dict[str, Any]:
    """Ids of this organization's objects, one per placeholder of `ROUTES`."""
    run, tasks = make_run(world.admin, steps=2)
    ok(world.admin.post(f"/runs/{run['id']}/completed-tasks", {"task_id": tasks[1]["id"]}))
    oneoff = make_oneoff(world.admin, owner=world.org.standard.user_id)
    return {
        "run": run["id"],
        "task": tasks[0]["id"],
        "oneoff": oneoff["id"],
        "user": world.org.standard.user_id,
    }


@pytest.fixture
def foreign_ids(world: World) -> dict[str, Any]:
    """The same objects in the other organization."""
    run, tasks = make_run(world.other_admin, steps=1)
    oneoff = make_oneoff(world.other_admin, owner=world.other.standard.user_id)
    return {
        "run": run["id"],
        "task": tasks[0]["id"],
        "oneoff": oneoff["id"],
        "user": world.other.standard.user_id,
    }


def assigned_run(world: World, api: Api, user_id: int, steps: int = 2) -> tuple[Any, list[Any]]:
    """A run whose first task is assigned to `user_id` (the others to the launcher)."""
    template = make_template(api, steps=steps)
    first = steps_of(api, template["id"])[0]
    run = launch(api, template["id"], tasks={first["id"]: {"owners": {"users": [user_id]}}})
    return run, tasks_of(api, run["id"])


def complete(api: Api, run_id: str, task_id: str, **fields: Any) -> Any:
    return api.post(f"/runs/{run_id}/completed-tasks", {"task_id": task_id, **fields})


def task_path(run: dict[str, Any], task: dict[str, Any]) -> str:
    return f"/runs/{run['id']}/tasks/{task['id']}"


# ---------------------------------------------------------------- authentication and tenancy


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_every_task_route_answers_401_without_a_token(
    world: World, ids: dict[str, Any], route: Any
) -> None:
    unauthenticated(call(world.anonymous, route, ids))


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_every_task_route_answers_401_with_an_unknown_token(
    world: World, ids: dict[str, Any], route: Any
) -> None:
    unauthenticated(call(bad_token(world), route, ids))


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_every_task_route_answers_404_to_a_member_of_another_organization(
    world: World, ids: dict[str, Any], route: Any
) -> None:
    before = counts(world, *TABLES)
    not_found(call(world.outsider, route, ids))
    assert counts(world, *TABLES) == before


@pytest.mark.parametrize("route", ID_ROUTES, ids=route_id)
def test_every_task_route_answers_404_for_ids_of_another_organization(
    world: World, ids: dict[str, Any], foreign_ids: dict[str, Any], route: Any
) -> None:
    before = counts(world, *TABLES)
    response = call(world.admin, route, foreign_ids)
    if route[:2] == ("POST", "/tasks"):
        invalid(response, "owners.users")
    else:
        not_found(response)
    assert counts(world, *TABLES) == before


@pytest.mark.parametrize(
    "route", [r for r in ID_ROUTES if r[:2] != ("POST", "/tasks")], ids=route_id
)
def test_every_task_route_answers_404_for_missing_ids(
    world: World, ids: dict[str, Any], route: Any
) -> None:
    missing = {"run": MISSING_ID, "task": MISSING_ID, "oneoff": MISSING_ID, "user": 999_999}
    not_found(call(world.admin, route, missing))


@pytest.mark.parametrize(
    "route",
    [r for r in ROUTES if r[1].startswith("/runs/{run}/") and "{task}" in str(r)],
    ids=route_id,
)
def test_a_task_addressed_through_another_run_is_not_found(
    world: World, api: Api, ids: dict[str, Any], route: Any
) -> None:
    other_run, _ = make_run(api, steps=1)
    not_found(call(api, route, {**ids, "run": other_run["id"]}))


# ---------------------------------------------------------------- list a run's tasks


def test_list_run_tasks_answers_them_in_step_order_with_pagination(api: Api) -> None:
    run, _ = make_run(api, steps=3)

    body = ok(api.get(f"/runs/{run['id']}/tasks", params={"per_page": 2}))

    assert [t["title"] for t in body["data"]] == ["Step 1", "Step 2"]
    pagination = body["meta"]["pagination"]
    assert (pagination["total"], pagination["count"], pagination["total_pages"]) == (3, 2, 2)
    assert "page=2" in pagination["links"]["next"]
    reverse = ok(api.get(f"/runs/{run['id']}/tasks", params={"sort": "-position"}))["data"]
    assert [t["title"] for t in reverse] == ["Step 3", "Step 2", "Step 1"]


def test_list_run_tasks_without_pagination_answers_every_task_in_one_page(api: Api) -> None:
    run, _ = make_run(api, steps=12)

    paged = ok(api.get(f"/runs/{run['id']}/tasks"))
    everything = ok(api.get(f"/runs/{run['id']}/tasks", params={"without_pagination": "true"}))

    assert len(paged["data"]) == 10
    assert len(everything["data"]) == 12
    pagination = everything["meta"]["pagination"]
    assert (pagination["total"], pagination["count"], pagination["total_pages"]) == (12, 12, 1)
    assert pagination["links"] == {}


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (None, ["Step 1", "Step 2", "Step 3"]),
        ("all", ["Step 1", "Step 2", "Step 3"]),
        ("complete", ["Step 1"]),
        ("completed", ["Step 1"]),
        ("active", ["Step 2", "Step 3"]),
        ("incomplete", ["Step 2", "Step 3"]),
        ("inprogress", ["Step 2"]),
        ("in-progress", ["Step 2"]),
        ("not-started", ["Step 3"]),
    ],
)
def test_list_run_tasks_filters_by_status(
    api: Api, status: str | None, expected: list[str]
) -> None:
    run, tasks = make_run(api, steps=3)
    ok(complete(api, run["id"], tasks[0]["id"]))
    ok(api.put(task_path(run, tasks[1]), {"summary": "started"}))

    params = {"status": status} if status else {}
    listed = ok(api.get(f"/runs/{run['id']}/tasks", params=params))["data"]

    assert [t["title"] for t in listed] == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("position", ["Step 1", "Step 2", "Step 3"]),
        ("-position", ["Step 3", "Step 2", "Step 1"]),
        ("deadline", ["Step 2", "Step 3", "Step 1"]),
        ("-deadline", ["Step 1", "Step 3", "Step 2"]),
    ],
)
def test_list_run_tasks_sorts_by_position_or_deadline(
    api: Api, sort: str, expected: list[str]
) -> None:
    template = make_template(api, steps=3)
    first, second, third = (step["id"] for step in steps_of(api, template["id"]))
    deadlines = {first: "2030-03-01", second: "2030-01-01", third: "2030-02-01"}
    overrides = {step: {"deadline": deadline} for step, deadline in deadlines.items()}
    run = launch(api, template["id"], tasks=overrides)

    listed = ok(api.get(f"/runs/{run['id']}/tasks", params={"sort": sort}))["data"]

    assert [t["title"] for t in listed] == expected


def test_list_run_tasks_refuses_an_unknown_sort(api: Api) -> None:
    run, _ = make_run(api, steps=1)

    invalid(api.get(f"/runs/{run['id']}/tasks", params={"sort": "title"}), "sort")


def test_list_run_tasks_still_answers_the_tasks_of_an_archived_run(api: Api) -> None:
    run, _ = make_run(api, steps=2)
    ok(api.delete(f"/runs/{run['id']}"))

    listed = tasks_of(api, run["id"])

    assert len(listed) == 2
    assert all(t["archived_at"] is not None for t in listed)
    assert all(t["run_status"] == "archived" for t in listed)


def test_list_run_tasks_with_threads_wraps_each_tasks_comments(api: Api) -> None:
    run, tasks = make_run(api, steps=2)
    ok(api.post(f"/tasks/{tasks[0]['id']}/comment", {"content": "Hello"}), 201)

    listed = ok(api.get(f"/runs/{run['id']}/tasks", params={"with": "threads"}))["data"]

    assert [t["content"] for t in listed[0]["threads"]["data"]] == ["Hello"]
    assert listed[1]["threads"] == {"data": []}


# ---------------------------------------------------------------- get a run's task


def test_get_run_task_answers_the_task_without_includes(world: World, api: Api) -> None:
    run, tasks = make_run(api, steps=2)

    task = ok(api.get(task_path(run, tasks[1])))["data"]

    assert task["id"] == tasks[1]["id"]
    assert (task["title"], task["run_id"], task["position"]) == ("Step 2", run["id"], 2)
    assert task["owners"] == {
        "users": [world.org.admin.user_id],
        "guests": [],
        "groups": [],
        "taskUrls": [],
    }
    assert (task["is_oneoff_task"], task["is_completable"], task["problem"]) == (
        False,
        True,
        False,
    )
    assert task["run_status"] == "active"
    assert task["threads_count"] == 0
    assert not {"threads", "step", "run", "form_fields", "tags"} & set(task)


def test_get_run_task_with_threads_wraps_the_comments_in_data(api: Api) -> None:
    run, tasks = make_run(api, steps=1)
    path = f"/tasks/{tasks[0]['id']}/comment"
    first = ok(api.post(path, {"content": "First"}), 201)["data"]
    second = ok(api.post(path, {"content": "Second"}), 201)["data"]

    task = ok(api.get(task_path(run, tasks[0]), params={"with": "threads"}))["data"]

    assert list(task["threads"]) == ["data"]
    assert [c["id"] for c in task["threads"]["data"]] == [first["id"], second["id"]]
    assert task["threads_count"] == 2


def test_get_run_task_with_form_fields_answers_each_field_and_its_value(api: Api) -> None:
    template, (capture,) = form_template(api, {"label": "Client", "field_type": "text"})
    run = launch(api, template["id"])
    task = tasks_of(api, run["id"])[0]
    ok(api.put(task_path(run, task), {"taskdata": {capture["id"]: "Acme"}}))

    read = ok(api.get(task_path(run, task), params={"with": "form_fields"}))["data"]

    (field,) = read["form_fields"]["data"]
    assert (field["id"], field["label"], field["value"]) == (capture["id"], "Client", "Acme")
    assert field["step_id"] == task["step_id"]


def test_get_run_task_with_step_and_run_wraps_them_in_data(api: Api) -> None:
    template, (capture,) = form_template(api, {"label": "Client", "field_type": "text"})
    run = launch(api, template["id"], name="Wrapped")
    task = tasks_of(api, run["id"])[0]

    read = ok(api.get(task_path(run, task), params={"with": "step,run,tags,bogus"}))["data"]

    assert read["step"]["data"]["id"] == task["step_id"]
    assert [c["id"] for c in read["step"]["data"]["captures"]] == [capture["id"]]
    assert read["run"]["data"]["id"] == run["id"]
    assert read["run"]["data"]["name"] == "Wrapped"
    assert read["tags"] == {"data": []}


# ---------------------------------------------------------------- update a run's task


def test_update_run_task_saves_answers_keyed_by_capture_id_and_drops_unknown_keys(
    api: Api,
) -> None:
    template, (name, notes) = form_template(
        api,
        {"label": "Client", "field_type": "text"},
        {"label": "Tags", "field_type": "multiselect", "required": False},
    )
    run = launch(api, template["id"])
    task = tasks_of(api, run["id"])[0]
    answers = {name["id"]: "Acme", notes["id"]: [{"id": 1, "text": "a"}], MISSING_ID: "dropped"}

    updated = ok(api.put(task_path(run, task), {"taskdata": answers}))["data"]

    assert updated["taskdata"] == {name["id"]: "Acme", notes["id"]: [{"id": 1, "text": "a"}]}
    assert updated["status"] == "in-progress"
    assert ok(api.get(task_path(run, task)))["data"]["taskdata"] == updated["taskdata"]
    # Read from whole form fields when they are included, from the answers alone otherwise.
    with_fields = ok(api.get(task_path(run, task) + "?with=form_fields"))["data"]
    assert with_fields["taskdata"] == updated["taskdata"]
    assert [f["value"] for f in with_fields["form_fields"]["data"]] == [
        "Acme",
        [{"id": 1, "text": "a"}],
    ]


@pytest.mark.parametrize(
    ("field_type", "value"),
    [
        ("text", 42),
        ("text", ["a"]),
        ("date", "not a date"),
        ("number", "twelve"),
        ("multiselect", "a"),
        ("dropdown", 3),
    ],
)
def test_update_run_task_with_an_answer_of_the_wrong_shape_answers_422_on_that_field(
    api: Api, field_type: str, value: Any
) -> None:
    template, (capture,) = form_template(api, {"label": "Answer", "field_type": field_type})
    run = launch(api, template["id"])
    task = tasks_of(api, run["id"])[0]

    response = api.put(task_path(run, task), {"taskdata": {capture["id"]: value}})

    invalid(response, f"taskdata.{capture['id']}")
    assert ok(api.get(task_path(run, task)))["data"]["taskdata"] == {capture["id"]: None}


def test_update_run_task_replaces_every_owner(world: World, api: Api) -> None:
    run, tasks = make_run(api, steps=1)
    owners = {"users": [world.org.standard.user_id], "guests": ["jane@example.com"]}

    updated = ok(api.put(task_path(run, tasks[0]), {"owners": owners}))["data"]

    assert updated["owners"]["users"] == [world.org.standard.user_id]
    assert updated["owners"]["guests"] == ["jane@example.com"]
    emptied = ok(api.put(task_path(run, tasks[0]), {"owners": {}}))["data"]
    assert emptied["owners"]["users"] == []
    assert emptied["owners"]["guests"] == []


def test_update_run_task_changes_title_summary_and_deadline(api: Api) -> None:
    run, tasks = make_run(api, steps=1)
    body = {"title": "Call Acme", "summary": "Ask for Jo", "deadline": "2030-02-01T09:00:00Z"}

    updated = ok(api.put(task_path(run, tasks[0]), body))["data"]

    assert (updated["title"], updated["summary"]) == ("Call Acme", "Ask for Jo")
    assert updated["deadline"] == "2030-02-01T09:00:00.000Z"
    assert updated["original_title"] == "Step 1"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": None}, "title"),
        ({"title": ""}, "title"),
        ({"owners": None}, "owners"),
        ({"owners": {"users": [999_999]}}, "owners.users"),
        ({"owners": {"guests": ["not an email"]}}, "owners.guests.0"),
        ({"deadline": "soon"}, "deadline"),
        ({"task_type": "chore"}, "task_type"),
        ({"taskdata": ["a"]}, "taskdata"),
    ],
)
def test_update_run_task_with_an_invalid_field_answers_422_and_changes_nothing(
    api: Api, body: dict[str, Any], field: str
) -> None:
    run, tasks = make_run(api, steps=1)
    before = ok(api.get(task_path(run, tasks[0])))["data"]

    invalid(api.put(task_path(run, tasks[0]), body), field)

    assert ok(api.get(task_path(run, tasks[0])))["data"] == before


def test_update_of_a_completed_task_answers_422(api: Api) -> None:
    run, tasks = make_run(api, steps=2)
    ok(complete(api, run["id"], tasks[0]["id"]))

    invalid(api.put(task_path(run, tasks[0]), {"title": "Too late"}))


def test_update_of_a_task_of_an_archived_run_answers_422(api: Api) -> None:
    run, tasks = make_run(api, steps=1)
    ok(api.delete(f"/runs/{run['id']}"))

    invalid(api.put(task_path(run, tasks[0]), {"title": "Too late"}), code="ARCHIVED")


def test_light_member_may_only_fill_in_their_own_task(world: World, api: Api) -> None:
    run, (own, other) = assigned_run(world, api, world.org.light.user_id)

    updated = ok(world.light.put(task_path(run, own), {"taskdata": {}}))["data"]

    assert updated["status"] == "in-progress"
    forbidden(world.light.put(task_path(run, own), {"summary": "Mine"}))
    forbidden(world.light.put(task_path(run, other), {"taskdata": {}}))
    assert ok(api.get(task_path(run, own)))["data"]["summary"] is None


# ---------------------------------------------------------------- complete and reopen


def test_complete_task_marks_it_completed_by_the_caller_and_moves_run_progress(
    world: World, api: Api
) -> None:
    run, tasks = make_run(api, steps=2)
    for content in ("Checked", "All fine"):
        ok(api.post(f"/tasks/{tasks[0]['id']}/comment", {"content": content}), 201)

    body = ok(complete(api, run["id"], tasks[0]["id"]))

    assert body["tasks_changed_by_rules"] == {}
    task = body["data"]
    assert task["status"] == "completed"
    assert task["completer_id"] == world.org.admin.user_id
    assert task["completed_at"] is not None
    assert task["is_completable"] is False
    assert (task["threads_count"], task["problem"]) == (2, False)
    read = ok(api.get(f"/runs/{run['id']}"))["data"]
    assert read["progress"] == {"complete": 1, "total": 2, "percent": 50}
    assert read["status"] == "active"
    assert read["completed_at"] is None


def test_completing_the_last_task_completes_the_run(api: Api) -> None:
    run, tasks = make_run(api, steps=2)
    ok(complete(api, run["id"], tasks[1]["id"]))

    ok(complete(api, run["id"], tasks[0]["id"]))

    read = ok(api.get(f"/runs/{run['id']}"))["data"]
    assert read["status"] == "complete"
    assert read["completed_at"] is not None
    assert read["progress"] == {"complete": 2, "total": 2, "percent": 100}


def test_complete_task_on_behalf_of_another_member_records_them(world: World, api: Api) -> None:
    run, tasks = make_run(api, steps=1)

    task = ok(complete(api, run["id"], tasks[0]["id"], override_user=world.org.standard.user_id))

    assert task["data"]["completer_id"] == world.org.standard.user_id


def test_complete_task_on_behalf_of_a_non_member_answers_422(world: World, api: Api) -> None:
    run, tasks = make_run(api, steps=1)

    response = complete(api, run["id"], tasks[0]["id"], override_user=world.other.admin.user_id)

    invalid(response, "override_user")
    assert tasks_of(api, run["id"])[0]["status"] == "not-started"


def test_complete_an_already_completed_task_answers_422(api: Api) -> None:
    run, tasks = make_run(api, steps=2)
    first = ok(complete(api, run["id"], tasks[0]["id"]))["data"]

    invalid(complete(api, run["id"], tasks[0]["id"]))

    assert ok(api.get(task_path(run, tasks[0])))["data"]["completed_at"] == first["completed_at"]


def test_complete_a_task_with_an_empty_required_field_answers_422_on_that_field(
    api: Api,
) -> None:
    template, (required, optional) = form_template(
        api,
        {"label": "Client", "field_type": "text", "required": True},
        {"label": "Notes", "field_type": "text", "required": False},
    )
    run = launch(api, template["id"])
    task = tasks_of(api, run["id"])[0]
    ok(api.put(task_path(run, task), {"taskdata": {required["id"]: ""}}))

    errors = invalid(complete(api, run["id"], task["id"]), f"taskdata.{required['id']}")

    assert set(errors) == {f"taskdata.{required['id']}"}
    assert errors[f"taskdata.{required['id']}"] == ["Client is required"]
    ok(api.put(task_path(run, task), {"taskdata": {required["id"]: "Acme"}}))
    assert ok(complete(api, run["id"], task["id"]))["data"]["status"] == "completed"
    assert optional["id"] in ok(api.get(task_path(run, task)))["data"]["taskdata"]


def test_an_open_problem_comment_blocks_completion_until_it_is_deleted(api: Api) -> None:
    run, tasks = make_run(api, steps=1)
    comments = f"/tasks/{tasks[0]['id']}/comment"
    problem = ok(api.post(comments, {"content": "Blocked", "label": "problem"}), 201)["data"]
    assert ok(api.get(task_path(run, tasks[0])))["data"]["problem"] is True

    invalid(complete(api, run["id"], tasks[0]["id"]))

    ok(api.delete(f"{comments}/{problem['id']}"))
    assert ok(complete(api, run["id"], tasks[0]["id"]))["data"]["status"] == "completed"


def test_complete_an_approval_task_needs_a_decision(api: Api) -> None:
    template = make_template(api, steps=0)
    step = {"title": "OK?", "step_type": "approval"}
    ok(api.post(f"/checklists/{template['id']}/steps", step), 201)
    run = launch(api, template["id"])
    task = tasks_of(api, run["id"])[0]

    invalid(complete(api, run["id"], task["id"]), "is_approved")

    approved = ok(complete(api, run["id"], task["id"], is_approved=False))["data"]
    assert approved["is_approved"] is False


@pytest.mark.parametrize(
    ("body", "field"), [({}, "task_id"), ({"task_id": ""}, "task_id"), ({"task_id": 5}, "task_id")]
)
def test_complete_task_without_a_task_id_answers_422(
    api: Api, body: dict[str, Any], field: str
) -> None:
    run, _ = make_run(api, steps=1)

    invalid(api.post(f"/runs/{run['id']}/completed-tasks", body), field)


def test_complete_a_task_of_an_archived_run_answers_422(api: Api) -> None:
    run, tasks = make_run(api, steps=1)
    ok(api.delete(f"/runs/{run['id']}"))

    invalid(complete(api, run["id"], tasks[0]["id"]), code="ARCHIVED")


def test_reopen_task_clears_its_completion_and_makes_the_run_active_again(api: Api) -> None:
    run, tasks = make_run(api, steps=1)
    ok(complete(api, run["id"], tasks[0]["id"], is_approved=True))
    assert ok(api.get(f"/runs/{run['id']}"))["data"]["status"] == "complete"

    body = ok(api.delete(f"/runs/{run['id']}/completed-tasks/{tasks[0]['id']}"))

    assert body["tasks_changed_by_rules"] == {}
    task = body["data"]
    assert task["status"] == "in-progress"
    assert (task["completed_at"], task["completer_id"], task["is_approved"]) == (None, None, None)
    read = ok(api.get(f"/runs/{run['id']}"))["data"]
    assert read["status"] == "active"
    assert read["completed_at"] is None
    assert read["progress"]["complete"] == 0


def test_reopen_an_open_task_answers_422(api: Api) -> None:
    run, tasks = make_run(api, steps=1)

    invalid(api.delete(f"/runs/{run['id']}/completed-tasks/{tasks[0]['id']}"))


@pytest.mark.parametrize("member", ["standard", "light"])
def test_a_member_may_complete_and_reopen_a_task_assigned_to_them(
    world: World, api: Api, member: str
) -> None:
    caller: Api = getattr(world, member)
    user_id = getattr(world.org, member).user_id
    run, (own, _) = assigned_run(world, api, user_id)

    done = ok(complete(caller, run["id"], own["id"]))["data"]
    reopened = ok(caller.delete(f"/runs/{run['id']}/completed-tasks/{own['id']}"))["data"]

    assert done["completer_id"] == user_id
    assert reopened["status"] == "in-progress"


def test_light_member_may_not_complete_or_reopen_a_task_assigned_to_someone_else(
    world: World, api: Api
) -> None:
    run, (_, other) = assigned_run(world, api, world.org.light.user_id)

    forbidden(complete(world.light, run["id"], other["id"]))
    ok(complete(api, run["id"], other["id"]))
    forbidden(world.light.delete(f"/runs/{run['id']}/completed-tasks/{other['id']}"))
    assert ok(api.get(task_path(run, other)))["data"]["status"] == "completed"


def test_standard_member_may_complete_a_task_assigned_to_someone_else(
    world: World, api: Api
) -> None:
    run, tasks = make_run(api, steps=1)

    assert ok(complete(world.standard, run["id"], tasks[0]["id"]))["data"]["status"] == "completed"


# ---------------------------------------------------------------- organization-wide lists


def test_list_tasks_answers_process_and_oneoff_tasks_soonest_deadline_first(
    world: World, api: Api
) -> None:
    _, tasks = make_run(api, steps=2)
    oneoff = make_oneoff(api, owner=world.org.standard.user_id, deadline="2020-01-01 00:00:00")

    listed = ok(api.get("/tasks"))

    assert listed["data"][0]["id"] == oneoff["id"]
    assert {t["id"] for t in listed["data"]} == {oneoff["id"], *(t["id"] for t in tasks)}
    assert listed["meta"]["pagination"]["total"] == 3


def test_list_tasks_filters_by_kind_owner_title_and_status(world: World, api: Api) -> None:
    run, tasks = make_run(api, steps=2)
    ok(complete(api, run["id"], tasks[0]["id"]))
    oneoff = make_oneoff(api, owner=world.org.standard.user_id, title="Call the bank")

    def ids(**params: Any) -> set[str]:
        return {t["id"] for t in ok(api.get("/tasks", params=params))["data"]}

    assert ids(is_oneoff="true") == {oneoff["id"]}
    assert ids(is_oneoff="false") == {tasks[0]["id"], tasks[1]["id"]}
    assert ids(owners=str(world.org.standard.user_id)) == {oneoff["id"]}
    assert ids(q="BANK") == {oneoff["id"]}
    assert ids(status="complete") == {tasks[0]["id"]}
    assert ids(status="active") == {tasks[1]["id"], oneoff["id"]}
    assert ids(status="overdue") == set()


def test_list_tasks_leaves_out_archived_ones_unless_asked(world: World, api: Api) -> None:
    run, tasks = make_run(api, steps=1)
    ok(api.delete(f"/runs/{run['id']}"))
    make_oneoff(api, owner=world.org.admin.user_id)

    live = ok(api.get("/tasks"))["data"]
    archived = ok(api.get("/tasks", params={"archived": "only"}))["data"]

    assert tasks[0]["id"] not in {t["id"] for t in live}
    assert [t["id"] for t in archived] == [tasks[0]["id"]]
    assert ok(api.get("/tasks", params={"archived": "true"}))["meta"]["pagination"]["total"] == 2


def test_list_tasks_paginates_and_can_answer_everything(world: World, api: Api) -> None:
    for n in range(12):
        make_oneoff(api, owner=world.org.admin.user_id, title=f"Task {n}")

    paged = ok(api.get("/tasks", params={"per_page": 5, "page": 3}))
    everything = ok(api.get("/tasks", params={"without_pagination": "true"}))

    assert len(paged["data"]) == 2
    assert paged["meta"]["pagination"]["total_pages"] == 3
    assert len(everything["data"]) == 12


def test_list_tasks_never_shows_another_organizations_tasks(world: World, api: Api) -> None:
    make_run(world.other_admin, steps=2)

    assert ok(api.get("/tasks"))["data"] == []


def test_my_tasks_answer_only_my_open_tasks_by_default(world: World, api: Api) -> None:
    run, (own, other) = assigned_run(world, api, world.org.standard.user_id)
    ok(api.put(task_path(run, other), {"owners": {"users": [world.org.standard.user_id]}}))
    ok(complete(api, run["id"], other["id"]))
    mine = make_oneoff(api, owner=world.org.standard.user_id)
    make_oneoff(api, owner=world.org.light.user_id)

    open_ids = {t["id"] for t in ok(world.standard.get("/me/tasks"))["data"]}
    all_ids = {t["id"] for t in ok(world.standard.get("/me/tasks?status=all"))["data"]}
    done_ids = {t["id"] for t in ok(world.standard.get("/me/tasks?status=complete"))["data"]}

    assert open_ids == {own["id"], mine["id"]}
    assert all_ids == {own["id"], other["id"], mine["id"]}
    assert done_ids == {other["id"]}


def test_my_tasks_filter_by_template_and_title(world: World, api: Api) -> None:
    run, (own, _) = assigned_run(world, api, world.org.standard.user_id)
    template_id = own["checklist_id"]
    oneoff = make_oneoff(api, owner=world.org.standard.user_id, title="Pay the invoice")

    def ids(**params: Any) -> list[str]:
        return [t["id"] for t in ok(world.standard.get("/me/tasks", params=params))["data"]]

    assert ids(checklist_id=template_id) == [own["id"]]
    assert ids(q="invoice") == [oneoff["id"]]
    assert ok(world.standard.get(f"/runs/{run['id']}"))["data"]["id"] == run["id"]


def test_a_members_tasks_answer_every_status_by_default(world: World, api: Api) -> None:
    run, (own, _) = assigned_run(world, api, world.org.light.user_id)
    ok(complete(api, run["id"], own["id"]))
    oneoff = make_oneoff(api, owner=world.org.light.user_id)
    user = world.org.light.user_id

    every = {t["id"] for t in ok(api.get(f"/users/{user}/tasks"))["data"]}
    active = {t["id"] for t in ok(api.get(f"/users/{user}/tasks?status=active"))["data"]}

    assert every == {own["id"], oneoff["id"]}
    assert active == {oneoff["id"]}
    assert ok(world.light.get(f"/users/{user}/tasks"))["meta"]["pagination"]["total"] == 2


def test_a_members_tasks_answer_404_for_someone_who_is_not_a_member(world: World) -> None:
    not_found(world.admin.get(f"/users/{world.other.admin.user_id}/tasks"))
    invalid(world.admin.get("/users/not-a-number/tasks"), "user_id")
