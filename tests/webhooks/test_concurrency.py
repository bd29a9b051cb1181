"""Several workers drain one outbox: each delivery is sent once."""

import asyncio

import pytest
from sqlalchemy import text

from procession.auth.service import SystemActor
from procession.config import Settings
from procession.db.session import Database, unit_of_work
from procession.webhooks import delivery, outbox
from tests.conftest import World, run_async
from tests.databases import sync_engine
from tests.webhooks.conftest import Receiver, deliveries, register


def queue(settings: Settings, org_id: str, count: int) -> None:
    actor = SystemActor(org_id)

    async def emit_all() -> None:
        async with unit_of_work(settings) as session:
            for n in range(count):
                await outbox.emit(session, actor, "tag.archived", f"{n:032x}", f"tag {n}")

    run_async(emit_all())


def test_two_concurrent_workers_never_send_a_delivery_twice(
    world: World, receiver: Receiver
) -> None:
    register(world.admin, receiver, "tag.archived")
    queue(world.settings, world.org.id, 3 * delivery.BATCH)

    async def worker(database: Database) -> int:
        done = 0
        while attempted := await delivery.work(database, world.settings):
            done += attempted
        return done

    async def two_workers() -> list[int]:
        databases = [Database(world.settings), Database(world.settings)]
        try:
            return list(await asyncio.gather(*(worker(database) for database in databases)))
        finally:
            for database in databases:
                await database.dispose()

    done = run_async(two_workers())
    assert sum(done) == 3 * delivery.BATCH
    assert all(done), done  # both took part
    ids = [request.headers["webhook-id"] for request in receiver.wait_for(sum(done))]
    assert len(ids) == len(set(ids)) == 3 * delivery.BATCH
    assert {(row.status, row.attempt_count) for row in deliveries(world.settings)} == {
        ("delivered", 1)
    }


def test_a_claim_skips_rows_another_worker_is_claiming(world: World, receiver: Receiver) -> None:
    """PostgreSQL: a row locked by another claimer's transaction is skipped, not waited for."""
    if world.settings.is_sqlite:
        pytest.skip("SQLite serialises claimers with its write lock instead")
    register(world.admin, receiver, "tag.archived")
    queue(world.settings, world.org.id, 3)
    engine = sync_engine(world.settings)
    try:
        with engine.begin() as other:
            locked = other.execute(
                text("SELECT id FROM webhook_deliveries ORDER BY id LIMIT 1 FOR UPDATE")
            ).scalar_one()

            async def claim() -> list[delivery.Claimed]:
                database = Database(world.settings)
                try:
                    return await asyncio.wait_for(delivery.claim(database, world.settings), 10)
                finally:
                    await database.dispose()

            claimed = run_async(claim())
        assert len(claimed) == 2
        assert locked not in {c.id for c in claimed}
    finally:
        engine.dispose()
