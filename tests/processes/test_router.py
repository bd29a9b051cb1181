"""The runs (processes) routes: launch, list, read, update, archive, activate, purge."""

from datetime import datetime
from typing import Any

import pytest

from tests.conftest import Api, World
from tests.factories import launch, make_run, make_template, ok, steps_of, tasks_of
from tests.processes.builders import (
    MISSING_ID,
    bad_token,
    counts,
    error,
    forbidden,
    form_template,
    invalid,
    kickoff_template,
    make_tag,
    not_found,
    tag_with,
    unauthenticated,
)

ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/runs", None),
    ("POST", "/runs", {"checklist_id": "{template}"}),
    ("GET", "/runs/{run}", None),
    ("PUT", "/runs/{run}", {"name": "Renamed"}),
    ("DELETE", "/runs/{run}", None),
    ("PUT", "/runs/{run}/activate", None),
    ("DELETE", "/runs/{run}/delete", None),
]
RUN_ROUTES = [route for route in ROUTES if "{run}" in route[1]]
LAUNCH_TABLES = ("processes", "tasks", "task_fields", "task_owners", "taggings")


def call(api: Api, route: tuple[str, str, dict[str, Any] | None], **ids: str) -> Any:
    method, path, body = route
    filled = {k: v.format(**ids) for k, v in body.items()} if body else None
    return api.request(method, path.format(**ids), json=filled)


@pytest.fixture
def template(api: Api) -> dict[str, Any]:
    return make_template(api, title="Onboarding", steps=3)


@pytest.fixture
def run(api: Api, template: dict[str, Any]) -> dict[str, Any]:
    return launch(api, template["id"], name="Acme onboarding")


def complete_all(api: Api, run_id: str) -> None:
    for task in tasks_of(api, run_id):
        ok(api.post(f"/runs/{run_id}/completed-tasks", {"task_id": task["id"]}))


def listed(api: Api, **params: Any) -> list[str]:
    return [item["name"] for item in ok(api.get("/runs", params=params))["data"]]


# ---------------------------------------------------------------- authentication and tenancy


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r[0]} {r[1]}")
def test_every_run_route_answers_401_without_a_token(
    world: World, run: dict[str, Any], template: dict[str, Any], route: Any
) -> None:
    unauthenticated(call(world.anonymous, route, run=run["id"], template=template["id"]))


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r[0]} {r[1]}")
def test_every_run_route_answers_401_with_an_unknown_token(
    world: World, run: dict[str, Any], template: dict[str, Any], route: Any
) -> None:
    unauthenticated(call(bad_token(world), route, run=run["id"], template=template["id"]))


@pytest.mark.parametrize(
    "header", ["", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token {token}", "{token}"]
)
def test_runs_answer_401_to_a_malformed_authorization_header(world: World, header: str) -> None:
    headers = {"Authorization": header.format(token=world.org.admin.token)}

    response = world.client.get(world.anonymous.url("/runs"), headers=headers)

    unauthenticated(response)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r[0]} {r[1]}")
def test_every_run_route_answers_404_to_a_member_of_another_organization(
    world: World, run: dict[str, Any], template: dict[str, Any], route: Any
) -> None:
    before = counts(world, *LAUNCH_TABLES)
    not_found(call(world.outsider, route, run=run["id"], template=template["id"]))
    assert counts(world, *LAUNCH_TABLES) == before
    assert ok(world.admin.get(f"/runs/{run['id']}"))["data"]["status"] == "active"


@pytest.mark.parametrize("route", RUN_ROUTES, ids=lambda r: f"{r[0]} {r[1]}")
def test_every_run_route_answers_404_for_a_missing_run(world: World, route: Any) -> None:
    not_found(call(world.admin, route, run=MISSING_ID))


@pytest.mark.parametrize("route", RUN_ROUTES, ids=lambda r: f"{r[0]} {r[1]}")
def test_every_run_route_answers_404_for_a_run_of_another_organization(
    world: World, route: Any
) -> None:
    foreign, _ = make_run(world.other_admin, steps=1)
    not_found(call(world.admin, route, run=foreign["id"]))
    assert ok(world.other_admin.get(f"/runs/{foreign['id']}"))["data"]["status"] == "active"


