"""Fixtures for the cross-cutting API tests."""

from typing import Any

import pytest

from tests.conftest import World
from tests.factories import add_capture, make_oneoff, make_run, ok, steps_of


@pytest.fixture
def ids(world: World) -> dict[str, Any]:
    """One object of every kind in the test organization."""
    api = world.admin
    run, tasks = make_run(api, steps=1)
    step = steps_of(api, run["checklist_id"])[0]
    capture = add_capture(api, run["checklist_id"], step["id"])
    comment = ok(api.post(f"/tasks/{tasks[0]['id']}/comment", {"content": "x"}), 201)["data"]
    tag = ok(api.post("/tags", {"title": "mine"}), 201)["data"]
    body = {"tag_id": tag["id"], "subject_type": "Run", "subject_id": run["id"]}
    tagging = ok(api.post("/checklists/tags", body))["data"]
    oneoff = make_oneoff(api, owner=world.org.admin.user_id)
    return {
        "org": world.org.id,
        "template_id": run["checklist_id"],
        "step_id": step["id"],
        "capture_id": capture["id"],
        "process_id": run["id"],
        "task_id": tasks[0]["id"],
        "oneoff_id": oneoff["id"],
        "comment_id": comment["id"],
        "tag_id": tag["id"],
        "tagging_id": tagging["id"],
        "user_id": world.org.standard.user_id,
    }
