"""Bulk operations over more objects than the request handles: the job, its progress, its
items, crash recovery, and the server running it."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from procession.auth.models import Membership
from procession.bulk import runner
from procession.bulk.models import BulkJob
from procession.config import Settings
from procession.db.session import Database
from procession.db.types import utcnow
from procession.main import create_app
from tests.bulk.helpers import archived_runs, audit_ids, bulk, job_world, runs
from tests.conftest import World, run_async
from tests.factories import ok

# The tests decide when a job runs.
pytestmark = pytest.mark.without_background_jobs

T = TypeVar("T")


def with_database(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    async def main() -> T:
        database = Database(settings)
        try:
            return await work(database)
        finally:
            await database.dispose()

    return run_async(main())


def chunk(settings: Settings, job_id: str, size: int) -> BulkJob | None:
    """Claim the job if it is claimable, then run one chunk of it."""

    async def work(database: Database) -> BulkJob | None:
        await runner.claim(database)
        return await runner.run_chunk(database, job_id, size)

    return with_database(settings, work)


def progress(job: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(
        job[key] for key in ("status", "total", "processed", "done", "not_found", "refused")
    )


def test_a_large_selection_becomes_a_job_that_runs_chunk_by_chunk(world: World) -> None:
    with job_world(world, sync_limit=2) as small:
        api = small.admin
        ids = runs(api, "A", "B", "C", "D", "E")
        job = bulk(api, "archive", 202, type="process", ids=[*ids, "missing"])
        assert progress(job) == ("queued", 6, 0, 0, 0, 0)
        assert job["selection"] == {"ids": [*ids, "missing"]}
        assert job["links"]["self"].endswith(f"/bulk/jobs/{job['id']}")
        assert job["started_at"] is None
        assert job["created_at"].endswith("Z")
        assert ok(api.get(f"/runs/{ids[0]}"))["data"]["status"] != "archived"

        chunk(small.settings, job["id"], size=4)
        running = ok(api.get(f"/bulk/jobs/{job['id']}"))["data"]
        assert progress(running) == ("running", 6, 4, 4, 0, 0)
        assert running["started_at"] is not None

        with_database(small.settings, lambda database: runner.run_job(database, job["id"]))
        finished = ok(api.get(f"/bulk/jobs/{job['id']}"))["data"]
        assert progress(finished) == ("done", 6, 6, 5, 1, 0)
        assert finished["finished_at"] is not None
        assert audit_ids(api, "archive") == sorted(ids)

        items = ok(api.get(f"/bulk/jobs/{job['id']}/items?per_page=4"))
        assert items["meta"]["pagination"]["total"] == 6
        assert [item["id"] for item in items["data"]] == ids[:4]
        assert "next" in items["meta"]["pagination"]["links"]
        missing = ok(api.get(f"/bulk/jobs/{job['id']}/items?outcome=not_found"))["data"]
        assert missing == [
            {
                "id": "missing",
                "outcome": "not_found",
                "reason": "Resource not found",
                "code": "RESOURCE_NOT_FOUND",
                "counts": None,
            }
        ]
        listed = ok(api.get("/bulk/jobs"))["data"]
        assert [listed_job["id"] for listed_job in listed] == [job["id"]]


def test_a_filter_is_resolved_when_the_job_is_created(world: World) -> None:
    with job_world(world, sync_limit=1) as small:
        api = small.admin
        ids = archived_runs(api, "Old 1", "Old 2")
        job = bulk(api, "delete", 202, type="process", filter={"q": "old"}, dry_run=True)
        assert job["selection"] == {"filter": {"q": "old"}}
        archived_runs(api, "Old 3")  # after creation: not part of the job
        with_database(small.settings, lambda database: runner.work(database, small.settings))
        finished = ok(api.get(f"/bulk/jobs/{job['id']}"))["data"]
        assert progress(finished) == ("done", 2, 2, 2, 0, 0)
        items = ok(api.get(f"/bulk/jobs/{job['id']}/items"))["data"]
        assert sorted(item["id"] for item in items) == sorted(ids)
        assert all(item["counts"]["processes"] == 1 for item in items)
        assert all(api.get(f"/runs/{run_id}").status_code == 200 for run_id in ids)  # dry run


def test_a_job_whose_worker_died_is_taken_over_and_nothing_is_done_twice(world: World) -> None:
    with job_world(world, sync_limit=1) as small:
        api = small.admin
        ids = runs(api, "P1", "P2", "P3", "P4", "P5")
        job = bulk(api, "archive", 202, type="process", ids=ids)
        chunk(small.settings, job["id"], size=2)

        # Another worker finds nothing to claim while the lease holds ...
        assert with_database(small.settings, runner.claim) is None

        # ... and takes over once the lease has run out (the first worker died).
        async def expire(database: Database) -> None:
            async with database.transaction() as session:
                await session.execute(
                    update(BulkJob)
                    .where(BulkJob.id == job["id"])
                    .values(lease_until=utcnow() - timedelta(seconds=1))
                )

        with_database(small.settings, expire)
        assert with_database(small.settings, lambda db: runner.work(db, small.settings)) == 1
        finished = ok(api.get(f"/bulk/jobs/{job['id']}"))["data"]
        assert progress(finished) == ("done", 5, 5, 5, 0, 0)
        assert audit_ids(api, "archive") == sorted(ids)  # one entry each: nothing redone
        assert with_database(small.settings, lambda db: runner.work(db, small.settings)) == 0


def test_jobs_take_turns_and_a_job_goes_on_from_where_its_turn_ended(world: World) -> None:
    """The background loop works on a job for a turn, so that shutdown, which waits for a
    round in progress, never waits for a whole long job."""
    with job_world(world, sync_limit=1) as small:
        api = small.admin
        ids = runs(api, "T1", "T2", "T3")
        job = bulk(api, "archive", 202, type="process", ids=ids)

        async def one_turn(database: Database) -> BulkJob | None:
            claimed = await runner.claim(database)
            assert claimed == job["id"]
            return await runner.run_job(database, claimed, size=1, for_seconds=0)

        # A turn of no time runs one chunk and hands the job back ...
        handed_back = with_database(small.settings, one_turn)
        assert handed_back is not None
        assert (handed_back.status, handed_back.processed) == ("running", 1)
        # ... so that a job queued meanwhile has its turn first, and the next round, here or
        # on another worker, claims it again at once.
        later = bulk(api, "archive", 202, type="process", ids=ids[:2], dry_run=True)
        assert with_database(small.settings, runner.claim) == later["id"]
        assert with_database(small.settings, lambda db: runner.work(db, small.settings)) == 1
        finished = ok(api.get(f"/bulk/jobs/{job['id']}"))["data"]
        assert progress(finished) == ("done", 3, 3, 3, 0, 0)
        assert audit_ids(api, "archive") == sorted(ids)  # one entry each: nothing redone


def test_a_creator_who_left_gets_the_remaining_items_refused(world: World) -> None:
    with job_world(world, sync_limit=1) as small:
        ids = runs(small.admin, "Q1", "Q2", "Q3")
        job = bulk(small.standard, "archive", 202, type="process", ids=ids)
        chunk(small.settings, job["id"], size=1)

        async def leave(database: Database) -> None:
            async with database.transaction() as session:
                await session.execute(
                    update(Membership)
                    .where(Membership.user_id == small.org.standard.user_id)
                    .values(status="disabled")
                )

        with_database(small.settings, leave)
        with_database(small.settings, lambda database: runner.run_job(database, job["id"]))
        finished = ok(small.admin.get(f"/bulk/jobs/{job['id']}"))["data"]
        assert progress(finished) == ("done", 3, 3, 1, 0, 2)
        refused = ok(small.admin.get(f"/bulk/jobs/{job['id']}/items?outcome=refused"))["data"]
        assert {item["code"] for item in refused} == {"NOT_A_MEMBER"}


def test_a_failing_chunk_marks_the_job_failed(world: World, monkeypatch: Any) -> None:
    with job_world(world, sync_limit=1) as small:
        ids = runs(small.admin, "F1", "F2")
        job = bulk(small.admin, "archive", 202, type="process", ids=ids)

        async def broken(*args: Any, **kwargs: Any) -> None:
            raise RuntimeError("disk on fire")

        monkeypatch.setattr(runner.bulk_service, "handle", broken)
        with pytest.raises(RuntimeError, match="disk on fire"):
            with_database(small.settings, lambda db: runner.work(db, small.settings))
        failed = ok(small.admin.get(f"/bulk/jobs/{job['id']}"))["data"]
        assert (failed["status"], failed["processed"]) == ("failed", 0)
        assert failed["error"] == "RuntimeError: disk on fire"


def test_members_see_their_own_jobs_admins_every_job(world: World) -> None:
    with job_world(world, sync_limit=1) as small:
        ids = runs(small.admin, "V1", "V2")
        mine = bulk(small.standard, "archive", 202, type="process", ids=ids)
        admins = bulk(small.admin, "archive", 202, type="process", ids=ids, dry_run=True)
        assert [job["id"] for job in ok(small.standard.get("/bulk/jobs"))["data"]] == [mine["id"]]
        listed = ok(small.admin.get("/bulk/jobs"))["data"]
        assert {job["id"] for job in listed} == {mine["id"], admins["id"]}
        assert small.standard.get(f"/bulk/jobs/{admins['id']}").status_code == 404
        assert small.other_admin.get(f"/bulk/jobs/{mine['id']}").status_code == 404
        assert small.outsider.get(f"/bulk/jobs/{mine['id']}").status_code == 404
        assert small.standard.get(f"/bulk/jobs/{admins['id']}/items").status_code == 404
        queued = ok(small.admin.get("/bulk/jobs?status=queued"))["data"]
        assert len(queued) == 2


def test_the_server_runs_jobs_in_the_background(world: World) -> None:
    settings = world.settings.model_copy(
        update={"bulk_sync_limit": 1, "poll_seconds": 0.05, "background_jobs": True}
    )
    with TestClient(create_app(settings)) as client:
        live = World(client, settings, world.org, world.other)
        ids = runs(live.admin, "B1", "B2", "B3")
        job = bulk(live.admin, "archive", 202, type="process", ids=ids)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            status = ok(live.admin.get(f"/bulk/jobs/{job['id']}"))["data"]
            if status["status"] == "done":
                break
            time.sleep(0.05)
        assert progress(status) == ("done", 3, 3, 3, 0, 0)


def test_two_workers_at_once_handle_each_item_once(world: World) -> None:
    with job_world(world, sync_limit=1) as small:
        api = small.admin
        first = runs(api, "W1", "W2", "W3", "W4")
        second = archived_runs(api, "W5", "W6", "W7")
        jobs = [
            bulk(api, "archive", 202, type="process", ids=first),
            bulk(api, "restore", 202, type="process", ids=second),
        ]

        async def race(database: Database) -> None:
            # Two workers claim (one job each, or one finds nothing), then both work on the
            # first job at once, as when a lease runs out under a worker that is still alive.
            await asyncio.gather(runner.claim(database), runner.claim(database))
            await asyncio.gather(*(runner.run_job(database, job["id"], size=1) for job in jobs * 2))

        with_database(small.settings, race)
        for job, ids in zip(jobs, (first, second), strict=True):
            status = ok(api.get(f"/bulk/jobs/{job['id']}"))["data"]
            assert progress(status) == ("done", len(ids), len(ids), len(ids), 0, 0)
        assert audit_ids(api, "archive") == sorted(first + second)  # W5-W7 by the fixture
        assert audit_ids(api, "restore") == sorted(second)
