"""Builders for tests, through the public API (so every fixture is also a real request)."""

from typing import Any

from tests.conftest import Api


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    """The JSON body, after asserting the status (shows the body when it differs)."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def make_template(
    api: Api, title: str = "Onboarding", steps: int = 3, **fields: Any
) -> dict[str, Any]:
    """A template with `steps` steps titled "Step 1".."Step N"."""
    template = ok(api.post("/checklists", {"title": title, **fields}), 201)["data"]
    for n in range(1, steps + 1):
        ok(api.post(f"/checklists/{template['id']}/steps", {"title": f"Step {n}"}), 201)
    return template


def add_capture(api: Api, template_id: str, step_id: str, **fields: Any) -> dict[str, Any]:
    body = {"field_type": "text", "label": "Answer", "required": True, **fields}
    path = f"/checklists/{template_id}/steps/{step_id}/captures"
    return ok(api.post(path, body), 201)["data"]


def steps_of(api: Api, template_id: str) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = ok(api.get(f"/checklists/{template_id}?with=steps"))["data"][
        "steps"
    ]
    return steps


def launch(api: Api, template_id: str, **fields: Any) -> dict[str, Any]:
    return ok(api.post("/runs", {"checklist_id": template_id, **fields}), 201)["data"]


def tasks_of(api: Api, run_id: str) -> list[dict[str, Any]]:
    tasks: list[dict[str, Any]] = ok(api.get(f"/runs/{run_id}/tasks"))["data"]
    return tasks


def make_run(api: Api, steps: int = 3) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A launched process of a fresh template, with its tasks."""
    run = launch(api, make_template(api, steps=steps)["id"])
    return run, tasks_of(api, run["id"])


def add_rule(api: Api, template_id: str, conditions: list[Any], actions: list[Any]) -> None:
    """An automation rule on the template: when all `conditions` hold, the `actions` run."""
    body = {"conditions": conditions, "then_actions": actions}
    ok(api.post(f"/checklists/{template_id}/automated-actions", body), 201)


def completed(step_id: str) -> dict[str, Any]:
    """A rule's condition: the step's task is completed."""
    return {"conditionable_id": step_id, "conditionable_type": "Step", "operation": "completed"}


def visibility(verb: str, step_id: str) -> dict[str, Any]:
    """A rule's action: "show" or "hide" the step's task."""
    return {"action_type": "visibility", "action_verb": verb, "target_step_id": step_id}


def make_oneoff(api: Api, owner: int, **fields: Any) -> dict[str, Any]:
    body = {
        "title": "Call the client",
        "owners": {"users": [owner]},
        "deadline": "2030-01-31 17:00:00",
        **fields,
    }
    return ok(api.post("/tasks", body), 201)["data"]