@pytest.mark.parametrize(
    "route",
    [r for r in ROUTES if r[0] != "GET" and not r[1].endswith("/delete")],
    ids=lambda r: f"{r[0]} {r[1]}",
)
def test_light_member_may_not_launch_or_change_runs(
    world: World, run: dict[str, Any], template: dict[str, Any], route: Any
) -> None:
    before = counts(world, *LAUNCH_TABLES)
    forbidden(call(world.light, route, run=run["id"], template=template["id"]))
    assert counts(world, *LAUNCH_TABLES) == before


@pytest.mark.parametrize("member", ["standard", "light"])
def test_only_an_admin_may_permanently_delete_a_run(
    world: World, run: dict[str, Any], member: str
) -> None:
    ok(world.admin.delete(f"/runs/{run['id']}"))
    forbidden(getattr(world, member).delete(f"/runs/{run['id']}/delete"))
    assert ok(world.admin.get(f"/runs/{run['id']}"))["data"]["status"] == "archived"


def test_light_member_may_read_runs(world: World, run: dict[str, Any]) -> None:
    assert ok(world.light.get(f"/runs/{run['id']}"))["data"]["id"] == run["id"]
    assert [r["id"] for r in ok(world.light.get("/runs"))["data"]] == [run["id"]]


# ---------------------------------------------------------------- launch


def test_launch_creates_one_task_per_step_in_step_order(
    world: World, api: Api, template: dict[str, Any]
) -> None:
    steps = steps_of(api, template["id"])

    response = api.post("/runs", {"checklist_id": template["id"]})

    run = ok(response, 201)["data"]
    tasks = tasks_of(api, run["id"])
    assert [t["title"] for t in tasks] == ["Step 1", "Step 2", "Step 3"]
    assert [t["step_id"] for t in tasks] == [s["id"] for s in steps]
    assert [t["position"] for t in tasks] == [1, 2, 3]
    assert all(t["run_id"] == run["id"] for t in tasks)
    assert all(t["checklist_id"] == template["id"] for t in tasks)
    assert all(t["status"] == "not-started" for t in tasks)
    assert all(t["owners"]["users"] == [world.org.admin.user_id] for t in tasks)


def test_launch_answers_an_active_run_started_by_the_caller(
    world: World, api: Api, template: dict[str, Any]
) -> None:
    run = launch(api, template["id"])

    assert len(run["id"]) == 32
    assert run["checklist_id"] == template["id"]
    assert run["checklist_title"] == "Onboarding"
    assert run["name"].startswith("Onboarding - ")
    assert run["status"] == "active"
    assert run["progress"] == {"complete": 0, "total": 3, "percent": 0}
    assert run["started_by"] == world.org.admin.user_id
    assert run["owner_id"] == world.org.admin.user_id
    assert run["archived_at"] is None
    assert run["completed_at"] is None
    assert run["prerun"] == {}
    datetime.fromisoformat(run["created_at"].replace("Z", "+00:00"))


def test_launch_keeps_the_name_summary_owner_and_star_it_is_given(
    world: World, api: Api, template: dict[str, Any]
) -> None:
    run = launch(
        api,
        template["id"],
        name="Acme",
        summary="For Acme",
        owner_id=world.org.standard.user_id,
        starred=True,
    )

    assert (run["name"], run["summary"], run["starred"]) == ("Acme", "For Acme", True)
    assert run["owner_id"] == world.org.standard.user_id
    assert run["started_by"] == world.org.admin.user_id


def test_standard_member_may_launch_a_run(world: World, template: dict[str, Any]) -> None:
    run = launch(world.standard, template["id"])

    assert run["started_by"] == world.org.standard.user_id


