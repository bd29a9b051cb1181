"""The README quick start, as a test."""

from tests.conftest import Api
from tests.factories import launch, make_template, ok, tasks_of


def test_quick_start_three_step_template_runs_to_complete(api: Api) -> None:
    template = make_template(api, steps=3)
    run = launch(api, template["id"])
    assert run["status"] == "active"
    assert run["progress"] == {"complete": 0, "total": 3, "percent": 0.0}
    for task in tasks_of(api, run["id"]):
        ok(api.post(f"/runs/{run['id']}/completed-tasks", {"task_id": task["id"]}))
    final = ok(api.get(f"/runs/{run['id']}"))["data"]
    assert final["status"] == "complete"
    assert final["progress"]["percent"] == 100.0
    assert final["completed_at"] is not None
