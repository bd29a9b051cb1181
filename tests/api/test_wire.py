"""The details of Tallyfy's wire format that break real clients when missed."""

import re

import pytest

from tests.conftest import Api, World
from tests.factories import launch, make_oneoff, make_run, make_template, ok, tasks_of

HEX32 = re.compile(r"^[0-9a-f]{32}$")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def test_object_ids_are_32_hex_strings_and_user_ids_are_integers(api: Api, world: World) -> None:
    run, tasks = make_run(api, steps=1)
    assert HEX32.match(run["id"])
    assert HEX32.match(run["checklist_id"])
    assert HEX32.match(tasks[0]["id"])
    assert tasks[0]["owners"]["users"] == [world.org.admin.user_id]
    me = ok(api.get("/me"))["data"]
    assert isinstance(me["id"], int)
    assert isinstance(run["started_by"], int)


def test_timestamps_are_utc_with_milliseconds_and_absent_ones_are_null(api: Api) -> None:
    run, _ = make_run(api, steps=1)
    assert TIMESTAMP.match(run["created_at"])
    assert run["completed_at"] is None
    assert run["archived_at"] is None


@pytest.mark.parametrize("path", ["/checklists", "/runs", "/tasks", "/me/tasks", "/tags", "/users"])
def test_lists_always_carry_meta_pagination_even_when_empty(api: Api, path: str) -> None:
    body = ok(api.get(path))
    assert isinstance(body["data"], list)
    pagination = body["meta"]["pagination"]
    assert pagination["current_page"] == 1
    assert pagination["total_pages"] >= 1
    assert pagination["links"] == {} or isinstance(pagination["links"], dict)


def test_pagination_walk_yields_every_row_and_links_keep_the_query(api: Api) -> None:
    for n in range(5):
        make_template(api, title=f"Walk {n}", steps=0)
    first = ok(api.get("/checklists?per_page=2&q=walk"))
    pagination = first["meta"]["pagination"]
    assert (pagination["total"], pagination["count"], pagination["total_pages"]) == (5, 2, 3)
    assert "q=walk" in pagination["links"]["next"]
    assert "page=2" in pagination["links"]["next"]
    titles = [
        t["title"]
        for page in (1, 2, 3)
        for t in ok(api.get(f"/checklists?per_page=2&q=walk&page={page}"))["data"]
    ]
    assert sorted(titles) == [f"Walk {n}" for n in range(5)]
    last = ok(api.get("/checklists?per_page=2&q=walk&page=3"))["meta"]["pagination"]
    assert "next" not in last["links"]
    assert last["links"]["prev"] == last["links"]["previous"]
    beyond = ok(api.get("/checklists?per_page=2&q=walk&page=9"))
    assert beyond["data"] == []
    assert beyond["meta"]["pagination"]["total"] == 5


def test_per_page_is_clamped_to_one_hundred(api: Api) -> None:
    assert ok(api.get("/runs?per_page=100000"))["meta"]["pagination"]["per_page"] == 100
    assert ok(api.get("/runs?per_page=0"))["meta"]["pagination"]["per_page"] == 1


def test_run_progress_is_an_object(api: Api) -> None:
    run, _ = make_run(api, steps=2)
    assert run["progress"] == {"complete": 0, "total": 2, "percent": 0.0}


def test_includes_are_wrapped_in_data_where_tallyfy_wraps_them(api: Api) -> None:
    run, tasks = make_run(api, steps=2)
    with_tasks = ok(api.get(f"/runs/{run['id']}?with=tasks,tags,nonsense"))["data"]
    assert [t["id"] for t in with_tasks["tasks"]["data"]] == [t["id"] for t in tasks]
    assert with_tasks["tags"] == {"data": []}
    task_path = f"/runs/{run['id']}/tasks/{tasks[0]['id']}"
    assert ok(api.get(f"{task_path}?with=threads"))["data"]["threads"] == {"data": []}
    without = ok(api.get(f"/runs/{run['id']}"))["data"]
    assert "tasks" not in without


def test_template_steps_and_captures_are_bare_lists(api: Api) -> None:
    template = make_template(api, steps=1)
    body = ok(api.get(f"/checklists/{template['id']}?with=steps"))["data"]
    assert isinstance(body["steps"], list)
    assert body["steps"][0]["captures"] == []
    assert body["prerun"] == []
    assert body["automated_actions"] == []


def test_trailing_slash_is_not_redirected(api: Api) -> None:
    response = api.get("/runs/", follow_redirects=False)
    assert response.status_code == 404
    assert response.json()["code"] == "ENDPOINT_NOT_FOUND"


def test_empty_body_with_json_content_type_is_no_body(api: Api, world: World) -> None:
    run, tasks = make_run(api, steps=1)
    ok(api.post(f"/runs/{run['id']}/completed-tasks", json={"task_id": tasks[0]["id"]}))
    response = api.request(
        "DELETE",
        f"/runs/{run['id']}/completed-tasks/{tasks[0]['id']}",
        headers={"Content-Type": "application/json"},
        content=b"",
    )
    assert response.status_code == 200
    assert response.json()["data"]["status"] == "in-progress"
    empty_get = api.request("GET", "/runs", headers={"Content-Type": "application/json"})
    assert empty_get.status_code == 200