def test_launch_copies_step_captures_as_task_form_fields(api: Api) -> None:
    template, captures = form_template(
        api,
        {"label": "Client name", "field_type": "text", "required": True},
        {"label": "Notes", "field_type": "textarea", "required": False},
    )

    run = launch(api, template["id"])

    task = tasks_of(api, run["id"])[0]
    assert task["taskdata"] == {c["id"]: None for c in captures}
    read = ok(api.get(f"/runs/{run['id']}/tasks/{task['id']}?with=form_fields"))["data"]
    fields = read["form_fields"]["data"]
    assert [f["id"] for f in fields] == [c["id"] for c in captures]
    assert [(f["label"], f["field_type"], f["required"]) for f in fields] == [
        ("Client name", "text", True),
        ("Notes", "textarea", False),
    ]


def test_launch_stores_the_kickoff_values_keyed_by_field_id(api: Api) -> None:
    template = kickoff_template(
        api,
        {"label": "Client", "field_type": "text", "required": True},
        {"label": "Start", "field_type": "date", "required": False},
    )
    client, start = (field["id"] for field in template["prerun"])

    run = launch(
        api,
        template["id"],
        prerun={client: "Acme", start: "2030-01-02T00:00:00Z", "unknown-field": "dropped"},
    )

    assert run["prerun"] == {client: "Acme", start: "2030-01-02T00:00:00Z"}
    assert run["prerun_length"] == 2
    assert ok(api.get(f"/runs/{run['id']}"))["data"]["prerun"] == run["prerun"]


def test_launch_without_a_required_kickoff_value_answers_422_per_field(
    world: World, api: Api
) -> None:
    template = kickoff_template(
        api,
        {"label": "Client", "field_type": "text", "required": True},
        {"label": "Budget", "field_type": "text", "required": True},
        {"label": "Notes", "field_type": "text", "required": False},
    )
    client, budget, _ = (field["id"] for field in template["prerun"])
    before = counts(world, *LAUNCH_TABLES)

    response = api.post("/runs", {"checklist_id": template["id"], "prerun": {budget: ""}})

    errors = invalid(response, f"prerun.{client}", f"prerun.{budget}")
    assert set(errors) == {f"prerun.{client}", f"prerun.{budget}"}
    assert errors[f"prerun.{client}"] == ["Client is required"]
    assert response.json()["message"] == "Client is required"
    assert counts(world, *LAUNCH_TABLES) == before


def test_launch_with_a_kickoff_value_of_the_wrong_shape_answers_422_on_that_field(
    api: Api,
) -> None:
    template = kickoff_template(api, {"label": "Client", "field_type": "text", "required": False})
    field_id = template["prerun"][0]["id"]

    response = api.post("/runs", {"checklist_id": template["id"], "prerun": {field_id: 42}})

    invalid(response, f"prerun.{field_id}")


def test_launch_refuses_kickoff_values_sent_as_a_non_empty_list(api: Api) -> None:
    template = kickoff_template(api, {"label": "Client", "field_type": "text", "required": False})

    response = api.post("/runs", {"checklist_id": template["id"], "prerun": [{"a": 1}]})

    invalid(response, "prerun")


def test_launch_takes_an_empty_kickoff_list_as_no_values(api: Api) -> None:
    template = kickoff_template(api, {"label": "Client", "field_type": "text", "required": False})

    assert launch(api, template["id"], prerun=[])["prerun"] == {}


@pytest.mark.parametrize("which", ["missing", "other organization's", "archived", "absent"])
def test_launch_from_an_unusable_template_answers_422_on_checklist_id(
    world: World, api: Api, which: str
) -> None:
    if which == "missing":
        body: dict[str, Any] = {"checklist_id": MISSING_ID}
    elif which == "other organization's":
        body = {"checklist_id": make_template(world.other_admin, steps=1)["id"]}
    elif which == "archived":
        archived = make_template(api, steps=1)
        ok(api.delete(f"/checklists/{archived['id']}"))
        body = {"checklist_id": archived["id"]}
    else:
        body = {"name": "No template"}
    before = counts(world, *LAUNCH_TABLES)

    invalid(api.post("/runs", body), "checklist_id")

    assert counts(world, *LAUNCH_TABLES) == before


