"""What archive, restore and purge do to the rows: every table, every column."""

from typing import Any

import pytest
from sqlalchemy import text

from procession.db import migrate
from tests.conftest import Api, World
from tests.databases import Snapshot, foreign_key_violations, sync_engine
from tests.databases import snapshot as database_snapshot
from tests.factories import add_capture, launch, make_template, ok, steps_of, tasks_of


def snapshot(world: World) -> Snapshot:
    return database_snapshot(world.settings)


def counts(snap: Snapshot) -> dict[str, int]:
    return {table: len(rows) for table, rows in snap.items()}


def rich_run(api: Api, world: World, name: str) -> dict[str, Any]:
    """A run whose tasks have form fields with answers, owners, comments (one deleted on its
    own), and tags on the run and on a task."""
    template = make_template(api, title=f"{name} template", steps=3)
    for step in steps_of(api, template["id"]):
        add_capture(api, template["id"], step["id"], label=f"{step['title']} notes")
    tag = ok(api.post("/tags", {"title": f"{name} tag"}), 201)["data"]
    run = launch(api, template["id"], name=name, tags=[tag["id"]])
    for task in tasks_of(api, run["id"]):
        capture_id = next(iter(task["taskdata"]))
        ok(api.put(f"/runs/{run['id']}/tasks/{task['id']}", {"taskdata": {capture_id: "done"}}))
        for n in range(2):
            ok(api.post(f"/tasks/{task['id']}/comment", {"content": f"note {n}"}), 201)
        ok(
            api.post(
                "/checklists/tags",
                {"tag_id": tag["id"], "subject_type": "Task", "subject_id": task["id"]},
            )
        )
    first = tasks_of(api, run["id"])[0]
    ok(api.post(f"/runs/{run['id']}/completed-tasks", {"task_id": first["id"]}))
    deleted = ok(api.post(f"/tasks/{first['id']}/comment", {"content": "oops"}), 201)["data"]
    ok(api.delete(f"/tasks/{first['id']}/comment/{deleted['id']}"))
    return run


def test_restore_returns_every_row_identical_to_before_the_archive(api: Api, world: World) -> None:
    run = rich_run(api, world, "Audit 2026")
    rich_run(api, world, "Bystander")
    before = snapshot(world)
    archived = snapshot_after(world, lambda: ok(api.delete(f"/runs/{run['id']}")))
    assert counts(archived) == counts(before), "archive must keep every row"
    assert archived != before
    ok(api.put(f"/runs/{run['id']}/activate"))
    assert snapshot(world) == before


def snapshot_after(world: World, action: Any) -> Snapshot:
    action()
    return snapshot(world)


def test_comment_deleted_before_the_archive_stays_deleted_after_restore(
    api: Api, world: World
) -> None:
    run = rich_run(api, world, "Quarter close")
    first = tasks_of(api, run["id"])[0]
    path = f"/runs/{run['id']}/tasks/{first['id']}?with=threads"
    visible = [c["content"] for c in ok(api.get(path))["data"]["threads"]["data"]]
    assert visible == ["note 0", "note 1"]
    ok(api.delete(f"/runs/{run['id']}"))
    assert [c["content"] for c in ok(api.get(path))["data"]["threads"]["data"]] == visible
    ok(api.put(f"/runs/{run['id']}/activate"))
    assert [c["content"] for c in ok(api.get(path))["data"]["threads"]["data"]] == visible


def test_archive_stamps_the_tasks_and_leaves_their_comments_rows_alone(
    api: Api, world: World
) -> None:
    """Comments are hidden with their task (`lifecycle: inherit`), so an archive costs nothing
    per comment; the restore test above shows they come back."""
    run = rich_run(api, world, "Long conversation")
    before = snapshot(world)
    after = snapshot_after(world, lambda: ok(api.delete(f"/runs/{run['id']}")))
    assert after["tasks"] != before["tasks"]
    assert after["comments"] == before["comments"]


