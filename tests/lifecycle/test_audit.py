"""The lifecycle audit trail: who archived, restored or permanently deleted what, and when."""

from tests.conftest import Api, World
from tests.factories import make_run, ok


def test_every_lifecycle_call_is_recorded_with_counts_and_the_purge_entry_survives(
    api: Api, world: World
) -> None:
    run, _ = make_run(api, steps=3)
    ok(api.delete(f"/runs/{run['id']}"))
    ok(api.delete(f"/runs/{run['id']}"))  # a repeat archive changes nothing: no entry
    ok(api.put(f"/runs/{run['id']}/activate"))
    ok(api.delete(f"/runs/{run['id']}"))
    assert api.delete(f"/runs/{run['id']}/delete").status_code == 200
    events = ok(api.get("/audit-events"))["data"]
    assert [e["action"] for e in events] == ["purge", "archive", "restore", "archive"]
    purge = events[0]
    assert purge["object_type"] == "process"
    assert purge["object_id"] == run["id"]
    assert purge["object_name"] == run["name"]
    assert purge["actor_id"] == world.org.admin.user_id
    assert purge["counts"] == {"processes": 1, "tasks": 3, "task_owners": 3}
    assert events[-1]["counts"] == {"processes": 1, "tasks": 3}
    assert set(purge) == {
        "id",
        "action",
        "object_type",
        "object_id",
        "object_name",
        "actor_id",
        "counts",
        "created_at",
    }


def test_audit_trail_filters_by_action_type_and_date(api: Api) -> None:
    run, _ = make_run(api, steps=1)
    tag = ok(api.post("/tags", {"title": "old"}), 201)["data"]
    ok(api.delete(f"/runs/{run['id']}"))
    ok(api.delete(f"/tags/{tag['id']}"))
    ok(api.put(f"/tags/{tag['id']}/restore"))
    tags = ok(api.get("/audit-events?object_type=tag"))["data"]
    assert [e["action"] for e in tags] == ["restore", "archive"]
    archives = ok(api.get("/audit-events?action=archive"))["data"]
    assert {e["object_type"] for e in archives} == {"tag", "process"}
    assert ok(api.get("/audit-events?since=2999-01-01"))["data"] == []
    assert len(ok(api.get("/audit-events?until=2999-01-01 00:00:00"))["data"]) == 3
    assert api.get("/audit-events?action=explode").status_code == 422


def test_only_admins_read_the_audit_trail_and_only_their_own(world: World) -> None:
    run, _ = make_run(world.admin, steps=1)
    ok(world.admin.delete(f"/runs/{run['id']}"))
    assert world.standard.get("/audit-events").status_code == 403
    assert world.light.get("/audit-events").status_code == 403
    assert world.outsider.get("/audit-events").status_code == 404
    assert ok(world.other_admin.get("/audit-events"))["data"] == []