def test_launch_with_a_task_override_for_an_unknown_step_leaves_nothing_behind(
    world: World, api: Api, template: dict[str, Any]
) -> None:
    tag = make_tag(api)
    step = steps_of(api, template["id"])[0]
    before = counts(world, *LAUNCH_TABLES)
    body = {
        "checklist_id": template["id"],
        "tags": [tag["id"]],
        "tasks": {
            step["id"]: {"owners": {"users": [world.org.standard.user_id]}},
            MISSING_ID: {"deadline": "2030-01-31 17:00:00"},
        },
    }

    response = api.post("/runs", body)

    invalid(response, f"tasks.{MISSING_ID}")
    assert counts(world, *LAUNCH_TABLES) == before
    assert ok(api.get("/runs"))["meta"]["pagination"]["total"] == 0
    assert ok(api.get("/tasks"))["meta"]["pagination"]["total"] == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"tags": [MISSING_ID]}, "tags"),
        ({"owner_id": 999_999}, "owner_id"),
        ({"name": ""}, "name"),
        ({"tasks": {"{step}": {"owners": {"users": [999_999]}}}}, "tasks.{step}.owners.users"),
        ({"tasks": {"{step}": {"deadline": "not a date"}}}, "tasks.{step}.deadline"),
    ],
    ids=["unknown tag", "owner not a member", "empty name", "assignee not a member", "bad date"],
)
def test_launch_with_an_invalid_field_answers_422_and_leaves_nothing_behind(
    world: World, api: Api, template: dict[str, Any], body: dict[str, Any], field: str
) -> None:
    step_id = steps_of(api, template["id"])[0]["id"]
    if "tasks" in body:
        body = {"tasks": {step_id: body["tasks"]["{step}"]}}
    before = counts(world, *LAUNCH_TABLES)

    response = api.post("/runs", {"checklist_id": template["id"], **body})

    invalid(response, field.format(step=step_id))
    assert counts(world, *LAUNCH_TABLES) == before


def test_launch_assigns_the_owners_given_for_a_step(
    world: World, api: Api, template: dict[str, Any]
) -> None:
    first, second, _ = steps_of(api, template["id"])
    standard, light = world.org.standard.user_id, world.org.light.user_id
    overrides = {
        first["id"]: {"owners": {"users": [standard, light]}},
        second["id"]: {"owners": {"users": [], "guests": ["jane@example.com"]}},
    }

    run = launch(api, template["id"], tasks=overrides)

    owners = [t["owners"] for t in tasks_of(api, run["id"])]
    assert owners[0]["users"] == [standard, light]
    assert (owners[1]["users"], owners[1]["guests"]) == ([], ["jane@example.com"])
    assert owners[2]["users"] == [world.org.admin.user_id]


def test_launch_takes_a_steps_deadline_and_max_assignable_overrides(
    api: Api, template: dict[str, Any]
) -> None:
    step = steps_of(api, template["id"])[0]
    override = {"deadline": "2030-01-31 17:00:00", "max_assignable": 3}

    run = launch(api, template["id"], tasks={step["id"]: override})

    first, second, _ = tasks_of(api, run["id"])
    assert (first["deadline"], first["max_assignable"]) == ("2030-01-31T17:00:00.000Z", 3)
    assert second["max_assignable"] == 1


def test_launch_assigns_a_steps_assignees_rather_than_the_launcher(world: World, api: Api) -> None:
    template = make_template(api, steps=0)
    path = f"/checklists/{template['id']}/steps"
    ok(api.post(path, {"title": "Review", "assignees": [world.org.standard.user_id]}), 201)
    ok(api.post(path, {"title": "Nobody", "assign_run_starter": False}), 201)

    run = launch(api, template["id"])

    owners = [t["owners"]["users"] for t in tasks_of(api, run["id"])]
    assert owners == [[world.org.standard.user_id], []]


