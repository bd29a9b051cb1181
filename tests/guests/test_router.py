"""Guests (reference 3.12, 4.12): create, list, read by email, update, disable, enable, and
the tasks assigned to a guest (H12)."""

from typing import Any
from urllib.parse import quote

import pytest

from tests.conftest import Api, World
from tests.databases import snapshot
from tests.factories import make_oneoff, make_run, ok


def make_guest(api: Api, email: str = "jane@client.example.com", **fields: Any) -> dict[str, Any]:
    body = {"email": email, "first_name": "Jane", "last_name": "Doe", **fields}
    guest: dict[str, Any] = ok(api.post("/guests", body), 201)["data"]
    return guest


def guest_path(email: str, tail: str = "") -> str:
    return f"/guests/{quote(email, safe='')}{tail}"


def assign_to_guest(api: Api, world: World, email: str, **fields: Any) -> dict[str, Any]:
    owners = {"users": [], "guests": [email]}
    return make_oneoff(api, owner=world.org.admin.user_id, owners=owners, **fields)


def test_a_created_guest_carries_what_was_sent_and_a_link_with_its_code(world: World) -> None:
    guest = make_guest(world.admin, "Jane@Client.example.com", phone="+1 555", company_name="Co")
    assert guest["email"] == "jane@client.example.com"
    assert (guest["first_name"], guest["last_name"]) == ("Jane", "Doe")
    details = guest["details"]
    assert (details["phone_1"], details["company_name"]) == ("+1 555", "Co")
    assert (details["status"], details["disabled_at"]) == ("active", None)
    assert guest["link"].endswith(f"/{world.org.id}/guest/{guest['guest_code']}")
    assert isinstance(guest["id"], int)
    assert guest["deleted_at"] is None
    assert "stats" not in guest


def test_phone_1_wins_over_its_alias(world: World) -> None:
    guest = make_guest(world.admin, phone="alias", phone_1="real", phone_2="second")
    assert (guest["details"]["phone_1"], guest["details"]["phone_2"]) == ("real", "second")


def test_a_guest_is_read_by_its_percent_encoded_email_in_any_case(world: World) -> None:
    guest = make_guest(world.admin, "j.doe+tag@client.example.com")
    read = ok(world.admin.get(guest_path("J.Doe+Tag@client.example.com")))["data"]
    assert read["id"] == guest["id"]
    assert ok(world.light.get(guest_path(guest["email"])))["data"]["id"] == guest["id"]
    response = world.admin.get(guest_path("nobody@client.example.com"))
    assert response.status_code == 404
    assert response.json()["code"] == "RESOURCE_NOT_FOUND"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "admin@acme.example.com"}, "email"),
        ({"email": "not-an-email"}, "email"),
        ({"email": "g@example.com", "first_name": "x" * 65}, "first_name"),
        ({"email": "g@example.com", "associated_members": ["a"]}, "associated_members.0"),
        ({}, "email"),
    ],
    ids=["member", "bad-email", "long-name", "bad-members", "no-email"],
)
def test_invalid_guests_are_422_and_store_nothing(
    world: World, body: dict[str, Any], field: str
) -> None:
    before = snapshot(world.settings, skip=())
    response = world.admin.post("/guests", body)
    assert response.status_code == 422, response.text
    assert field in response.json()["errors"], response.json()
    assert snapshot(world.settings, skip=()) == before


def test_the_same_email_cannot_be_a_guest_twice(world: World) -> None:
    make_guest(world.admin)
    response = world.admin.post("/guests", {"email": "JANE@client.example.com"})
    assert response.status_code == 422
    assert len(ok(world.admin.get("/guests"))["data"]) == 1


def test_a_guest_email_is_per_organization(world: World) -> None:
    mine = make_guest(world.admin)
    theirs = make_guest(world.other_admin)
    assert mine["id"] != theirs["id"]
    assert world.admin.get(guest_path(mine["email"])).json()["data"]["id"] == mine["id"]


def test_light_members_read_guests_but_only_admins_and_standard_members_change_them(
    world: World,
) -> None:
    guest = make_guest(world.standard)
    path = guest_path(guest["email"])
    assert world.light.post("/guests", {"email": "x@example.com"}).status_code == 403
    assert world.light.put(path, {"first_name": "No"}).status_code == 403
    assert world.light.delete(guest_path(guest["email"], "/disable")).status_code == 403
    assert world.light.put(guest_path(guest["email"], "/enable")).status_code == 403
    assert ok(world.standard.put(path, {"first_name": "Yes"}))["data"]["first_name"] == "Yes"
    assert len(ok(world.light.get("/guests"))["data"]) == 1


def test_an_update_changes_exactly_the_fields_sent(world: World) -> None:
    guest = make_guest(world.admin, company_name="Old Co", phone="1")
    path = guest_path(guest["email"])
    updated = ok(world.admin.put(path, {"phone": "2", "company_name": "New Co"}))["data"]
    assert (updated["details"]["phone_1"], updated["details"]["company_name"]) == ("2", "New Co")
    assert (updated["first_name"], updated["last_name"]) == ("Jane", "Doe")
    renamed = ok(world.admin.put(path, {"first_name": "Janet", "last_name": None}))["data"]
    assert (renamed["first_name"], renamed["last_name"]) == ("Janet", "")
    assert renamed["details"]["company_name"] == "New Co"
    assert ok(world.admin.get(path))["data"]["details"]["phone_1"] == "2"
    assert world.admin.put(guest_path("nobody@x.example.com"), {"phone": "3"}).status_code == 404


