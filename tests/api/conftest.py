"""Fixtures for the cross-cutting API tests."""

from typing import Any

import pytest

from procession.bulk.models import BulkJob
from procession.config import Settings
from procession.db.session import unit_of_work
from tests.conftest import World, run_async
from tests.factories import add_capture, make_oneoff, make_run, ok, steps_of


async def finished_bulk_job(settings: Settings, org_id: str, user_id: int) -> str:
    """A bulk job that is over, made directly: one the background worker leaves alone."""
    async with unit_of_work(settings) as session:
        job = BulkJob(org_id=org_id, action="archive", object_type="process", status="done")
        job.created_by_id = user_id
        session.add(job)
        await session.flush()
        return job.id


@pytest.fixture
def ids(world: World) -> dict[str, Any]:
    """One object of every kind in the test organization."""
    api = world.admin
    hook = {"url": "http://127.0.0.1:9/hooks", "event_types": ["process.launched"]}
    webhook = ok(api.post("/webhooks", hook), 201)["data"]
    run, tasks = make_run(api, steps=1)
    # Paused, so the delivery the launch queued stays as it is while a test runs.
    ok(api.put(f"/webhooks/{webhook['id']}", {"is_active": False}))
    delivery = ok(api.get(f"/webhooks/{webhook['id']}/deliveries"))["data"][0]
    step = steps_of(api, run["checklist_id"])[0]
    capture = add_capture(api, run["checklist_id"], step["id"])
    comment = ok(api.post(f"/tasks/{tasks[0]['id']}/comment", {"content": "x"}), 201)["data"]
    tag = ok(api.post("/tags", {"title": "mine"}), 201)["data"]
    body = {"tag_id": tag["id"], "subject_type": "Run", "subject_id": run["id"]}
    tagging = ok(api.post("/checklists/tags", body))["data"]
    oneoff = make_oneoff(api, owner=world.org.admin.user_id)
    group = ok(api.post("/groups", {"name": "mine", "members": [world.org.admin.user_id]}), 201)
    folder = ok(api.post("/folders", {"name": "mine", "folder_type": "run"}), 201)["data"]
    filed = {"folder_id": folder["id"], "subject_id": run["id"], "subject_type": "Run"}
    folder_object = ok(api.post("/folders/add-object", filed))["data"]
    kickoff_file = {
        "uploaded_from": "ko_field",
        "subject_type": "Checklist",
        "subject_id": run["checklist_id"],
    }
    asset = ok(api.request("POST", "/assets", data=kickoff_file, files={"name": ("a.txt", b"a")}))[
        "data"
    ]
    guest = ok(api.post("/guests", {"email": "guest@acme.example.com"}), 201)["data"]
    rule = {
        "conditions": [
            {"conditionable_id": step["id"], "conditionable_type": "Step", "operation": "completed"}
        ],
        "then_actions": [
            {
                "action_type": "deadline",
                "action_verb": "deadline",
                "target_step_id": step["id"],
                "deadline": {"value": 1, "unit": "days"},
            }
        ],
    }
    path = f"/checklists/{run['checklist_id']}/automated-actions"
    rule_id = ok(api.post(path, rule), 201)["data"]["id"]
    return {
        "org": world.org.id,
        "template_id": run["checklist_id"],
        "step_id": step["id"],
        "capture_id": capture["id"],
        "rule_id": rule_id,
        "process_id": run["id"],
        "task_id": tasks[0]["id"],
        "oneoff_id": oneoff["id"],
        "comment_id": comment["id"],
        "tag_id": tag["id"],
        "tagging_id": tagging["id"],
        "user_id": world.org.standard.user_id,
        "guest_email": guest["email"],
        "guest_id": guest["guest_code"],
        "webhook_id": webhook["id"],
        "group_id": group["data"]["id"],
        "folder_id": folder["id"],
        "folder_object_id": folder_object["id"],
        "asset_id": asset["id"],
        "delivery_id": delivery["id"],
        "job_id": run_async(
            finished_bulk_job(world.settings, world.org.id, world.org.admin.user_id)
        ),
    }