def test_launch_applies_the_tags_it_is_given(api: Api, template: dict[str, Any]) -> None:
    urgent, later = make_tag(api, "urgent"), make_tag(api, "later")

    run = launch(api, template["id"], tags=[urgent["id"], later["id"], urgent["id"]])

    tags = ok(api.get(f"/runs/{run['id']}?with=tags"))["data"]["tags"]["data"]
    assert sorted(t["tag_id"] for t in tags) == sorted([urgent["id"], later["id"]])
    assert all(isinstance(t["id"], int) for t in tags)


def test_launch_with_a_malformed_body_answers_400(api: Api) -> None:
    response = api.post("/runs", content=b"{not json", headers={"Content-Type": "application/json"})

    error(response, 400, "BAD_REQUEST")


# ---------------------------------------------------------------- list


def test_list_runs_paginates_with_correct_meta_and_links(api: Api) -> None:
    template = make_template(api, steps=1)
    for name in ("A", "B", "C"):
        launch(api, template["id"], name=name)

    first = ok(api.get("/runs", params={"per_page": 2, "sort": "name"}))
    second = ok(api.get("/runs", params={"per_page": 2, "sort": "name", "page": 2}))

    assert [r["name"] for r in first["data"]] == ["A", "B"]
    assert [r["name"] for r in second["data"]] == ["C"]
    pagination = first["meta"]["pagination"]
    assert {k: v for k, v in pagination.items() if k != "links"} == {
        "total": 3,
        "count": 2,
        "per_page": 2,
        "current_page": 1,
        "total_pages": 2,
    }
    next_link = pagination["links"]["next"]
    assert next_link.startswith("http")
    assert f"/organizations/{api.org_id}/runs?" in next_link
    assert "page=2" in next_link
    assert "per_page=2" in next_link
    assert "sort=name" in next_link
    assert "previous" not in pagination["links"]
    last = second["meta"]["pagination"]
    assert (last["count"], last["current_page"], last["total_pages"]) == (1, 2, 2)
    assert "next" not in last["links"]
    assert "page=1" in last["links"]["previous"]
    assert last["links"]["prev"] == last["links"]["previous"]


def test_list_runs_beyond_the_last_page_is_empty_with_correct_totals(
    api: Api, run: dict[str, Any]
) -> None:
    body = ok(api.get("/runs", params={"page": 5}))

    assert body["data"] == []
    pagination = body["meta"]["pagination"]
    assert (pagination["total"], pagination["count"], pagination["total_pages"]) == (1, 0, 1)
    assert "page=4" in pagination["links"]["previous"]


def test_list_runs_of_an_empty_organization_has_one_page(api: Api) -> None:
    pagination = ok(api.get("/runs"))["meta"]["pagination"]

    assert pagination == {
        "total": 0,
        "count": 0,
        "per_page": 10,
        "current_page": 1,
        "total_pages": 1,
        "links": {},
    }


@pytest.mark.parametrize(("asked", "served"), [(1000, 100), (0, 1), (-3, 1)])
def test_list_runs_clamps_per_page_to_1_through_100(api: Api, asked: int, served: int) -> None:
    body = ok(api.get("/runs", params={"per_page": asked}))

    assert body["meta"]["pagination"]["per_page"] == served


@pytest.mark.parametrize(
    ("params", "field"),
    [({"page": 0}, "page"), ({"page": "two"}, "page"), ({"per_page": "ten"}, "per_page")],
)
def test_list_runs_refuses_a_malformed_page(api: Api, params: dict[str, Any], field: str) -> None:
    invalid(api.get("/runs", params=params), field)


def test_list_runs_shows_newest_first_by_default(api: Api) -> None:
    template = make_template(api, steps=1)
    for name in ("old", "middle", "new"):
        launch(api, template["id"], name=name)

    assert listed(api) == ["new", "middle", "old"]
    assert listed(api, sort="created_at") == ["old", "middle", "new"]
    assert listed(api, sort="-name") == ["old", "new", "middle"]


