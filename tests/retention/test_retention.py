"""Retention: auto-archive of complete processes and auto-purge of old archives, opt-in per
organization, with legal holds, dry runs and audit tombstones. The clock is frozen with
time-machine: archiving happens "days ago", then retention runs "now"."""

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import time_machine
from typer.testing import CliRunner

from procession.cli import app as cli
from procession.config import Settings
from procession.db.session import Database
from procession.main import create_app
from procession.retention import service as retention_service
from procession.retention.service import RetentionReport
from tests.conftest import Api, World, run_async
from tests.factories import make_oneoff, make_run, make_template, ok

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def days_ago(days: int) -> time_machine.travel:
    return time_machine.travel(NOW - timedelta(days=days), tick=False)


def archived_run(api: Api, days: int) -> dict[str, Any]:
    """A process (3 tasks) archived `days` days before NOW."""
    run, _ = make_run(api)
    with days_ago(days):
        ok(api.delete(f"/runs/{run['id']}"))
    return run


def completed_run(api: Api, days: int) -> dict[str, Any]:
    """A one-step process completed `days` days before NOW."""
    run, tasks = make_run(api, steps=1)
    with days_ago(days):
        ok(api.post(f"/runs/{run['id']}/completed-tasks", {"task_id": tasks[0]["id"]}))
    return run


def set_policy(api: Api, **windows: int | None) -> dict[str, Any]:
    return ok(api.put("/retention", windows))["data"]


def run_retention(settings: Settings, *, dry_run: bool = False) -> list[RetentionReport]:
    async def work() -> list[RetentionReport]:
        database = Database(settings)
        try:
            return await retention_service.run_all(database, dry_run=dry_run, now=NOW)
        finally:
            await database.dispose()

    return run_async(work())


def exists(api: Api, path: str) -> bool:
    return api.get(path, params={"archived": "true"}).status_code == 200


def test_retention_is_off_until_an_admin_turns_it_on(world: World) -> None:
    api = world.admin
    policy = ok(api.get("/retention"))["data"]
    assert policy["archive_completed_after_days"] is None
    assert policy["purge_archived_after_days"] is None
    ancient = archived_run(api, days=3650)
    done = completed_run(api, days=3650)

    assert run_retention(world.settings) == []
    assert exists(api, f"/runs/{ancient['id']}")
    assert ok(api.get(f"/runs/{done['id']}"))["data"]["status"] == "complete"


def test_archived_31_days_ago_is_purged_29_kept_held_kept(world: World) -> None:
    api = world.admin
    old, recent, held = archived_run(api, 31), archived_run(api, 29), archived_run(api, 31)
    ok(api.put(f"/runs/{held['id']}/legal-hold", {"reason": "Case 42"}))
    set_policy(api, purge_archived_after_days=30)

    (report,) = run_retention(world.settings)

    assert report.purged == {"process": 1}
    assert report.kept_on_hold == {"process": 1}
    assert report.rows_deleted["processes"] == 1
    assert report.rows_deleted["tasks"] == 3
    assert api.get(f"/runs/{old['id']}").status_code == 404
    assert exists(api, f"/runs/{recent['id']}")
    assert exists(api, f"/runs/{held['id']}")
    tombstones = ok(api.get("/audit-events", params={"action": "purge"}))["data"]
    assert [(e["object_id"], e["actor_id"]) for e in tombstones] == [(old["id"], None)]
    assert tombstones[0]["counts"]["tasks"] == 3


def test_a_second_run_purges_nothing(world: World) -> None:
    api = world.admin
    archived_run(api, 40)
    set_policy(api, purge_archived_after_days=30)
    assert run_retention(world.settings)[0].purged == {"process": 1}
    second = run_retention(world.settings)[0]
    assert second.purged == {}
    assert second.changed == 0


