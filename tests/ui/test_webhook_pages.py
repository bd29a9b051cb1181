"""The webhook pages (over the ASGI client): register, see deliveries, retry, delete."""

import re

import pytest

from tests.conftest import World
from tests.factories import ok
from tests.processes.builders import make_tag
from tests.ui.test_pages import Visitor
from tests.webhooks import conftest as webhooks
from tests.webhooks.conftest import Receiver, drain

# The webhook tests' fixtures: a real receiver, and delivery left to the test.
receiver = webhooks.receiver
settings = webhooks.settings


@pytest.fixture
def admin(signed_world: World) -> Visitor:
    visitor = Visitor(signed_world.client)
    visitor.sign_in(signed_world.org.admin)
    return visitor


def test_an_admin_registers_a_webhook_sees_a_dead_delivery_and_retries_it(
    admin: Visitor, signed_world: World, receiver: Receiver
) -> None:
    page = admin.get("/webhooks")
    assert "No webhooks yet." in page.text
    assert 'value="process.launched"' in page.text

    created = admin.post("/webhooks", url=receiver.url, event_types=["tag.archived", "tag.purged"])
    assert f"Webhook to {receiver.url} registered." in created.text
    secret = re.search(r"<code>(whsec_[^<]+)</code>", created.text)
    assert secret is not None
    (endpoint,) = ok(signed_world.admin.get("/webhooks"))["data"]
    assert endpoint["event_types"] == ["tag.archived", "tag.purged"]
    assert endpoint["secret"] == secret.group(1)
    assert created.url.path == f"/admin/webhooks/{endpoint['id']}"

    receiver.statuses.extend([500] * 3)
    tag = make_tag(signed_world.admin)
    ok(signed_world.admin.delete(f"/tags/{tag['id']}"))
    drain(signed_world.settings)
    page = admin.get(f"/webhooks/{endpoint['id']}")
    assert "tag.archived" in page.text
    assert '<span class="badge dead">dead</span>' in page.text
    assert "HTTP 500" in page.text
    (delivery,) = ok(signed_world.admin.get(f"/webhooks/{endpoint['id']}/deliveries"))["data"]

    retried = admin.post(f"/webhooks/{endpoint['id']}/deliveries/{delivery['id']}/retry")
    assert f"Delivery {delivery['id']} queued again." in retried.text
    assert '<span class="badge pending">pending</span>' in retried.text

    deleted = admin.post(f"/webhooks/{endpoint['id']}/delete")
    assert "Webhook deleted" in deleted.text
    assert "No webhooks yet." in deleted.text


def test_a_webhook_needs_events_and_a_web_url(admin: Visitor, signed_world: World) -> None:
    admin.get("/webhooks")
    refused = admin.post("/webhooks", url="ftp://example.com/hooks", event_types=["tag.archived"])
    assert "http:// or https://" in refused.text
    refused = admin.post("/webhooks", url="https://example.com/hooks")
    assert "event_types" in refused.text
    assert ok(signed_world.admin.get("/webhooks"))["data"] == []


def test_only_admins_see_webhooks(signed_world: World, receiver: Receiver) -> None:
    theirs = ok(
        signed_world.other_admin.post(
            "/webhooks", {"url": receiver.url, "event_types": ["tag.archived"]}
        ),
        201,
    )["data"]
    standard = Visitor(signed_world.client)
    standard.sign_in(signed_world.org.standard)
    assert "/admin/webhooks" not in standard.get("/").text
    assert standard.get("/webhooks").status_code == 403
    assert (
        standard.post("/webhooks", url=receiver.url, event_types="tag.archived").status_code == 403
    )
    admin = Visitor(signed_world.client)
    admin.sign_in(signed_world.org.admin)
    assert "/admin/webhooks" in admin.get("/").text
    assert admin.get(f"/webhooks/{theirs['id']}").status_code == 404
    assert admin.post(f"/webhooks/{theirs['id']}/delete").status_code == 404
