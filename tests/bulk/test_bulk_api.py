"""Bulk archive, restore and delete handled in the request: selection by ids and by filter,
per-item outcomes, dry runs, roles, and the audit trail."""

from typing import Any

import pytest

from tests.bulk.helpers import archived_runs, audit_ids, bulk, outcomes, runs
from tests.conftest import World
from tests.factories import make_oneoff, make_template, ok

# The tests decide when a job runs.
pytestmark = pytest.mark.without_background_jobs


def test_archive_by_ids_archives_each_and_audits_each(world: World) -> None:
    api = world.admin
    ids = runs(api, "One", "Two", "Three")
    result = bulk(api, "archive", type="process", ids=ids)
    assert (result["action"], result["type"], result["dry_run"]) == ("archive", "process", False)
    assert (result["total"], result["done"], result["not_found"], result["refused"]) == (3, 3, 0, 0)
    assert [item["id"] for item in result["results"]] == ids
    for run_id in ids:
        assert ok(api.get(f"/runs/{run_id}"))["data"]["status"] == "archived"
    assert audit_ids(api, "archive") == sorted(ids)


def test_repeated_ids_are_handled_once(world: World) -> None:
    api = world.admin
    (run_id,) = runs(api, "Once")
    result = bulk(api, "archive", type="process", ids=[run_id, run_id])
    assert result["total"] == 1
    assert audit_ids(api, "archive") == [run_id]


def test_a_filter_archives_the_live_objects_the_list_endpoint_shows(world: World) -> None:
    api = world.admin
    alphas = runs(api, "Alpha one", "alpha two")
    runs(api, "Beta")
    listed = ok(api.get("/runs?q=alpha"))["data"]
    assert sorted(run["id"] for run in listed) == sorted(alphas)
    result = bulk(api, "archive", type="process", filter={"q": "alpha"})
    assert sorted(outcomes(result)) == sorted(alphas)
    assert [run["name"] for run in ok(api.get("/runs"))["data"]] == ["Beta"]


def test_restore_and_delete_filters_select_among_archived_objects(world: World) -> None:
    api = world.admin
    archived = archived_runs(api, "Gamma old")
    live = runs(api, "Gamma new")
    restored = bulk(api, "restore", type="process", filter={"q": "gamma"})
    assert list(outcomes(restored)) == archived
    assert {run["name"] for run in ok(api.get("/runs"))["data"]} == {"Gamma old", "Gamma new"}
    ok(api.delete(f"/runs/{archived[0]}"))
    deleted = bulk(api, "delete", type="process", filter={"q": "gamma"})
    assert list(outcomes(deleted)) == archived
    assert api.get(f"/runs/{archived[0]}").status_code == 404
    assert ok(api.get(f"/runs/{live[0]}"))["data"]["name"] == "Gamma new"


def test_filters_of_every_kind(world: World) -> None:
    api = world.admin
    template = make_template(api, title="Quarterly review", steps=1)
    make_template(api, title="Hiring", steps=1)
    assert list(outcomes(bulk(api, "archive", type="template", filter={"q": "quarterly"}))) == [
        template["id"]
    ]
    tag = ok(api.post("/tags", {"title": "Stale"}), 201)["data"]
    ok(api.post("/tags", {"title": "Fresh"}), 201)
    assert list(outcomes(bulk(api, "archive", type="tag", filter={"q": "stal"}))) == [tag["id"]]
    mine = make_oneoff(api, world.org.standard.user_id, title="Chase invoice")
    make_oneoff(api, world.org.admin.user_id, title="Chase invoice too")
    owned = {"owners": str(world.org.standard.user_id)}
    assert list(outcomes(bulk(api, "archive", type="task", filter=owned))) == [mine["id"]]


