"""The webhook endpoints API: create, read, change, delete; validation; who may use it."""

from typing import Any

import pytest

from procession.webhooks.schemas import EVENT_TYPES
from tests.conftest import Api, World
from tests.factories import ok
from tests.processes.builders import forbidden, invalid, make_tag, not_found
from tests.webhooks.conftest import Receiver, drain, register


def test_create_generates_a_secret_and_admins_can_read_change_and_delete(api: Api) -> None:
    created = ok(
        api.post(
            "/webhooks",
            {"url": "https://hooks.example.com/in", "event_types": ["tag.archived"]},
        ),
        201,
    )["data"]
    assert created["secret"].startswith("whsec_")
    assert created["is_active"] is True
    assert created["event_types"] == ["tag.archived"]
    path = f"/webhooks/{created['id']}"
    assert ok(api.get(path))["data"] == created
    assert [w["id"] for w in ok(api.get("/webhooks"))["data"]] == [created["id"]]

    change = {"event_types": ["process.launched", "process.completed"], "is_active": False}
    changed = ok(api.put(path, change))["data"]
    assert changed["event_types"] == change["event_types"]
    assert changed["is_active"] is False
    assert changed["secret"] == created["secret"]
    assert changed["url"] == created["url"]

    assert api.delete(path).status_code == 204
    not_found(api.get(path))
    assert ok(api.get("/webhooks"))["meta"]["pagination"]["total"] == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://example.com/x", "event_types": ["tag.archived"]}, "url"),
        ({"url": "https:///no-host", "event_types": ["tag.archived"]}, "url"),
        ({"url": "http://example.com:b:c/", "event_types": ["tag.archived"]}, "url"),
        ({"url": "http://example.com:99999/", "event_types": ["tag.archived"]}, "url"),
        ({"url": "http://example.com/\u0007", "event_types": ["tag.archived"]}, "url"),
        ({"url": "https://example.com", "event_types": ["tag.exploded"]}, "event_types"),
        ({"url": "https://example.com", "event_types": []}, "event_types"),
        (
            {"url": "https://example.com", "event_types": ["tag.archived"], "secret": "x"},
            "secret",
        ),
        (
            {"url": "https://example.com", "event_types": ["tag.archived"], "secret": "whsec_%%"},
            "secret",
        ),
        (
            {"url": "https://example.com", "event_types": ["tag.archived"], "secret": "whsec_YQ=="},
            "secret",
        ),
    ],
)
def test_invalid_endpoints_are_refused_in_tallyfys_shape(
    api: Api, body: dict[str, Any], field: str
) -> None:
    invalid(api.post("/webhooks", body), field)


def test_an_update_is_validated_too(api: Api, receiver: Receiver) -> None:
    endpoint = register(api, receiver, "tag.archived")
    invalid(api.put(f"/webhooks/{endpoint['id']}", {"event_types": ["nope"]}), "event_types")
    invalid(api.put(f"/webhooks/{endpoint['id']}", {"url": "javascript:alert(1)"}), "url")


def test_every_event_type_can_be_subscribed(api: Api, receiver: Receiver) -> None:
    endpoint = register(api, receiver, *EVENT_TYPES)
    assert endpoint["event_types"] == list(EVENT_TYPES)


def test_only_admins_use_the_webhooks_api(world: World, receiver: Receiver) -> None:
    endpoint = register(world.admin, receiver, "tag.archived")
    path = f"/webhooks/{endpoint['id']}"
    for member in (world.standard, world.light):
        forbidden(member.get("/webhooks"))
        forbidden(member.post("/webhooks", {"url": receiver.url, "event_types": ["tag.archived"]}))
        forbidden(member.get(path))
        forbidden(member.put(path, {"is_active": False}))
        forbidden(member.delete(path))
        forbidden(member.get(f"{path}/deliveries"))


def test_another_organizations_endpoint_is_not_found(world: World, receiver: Receiver) -> None:
    endpoint = register(world.admin, receiver, "tag.archived")
    tag = make_tag(world.admin)
    ok(world.admin.delete(f"/tags/{tag['id']}"))
    drain(world.settings)
    delivery_id = receiver.wait_for(1)[0].headers["webhook-id"]
    theirs = world.other_admin
    path = f"/webhooks/{endpoint['id']}"
    not_found(theirs.get(path))
    not_found(theirs.put(path, {"is_active": False}))
    not_found(theirs.delete(path))
    not_found(theirs.get(f"{path}/deliveries"))
    not_found(theirs.post(f"{path}/deliveries/{delivery_id}/retry"))
    assert ok(theirs.get("/webhooks"))["data"] == []
    # Their admin addressing our organization is not a member of it.
    not_found(world.outsider.get("/webhooks"))
    assert ok(world.admin.get(path))["data"]["is_active"] is True
