"""PostgreSQL's pooled connections (db/engine.py: install_postgres_hooks): one the server
closed is replaced before a request uses it, and one in steady use costs no extra round trip."""

import time
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from procession.config import Settings
from procession.db import engine as engine_module
from tests.conftest import World
from tests.factories import ok


@pytest.fixture
def pings(world: World, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The connections the app's pool pings, in order (SQLAlchemy's dialect, spied on)."""
    if settings.is_sqlite:
        pytest.skip("the pool's checks are PostgreSQL's")
    dialect = world.client.app.state.database.engine.sync_engine.dialect  # type: ignore[attr-defined]
    pinged: list[Any] = []
    ping = dialect.do_ping

    def spy(dbapi_connection: Any) -> bool:
        pinged.append(dbapi_connection)
        return bool(ping(dbapi_connection))

    monkeypatch.setattr(dialect, "do_ping", spy)
    ok(world.admin.get("/runs"))  # the pool now holds a connection that served a request
    return pinged


def terminate_other_sessions(settings: Settings) -> None:
    """Close, from the server's side, every other connection to the test's database, and
    wait until they are gone (as a restart of the server would)."""
    admin = create_engine(settings.database_url, isolation_level="AUTOCOMMIT")
    others = "datname = current_database() AND pid <> pg_backend_pid()"
    try:
        with admin.connect() as db:
            db.execute(
                text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE {others}")
            )
            for _ in range(100):
                if not db.scalar(text(f"SELECT count(*) FROM pg_stat_activity WHERE {others}")):
                    return
                time.sleep(0.05)
        raise AssertionError("the sessions were not terminated")
    finally:
        admin.dispose()


def test_a_connection_the_server_closed_is_replaced_before_use(
    world: World, settings: Settings, pings: list[Any]
) -> None:
    terminate_other_sessions(settings)

    for _ in range(3):
        ok(world.admin.get("/runs"))
    # Each pooled connection was found out (pinged, failed, thrown away) before a request
    # used it; the new ones that replaced them were not pinged.
    assert pings
    assert all(connection.driver_connection.closed for connection in pings)


def test_a_connection_in_steady_use_is_not_pinged(world: World, pings: list[Any]) -> None:
    for _ in range(5):
        ok(world.admin.get("/runs"))
    assert pings == []


def test_a_connection_idle_for_long_is_pinged(
    world: World, pings: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "IDLE_PING_SECONDS", 0.0)

    ok(world.admin.get("/runs"))
    assert len(pings) == 1