def test_a_task_filter_selects_one_off_tasks_only(world: World) -> None:
    api = world.admin
    runs(api, "With tasks")
    oneoff = make_oneoff(api, world.org.admin.user_id)
    result = bulk(api, "archive", type="task", filter={})
    assert list(outcomes(result)) == [oneoff["id"]]


def test_missing_and_other_organizations_ids_are_not_found(world: World) -> None:
    api = world.admin
    (mine,) = runs(api, "Mine")
    (theirs,) = runs(world.other_admin, "Theirs")
    result = bulk(api, "archive", type="process", ids=[mine, theirs, "nope"])
    assert outcomes(result) == {
        mine: ("done", None),
        theirs: ("not_found", "RESOURCE_NOT_FOUND"),
        "nope": ("not_found", "RESOURCE_NOT_FOUND"),
    }
    assert result["results"][1]["reason"] == "Resource not found"
    assert ok(world.other_admin.get(f"/runs/{theirs}"))["data"]["status"] != "archived"


def test_deleting_a_live_object_is_refused_and_changes_nothing(world: World) -> None:
    api = world.admin
    (live,) = runs(api, "Live")
    (archived,) = archived_runs(api, "Archived")
    result = bulk(api, "delete", type="process", ids=[live, archived])
    refused, done = result["results"]
    assert (refused["outcome"], refused["code"]) == ("refused", "NOT_ARCHIVED")
    assert refused["reason"] == "The object must be archived before it can be permanently deleted."
    assert done["outcome"] == "done"
    assert done["counts"]["processes"] == 1
    assert ok(api.get(f"/runs/{live}"))["data"]["name"] == "Live"
    assert api.get(f"/runs/{archived}").status_code == 404
    assert audit_ids(api, "purge") == [archived]


def test_a_process_task_is_refused_a_one_off_task_done(world: World) -> None:
    api = world.admin
    (run_id,) = runs(api, "Run")
    process_task = ok(api.get(f"/runs/{run_id}/tasks"))["data"][0]
    oneoff = make_oneoff(api, world.org.admin.user_id)
    result = bulk(api, "archive", type="task", ids=[process_task["id"], oneoff["id"]])
    assert outcomes(result) == {
        process_task["id"]: ("refused", "INVALID_STATE"),
        oneoff["id"]: ("done", None),
    }


def test_restoring_a_tag_whose_title_was_taken_is_refused(world: World) -> None:
    api = world.admin
    old = ok(api.post("/tags", {"title": "Urgent"}), 201)["data"]
    ok(api.delete(f"/tags/{old['id']}"))
    ok(api.post("/tags", {"title": "Urgent"}), 201)
    result = bulk(api, "restore", type="tag", ids=[old["id"]])
    assert outcomes(result) == {old["id"]: ("refused", "VALIDATION_ERROR")}


def test_a_held_process_is_refused(world: World) -> None:
    api = world.admin
    held, free = archived_runs(api, "Held", "Free")
    ok(api.put(f"/runs/{held}/legal-hold", {"reason": "Case 42"}))
    result = bulk(api, "delete", type="process", ids=[held, free])
    assert outcomes(result) == {held: ("refused", "LEGAL_HOLD"), free: ("done", None)}
    assert ok(api.get(f"/runs/{held}"))["data"]["id"] == held


def test_the_dry_run_writes_nothing_and_predicts_the_real_run(world: World) -> None:
    api = world.admin
    live, *archived = archived_runs(api, "Live", "Old", "Older")
    ok(api.put(f"/runs/{live}/activate"))
    (theirs,) = runs(world.other_admin, "Theirs")
    ids = [live, *archived, theirs, "missing"]
    before = ok(api.get("/runs?archived=true&per_page=100"))["data"]
    events_before = ok(api.get("/audit-events?per_page=100"))["meta"]["pagination"]["total"]

    dry = bulk(api, "delete", type="process", ids=ids, dry_run=True)
    assert dry["dry_run"] is True
    assert ok(api.get("/runs?archived=true&per_page=100"))["data"] == before
    assert ok(api.get("/audit-events?per_page=100"))["meta"]["pagination"]["total"] == (
        events_before
    )
    real = bulk(api, "delete", type="process", ids=ids)
    assert {key: value for key, value in dry.items() if key != "dry_run"} == {
        key: value for key, value in real.items() if key != "dry_run"
    }
    assert (real["done"], real["not_found"], real["refused"]) == (2, 2, 1)
    assert all(item["counts"]["tasks"] == 2 for item in real["results"][1:3])


