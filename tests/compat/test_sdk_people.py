"""Members, guests and a member's or a guest's tasks, through the official SDK.

These tests run against a live server of their own, with an organization of their own:
invited members stay in an organization for good, and the shared organization's member list
is checked exactly by `test_identity.py`."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from tallyfy import Guest, GuestsList, TallyfyError, TallyfySDK, TasksList, User

from tests.compat.conftest import LiveServer
from tests.conftest import run_async, seed_org
from tests.databases import DatabaseFactory
from tests.live import live_server as live

DEADLINE = "2031-01-31 17:00:00"


@pytest.fixture(scope="module")
def people_server(databases: DatabaseFactory) -> Iterator[LiveServer]:
    settings = databases.fresh()
    org = run_async(seed_org(settings, "People"))
    with live(settings) as base_url:
        yield LiveServer(base_url, org)
    databases.drop(settings)


@pytest.fixture
def org(people_server: LiveServer) -> str:
    return people_server.org.id


@pytest.fixture
def admin(people_server: LiveServer, sdk_for: Callable[..., TallyfySDK]) -> TallyfySDK:
    return sdk_for(people_server.org.admin.token, people_server.base_url)


@pytest.fixture
def light(people_server: LiveServer, sdk_for: Callable[..., TallyfySDK]) -> TallyfySDK:
    return sdk_for(people_server.org.light.token, people_server.base_url)


def refused(call: Callable[..., Any], *args: Any) -> int | None:
    """The status code of the TallyfyError `call(*args)` raises."""
    with pytest.raises(TallyfyError) as raised:
        call(*args)
    return raised.value.status_code


@pytest.mark.sdk("invite_user_to_organization", "approve_user", "get_user")
def test_an_invited_member_is_invited_until_approved(admin: TallyfySDK, org: str) -> None:
    user = admin.invite_user_to_organization(org, "Grace@Example.com", "Grace", "Hopper", "light")

    assert isinstance(user, User)
    assert (user.email, user.first_name, user.last_name) == ("grace@example.com", "Grace", "Hopper")
    assert (user.role, user.status, user.active) == ("light", "invited", False)
    again = admin.invite_user_to_organization(org, "grace@example.com", "Grace", "Hopper")
    assert again is not None
    assert again.id == user.id

    assert admin.approve_user(org, user.id) is True
    assert admin.approve_user(org, user.id) is True  # a retried PUT
    read = admin.get_user(org, user.id)
    assert (read.id, read.status, read.active) == (user.id, "active", True)
    assert read.approved_at is not None


@pytest.mark.sdk("invite_user_to_organization")
def test_inviting_an_active_members_email_is_refused(
    admin: TallyfySDK, org: str, people_server: LiveServer
) -> None:
    email = people_server.org.standard.email
    assert refused(admin.invite_user_to_organization, org, email, "S", "M", "light") == 422


@pytest.mark.sdk("invite_user_to_organization", "change_user_role", "get_user")
def test_change_user_role_is_read_back(admin: TallyfySDK, org: str) -> None:
    user = admin.invite_user_to_organization(org, "role@example.com", "Role", "Change")
    assert user is not None

    assert admin.change_user_role(org, user.id, "standard") is True
    assert admin.get_user(org, user.id).role == "standard"
    assert admin.change_user_role(org, user.id, "admin") is True
    assert admin.get_user(org, user.id).role == "admin"


@pytest.mark.sdk("change_user_role", "disable_user")
def test_the_last_admin_cannot_be_demoted_and_nobody_disables_themselves(
    admin: TallyfySDK, org: str, people_server: LiveServer, sdk_for: Callable[..., TallyfySDK]
) -> None:
    me = people_server.org.admin.user_id
    assert refused(admin.disable_user, org, me) == 422
    # Admins other than the seeded one are invited (not active), so the seeded one is the
    # last active admin.
    assert refused(admin.change_user_role, org, me, "standard") == 422
    assert admin.get_current_user_info(org).role == "admin"  # type: ignore[union-attr]


@pytest.mark.sdk("disable_user", "enable_user", "get_user")
def test_a_disabled_member_is_shut_out_until_enabled(
    admin: TallyfySDK, light: TallyfySDK, org: str, people_server: LiveServer
) -> None:
    light_id = people_server.org.light.user_id
    assert light.get_current_user_info(org) is not None
    try:
        assert admin.disable_user(org, light_id) is True
        assert admin.disable_user(org, light_id) is True  # a retried DELETE
        read = admin.get_user(org, light_id)
        assert (read.status, read.active) == ("disabled", False)
        assert read.disabled_at is not None
        assert refused(light.get_current_user_info, org) == 401
    finally:
        assert admin.enable_user(org, light_id) is True
    assert admin.enable_user(org, light_id) is True  # a retried PUT
    read = admin.get_user(org, light_id)
    assert (read.status, read.active, read.disabled_at) == ("active", True, None)
    me = light.get_current_user_info(org)
    assert me is not None
    assert me.id == light_id


@pytest.mark.sdk("create_guest", "get_guest", "update_guest")
def test_a_guest_is_created_read_and_updated(admin: TallyfySDK, org: str) -> None:
    guest = admin.create_guest(
        org, "ann+crm@client.example.com", "Ann", "Lee", phone="555-0100", company_name="Co"
    )

    assert isinstance(guest, Guest)
    assert (guest.email, guest.first_name, guest.last_name) == (
        "ann+crm@client.example.com",
        "Ann",
        "Lee",
    )
    assert guest.details is not None
    assert (guest.details.phone_1, guest.details.company_name) == ("555-0100", "Co")
    assert guest.guest_id

    read = admin.get_guest(org, "ann+crm@client.example.com")
    assert (read.email, read.guest_id) == (guest.email, guest.guest_id)

    updated = admin.update_guest(org, guest.email, phone="555-0199", company_name="New Co")
    assert updated.details is not None
    assert (updated.details.phone_1, updated.details.company_name) == ("555-0199", "New Co")
    assert (updated.first_name, updated.last_name) == ("Ann", "Lee")
    again = admin.get_guest(org, guest.email)
    assert again.details is not None
    assert again.details.company_name == "New Co"
    assert refused(admin.get_guest, org, "nobody@client.example.com") == 404


@pytest.mark.sdk("create_guest", "get_organization_guests", "get_organization_guests_list")
def test_guests_are_listed_with_and_without_stats(admin: TallyfySDK, org: str) -> None:
    made = {
        admin.create_guest(org, f"list{n}@client.example.com", "L", str(n)).email for n in (1, 2)
    }

    listed = admin.get_organization_guests(org)
    assert isinstance(listed, GuestsList)
    assert made <= {g.email for g in listed.data}
    assert listed.meta is not None
    assert listed.meta.total == len(listed.data)
    with_stats = admin.get_organization_guests(org, with_stats=True)
    assert made <= {g.email for g in with_stats.data}
    lite = admin.get_organization_guests_list(org)
    assert made <= {g.email for g in lite.data}
    assert lite.count == len(listed.data)


@pytest.mark.sdk("create_guest", "disable_guest", "enable_guest", "get_guest")
def test_a_guest_is_disabled_and_enabled_again(admin: TallyfySDK, org: str) -> None:
    email = admin.create_guest(org, "off@client.example.com", "Off", "On").email

    assert admin.disable_guest(org, email) is True
    assert admin.disable_guest(org, email) is True  # a retried DELETE
    details = admin.get_guest(org, email).details
    assert details is not None
    assert details.disabled_at is not None
    assert admin.enable_guest(org, email) is True
    assert admin.enable_guest(org, email) is True  # a retried PUT
    details = admin.get_guest(org, email).details
    assert details is not None
    assert details.disabled_at is None


@pytest.mark.sdk("create_guest", "create_task", "get_guest_tasks")
def test_a_guests_tasks_are_found_by_the_code_in_their_link(admin: TallyfySDK, org: str) -> None:
    guest = admin.create_guest(org, "tasks@client.example.com", "Task", "Guest")
    assert guest.guest_id
    first = admin.create_task(org, "Sign the form", DEADLINE, guest_emails=[guest.email])
    second = admin.create_task(org, "Send the file", DEADLINE, guest_emails=[guest.email])
    admin.create_task(org, "Someone else's", DEADLINE, guest_emails=["x@client.example.com"])
    assert first is not None
    assert second is not None

    tasks = admin.get_guest_tasks(org, guest.guest_id)
    assert isinstance(tasks, TasksList)
    assert [t.id for t in tasks.data] == [second.id, first.id]  # newest first
    by_email = admin.get_guest_tasks(org, guest.email, sort_by="-newest")
    assert [t.id for t in by_email.data] == [first.id, second.id]
    assert refused(admin.get_guest_tasks, org, "0" * 32) == 404


@pytest.mark.sdk("create_task", "get_user_tasks")
def test_get_user_tasks_lists_the_newest_first(
    admin: TallyfySDK, org: str, people_server: LiveServer
) -> None:
    standard = people_server.org.standard.user_id
    made = [
        admin.create_task(org, f"Task {n}", deadline, user_ids=[standard])
        for n, deadline in enumerate(["2031-03-01 09:00:00", "2031-01-01 09:00:00"])
    ]

    tasks = admin.get_user_tasks(org, standard)
    ids = [t.id for t in tasks.data]
    assert ids == [t.id for t in reversed(made) if t is not None]