def test_list_runs_refuses_an_unknown_sort(api: Api) -> None:
    invalid(api.get("/runs", params={"sort": "deadline"}), "sort")


def test_list_runs_filters_by_status(api: Api) -> None:
    template = make_template(api, steps=1)
    launch(api, template["id"], name="open")
    done = launch(api, template["id"], name="done")
    complete_all(api, done["id"])
    archived = launch(api, template["id"], name="archived")
    ok(api.delete(f"/runs/{archived['id']}"))
    starred = launch(api, template["id"], name="starred", starred=True)

    assert sorted(listed(api, status="active")) == ["open", "starred"]
    assert listed(api, status="complete") == ["done"]
    assert listed(api, status="archived") == ["archived"]
    assert listed(api, status="starred") == ["starred"]
    assert sorted(listed(api)) == ["done", "open", "starred"]
    assert listed(api, archived="only") == ["archived"]
    assert len(listed(api, archived="true")) == 4
    assert ok(api.get(f"/runs/{starred['id']}"))["data"]["starred"] is True


def test_list_runs_filters_by_template(api: Api) -> None:
    one, other = make_template(api, steps=1), make_template(api, title="Other", steps=1)
    launch(api, one["id"], name="of one")
    launch(api, other["id"], name="of other")

    assert listed(api, checklist_id=one["id"]) == ["of one"]
    assert listed(api, blueprint_id=other["id"]) == ["of other"]
    assert listed(api, checklist_id=MISSING_ID) == []


def test_list_runs_filters_by_owner_or_assignee(world: World, api: Api) -> None:
    template = make_template(api, steps=1)
    step = steps_of(api, template["id"])[0]
    standard, light = world.org.standard.user_id, world.org.light.user_id
    launch(api, template["id"], name="owned", owner_id=standard)
    launch(api, template["id"], name="assigned", tasks={step["id"]: {"owners": {"users": [light]}}})
    launch(api, template["id"], name="neither")

    assert listed(api, owners=str(standard)) == ["owned"]
    assert listed(api, owners=str(light)) == ["assigned"]
    assert sorted(listed(api, owners=f"{standard},{light}")) == ["assigned", "owned"]


def test_list_runs_filters_by_tag(api: Api) -> None:
    template = make_template(api, steps=1)
    tag, other = make_tag(api), make_tag(api, title="later")
    launch(api, template["id"], name="tagged", tags=[tag["id"]])
    launch(api, template["id"], name="tagged otherwise", tags=[other["id"]])
    launch(api, template["id"], name="untagged")

    # The same filter with another value: the list's select is built once, its values bound.
    assert listed(api, tag=tag["id"]) == ["tagged"]
    assert listed(api, tag=other["id"]) == ["tagged otherwise"]


def test_list_runs_filters_by_name_case_insensitively(api: Api) -> None:
    template = make_template(api, steps=1)
    for name in ("Acme onboarding", "Globex onboarding", "100% done"):
        launch(api, template["id"], name=name)

    assert listed(api, q="ACME") == ["Acme onboarding"]
    assert sorted(listed(api, q="onboarding")) == ["Acme onboarding", "Globex onboarding"]
    assert listed(api, q="%") == ["100% done"]
    assert listed(api, q="_") == []  # matched as itself, not as LIKE's any character


def test_list_runs_never_shows_another_organizations_runs(world: World, api: Api) -> None:
    theirs, _ = make_run(world.other_admin, steps=1)

    # The same filters in both organizations: the second list runs the select built for the
    # first, with its own organization bound.
    assert [r["id"] for r in ok(world.other_admin.get("/runs?tag="))["data"]] == [theirs["id"]]
    assert ok(api.get("/runs?tag="))["data"] == []


# ---------------------------------------------------------------- get


def test_get_run_answers_the_run_with_progress_as_an_object(api: Api, run: dict[str, Any]) -> None:
    body = ok(api.get(f"/runs/{run['id']}"))

    data = body["data"]
    assert data["id"] == run["id"]
    assert data["name"] == "Acme onboarding"
    assert data["progress"] == {"complete": 0, "total": 3, "percent": 0}
    assert data["whole_progress"] == data["progress"]
    assert not {"tasks", "tags", "checklist"} & set(data)