def comment_stamps(world: World, run_id: str) -> dict[str, tuple[bool, bool]]:
    """Per comment content on the run's tasks: (archived, carries its task's batch)."""
    engine = sync_engine(world.settings)
    try:
        with engine.connect() as db:
            rows = db.execute(
                text(
                    "SELECT comments.content, comments.archived_at IS NOT NULL,"
                    " comments.archive_batch_id = tasks.archive_batch_id FROM comments"
                    " JOIN tasks ON tasks.id = comments.task_id WHERE tasks.process_id = :run"
                ),
                {"run": run_id},
            )
            return {content: (bool(archived), bool(same)) for content, archived, same in rows}
    finally:
        engine.dispose()


def test_the_migration_to_inherited_archives_unstamps_what_an_older_archive_stamped(
    api: Api, world: World
) -> None:
    """Down to the revision before it, an archived run's comments carry their task's stamp,
    as the older archive wrote them; the one deleted on its own keeps its own. Up again,
    every row is as the current archive writes it."""
    run = rich_run(api, world, "Archived earlier")
    ok(api.delete(f"/runs/{run['id']}"))
    at_head = snapshot(world)
    migrate.downgrade(world.settings, "c9e0e5f0a009")
    assert comment_stamps(world, run["id"]) == {
        "note 0": (True, True),
        "note 1": (True, True),
        "oops": (True, False),
    }
    migrate.upgrade(world.settings)
    assert snapshot(world) == at_head
    assert comment_stamps(world, run["id"])["note 0"] == (False, False)


def test_purge_removes_every_related_row_and_nothing_else(api: Api, world: World) -> None:
    run = rich_run(api, world, "Doomed")
    rich_run(api, world, "Bystander")
    ok(api.delete(f"/runs/{run['id']}"))
    before = snapshot(world)
    preview = ok(api.delete(f"/runs/{run['id']}/delete", params={"dry_run": "true"}))
    expected = {"processes": 1, "tasks": 3, "task_fields": 3, "task_owners": 3}
    expected |= {"comments": 7, "taggings": 4}
    assert preview["would_delete"] == expected
    assert snapshot(world) == before, "a dry run changes nothing"
    response = api.delete(f"/runs/{run['id']}/delete")
    assert response.status_code == 200
    assert response.content == b""
    after = snapshot(world)
    removed = {t: len(before[t]) - len(after[t]) for t in before if len(before[t]) != len(after[t])}
    assert removed == expected
    for table, rows in after.items():
        assert set(rows) <= set(before[table]), f"{table} changed beyond deletions"
    assert foreign_key_violations(world.settings) == []
    assert not any(run["id"] in row for rows in after.values() for row in rows)


def test_template_purge_removes_its_parts_and_keeps_launched_runs(api: Api, world: World) -> None:
    template = make_template(api, steps=2)
    for step in steps_of(api, template["id"]):
        add_capture(api, template["id"], step["id"])
    run = launch(api, template["id"])
    ok(api.delete(f"/checklists/{template['id']}"))
    before = snapshot(world)
    ok(api.delete(f"/checklists/{template['id']}/delete"))
    after = snapshot(world)
    removed = {t: len(before[t]) - len(after[t]) for t in before if len(before[t]) != len(after[t])}
    assert removed == {"templates": 1, "template_steps": 2, "step_captures": 2}
    kept = ok(api.get(f"/runs/{run['id']}?with=checklist"))["data"]
    assert kept["checklist_id"] == template["id"]
    assert kept["checklist_title"] == template["title"]
    assert kept["checklist"] == {"data": None}
    assert len(tasks_of(api, run["id"])) == 2


def test_archiving_a_template_leaves_its_runs_running_and_refuses_new_launches(
    api: Api, world: World
) -> None:
    template = make_template(api, steps=1)
    run = launch(api, template["id"])
    ok(api.delete(f"/checklists/{template['id']}"))
    task = tasks_of(api, run["id"])[0]
    completed = ok(api.post(f"/runs/{run['id']}/completed-tasks", {"task_id": task["id"]}))
    assert completed["data"]["status"] == "completed"
    assert run["id"] in {r["id"] for r in ok(api.get("/runs"))["data"]}
    refused = api.post("/runs", {"checklist_id": template["id"]})
    assert refused.status_code == 422
    assert "archived" in refused.json()["errors"]["checklist_id"][0]
    ok(api.put(f"/checklists/{template['id']}/restore"))
    assert api.post("/runs", {"checklist_id": template["id"]}).status_code == 201


