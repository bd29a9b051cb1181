"""At least once across failures: a committed event reaches the receiver even when the
receiver was down, and when the server was killed in the middle of sending it."""

import time
from collections.abc import Callable

import pytest

from procession.db.types import utcnow
from tests.conftest import World
from tests.crash.test_crash import Server
from tests.factories import ok
from tests.processes.builders import make_tag
from tests.webhooks.conftest import Receiver, deliveries, make_due, register


def eventually(condition: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


def test_a_delivery_survives_a_down_receiver_and_a_killed_server(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Servers started below deliver in the background, quickly.
    monkeypatch.setenv("PROCESSION_BACKGROUND_JOBS", "true")
    monkeypatch.setenv("PROCESSION_POLL_SECONDS", "0.05")
    monkeypatch.setenv("PROCESSION_WEBHOOK_RETRY_BASE_SECONDS", "0.5")
    receiver = Receiver()  # not started: nothing listens on its port yet
    register(world.admin, receiver, "tag.archived")
    tag = make_tag(world.admin)
    ok(world.admin.delete(f"/tags/{tag['id']}"))  # committed; the test client runs no worker

    first = Server(world.settings)
    try:
        # The receiver is down: the first attempt fails and a retry is scheduled.
        eventually(lambda: deliveries(world.settings)[0].attempt_count == 1)
        receiver.gate.clear()  # the receiver will take the retry and not answer it
        receiver.start()
        receiver.wait_for(1)
    finally:
        first.kill()  # SIGKILL in the middle of the send

    (row,) = deliveries(world.settings)
    assert (row.status, row.attempt_count) == ("pending", 1)
    assert row.next_attempt_at > utcnow()  # still leased to the dead server
    make_due(world.settings)  # as when the lease runs out
    receiver.gate.set()

    second = Server(world.settings)
    try:
        eventually(lambda: deliveries(world.settings)[0].status == "delivered")
    finally:
        second.kill()
        receiver.stop()
    requests = receiver.wait_for(2)
    assert len(requests) == 2  # at least once: the interrupted send was made again
    assert len({request.headers["webhook-id"] for request in requests}) == 1
    assert all(request.verified for request in requests)
    assert deliveries(world.settings)[0].attempt_count == 2
