"""Events into the outbox and out to receivers: what is sent, signed how, to whom, and
what happens when the receiver fails."""

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from procession.audit import service as audit_service
from procession.auth import service as auth_service
from procession.config import Settings
from procession.db.session import Database
from procession.tags import service as tag_service
from procession.webhooks import delivery
from procession.webhooks.models import WebhookDelivery
from tests.conftest import World, run_async
from tests.factories import make_run, make_template, ok, tasks_of
from tests.processes.builders import invalid, make_tag, tag_with
from tests.webhooks.conftest import Receiver, deliveries, drain, make_due, register


@pytest.fixture
def receivers() -> Iterator[Callable[[], Receiver]]:
    """Start as many receivers as a test needs; all stop after it."""
    started: list[Receiver] = []

    def start() -> Receiver:
        started.append(Receiver().start())
        return started[-1]

    yield start
    for receiver in started:
        receiver.stop()


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_a_delivery_is_signed_and_names_object_actor_and_time(
    world: World, receiver: Receiver
) -> None:
    api = world.admin
    register(api, receiver, "tag.archived")
    tag = make_tag(api, "urgent")
    ok(api.delete(f"/tags/{tag['id']}"))
    assert drain(world.settings) == 1
    (request,) = receiver.wait_for(1)
    assert request.verified
    headers = {key.lower(): value for key, value in request.headers.items()}
    (row,) = deliveries(world.settings)
    assert headers["webhook-id"] == row.id
    assert headers["webhook-id"].startswith("msg_")
    assert headers["webhook-timestamp"].isdigit()
    assert headers["webhook-signature"].startswith("v1,")
    assert headers["x-tallyfy-orgid"] == world.org.id
    assert headers["content-type"] == "application/json"
    payload = request.payload
    assert payload["type"] == "tag.archived"
    assert parse_time(payload["timestamp"]) <= parse_time(tag["created_at"]) + timedelta(minutes=5)
    assert payload["data"] == {
        "org_id": world.org.id,
        "object": {"type": "tag", "id": tag["id"], "name": "urgent"},
        "actor": {"id": world.org.admin.user_id},
    }
    assert row.status == "delivered"
    assert row.attempt_count == 1


def test_a_signature_made_with_another_secret_does_not_verify(
    world: World, receiver: Receiver
) -> None:
    """The receiver's check is real: an endpoint registered with a different secret fails it."""
    ok(world.admin.post("/webhooks", {"url": receiver.url, "event_types": ["tag.archived"]}), 201)
    tag = make_tag(world.admin)
    ok(world.admin.delete(f"/tags/{tag['id']}"))
    drain(world.settings)
    (request,) = receiver.wait_for(1)
    assert not request.verified


def test_a_rolled_back_change_sends_nothing(world: World, receiver: Receiver) -> None:
    register(world.admin, receiver, "tag.archived")
    tag = make_tag(world.admin)

    async def archive_then_fail() -> None:
        database = Database(world.settings)
        try:
            async with database.transaction() as session:
                caller = await auth_service.principal_for_user(
                    session, world.org.admin.user_id, world.org.id
                )
                await audit_service.archive(
                    session, caller, await tag_service.get_tag(session, caller, tag["id"])
                )
                queued = select(func.count()).select_from(WebhookDelivery)
                assert await session.scalar(queued) == 1
                raise RuntimeError("the request fails after the change")
        finally:
            await database.dispose()

    with pytest.raises(RuntimeError):
        run_async(archive_then_fail())
    assert deliveries(world.settings) == []
    assert drain(world.settings) == 0
    assert receiver.received == []
    assert ok(world.admin.get(f"/tags/{tag['id']}"))["data"]["deleted_at"] is None


def test_a_failed_request_sends_nothing(world: World, receiver: Receiver) -> None:
    """A purge refused with 422 (the tag is live) emits nothing."""
    register(world.admin, receiver, "tag.purged", "tag.archived")
    tag = make_tag(world.admin)
    invalid(world.admin.delete(f"/tags/{tag['id']}/delete"), code="NOT_ARCHIVED")
    assert deliveries(world.settings) == []


