"""`status` and `position` in task updates (PUT runs/{run}/tasks/{task} and PUT tasks/{task}):
completing through `status` is the same completion as POST completed-tasks."""

from tests.conftest import Api, World
from tests.factories import add_capture, launch, make_oneoff, make_run, make_template, ok, steps_of
from tests.processes.builders import error, invalid


def test_status_completed_completes_the_task_and_the_run(api: Api) -> None:
    run, tasks = make_run(api, steps=1)
    path = f"/runs/{run['id']}/tasks/{tasks[0]['id']}"
    done = ok(api.put(path, {"status": "completed", "title": "Renamed"}))["data"]
    assert (done["status"], done["title"]) == ("completed", "Renamed")
    assert done["completed_at"] is not None
    assert done["completer_id"] is not None
    current = ok(api.get(f"/runs/{run['id']}"))["data"]
    assert (current["status"], current["progress"]["complete"]) == ("complete", 1)
    error(api.put(path, {"status": "completed"}), 422)


def test_status_in_progress_reopens_and_not_started_resets(api: Api) -> None:
    run, tasks = make_run(api, steps=1)
    path = f"/runs/{run['id']}/tasks/{tasks[0]['id']}"
    ok(api.post(f"/runs/{run['id']}/completed-tasks", {"task_id": tasks[0]["id"]}))
    reopened = ok(api.put(path, {"status": "in-progress"}))["data"]
    assert (reopened["status"], reopened["completed_at"], reopened["completer_id"]) == (
        "in-progress",
        None,
        None,
    )
    assert ok(api.get(f"/runs/{run['id']}"))["data"]["status"] == "active"
    assert ok(api.put(path, {"status": "not-started"}))["data"]["status"] == "not-started"
    assert ok(api.put(path, {"status": "active"}))["data"]["status"] == "in-progress"
    invalid(api.put(path, {"status": "auto-skipped"}), "status")
    invalid(api.put(path, {"status": None}), "status")


def test_completing_through_status_runs_the_completion_checks(api: Api) -> None:
    template = make_template(api, steps=2)
    first, second = steps_of(api, template["id"])
    capture = add_capture(api, template["id"], first["id"], label="Name")
    ok(api.put(f"/checklists/{template['id']}/steps/{second['id']}", {"step_type": "approval"}))
    run = launch(api, template["id"])
    tasks = ok(api.get(f"/runs/{run['id']}/tasks"))["data"]
    path = f"/runs/{run['id']}/tasks/{tasks[0]['id']}"
    invalid(api.put(path, {"status": "completed"}), f"taskdata.{capture['id']}")
    unchanged = ok(api.get(path))["data"]
    assert unchanged["status"] != "completed"
    done = ok(api.put(path, {"status": "completed", "taskdata": {capture["id"]: "Ada"}}))
    assert done["data"]["taskdata"][capture["id"]] == "Ada"
    approval = f"/runs/{run['id']}/tasks/{tasks[1]['id']}"
    invalid(api.put(approval, {"status": "completed"}), "is_approved")
    approved = ok(api.put(approval, {"status": "completed", "is_approved": True}))["data"]
    assert (approved["status"], approved["is_approved"]) == ("completed", True)


def test_an_open_issue_blocks_completion_through_status(api: Api) -> None:
    run, tasks = make_run(api, steps=1)
    ok(api.post(f"/tasks/{tasks[0]['id']}/problem", {"content": "Stuck"}), 201)
    error(api.put(f"/runs/{run['id']}/tasks/{tasks[0]['id']}", {"status": "completed"}), 422)


def test_standalone_update_status_completes_and_reopens_a_oneoff(world: World) -> None:
    api = world.admin
    task = make_oneoff(api, owner=world.org.admin.user_id)
    done = ok(api.put(f"/tasks/{task['id']}", {"status": "completed"}))["data"]
    assert done["status"] == "completed"
    assert ok(api.get(f"/tasks/{task['id']}"))["data"]["completed_at"] is not None
    assert ok(api.put(f"/tasks/{task['id']}", {"status": "in-progress"}))["data"]["status"] == (
        "in-progress"
    )


def test_light_members_may_complete_their_own_tasks_through_status(world: World) -> None:
    api = world.admin
    light_id = world.org.light.user_id
    task = make_oneoff(api, owner=light_id)
    assert ok(world.light.put(f"/tasks/{task['id']}", {"status": "completed"}))["data"][
        "completer_id"
    ] == (light_id)
    error(world.light.put(f"/tasks/{task['id']}", {"title": "mine now"}), 403)


def test_position_moves_a_task_among_its_run(api: Api) -> None:
    run, tasks = make_run(api, steps=4)

    def order() -> list[str]:
        listed = ok(api.get(f"/runs/{run['id']}/tasks"))["data"]
        assert [t["position"] for t in listed] == [1, 2, 3, 4]
        return [t["title"] for t in listed]

    moved = ok(api.put(f"/runs/{run['id']}/tasks/{tasks[3]['id']}", {"position": 1}))["data"]
    assert moved["position"] == 1
    assert order() == ["Step 4", "Step 1", "Step 2", "Step 3"]
    ok(api.put(f"/runs/{run['id']}/tasks/{tasks[3]['id']}", {"position": 3}))
    assert order() == ["Step 1", "Step 2", "Step 4", "Step 3"]
    ok(api.put(f"/runs/{run['id']}/tasks/{tasks[0]['id']}", {"position": 99}))
    assert order() == ["Step 2", "Step 4", "Step 3", "Step 1"]
    invalid(api.put(f"/runs/{run['id']}/tasks/{tasks[0]['id']}", {"position": 0}), "position")