def test_get_run_reports_progress_as_tasks_complete(api: Api, run: dict[str, Any]) -> None:
    task = tasks_of(api, run["id"])[0]
    ok(api.post(f"/runs/{run['id']}/completed-tasks", {"task_id": task["id"]}))

    progress = ok(api.get(f"/runs/{run['id']}"))["data"]["progress"]

    assert progress["complete"] == 1
    assert progress["total"] == 3
    assert progress["percent"] == pytest.approx(33.33)


def test_get_run_with_tasks_wraps_them_in_data(api: Api, run: dict[str, Any]) -> None:
    data = ok(api.get(f"/runs/{run['id']}?with=tasks"))["data"]

    assert list(data["tasks"]) == ["data"]
    assert [t["id"] for t in data["tasks"]["data"]] == [t["id"] for t in tasks_of(api, run["id"])]


def test_get_run_with_tags_lists_tag_associations_with_integer_ids(
    api: Api, run: dict[str, Any]
) -> None:
    tag = make_tag(api, color="#00ff00")
    association = tag_with(api, tag["id"], "Run", run["id"])

    tags = ok(api.get(f"/runs/{run['id']}?with=tags"))["data"]["tags"]

    assert tags == {"data": [association]}
    assert isinstance(association["id"], int)
    assert (association["tag_id"], association["title"], association["color"]) == (
        tag["id"],
        "urgent",
        "#00ff00",
    )


def test_get_run_with_checklist_wraps_the_template_in_data(
    api: Api, run: dict[str, Any], template: dict[str, Any]
) -> None:
    data = ok(api.get(f"/runs/{run['id']}?with=checklist,tasks,tags,nonsense"))["data"]

    assert data["checklist"]["data"]["id"] == template["id"]
    assert data["checklist"]["data"]["title"] == "Onboarding"
    assert len(data["tasks"]["data"]) == 3
    assert data["tags"] == {"data": []}


def test_get_run_with_checklist_is_null_once_the_template_is_deleted(
    api: Api, run: dict[str, Any], template: dict[str, Any]
) -> None:
    ok(api.delete(f"/checklists/{template['id']}"))
    ok(api.delete(f"/checklists/{template['id']}/delete"))

    data = ok(api.get(f"/runs/{run['id']}?with=checklist"))["data"]

    assert data["checklist"] == {"data": None}
    assert data["checklist_id"] == template["id"]


# ---------------------------------------------------------------- update


def test_update_run_changes_name_summary_and_star(api: Api, run: dict[str, Any]) -> None:
    body = {"name": "Renamed", "summary": "New summary", "starred": True, "unknown": "ignored"}

    updated = ok(api.put(f"/runs/{run['id']}", body))["data"]

    assert (updated["name"], updated["summary"], updated["starred"]) == (
        "Renamed",
        "New summary",
        True,
    )
    assert ok(api.get(f"/runs/{run['id']}"))["data"] == updated


def test_update_run_leaves_fields_it_is_not_sent_alone(api: Api, run: dict[str, Any]) -> None:
    ok(api.put(f"/runs/{run['id']}", {"summary": "Kept"}))

    updated = ok(api.put(f"/runs/{run['id']}", {"starred": True}))["data"]

    assert (updated["name"], updated["summary"]) == ("Acme onboarding", "Kept")


def test_update_run_merges_kickoff_values_by_field_id(api: Api) -> None:
    template = kickoff_template(
        api,
        {"label": "Client", "field_type": "text", "required": True},
        {"label": "Region", "field_type": "text", "required": False},
    )
    client, region = (field["id"] for field in template["prerun"])
    run = launch(api, template["id"], prerun={client: "Acme"})

    updated = ok(api.put(f"/runs/{run['id']}", {"prerun": {region: "EU"}}))["data"]

    assert updated["prerun"] == {client: "Acme", region: "EU"}


