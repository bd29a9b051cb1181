"""`GET /runs/{run}/tasks` filters: owners, groups, guests, unassigned, status (incl.
`hasproblem` and `due_soon`), deadline ranges, sort, `currentTask`, `replace_page` and
`without_pagination`."""

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import Api, World
from tests.factories import make_run, ok
from tests.processes.builders import error


def titles(api: Api, run_id: str, query: str = "") -> list[str]:
    return [t["title"] for t in ok(api.get(f"/runs/{run_id}/tasks?{query}"))["data"]]


def assign(api: Api, run_id: str, task: dict[str, Any], **owners: Any) -> None:
    ok(api.put(f"/runs/{run_id}/tasks/{task['id']}", {"owners": owners}))


def test_owners_groups_guests_and_unassigned(world: World) -> None:
    api = world.admin
    run, tasks = make_run(api, steps=4)
    standard = world.org.standard.user_id
    assign(api, run["id"], tasks[0], users=[standard])
    assign(api, run["id"], tasks[1], groups=["g1"])
    assign(api, run["id"], tasks[2], guests=["Pat@Example.com"])
    assign(api, run["id"], tasks[3])
    assert titles(api, run["id"], f"owners={standard}") == ["Step 1"]
    assert titles(api, run["id"], "groups=g1,g2") == ["Step 2"]
    assert titles(api, run["id"], "guests=pat@example.com") == ["Step 3"]
    assert titles(api, run["id"], "unassigned=true") == ["Step 4"]
    assert titles(api, run["id"], "unassigned=false") == ["Step 1", "Step 2", "Step 3", "Step 4"]
    assert titles(api, run["id"], f"owners={standard}&groups=g1") == ["Step 1", "Step 2"]
    error(api.get(f"/runs/{run['id']}/tasks?owners=abc"), 422)


def test_status_filters_include_problems_and_due_soon(api: Api) -> None:
    run, tasks = make_run(api, steps=3)
    ok(api.post(f"/tasks/{tasks[0]['id']}/problem", {"content": "Stuck"}), 201)
    soon = (datetime.now(UTC) + timedelta(hours=2)).strftime("%Y-%m-%d %H:%M:%S")
    ok(api.put(f"/runs/{run['id']}/tasks/{tasks[1]['id']}", {"deadline": soon}))
    assert titles(api, run["id"], "status=hasproblem") == ["Step 1"]
    assert titles(api, run["id"], "status=due_soon") == ["Step 2"]
    ok(api.post(f"/runs/{run['id']}/completed-tasks", {"task_id": tasks[2]["id"]}))
    assert titles(api, run["id"], "status=complete") == ["Step 3"]
    assert titles(api, run["id"], "status=incomplete") == ["Step 1", "Step 2"]


def test_deadline_ranges_and_sort(api: Api) -> None:
    run, tasks = make_run(api, steps=3)
    for task, day in zip(tasks, ("2031-03-01", "2031-03-02", "2031-03-05"), strict=True):
        ok(api.put(f"/runs/{run['id']}/tasks/{task['id']}", {"deadline": f"{day} 12:00:00"}))
    window = "deadline_start_range=2031-03-02&deadline_end_range=2031-03-05"
    assert titles(api, run["id"], window) == ["Step 2", "Step 3"]
    assert titles(api, run["id"], "deadline_end_range=2031-03-01") == ["Step 1"]
    assert titles(api, run["id"], "deadline_start_range=2031-03-02 13:00:00") == ["Step 3"]
    assert titles(api, run["id"], "deadline_on=2031-03-02") == ["Step 2"]
    assert titles(api, run["id"], "deadline_before=2031-03-02") == ["Step 1"]
    assert titles(api, run["id"], "deadline_after=2031-03-02 12:00:00") == ["Step 3"]
    assert titles(api, run["id"], "sort=-deadline") == ["Step 3", "Step 2", "Step 1"]
    assert titles(api, run["id"], "sort=-position") == ["Step 3", "Step 2", "Step 1"]
    error(api.get(f"/runs/{run['id']}/tasks?deadline_start_range=soon"), 422)


def test_current_task_answers_its_page_and_replace_page_replaces_page(api: Api) -> None:
    run, tasks = make_run(api, steps=5)
    body = ok(api.get(f"/runs/{run['id']}/tasks?per_page=2&currentTask={tasks[4]['id']}"))
    assert [t["title"] for t in body["data"]] == ["Step 5"]
    assert body["meta"]["pagination"]["current_page"] == 3
    assert titles(api, run["id"], f"per_page=2&page=1&currentTask={tasks[2]['id']}") == [
        "Step 3",
        "Step 4",
    ]
    assert titles(api, run["id"], "per_page=2&page=1&replace_page=2") == ["Step 3", "Step 4"]
    # A task the filters leave out (or another run's) changes nothing.
    assert titles(api, run["id"], "per_page=2&currentTask=" + "f" * 32) == ["Step 1", "Step 2"]


def test_without_pagination_answers_the_whole_run(api: Api) -> None:
    run, _ = make_run(api, steps=12)
    body = ok(api.get(f"/runs/{run['id']}/tasks?without_pagination=true&per_page=5"))
    assert len(body["data"]) == 12
    assert body["meta"]["pagination"]["total"] == 12
    assert body["meta"]["pagination"]["total_pages"] == 1
    assert len(ok(api.get(f"/runs/{run['id']}/tasks"))["data"]) == 10