def test_every_kind_is_purged(world: World) -> None:
    api = world.admin
    template = make_template(api, title="Old template")
    tag = ok(api.post("/tags", {"title": "stale"}), 201)["data"]
    oneoff = make_oneoff(api, world.org.admin.user_id)
    run, _ = make_run(api)
    with days_ago(60):
        ok(api.delete(f"/checklists/{template['id']}"))
        ok(api.delete(f"/tags/{tag['id']}"))
        assert api.delete(f"/tasks/{oneoff['id']}").status_code == 204
        ok(api.delete(f"/runs/{run['id']}"))
    set_policy(api, purge_archived_after_days=30)

    (report,) = run_retention(world.settings)

    assert report.purged == {"process": 1, "template": 1, "task": 1, "tag": 1}
    assert report.rows_deleted["tasks"] == 4  # the one-off task and the process's three
    for path in (f"/checklists/{template['id']}", f"/tags/{tag['id']}", f"/runs/{run['id']}"):
        assert api.get(path).status_code == 404
    assert api.get(f"/tasks/{oneoff['id']}").status_code == 404


def test_a_held_template_is_kept(world: World) -> None:
    api = world.admin
    template = make_template(api)
    ok(api.put(f"/checklists/{template['id']}/legal-hold", {"reason": "audit"}))
    with days_ago(60):
        ok(api.delete(f"/checklists/{template['id']}"))
    set_policy(api, purge_archived_after_days=30)
    assert run_retention(world.settings)[0].kept_on_hold == {"template": 1}
    assert exists(api, f"/checklists/{template['id']}")


def test_the_dry_run_reports_exactly_what_the_real_run_then_does(world: World) -> None:
    api = world.admin
    tag = ok(api.post("/tags", {"title": "old"}), 201)["data"]
    run, _ = make_run(api)
    ok(
        api.post(
            "/checklists/tags",
            {"tag_id": tag["id"], "subject_type": "Run", "subject_id": run["id"]},
        )
    )
    with days_ago(45):
        ok(api.delete(f"/runs/{run['id']}"))
        ok(api.delete(f"/tags/{tag['id']}"))
    held = archived_run(api, 45)
    ok(api.put(f"/runs/{held['id']}/legal-hold", {}))
    completed_run(api, 20)
    completed_run(api, 5)
    set_policy(api, archive_completed_after_days=10, purge_archived_after_days=30)
    audit_before = ok(api.get("/audit-events"))["meta"]["pagination"]["total"]

    (dry,) = run_retention(world.settings, dry_run=True)

    assert ok(api.get("/audit-events"))["meta"]["pagination"]["total"] == audit_before
    assert exists(api, f"/runs/{run['id']}")
    (real,) = run_retention(world.settings)
    assert (dry.dry_run, real.dry_run) == (True, False)
    assert (dry.archived, dry.purged, dry.rows_deleted, dry.kept_on_hold) == (
        real.archived,
        real.purged,
        real.rows_deleted,
        real.kept_on_hold,
    )
    assert real.archived == {"process": 1}
    assert real.purged == {"process": 1, "tag": 1}
    assert real.kept_on_hold == {"process": 1}


def test_complete_processes_are_archived_after_the_window(world: World) -> None:
    api = world.admin
    old, fresh = completed_run(api, 11), completed_run(api, 9)
    active, _ = make_run(api)
    set_policy(api, archive_completed_after_days=10)

    (report,) = run_retention(world.settings)

    assert report.archived == {"process": 1}
    assert report.purged == {}
    assert ok(api.get(f"/runs/{old['id']}"))["data"]["status"] == "archived"
    assert ok(api.get(f"/runs/{fresh['id']}"))["data"]["status"] == "complete"
    assert ok(api.get(f"/runs/{active['id']}"))["data"]["status"] == "active"
    (event,) = ok(api.get("/audit-events", params={"action": "archive"}))["data"]
    assert (event["object_id"], event["actor_id"]) == (old["id"], None)