@pytest.mark.parametrize("client_header", ["APIClient", "TallyfySDK", "anything-at-all", None])
def test_any_x_tallyfy_client_value_is_accepted(api: Api, client_header: str | None) -> None:
    headers = {"X-Tallyfy-Client": client_header} if client_header else {}
    assert api.get("/me", headers=headers).status_code == 200


def test_every_route_answers_under_api_and_at_the_root(api: Api, world: World) -> None:
    template = make_template(api, steps=1)
    bare = world.client.get(
        f"/organizations/{world.org.id}/checklists/{template['id']}", headers=api.headers
    )
    assert bare.status_code == 200
    assert bare.json()["data"]["id"] == template["id"]
    assert world.client.get("/me/organizations", headers=api.headers).status_code == 200
    assert world.client.get("/api/me/organizations", headers=api.headers).status_code == 200


def test_openapi_document_and_docs_page_are_served(world: World) -> None:
    schema = ok(world.client.get("/api/openapi.json"))
    assert "/api/organizations/{org}/runs" in schema["paths"]
    assert world.client.get("/api/docs").status_code == 200


def test_openapi_document_declares_the_bearer_token_on_every_api_operation(world: World) -> None:
    schema = ok(world.client.get("/api/openapi.json"))
    assert schema["components"]["securitySchemes"]["HTTPBearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "An API token from `procession create-token`",
    }
    operations = {
        (method, path): operation
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    }
    assert ("post", "/api/organizations/{org}/file") in operations  # the upload's own caller
    assert ("get", "/api/me/organizations") in operations  # outside any organization
    unsecured = [
        key for key, op in operations.items() if op.get("security") != [{"HTTPBearer": []}]
    ]
    assert unsecured == []


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/api/nowhere", 404, "ENDPOINT_NOT_FOUND"),
        ("PATCH", "/api/organizations/{org}/runs", 405, "METHOD_NOT_ALLOWED"),
    ],
)
def test_routing_errors_are_json_in_tallyfy_shape(
    world: World, api: Api, method: str, path: str, status: int, code: str
) -> None:
    response = world.client.request(method, path.format(org=world.org.id), headers=api.headers)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"] is True
    assert response.json()["code"] == code


@pytest.mark.parametrize("token", [None, "not-a-token", "pcs_forged"])
def test_missing_or_unknown_token_is_401_json(world: World, token: str | None) -> None:
    caller = Api(world.client, world.org.id, token)
    response = caller.get("/runs")
    assert response.status_code == 401
    assert response.json() == {
        "error": True,
        "message": "Unauthenticated.",
        "code": "UNAUTHENTICATED",
    }
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("authorization", ["Basic dXNlcjpwYXNz", "Bearer", "Token {token}"])
def test_a_header_that_is_not_a_bearer_token_is_401(world: World, authorization: str) -> None:
    headers = {"Authorization": authorization.format(token=world.org.admin.token)}
    response = world.client.get(f"/api/organizations/{world.org.id}/runs", headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHENTICATED"


def test_the_bearer_scheme_is_read_in_any_case(world: World) -> None:
    headers = {"Authorization": f"bearer {world.org.admin.token}"}
    response = world.client.get(f"/api/organizations/{world.org.id}/runs", headers=headers)
    assert response.status_code == 200


def test_malformed_json_is_400(api: Api) -> None:
    response = api.request(
        "POST", "/checklists", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "BAD_REQUEST"


def test_validation_errors_name_each_field(api: Api) -> None:
    response = api.post("/checklists", {"title": 42, "type": "poem"})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] is True
    assert set(body["errors"]) == {"title", "type"}
    assert body["message"].startswith(("title", "type"))


def test_another_organizations_member_gets_404_for_the_org_and_its_objects(world: World) -> None:
    template = make_template(world.admin, steps=1)
    for path in ("", "/me", "/runs", f"/checklists/{template['id']}"):
        response = world.outsider.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "RESOURCE_NOT_FOUND"


def test_one_off_task_reads_as_a_task_without_a_run(api: Api, world: World) -> None:
    task = make_oneoff(api, owner=world.org.standard.user_id)
    assert task["run_id"] is None
    assert task["is_oneoff_task"] is True
    assert task["owners"] == {
        "users": [world.org.standard.user_id],
        "guests": [],
        "groups": [],
        "taskUrls": [],
    }
    assert (
        tasks_of(api, launch(api, make_template(api, steps=1)["id"])["id"])[0]["is_oneoff_task"]
        is False
    )


@pytest.mark.parametrize("path", ["/runs?owners=abc", "/tasks?owners=1,x"])
def test_user_id_filters_that_are_not_numbers_are_422(api: Api, path: str) -> None:
    response = api.get(path)
    assert response.status_code == 422
    assert "owners" in response.json()["errors"]