def test_disable_and_enable_are_idempotent_and_show_in_details(world: World) -> None:
    guest = make_guest(world.admin)
    disabled = ok(world.admin.delete(guest_path(guest["email"], "/disable")))["data"]
    assert disabled["details"]["disabled_at"] is not None
    assert disabled["details"]["disabled_by"] == world.org.admin.user_id
    assert disabled["details"]["status"] == "disabled"
    again = ok(world.admin.delete(guest_path(guest["email"], "/disable")))["data"]
    assert again["details"]["disabled_at"] == disabled["details"]["disabled_at"]
    read = ok(world.admin.get(guest_path(guest["email"])))["data"]
    assert read["details"]["disabled_at"] == disabled["details"]["disabled_at"]
    enabled = ok(world.admin.put(guest_path(guest["email"], "/enable")))["data"]
    assert (enabled["details"]["disabled_at"], enabled["details"]["status"]) == (None, "active")
    assert enabled["details"]["reactivated_by"] == world.org.admin.user_id
    assert (
        ok(world.admin.put(guest_path(guest["email"], "/enable")))["data"]["details"]["disabled_at"]
        is None
    )


def test_the_guest_list_is_paginated_searchable_and_counts_tasks_with_stats(world: World) -> None:
    for n in range(3):
        make_guest(world.admin, f"guest{n}@client.example.com", first_name=f"G{n}")
    page = ok(world.admin.get("/guests?per_page=2&page=2"))
    assert [g["email"] for g in page["data"]] == ["guest2@client.example.com"]
    assert page["meta"]["pagination"]["total"] == 3
    assert page["meta"]["pagination"]["total_pages"] == 2
    found = ok(world.admin.get("/guests?q=GUEST1"))["data"]
    assert [g["email"] for g in found] == ["guest1@client.example.com"]
    newest = ok(world.admin.get("/guests?sort=-email"))["data"]
    assert newest[0]["email"] == "guest2@client.example.com"

    task = assign_to_guest(world.admin, world, "Guest1@Client.example.com")
    ok(world.admin.post("/completed-tasks", {"task_id": task["id"]}))
    assign_to_guest(world.admin, world, "guest1@client.example.com")
    listed = {g["email"]: g for g in ok(world.admin.get("/guests?with=stats"))["data"]}
    stats = listed["guest1@client.example.com"]["stats"]
    assert (stats["assigned_tasks"], stats["tasks_completed"]) == (2, 1)
    assert stats["one_off_tasks_completed"] == 1
    assert stats["last_task_completed_at"] is not None
    assert listed["guest0@client.example.com"]["stats"]["assigned_tasks"] == 0
    single = ok(world.admin.get(guest_path("guest1@client.example.com") + "?with=stats"))
    assert single["data"]["stats"]["assigned_tasks"] == 2


def test_the_minimal_list_has_every_guest_without_pagination(world: World) -> None:
    for n in range(3):
        make_guest(world.admin, f"g{n}@client.example.com")
    body = ok(world.admin.get("/guests-list"))
    assert sorted(g["email"] for g in body["data"]) == [
        f"g{n}@client.example.com" for n in range(3)
    ]


def test_a_guests_tasks_are_found_by_code_email_or_id_and_sorted(world: World) -> None:
    guest = make_guest(world.admin)
    first = assign_to_guest(world.admin, world, "JANE@client.example.com", title="First")
    second = assign_to_guest(world.admin, world, guest["email"], title="Second")
    make_oneoff(world.admin, owner=world.org.admin.user_id, title="Not the guest's")
    run, tasks = make_run(world.admin, steps=2)
    body = {"owners": {"users": [], "guests": [guest["email"]]}}
    ok(world.admin.put(f"/runs/{run['id']}/tasks/{tasks[1]['id']}", body))

    for key in (guest["guest_code"], quote(guest["email"], safe=""), str(guest["id"])):
        listed = ok(world.light.get(f"/guests/{key}/tasks?per_page=100&sort_by=newest"))
        ids = [t["id"] for t in listed["data"]]
        assert ids == [tasks[1]["id"], second["id"], first["id"]], key
        assert listed["meta"]["pagination"]["total"] == 3
    path = f"/guests/{guest['guest_code']}/tasks"
    oldest = ok(world.admin.get(path + "?sort_by=-newest&with=run,step,threads_count"))["data"]
    assert [t["id"] for t in oldest] == [first["id"], second["id"], tasks[1]["id"]]
    assert world.admin.get(path + "?sort_by=sideways").status_code == 422


def test_the_tasks_of_an_unknown_or_foreign_guest_are_404(world: World) -> None:
    theirs = make_guest(world.other_admin)
    for key in ("0" * 32, theirs["guest_code"], quote(theirs["email"], safe=""), "nobody"):
        response = world.admin.get(f"/guests/{key}/tasks")
        assert response.status_code == 404, key