def test_only_admins_read_or_change_the_policy_and_it_is_validated(world: World) -> None:
    assert world.standard.get("/retention").status_code == 403
    assert world.standard.put("/retention", {"purge_archived_after_days": 1}).status_code == 403
    assert world.outsider.get("/retention").status_code == 404
    assert world.admin.put("/retention", {"purge_archived_after_days": 0}).status_code == 422
    misspelt = world.admin.put("/retention", {"purge_after_days": 30})
    assert misspelt.status_code == 422
    assert "purge_after_days" in misspelt.text
    policy = set_policy(world.admin, purge_archived_after_days=90)
    assert policy == {
        **policy,
        "purge_archived_after_days": 90,
        "archive_completed_after_days": None,
        "updated_by": world.org.admin.user_id,
    }
    assert ok(world.admin.get("/retention"))["data"]["purge_archived_after_days"] == 90
    assert ok(world.other_admin.get("/retention"))["data"]["purge_archived_after_days"] is None


def test_run_now_through_the_api(world: World) -> None:
    api = world.admin
    old = archived_run(api, 100)
    set_policy(api, purge_archived_after_days=30)
    assert world.standard.post("/retention/run").status_code == 403
    with time_machine.travel(NOW, tick=False):
        dry = ok(api.post("/retention/run", params={"dry_run": "true"}))["data"]
        assert exists(api, f"/runs/{old['id']}")
        real = ok(api.post("/retention/run"))["data"]
    assert dry["purged"] == real["purged"] == {"process": 1}
    assert (dry["dry_run"], real["dry_run"]) == (True, False)
    assert api.get(f"/runs/{old['id']}").status_code == 404


def test_the_cli_runs_and_dry_runs_retention(world: World, runner: CliRunner) -> None:
    api = world.admin
    archived_run(api, 100)
    set_policy(api, purge_archived_after_days=30)

    dry = runner.invoke(cli, ["retention", "run", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Acme" in dry.output
    assert "would permanently delete 1 process" in dry.output
    real = runner.invoke(cli, ["retention", "run"])
    assert "did permanently delete 1 process" in real.output
    again = runner.invoke(cli, ["retention", "run"])
    assert "did permanently delete nothing" in again.output


def test_the_server_applies_retention_on_a_schedule(world: World) -> None:
    api = world.admin
    old = archived_run(api, 100)
    set_policy(api, purge_archived_after_days=30)
    scheduled = world.settings.model_copy(update={"retention_interval_minutes": 60})
    from fastapi.testclient import TestClient

    with TestClient(create_app(scheduled)):  # the first round runs at start-up
        deadline = time.monotonic() + 10
        while api.get(f"/runs/{old['id']}").status_code != 404:
            assert time.monotonic() < deadline, "retention did not run"
            time.sleep(0.05)


def test_two_runners_at_once_purge_each_object_once(world: World) -> None:
    api = world.admin
    for _ in range(5):
        archived_run(api, 40)
    set_policy(api, purge_archived_after_days=30)

    async def both() -> list[list[RetentionReport]]:
        databases = [Database(world.settings), Database(world.settings)]
        try:
            return list(
                await asyncio.gather(
                    *(retention_service.run_all(db, dry_run=False, now=NOW) for db in databases)
                )
            )
        finally:
            for database in databases:
                await database.dispose()

    reports = [report for run in run_async(both()) for report in run]
    assert sum(report.purged.get("process", 0) for report in reports) == 5
    purges = ok(api.get("/audit-events", params={"action": "purge", "per_page": 50}))
    assert purges["meta"]["pagination"]["total"] == 5


def test_retention_announces_its_purges_to_webhooks(world: World) -> None:
    api = world.admin
    hook = {"url": "http://127.0.0.1:9/hooks", "event_types": ["process.purged"]}
    webhook = ok(api.post("/webhooks", hook), 201)["data"]
    old = archived_run(api, 40)
    set_policy(api, purge_archived_after_days=30)
    run_retention(world.settings, dry_run=True)
    assert ok(api.get(f"/webhooks/{webhook['id']}/deliveries"))["data"] == []

    run_retention(world.settings)

    (delivery,) = ok(api.get(f"/webhooks/{webhook['id']}/deliveries"))["data"]
    data = delivery["payload"]["data"]
    assert delivery["payload"]["type"] == "process.purged"
    assert (data["object"]["id"], data["actor"]) == (old["id"], None)
    assert data["counts"]["tasks"] == 3
