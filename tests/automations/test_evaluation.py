"""Automation rules at work in processes (reference 3.5, 4.4; `automations/engine.py`):
conditions on kick-off answers, form answers and completed steps decide which tasks are
shown, who is assigned and when tasks are due, at launch and as the process moves on."""

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import Api, World
from tests.factories import (
    add_capture,
    add_rule,
    completed,
    launch,
    make_template,
    ok,
    steps_of,
    tasks_of,
    visibility,
)


def by_title(api: Api, run_id: str) -> dict[str, dict[str, Any]]:
    return {task["title"]: task for task in tasks_of(api, run_id)}


def complete(api: Api, run_id: str, task_id: str) -> dict[str, Any]:
    return ok(api.post(f"/runs/{run_id}/completed-tasks", {"task_id": task_id}))["data"]


def run_of(api: Api, run_id: str) -> dict[str, Any]:
    return ok(api.get(f"/runs/{run_id}"))["data"]


def kickoff_template(api: Api) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Three steps; a kick-off question "Country"; Step 2 hidden when the answer is France."""
    template = make_template(api, steps=3, prerun=[{"label": "Country", "field_type": "text"}])
    steps = steps_of(api, template["id"])
    condition = {
        "conditionable_id": template["prerun"][0]["id"],
        "conditionable_type": "Prerun",
        "operation": "equals",
        "statement": "france",
    }
    add_rule(api, template["id"], [condition], [visibility("hide", steps[1]["id"])])
    return template, steps


# ---------------------------------------------------------------- visibility


def test_a_step_hidden_at_launch_does_not_block_completion(api: Api) -> None:
    template, _ = kickoff_template(api)
    run = launch(api, template["id"], prerun={template["prerun"][0]["id"]: " France "})

    tasks = by_title(api, run["id"])
    assert tasks["Step 2"]["status"] == "auto-skipped"
    assert tasks["Step 1"]["status"] == "not-started"
    assert run_of(api, run["id"])["progress"]["total"] == 2
    open_tasks = ok(api.get(f"/runs/{run['id']}/tasks?status=active"))["data"]
    assert [t["title"] for t in open_tasks] == ["Step 1", "Step 3"]

    complete(api, run["id"], tasks["Step 1"]["id"])
    assert run_of(api, run["id"])["status"] == "active"
    complete(api, run["id"], tasks["Step 3"]["id"])

    finished = run_of(api, run["id"])
    assert finished["status"] == "complete"
    assert finished["progress"] == {"complete": 2, "total": 2, "percent": 100}
    assert by_title(api, run["id"])["Step 2"]["status"] == "auto-skipped"


def test_a_rule_whose_condition_does_not_hold_hides_nothing(api: Api) -> None:
    template, _ = kickoff_template(api)
    run = launch(api, template["id"], prerun={template["prerun"][0]["id"]: "Spain"})
    assert {t["status"] for t in tasks_of(api, run["id"])} == {"not-started"}
    tasks = by_title(api, run["id"])
    for title in ("Step 1", "Step 3"):
        complete(api, run["id"], tasks[title]["id"])
    assert run_of(api, run["id"])["status"] == "active"


def test_a_show_rule_keeps_its_step_hidden_until_the_condition_holds(api: Api) -> None:
    template = make_template(api, steps=3)
    first, _second, third = steps_of(api, template["id"])
    add_rule(api, template["id"], [completed(first["id"])], [visibility("show", third["id"])])
    run = launch(api, template["id"])
    tasks = by_title(api, run["id"])
    assert tasks["Step 3"]["status"] == "auto-skipped"

    complete(api, run["id"], tasks["Step 1"]["id"])

    assert by_title(api, run["id"])["Step 3"]["status"] == "not-started"
    assert run_of(api, run["id"])["progress"]["total"] == 3
    # Reopening the condition's task hides the step again.
    ok(api.delete(f"/runs/{run['id']}/completed-tasks/{tasks['Step 1']['id']}"))
    assert by_title(api, run["id"])["Step 3"]["status"] == "auto-skipped"


def test_a_form_answer_hides_a_step_and_a_changed_answer_shows_it(api: Api) -> None:
    template = make_template(api, steps=2)
    first, second = steps_of(api, template["id"])
    capture = add_capture(api, template["id"], first["id"], label="Amount", field_type="number")
    condition = {
        "conditionable_id": capture["id"],
        "conditionable_type": "Capture",
        "operation": "greater_than",
        "statement": "1000",
    }
    add_rule(api, template["id"], [condition], [visibility("hide", second["id"])])
    run = launch(api, template["id"])
    tasks = by_title(api, run["id"])
    path = f"/runs/{run['id']}/tasks/{tasks['Step 1']['id']}"

    ok(api.put(path, {"taskdata": {capture["id"]: 5000}}))
    assert by_title(api, run["id"])["Step 2"]["status"] == "auto-skipped"

    ok(api.put(path, {"taskdata": {capture["id"]: 10}}))
    assert by_title(api, run["id"])["Step 2"]["status"] == "not-started"


def test_or_logic_needs_one_condition_and_and_logic_needs_all(api: Api) -> None:
    template = make_template(api, steps=4)
    a, b, c, d = (s["id"] for s in steps_of(api, template["id"]))
    body = {
        "condition_logic": "or",
        "conditions": [completed(a), completed(b)],
        "then_actions": [visibility("hide", c)],
    }
    ok(api.post(f"/checklists/{template['id']}/automated-actions", body), 201)
    add_rule(api, template["id"], [completed(a), completed(b)], [visibility("hide", d)])
    run = launch(api, template["id"])
    tasks = by_title(api, run["id"])

    complete(api, run["id"], tasks["Step 1"]["id"])
    statuses = {t["title"]: t["status"] for t in tasks_of(api, run["id"])}
    assert (statuses["Step 3"], statuses["Step 4"]) == ("auto-skipped", "not-started")

    complete(api, run["id"], tasks["Step 2"]["id"])
    assert by_title(api, run["id"])["Step 4"]["status"] == "auto-skipped"
    assert run_of(api, run["id"])["status"] == "complete"


# ---------------------------------------------------------------- assignment and deadlines


def test_an_assignment_rule_assigns_when_its_step_is_completed(world: World, api: Api) -> None:
    template = make_template(api, steps=2)
    first, second = steps_of(api, template["id"])
    reviewer = world.org.standard.user_id
    assign = {
        "action_type": "assignment",
        "action_verb": "assign",
        "target_step_id": second["id"],
        "assignees": {"users": [reviewer], "guests": ["auditor@example.com"]},
    }
    add_rule(api, template["id"], [completed(first["id"])], [assign])
    run = launch(api, template["id"])
    tasks = by_title(api, run["id"])
    launcher = world.org.admin.user_id
    assert tasks["Step 2"]["owners"]["users"] == [launcher]

    complete(api, run["id"], tasks["Step 1"]["id"])

    owners = by_title(api, run["id"])["Step 2"]["owners"]
    assert sorted(owners["users"]) == sorted([launcher, reviewer])
    assert owners["guests"] == ["auditor@example.com"]
    mine = ok(world.standard.get("/me/tasks"))["data"]
    assert tasks["Step 2"]["id"] in [t["id"] for t in mine]


def test_assign_only_replaces_and_unassign_removes(world: World, api: Api) -> None:
    template = make_template(api, steps=3)
    first, second, third = steps_of(api, template["id"])
    standard, launcher = world.org.standard.user_id, world.org.admin.user_id
    only = {
        "action_type": "assignment",
        "action_verb": "assign_only",
        "target_step_id": second["id"],
        "assignees": {"users": [standard]},
    }
    unassign = {
        "action_type": "assignment",
        "action_verb": "unassign",
        "target_step_id": third["id"],
        "assignees": {"users": [launcher]},
    }
    add_rule(api, template["id"], [completed(first["id"])], [only, unassign])
    run = launch(api, template["id"])
    tasks = by_title(api, run["id"])

    complete(api, run["id"], tasks["Step 1"]["id"])

    after = by_title(api, run["id"])
    assert after["Step 2"]["owners"]["users"] == [standard]
    assert after["Step 3"]["owners"]["users"] == []


def test_an_assignment_fires_once_per_time_its_condition_starts_to_hold(
    world: World, api: Api
) -> None:
    template = make_template(api, steps=3)
    first, second, _ = steps_of(api, template["id"])
    standard = world.org.standard.user_id
    assign = {
        "action_type": "assignment",
        "action_verb": "assign",
        "target_step_id": second["id"],
        "assignees": {"users": [standard]},
    }
    add_rule(api, template["id"], [completed(first["id"])], [assign])
    run = launch(api, template["id"])
    tasks = by_title(api, run["id"])
    complete(api, run["id"], tasks["Step 1"]["id"])
    # Someone takes the reviewer off; completing another task does not put them back.
    step2 = f"/runs/{run['id']}/tasks/{tasks['Step 2']['id']}"
    ok(api.put(step2, {"owners": {"users": [world.org.admin.user_id]}}))
    complete(api, run["id"], tasks["Step 3"]["id"])
    assert by_title(api, run["id"])["Step 2"]["owners"]["users"] == [world.org.admin.user_id]
    # Reopened and completed again, the condition holds anew and the rule fires again.
    ok(api.delete(f"/runs/{run['id']}/completed-tasks/{tasks['Step 1']['id']}"))
    complete(api, run["id"], tasks["Step 1"]["id"])
    assert standard in by_title(api, run["id"])["Step 2"]["owners"]["users"]


def test_a_deadline_rule_sets_the_target_tasks_deadline(api: Api) -> None:
    template = make_template(api, steps=2)
    first, second = steps_of(api, template["id"])
    deadline = {
        "action_type": "deadline",
        "action_verb": "deadline",
        "target_step_id": second["id"],
        "deadline": {"value": 2, "unit": "hours"},
    }
    add_rule(api, template["id"], [completed(first["id"])], [deadline])
    run = launch(api, template["id"])
    tasks = by_title(api, run["id"])
    before = datetime.fromisoformat(tasks["Step 2"]["deadline"].replace("Z", "+00:00"))
    assert before - datetime.now(UTC) > timedelta(days=4)

    complete(api, run["id"], tasks["Step 1"]["id"])

    after = by_title(api, run["id"])["Step 2"]["deadline"]
    due = datetime.fromisoformat(after.replace("Z", "+00:00")) - datetime.now(UTC)
    assert timedelta(hours=1, minutes=55) < due <= timedelta(hours=2)


def test_deleting_a_rule_stops_it_for_later_events(api: Api) -> None:
    template = make_template(api, steps=2)
    first, second = steps_of(api, template["id"])
    add_rule(api, template["id"], [completed(first["id"])], [visibility("hide", second["id"])])
    rule_id = ok(api.get(f"/checklists/{template['id']}"))["data"]["automated_actions"][0]["id"]
    run = launch(api, template["id"])
    assert (
        api.delete(f"/checklists/{template['id']}/automated-actions/{rule_id}").status_code == 204
    )
    complete(api, run["id"], by_title(api, run["id"])["Step 1"]["id"])
    assert by_title(api, run["id"])["Step 2"]["status"] == "not-started"


def test_changing_a_kickoff_answer_reevaluates_the_rules(api: Api) -> None:
    template, _ = kickoff_template(api)
    field_id = template["prerun"][0]["id"]
    run = launch(api, template["id"], prerun={field_id: "Spain"})
    assert by_title(api, run["id"])["Step 2"]["status"] == "not-started"

    ok(api.put(f"/runs/{run['id']}", {"prerun": {field_id: "France"}}))

    assert by_title(api, run["id"])["Step 2"]["status"] == "auto-skipped"
    assert run_of(api, run["id"])["progress"]["total"] == 2
