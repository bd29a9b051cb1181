"""POST tasks/{task}/problem (report an issue) and POST tasks/{task}/resolved-threads (resolve
it): the flags on the task and the run, and completion blocked in between."""

from tests.conftest import Api, World
from tests.factories import make_oneoff, make_run, ok
from tests.processes.builders import MISSING_ID, error, invalid, not_found


def test_reporting_an_issue_flags_the_task_and_the_run(api: Api) -> None:
    run, tasks = make_run(api, steps=2)
    issue = ok(api.post(f"/tasks/{tasks[0]['id']}/problem", {"content": "Laptop missing"}), 201)
    thread = issue["data"]
    assert (thread["label"], thread["content"], thread["resolve_id"]) == (
        "problem",
        "Laptop missing",
        None,
    )
    assert thread["task_id"] == tasks[0]["id"]
    task = ok(api.get(f"/runs/{run['id']}/tasks/{tasks[0]['id']}?with=threads"))["data"]
    assert task["problem"] is True
    assert [t["id"] for t in task["threads"]["data"]] == [thread["id"]]
    current = ok(api.get(f"/runs/{run['id']}"))["data"]
    assert (current["status"], current["has_open_issue"]) == ("problem", True)
    error(api.post(f"/runs/{run['id']}/completed-tasks", {"task_id": tasks[0]["id"]}), 422)


def test_resolving_the_last_issue_clears_the_flags(api: Api) -> None:
    run, tasks = make_run(api, steps=1)
    path = f"/tasks/{tasks[0]['id']}"
    first = ok(api.post(f"{path}/problem", {"content": "One"}), 201)["data"]
    second = ok(api.post(f"{path}/problem", {"content": "Two"}), 201)["data"]
    body = {"thread_id": first["id"], "content": "Found it", "state": "collapsed"}
    resolution = ok(api.post(f"{path}/resolved-threads", body), 201)["data"]
    assert (resolution["label"], resolution["content"], resolution["state"]) == (
        "resolve",
        "Found it",
        "collapsed",
    )
    assert ok(api.get(f"/runs/{run['id']}"))["data"]["status"] == "problem"
    default = ok(api.post(f"{path}/resolved-threads", {"thread_id": second["id"]}), 201)
    assert default["data"]["content"] == "Resolved"
    threads = ok(api.get(f"/runs/{run['id']}/tasks/{tasks[0]['id']}?with=threads"))["data"]
    assert threads["problem"] is False
    resolved = {t["id"]: t["resolve_id"] for t in threads["threads"]["data"]}
    assert resolved[first["id"]] == resolution["id"]
    assert resolved[second["id"]] == default["data"]["id"]
    current = ok(api.get(f"/runs/{run['id']}"))["data"]
    assert (current["status"], current["has_open_issue"]) == ("active", False)
    ok(api.post(f"/runs/{run['id']}/completed-tasks", {"task_id": tasks[0]["id"]}))
    assert ok(api.get(f"/runs/{run['id']}"))["data"]["status"] == "complete"


def test_only_an_open_issue_of_this_task_can_be_resolved(api: Api) -> None:
    _, tasks = make_run(api, steps=2)
    here, there = (f"/tasks/{t['id']}" for t in tasks)
    comment = ok(api.post(f"{here}/comment", {"content": "just a note"}), 201)["data"]
    issue = ok(api.post(f"{here}/problem", {"content": "Stuck"}), 201)["data"]
    invalid(api.post(f"{here}/resolved-threads", {"thread_id": comment["id"]}), "thread_id")
    invalid(api.post(f"{there}/resolved-threads", {"thread_id": issue["id"]}), "thread_id")
    invalid(api.post(f"{here}/resolved-threads", {"thread_id": MISSING_ID}), "thread_id")
    invalid(api.post(f"{here}/resolved-threads", {}), "thread_id")
    ok(api.post(f"{here}/resolved-threads", {"thread_id": issue["id"]}), 201)
    invalid(api.post(f"{here}/resolved-threads", {"thread_id": issue["id"]}), "thread_id")


def test_issue_routes_check_the_task_and_the_input(world: World) -> None:
    api = world.admin
    run, tasks = make_run(api, steps=1)
    not_found(api.post(f"/tasks/{MISSING_ID}/problem", {"content": "x"}))
    not_found(world.outsider.post(f"/tasks/{tasks[0]['id']}/problem", {"content": "x"}))
    invalid(api.post(f"/tasks/{tasks[0]['id']}/problem", {"content": ""}), "content")
    issue = ok(api.post(f"/tasks/{tasks[0]['id']}/problem", {"content": "x"}), 201)["data"]
    not_found(
        world.outsider.post(f"/tasks/{tasks[0]['id']}/resolved-threads", {"thread_id": issue["id"]})
    )
    ok(api.delete(f"/runs/{run['id']}"))
    error(api.post(f"/tasks/{tasks[0]['id']}/problem", {"content": "x"}), 422)


def test_issues_on_a_oneoff_task_block_its_completion(world: World) -> None:
    api = world.admin
    task = make_oneoff(api, owner=world.org.admin.user_id)
    issue = ok(api.post(f"/tasks/{task['id']}/problem", {"content": "Stuck"}), 201)["data"]
    error(api.post("/completed-tasks", {"task_id": task["id"]}), 422)
    ok(api.post(f"/tasks/{task['id']}/resolved-threads", {"thread_id": issue["id"]}), 201)
    ok(api.post("/completed-tasks", {"task_id": task["id"]}))