def test_the_dry_run_sees_what_earlier_objects_would_change(world: World) -> None:
    api = world.admin
    first = ok(api.post("/tags", {"title": "Twin"}), 201)["data"]
    ok(api.delete(f"/tags/{first['id']}"))
    second = ok(api.post("/tags", {"title": "Twin"}), 201)["data"]
    ok(api.delete(f"/tags/{second['id']}"))
    ids = [first["id"], second["id"]]
    dry = bulk(api, "restore", type="tag", ids=ids, dry_run=True)
    expected = {first["id"]: ("done", None), second["id"]: ("refused", "VALIDATION_ERROR")}
    assert outcomes(dry) == expected
    assert ok(api.get("/tags"))["data"] == []
    assert outcomes(bulk(api, "restore", type="tag", ids=ids)) == expected


def test_an_archive_dry_run_leaves_objects_live(world: World) -> None:
    api = world.admin
    ids = runs(api, "Stay", "Live")
    dry = bulk(api, "archive", type="process", ids=ids, dry_run=True)
    assert dry["done"] == 2
    assert len(ok(api.get("/runs"))["data"]) == 2
    assert audit_ids(api, "archive") == []


@pytest.mark.parametrize(
    ("member", "action", "status"),
    [
        ("light", "archive", 403),
        ("light", "restore", 403),
        ("light", "delete", 403),
        ("standard", "delete", 403),
        ("standard", "archive", 200),
        ("standard", "restore", 200),
    ],
)
def test_roles(world: World, member: str, action: str, status: int) -> None:
    ids = archived_runs(world.admin, "Subject") if action != "archive" else runs(world.admin, "S")
    caller = getattr(world, member)
    answer = caller.post(f"/bulk/{action}", {"type": "process", "ids": ids})
    assert answer.status_code == status, answer.text
    if status == 403:
        assert answer.json()["code"] == "FORBIDDEN"
    else:
        assert answer.json()["data"]["done"] == 1


def test_outsiders_and_anonymous_callers_get_nothing(world: World) -> None:
    (run_id,) = runs(world.admin, "Private")
    body = {"type": "process", "ids": [run_id]}
    assert world.outsider.post("/bulk/archive", body).status_code == 404
    assert world.anonymous.post("/bulk/archive", body).status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {"type": "process"},
        {"type": "process", "ids": ["a"], "filter": {}},
        {"type": "process", "ids": []},
        {"type": "process", "filter": {"colour": "red"}},
        {"type": "process", "filter": {"owners": "1,x"}},
        {"type": "comment", "ids": ["a"]},
        {"type": "template", "filter": {"status": "complete"}},
    ],
)
def test_malformed_requests_are_422(world: World, body: dict[str, Any]) -> None:
    answer = world.admin.post("/bulk/archive", body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"] is True


def test_an_unknown_action_is_refused(world: World) -> None:
    answer = world.admin.post("/bulk/explode", {"type": "process", "ids": ["a"]})
    assert answer.status_code == 404


def test_owner_filters_take_a_list_or_commas(world: World) -> None:
    api = world.admin
    standard = world.org.standard.user_id
    first = make_oneoff(api, standard, title="First")
    second = make_oneoff(api, standard, title="Second")
    result = bulk(api, "archive", type="task", filter={"owners": [standard]}, dry_run=True)
    assert sorted(outcomes(result)) == sorted([first["id"], second["id"]])
