"""An open `problem` comment is an issue: it blocks its task and puts the process in
`problem` until it is edited away or deleted."""

from tests.conftest import Api
from tests.factories import make_run, ok


def test_an_open_issue_puts_the_process_in_problem_until_it_is_closed(api: Api) -> None:
    run, tasks = make_run(api, steps=2)
    path = f"/tasks/{tasks[0]['id']}/comment"
    issue = ok(api.post(path, {"content": "Laptop missing", "label": "problem"}), 201)["data"]
    current = ok(api.get(f"/runs/{run['id']}"))["data"]
    assert (current["status"], current["has_open_issue"]) == ("problem", True)
    assert [r["id"] for r in ok(api.get("/runs?status=problem"))["data"]] == [run["id"]]
    assert ok(api.get(f"/runs/{run['id']}/tasks/{tasks[0]['id']}"))["data"]["problem"] is True
    ok(api.put(f"{path}/{issue['id']}", {"label": "comment"}))
    assert ok(api.get(f"/runs/{run['id']}"))["data"]["status"] == "active"
    second = ok(api.post(path, {"content": "Still missing", "label": "problem"}), 201)["data"]
    for task in tasks[1:]:
        ok(api.post(f"/runs/{run['id']}/completed-tasks", {"task_id": task["id"]}))
    assert ok(api.get(f"/runs/{run['id']}"))["data"]["status"] == "problem"
    ok(api.delete(f"{path}/{second['id']}"))
    ok(api.post(f"/runs/{run['id']}/completed-tasks", {"task_id": tasks[0]["id"]}))
    final = ok(api.get(f"/runs/{run['id']}"))["data"]
    assert (final["status"], final["has_open_issue"]) == ("complete", False)


def test_archive_and_restore_keep_the_problem_status(api: Api) -> None:
    run, tasks = make_run(api, steps=1)
    ok(api.post(f"/tasks/{tasks[0]['id']}/comment", {"content": "x", "label": "problem"}), 201)
    assert ok(api.delete(f"/runs/{run['id']}"))["data"]["status"] == "archived"
    assert ok(api.put(f"/runs/{run['id']}/activate"))["data"]["status"] == "problem"