def test_a_failing_receiver_is_retried_with_growing_waits(world: World, receiver: Receiver) -> None:
    settings = world.settings.model_copy(update={"webhook_retry_base_seconds": 60.0})
    endpoint = register(world.admin, receiver, "tag.archived")
    receiver.statuses.extend([500, 503])
    tag = make_tag(world.admin)
    ok(world.admin.delete(f"/tags/{tag['id']}"))

    assert drain(settings) == 1  # the 500; the retry is not due for a minute
    (row,) = deliveries(settings)
    assert (row.status, row.attempt_count, row.last_error) == ("pending", 1, "HTTP 500")
    first_wait = row.next_attempt_at - row.created_at
    assert timedelta(seconds=59) < first_wait < timedelta(seconds=70)

    make_due(settings)
    assert drain(settings) == 1  # the 503; now two minutes
    (row,) = deliveries(settings)
    assert (row.status, row.attempt_count) == ("pending", 2)
    listed = ok(world.admin.get(f"/webhooks/{endpoint['id']}/deliveries"))["data"][0]
    second_try = parse_time(listed["attempts"][1]["attempted_at"])
    second_wait = row.next_attempt_at - second_try
    assert timedelta(seconds=119) < second_wait < timedelta(seconds=130)

    make_due(settings)
    assert drain(settings) == 1
    requests = receiver.wait_for(3)
    assert len({request.headers["webhook-id"] for request in requests}) == 1
    assert all(request.verified for request in requests)
    listed = ok(world.admin.get(f"/webhooks/{endpoint['id']}/deliveries"))["data"][0]
    assert listed["status"] == "delivered"
    assert listed["next_attempt_at"] is None
    assert listed["delivered_at"] is not None
    assert [a["status_code"] for a in listed["attempts"]] == [500, 503, 200]
    assert [a["error"] for a in listed["attempts"]] == ["HTTP 500", "HTTP 503", None]


def test_backoff_doubles_up_to_an_hour(settings: Settings) -> None:
    settings = settings.model_copy(update={"webhook_retry_base_seconds": 10.0})
    waits = [delivery.backoff(settings, attempts).total_seconds() for attempts in range(1, 11)]
    assert waits == [10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600]


def test_a_delivery_dies_after_the_last_attempt_and_an_admin_can_retry_it(
    world: World, receiver: Receiver
) -> None:
    endpoint = register(world.admin, receiver, "tag.archived")
    receiver.statuses.extend([500] * 3)
    tag = make_tag(world.admin)
    ok(world.admin.delete(f"/tags/{tag['id']}"))
    assert drain(world.settings) == 3  # webhook_max_attempts, no waits in these tests
    path = f"/webhooks/{endpoint['id']}/deliveries"
    (dead,) = ok(world.admin.get(path))["data"]
    assert (dead["status"], dead["attempt_count"], dead["last_error"]) == ("dead", 3, "HTTP 500")
    assert drain(world.settings) == 0

    retried = ok(world.admin.post(f"{path}/{dead['id']}/retry"))["data"]
    assert (retried["status"], retried["attempt_count"]) == ("pending", 0)
    invalid(world.admin.post(f"{path}/{dead['id']}/retry"), code="INVALID_STATE")
    assert drain(world.settings) == 1
    (delivered,) = ok(world.admin.get(path))["data"]
    assert delivered["status"] == "delivered"
    assert [a["status_code"] for a in delivered["attempts"]] == [500, 500, 500, 200]
    assert len(receiver.wait_for(4)) == 4


def test_an_unreachable_receiver_is_an_attempt_without_a_status(
    world: World, receiver: Receiver
) -> None:
    endpoint = register(world.admin, receiver, "tag.archived")
    receiver.stop()
    tag = make_tag(world.admin)
    ok(world.admin.delete(f"/tags/{tag['id']}"))
    assert drain(world.settings) == 3
    (dead,) = ok(world.admin.get(f"/webhooks/{endpoint['id']}/deliveries"))["data"]
    assert dead["status"] == "dead"
    assert all(a["status_code"] is None and a["error"] for a in dead["attempts"])


def test_redirects_are_not_followed(world: World, receiver: Receiver) -> None:
    register(world.admin, receiver, "tag.archived")
    receiver.statuses.extend([307, 307, 307])
    tag = make_tag(world.admin)
    ok(world.admin.delete(f"/tags/{tag['id']}"))
    assert drain(world.settings) == 3
    assert deliveries(world.settings)[0].status == "dead"


def test_endpoints_get_only_their_event_types_and_only_their_organizations(
    world: World, receivers: Callable[[], Receiver]
) -> None:
    tags, runs, paused, theirs = receivers(), receivers(), receivers(), receivers()
    api = world.admin
    register(api, tags, "tag.archived", "tag.purged")
    register(api, runs, "process.launched")
    register(api, paused, "tag.archived", "process.launched", is_active=False)
    register(world.other_admin, theirs, "tag.archived", "process.launched")

    make_run(api, steps=1)
    tag = make_tag(api)
    ok(api.delete(f"/tags/{tag['id']}"))
    ok(api.put(f"/tags/{tag['id']}/restore"))
    ok(api.delete(f"/tags/{tag['id']}"))
    assert api.delete(f"/tags/{tag['id']}/delete").status_code == 204
    assert drain(world.settings) == 4

    # One round sends concurrently, so arrival order is not the order of the events.
    assert sorted(tags.types()) == ["tag.archived", "tag.archived", "tag.purged"]
    assert runs.types() == ["process.launched"]
    assert paused.received == theirs.received == []