def test_archived_run_disappears_from_task_lists_and_comes_back(api: Api, world: World) -> None:
    run = rich_run(api, world, "Hidden")
    task_ids = {t["id"] for t in tasks_of(api, run["id"])}
    assert task_ids <= {t["id"] for t in ok(api.get("/tasks?per_page=100"))["data"]}
    ok(api.delete(f"/runs/{run['id']}"))
    assert not task_ids & {t["id"] for t in ok(api.get("/tasks?per_page=100"))["data"]}
    assert not task_ids & {t["id"] for t in ok(api.get("/me/tasks?status=all"))["data"]}
    assert {t["id"] for t in tasks_of(api, run["id"])} == task_ids, "still readable by run"
    ok(api.put(f"/runs/{run['id']}/activate"))
    assert task_ids <= {t["id"] for t in ok(api.get("/tasks?per_page=100"))["data"]}


def test_archived_tag_leaves_objects_and_filters_and_returns_on_restore(
    api: Api, world: World
) -> None:
    run = rich_run(api, world, "Tagged")
    tag_id = ok(api.get(f"/runs/{run['id']}?with=tags"))["data"]["tags"]["data"][0]["tag_id"]
    ok(api.delete(f"/tags/{tag_id}"))
    assert ok(api.get(f"/runs/{run['id']}?with=tags"))["data"]["tags"] == {"data": []}
    ok(api.put(f"/tags/{tag_id}/restore"))
    tags = ok(api.get(f"/runs/{run['id']}?with=tags"))["data"]["tags"]["data"]
    assert [t["tag_id"] for t in tags] == [tag_id]
    assert [r["id"] for r in ok(api.get(f"/runs?tag={tag_id}"))["data"]] == [run["id"]]


WRITES_TO_AN_ARCHIVED_RUN = [
    ("PUT", "/runs/{run}", {"name": "Renamed"}),
    ("PUT", "/runs/{run}/tasks/{task}", {"title": "Renamed"}),
    ("POST", "/runs/{run}/completed-tasks", {"task_id": "{task}"}),
    ("DELETE", "/runs/{run}/completed-tasks/{done}", None),
    ("POST", "/tasks/{task}/comment", {"content": "late"}),
    ("PUT", "/tasks/{task}", {"title": "Renamed"}),
    ("POST", "/checklists/tags", {"tag_id": "{tag}", "subject_type": "Run", "subject_id": "{run}"}),
]


@pytest.mark.parametrize(("method", "path", "body"), WRITES_TO_AN_ARCHIVED_RUN)
def test_writes_to_an_archived_run_or_its_children_are_refused(
    api: Api, world: World, method: str, path: str, body: dict[str, str] | None
) -> None:
    run = rich_run(api, world, "Frozen")
    tasks = tasks_of(api, run["id"])
    tag = ok(api.post("/tags", {"title": "late tag"}), 201)["data"]
    ids = {"run": run["id"], "task": tasks[1]["id"], "done": tasks[0]["id"], "tag": tag["id"]}
    ok(api.delete(f"/runs/{run['id']}"))
    before = snapshot(world)
    filled = {k: v.format(**ids) for k, v in body.items()} if body else None
    response = api.request(method, path.format(**ids), json=filled)
    assert response.status_code == 422, response.text
    assert response.json()["error"] is True
    assert snapshot(world) == before


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("PUT", "", {"title": "Renamed"}),
        ("POST", "/steps", {"title": "One more"}),
        ("PUT", "/steps/{step}", {"title": "Renamed"}),
        ("DELETE", "/steps/{step}", None),
        ("POST", "/steps/{step}/captures", {"field_type": "text", "label": "More"}),
    ],
)
def test_edits_to_an_archived_template_are_refused(
    api: Api, world: World, method: str, suffix: str, body: dict[str, str] | None
) -> None:
    template = make_template(api, steps=1)
    step = steps_of(api, template["id"])[0]
    ok(api.delete(f"/checklists/{template['id']}"))
    before = snapshot(world)
    path = f"/checklists/{template['id']}" + suffix.format(step=step["id"])
    response = api.request(method, path, json=body)
    assert response.status_code == 422, response.text
    assert snapshot(world) == before