def test_standard_member_may_update_a_run(world: World, run: dict[str, Any]) -> None:
    updated = ok(world.standard.put(f"/runs/{run['id']}", {"name": "By standard"}))["data"]

    assert updated["name"] == "By standard"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": None}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 551}, "name"),
        ({"starred": None}, "starred"),
        ({"starred": "often"}, "starred"),
        ({"owner_id": 999_999}, "owner_id"),
        ({"prerun": [{"a": 1}]}, "prerun"),
    ],
)
def test_update_run_with_an_invalid_field_answers_422_and_changes_nothing(
    api: Api, run: dict[str, Any], body: dict[str, Any], field: str
) -> None:
    before = ok(api.get(f"/runs/{run['id']}"))["data"]

    invalid(api.put(f"/runs/{run['id']}", body), field)

    assert ok(api.get(f"/runs/{run['id']}"))["data"] == before


def test_update_of_an_archived_run_answers_422(api: Api, run: dict[str, Any]) -> None:
    ok(api.delete(f"/runs/{run['id']}"))

    response = api.put(f"/runs/{run['id']}", {"name": "Renamed"})

    invalid(response, code="ARCHIVED")
    assert response.json()["message"] == "Cannot update archived processes."
    assert ok(api.get(f"/runs/{run['id']}"))["data"]["name"] == "Acme onboarding"


# ---------------------------------------------------------------- archive, activate, delete


def test_archive_run_answers_it_archived_and_hides_it_and_its_tasks(
    world: World, api: Api, run: dict[str, Any]
) -> None:
    archived = ok(api.delete(f"/runs/{run['id']}"))["data"]

    assert archived["status"] == "archived"
    assert archived["archived_at"] is not None
    assert listed(api) == []
    assert ok(api.get("/tasks"))["data"] == []
    assert len(tasks_of(api, run["id"])) == 3
    again = ok(api.delete(f"/runs/{run['id']}"))["data"]
    assert again["archived_at"] == archived["archived_at"]


def test_activate_run_brings_back_its_status_from_before_the_archive(api: Api) -> None:
    run, _ = make_run(api, steps=1)
    complete_all(api, run["id"])
    ok(api.delete(f"/runs/{run['id']}"))

    restored = ok(api.put(f"/runs/{run['id']}/activate"))["data"]

    assert restored["status"] == "complete"
    assert restored["archived_at"] is None
    assert [r["id"] for r in ok(api.get("/runs"))["data"]] == [run["id"]]
    assert ok(api.put(f"/runs/{run['id']}/activate"))["data"]["status"] == "complete"


def test_delete_run_permanently_answers_an_empty_200_and_forgets_it(
    world: World, api: Api, run: dict[str, Any]
) -> None:
    ok(api.delete(f"/runs/{run['id']}"))

    response = api.delete(f"/runs/{run['id']}/delete")

    assert response.status_code == 200
    assert response.content == b""
    not_found(api.get(f"/runs/{run['id']}"))
    not_found(api.delete(f"/runs/{run['id']}/delete"))
    assert counts(world, "processes", "tasks", "task_fields") == {
        "processes": 0,
        "tasks": 0,
        "task_fields": 0,
    }


def test_delete_run_permanently_while_active_answers_422_not_archived(
    api: Api, run: dict[str, Any]
) -> None:
    invalid(api.delete(f"/runs/{run['id']}/delete"), code="NOT_ARCHIVED")

    assert ok(api.get(f"/runs/{run['id']}"))["data"]["status"] == "active"


def test_delete_run_dry_run_counts_without_deleting(api: Api, run: dict[str, Any]) -> None:
    ok(api.delete(f"/runs/{run['id']}"))

    preview = ok(api.delete(f"/runs/{run['id']}/delete", params={"dry_run": "true"}))

    assert preview["dry_run"] is True
    assert preview["would_delete"]["processes"] == 1
    assert preview["would_delete"]["tasks"] == 3
    assert ok(api.get(f"/runs/{run['id']}"))["data"]["status"] == "archived"