def test_purges_carry_the_counts(world: World, receiver: Receiver) -> None:
    api = world.admin
    register(api, receiver, "tag.purged", "process.purged", "template.purged")
    run, tasks = make_run(api, steps=2)
    tag = make_tag(api)
    tag_with(api, tag["id"], "Run", run["id"])
    ok(api.delete(f"/tags/{tag['id']}"))
    api.delete(f"/tags/{tag['id']}/delete")
    ok(api.delete(f"/runs/{run['id']}"))
    assert api.delete(f"/runs/{run['id']}/delete").status_code == 200
    ok(api.delete(f"/checklists/{run['checklist_id']}"))
    ok(api.delete(f"/checklists/{run['checklist_id']}/delete"))
    drain(world.settings)
    by_type = {r.event_type: r.payload["data"] for r in receiver.wait_for(3)}
    assert by_type["tag.purged"]["counts"] == {"tags": 1, "taggings": 1}
    assert by_type["tag.purged"]["object"]["name"] == "urgent"
    assert by_type["process.purged"]["counts"]["processes"] == 1
    assert by_type["process.purged"]["counts"]["tasks"] == len(tasks)
    assert by_type["template.purged"]["counts"]["templates"] == 1
    assert by_type["template.purged"]["counts"]["template_steps"] == 2


def test_every_lifecycle_event_of_processes_and_templates(world: World, receiver: Receiver) -> None:
    api = world.admin
    register(
        api,
        receiver,
        "process.launched",
        "process.completed",
        "process.archived",
        "process.restored",
        "template.archived",
        "template.restored",
        "task.completed",
    )
    template = make_template(api, steps=2)
    run = ok(api.post("/runs", {"checklist_id": template["id"], "name": "Run one"}), 201)["data"]
    first, second = tasks_of(api, run["id"])
    ok(api.post(f"/runs/{run['id']}/completed-tasks", {"task_id": first["id"]}))
    ok(api.post(f"/runs/{run['id']}/completed-tasks", {"task_id": second["id"]}))
    ok(api.delete(f"/runs/{run['id']}"))
    ok(api.put(f"/runs/{run['id']}/activate"))
    ok(api.delete(f"/checklists/{template['id']}"))
    ok(api.put(f"/checklists/{template['id']}/restore"))
    drain(world.settings)
    received = receiver.wait_for(8)
    expected = [
        ("process.launched", run["id"]),
        ("task.completed", first["id"]),
        ("task.completed", second["id"]),
        ("process.completed", run["id"]),
        ("process.archived", run["id"]),
        ("process.restored", run["id"]),
        ("template.archived", template["id"]),
        ("template.restored", template["id"]),
    ]
    stamps = {
        (r.event_type, r.payload["data"]["object"]["id"]): r.payload["timestamp"] for r in received
    }
    assert len(received) == len(expected)
    assert sorted(stamps) == sorted(expected)
    # Stamped in this order. The second task's completion and the process's share a request,
    # and often a millisecond, so ties are allowed: their order is not in the timestamps.
    times = [stamps[event] for event in expected]
    assert times == sorted(times)
    names = {r.event_type: r.payload["data"]["object"]["name"] for r in received}
    assert names["process.launched"] == names["process.completed"] == "Run one"
    assert names["template.archived"] == template["title"]


def test_deliveries_are_listed_newest_first_a_page_at_a_time(
    world: World, receiver: Receiver
) -> None:
    endpoint = register(world.admin, receiver, "tag.archived")
    for n in range(3):
        ok(world.admin.delete(f"/tags/{make_tag(world.admin, f'tag {n}')['id']}"))
    path = f"/webhooks/{endpoint['id']}/deliveries"
    first_page = ok(world.admin.get(path, params={"per_page": 2}))
    assert first_page["meta"]["pagination"]["total"] == 3
    names = [d["payload"]["data"]["object"]["name"] for d in first_page["data"]]
    assert names == ["tag 2", "tag 1"]
    assert all(d["status"] == "pending" and d["attempts"] == [] for d in first_page["data"])


def test_a_late_outcome_does_not_undo_a_finished_delivery(world: World, receiver: Receiver) -> None:
    """A worker whose lease ran out while another one delivered records its attempt only."""
    register(world.admin, receiver, "tag.archived")
    ok(world.admin.delete(f"/tags/{make_tag(world.admin)['id']}"))
    drain(world.settings)
    (row,) = deliveries(world.settings)
    late = delivery.Outcome(status_code=500, error="HTTP 500", duration_ms=3)
    settings = world.settings.model_copy(update={"webhook_max_attempts": 1})

    async def record_late() -> str | None:
        database = Database(settings)
        try:
            return await delivery.record(database, settings, row.id, late)
        finally:
            await database.dispose()

    assert run_async(record_late()) == "delivered"
    (after,) = deliveries(world.settings)
    assert (after.status, after.attempt_count, after.last_error) == ("delivered", 1, None)
