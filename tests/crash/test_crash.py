"""Crash consistency: kill the server with SIGKILL in the middle of archiving, restoring or
permanently deleting a process with 10,000 tasks, restart it, and find all of the operation
or none of it, never part. `make crash` repeats each 100 times (PROCESSION_CRASH_RUNS)."""

import contextlib
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import insert, select, text

from procession.config import Settings
from procession.db.models import Base
from tests.conftest import World
from tests.databases import foreign_key_violations, sync_engine
from tests.factories import launch, make_template
from tests.live import free_port, wait_until_ready

TASKS = 10_000
RUNS = int(os.environ.get("PROCESSION_CRASH_RUNS", "1"))


def grow(settings: Settings, process_id: str) -> None:
    """Copy the process's one task (and its one comment) until it has `TASKS` of each."""
    tasks, comments = Base.metadata.tables["tasks"], Base.metadata.tables["comments"]
    engine = sync_engine(settings)
    with engine.begin() as db:
        task = dict(
            db.execute(select(tasks).where(tasks.c.process_id == process_id)).one()._mapping
        )
        comment = dict(
            db.execute(select(comments).where(comments.c.task_id == task["id"])).one()._mapping
        )
        new_tasks, new_comments = [], []
        for n in range(1, TASKS):
            task_id = uuid.uuid4().hex
            new_tasks.append(task | {"id": task_id, "increment_id": 10**6 + n, "position": n + 1})
            new_comments.append(comment | {"id": uuid.uuid4().hex, "task_id": task_id})
        db.execute(insert(tasks), new_tasks)
        db.execute(insert(comments), new_comments)
    engine.dispose()


class Server:
    """`procession serve` as a child process that can be killed without warning."""

    def __init__(self, settings: Settings) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "DATABASE_URL": settings.database_url,
            "PROCESSION_LOG_LEVEL": "warning",
        }
        command = [sys.executable, "-m", "procession.cli", "serve", "--port", str(self.port)]
        self.process = subprocess.Popen(command, env=env)
        wait_until_ready(self.process, self.base)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)


@pytest.fixture
def big_run(world: World) -> dict[str, Any]:
    run = launch(world.admin, make_template(world.admin, steps=1)["id"])
    task = world.admin.get(f"/runs/{run['id']}/tasks").json()["data"][0]
    world.admin.post(f"/tasks/{task['id']}/comment", {"content": "kept or gone, never half"})
    grow(world.settings, run["id"])
    return run


def state(settings: Settings, process_id: str) -> tuple[str, ...]:
    """What the database holds of the process: 'gone', or its own archive state, after
    checking that its tasks share one archive state and that their comments, which are
    hidden with their tasks, were never written."""
    engine = sync_engine(settings)
    with engine.connect() as db:
        process = db.execute(
            text("SELECT archive_batch_id FROM processes WHERE id = :id"), {"id": process_id}
        ).one_or_none()
        children = db.execute(
            text(
                "SELECT count(*), count(DISTINCT coalesce(t.archive_batch_id, '-')),"
                " (SELECT count(*) FROM comments c JOIN tasks u ON u.id = c.task_id"
                "   WHERE u.process_id = :id AND c.archived_at IS NOT NULL)"
                " FROM tasks t WHERE t.process_id = :id"
            ),
            {"id": process_id},
        ).one()
        if settings.is_sqlite:
            assert db.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
    engine.dispose()
    assert foreign_key_violations(settings) == []
    if process is None:
        assert children[0] == 0, "a deleted process left tasks behind"
        return ("gone",)
    assert children[0] == TASKS, "tasks were lost"
    assert children[1] == 1, "tasks are in more than one archive state"
    assert children[2] == 0, "comments were stamped"
    return ("archived" if process[0] else "live",)


@pytest.mark.parametrize("attempt", range(RUNS))
@pytest.mark.parametrize(
    ("operation", "before", "outcomes"),
    [
        ("archive", "live", {("live",), ("archived",)}),
        ("restore", "archived", {("archived",), ("live",)}),
        ("purge", "archived", {("archived",), ("gone",)}),
    ],
)
def test_sigkill_mid_operation_leaves_all_or_nothing(
    world: World,
    big_run: dict[str, Any],
    operation: str,
    before: str,
    outcomes: set[tuple[str, ...]],
    attempt: int,
    capsys: pytest.CaptureFixture[str],
) -> None:
    run_id = big_run["id"]
    if before == "archived":
        assert world.admin.delete(f"/runs/{run_id}").status_code == 200
    assert state(world.settings, run_id) == (before,)
    method, path = {
        "archive": ("DELETE", f"/runs/{run_id}"),
        "restore": ("PUT", f"/runs/{run_id}/activate"),
        "purge": ("DELETE", f"/runs/{run_id}/delete"),
    }[operation]
    server = Server(world.settings)
    url = f"{server.base}{world.admin.url(path)}"

    def call() -> None:
        with contextlib.suppress(httpx.TransportError):  # the server dies under it
            httpx.request(method, url, headers=world.admin.headers, timeout=60)

    caller = threading.Thread(target=call)
    caller.start()
    delay = random.Random(f"{operation}{attempt}").uniform(0.0, 0.8)
    time.sleep(delay)
    server.kill()
    caller.join()
    after = state(world.settings, run_id)
    assert after in outcomes
    with capsys.disabled():
        print(f"\n[crash] {operation}: SIGKILL after {delay:.3f}s -> {after[0]}")
    restarted = Server(world.settings)  # and the server comes back on what was left
    try:
        seen = httpx.get(
            f"{restarted.base}{world.admin.url(f'/runs/{run_id}')}", headers=world.admin.headers
        )
        assert seen.status_code == (404 if after == ("gone",) else 200)
    finally:
        restarted.kill()
