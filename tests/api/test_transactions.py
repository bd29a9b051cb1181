"""Every write is one transaction: a failure part-way leaves nothing behind."""

from tests.conftest import Api, World
from tests.databases import row_counts
from tests.factories import make_template, ok, steps_of

COUNTED_TABLES = ("processes", "tasks", "task_fields", "task_owners", "taggings")


def test_launch_failing_after_the_process_row_is_written_leaves_nothing(
    api: Api, world: World
) -> None:
    template = make_template(api, steps=2)
    step = steps_of(api, template["id"])[0]
    tag = ok(api.post("/tags", {"title": "urgent"}), 201)["data"]
    before = row_counts(world.settings, COUNTED_TABLES)
    # The process row is flushed before the per-step overrides are checked, and the tags
    # after the tasks: both failures must roll back everything the launch wrote.
    bad_step = api.post("/runs", {"checklist_id": template["id"], "tasks": {"f" * 32: {}}})
    assert bad_step.status_code == 422
    assert "tasks.ffffffffffffffffffffffffffffffff" in bad_step.json()["errors"]
    bad_tag = api.post(
        "/runs",
        {
            "checklist_id": template["id"],
            "tasks": {step["id"]: {"deadline": "2030-01-01 10:00:00"}},
            "tags": [tag["id"], "0" * 32],
        },
    )
    assert bad_tag.status_code == 422
    assert bad_tag.json()["errors"] == {"tags": ["Unknown tag: " + "0" * 32]}
    assert row_counts(world.settings, COUNTED_TABLES) == before
    assert ok(api.get("/runs"))["meta"]["pagination"]["total"] == 0
