"""Member administration: invite, role change, disable, enable, approve (reference K4-K8)."""

from typing import Any

import pytest

from tests.conftest import Api, World
from tests.databases import snapshot
from tests.factories import ok


def invite(api: Api, email: str, role: str = "light", **fields: Any) -> Any:
    body = {"email": email, "first_name": "Ada", "last_name": "Byron", "role": role, **fields}
    return api.post("/users/invite", body)


def invited(api: Api, email: str = "ada@example.com", role: str = "light") -> dict[str, Any]:
    member: dict[str, Any] = ok(invite(api, email, role))["data"]
    return member


def test_an_invite_makes_an_invited_member_shown_in_the_user_read(world: World) -> None:
    member = invited(world.admin, "Ada@Example.com", role="standard")
    assert member["email"] == "ada@example.com"
    assert (member["first_name"], member["last_name"]) == ("Ada", "Byron")
    assert (member["role"], member["status"], member["active"]) == ("standard", "invited", False)
    assert member["invited_by"] == world.org.admin.user_id
    assert member["disabled_at"] is None
    read = ok(world.admin.get(f"/users/{member['id']}"))["data"]
    assert (read["status"], read["is_active"]) == ("invited", False)
    listed = {u["id"]: u["status"] for u in ok(world.admin.get("/users"))["data"]}
    assert listed[member["id"]] == "invited"


def test_reinviting_someone_still_invited_answers_the_same_member(world: World) -> None:
    first = invited(world.admin)
    again = ok(invite(world.admin, "ADA@example.com", role="admin"))["data"]
    assert again["id"] == first["id"]
    assert (again["status"], again["role"]) == ("invited", "light")
    users = ok(world.admin.get("/users"))["data"]
    assert [u["email"] for u in users].count("ada@example.com") == 1


def test_inviting_an_active_or_disabled_members_email_is_422(world: World) -> None:
    response = invite(world.admin, world.org.standard.email.upper())
    assert response.status_code == 422, response.text
    assert "email" in response.json()["errors"]
    ok(world.admin.delete(f"/users/{world.org.standard.user_id}/disable"))
    assert invite(world.admin, world.org.standard.email).status_code == 422


@pytest.mark.parametrize(
    "body",
    [
        {"email": "x@example.com", "first_name": "A", "last_name": "B", "role": "owner"},
        {"email": "not an email", "first_name": "A", "last_name": "B", "role": "light"},
        {"email": "x@example.com", "first_name": "", "last_name": "B", "role": "light"},
        {"email": "x@example.com", "first_name": "A" * 33, "last_name": "B", "role": "light"},
        {"first_name": "A", "last_name": "B", "role": "light"},
    ],
    ids=["role", "email", "empty-name", "long-name", "no-email"],
)
def test_invalid_invites_are_422_and_store_nothing(world: World, body: dict[str, Any]) -> None:
    before = snapshot(world.settings, skip=())
    response = world.admin.post("/users/invite", body)
    assert response.status_code == 422, response.text
    assert snapshot(world.settings, skip=()) == before


def test_standard_members_invite_but_not_admins_and_light_members_not_at_all(
    world: World,
) -> None:
    assert invited(world.standard, "std-invite@example.com", "standard")["status"] == "invited"
    assert invite(world.standard, "boss@example.com", role="admin").status_code == 403
    assert invite(world.light, "light-invite@example.com").status_code == 403


def test_approving_makes_an_invited_member_active_and_is_idempotent(world: World) -> None:
    member = invited(world.admin)
    approved = ok(world.admin.put(f"/users/{member['id']}/approve"))["data"]
    assert (approved["status"], approved["active"]) == ("active", True)
    assert approved["approved_at"] is not None
    again = ok(world.admin.put(f"/users/{member['id']}/approve"))["data"]
    assert (again["status"], again["approved_at"]) == ("active", approved["approved_at"])


def test_approving_a_disabled_member_or_enabling_an_invited_one_is_422(world: World) -> None:
    member = invited(world.admin)
    assert world.admin.put(f"/users/{member['id']}/enable").status_code == 422
    standard = world.org.standard.user_id
    ok(world.admin.delete(f"/users/{standard}/disable"))
    assert world.admin.put(f"/users/{standard}/approve").status_code == 422


def test_a_disabled_members_tokens_stop_working_until_enabled(world: World) -> None:
    standard_id = world.org.standard.user_id
    assert world.standard.get("/me").status_code == 200
    disabled = ok(world.admin.delete(f"/users/{standard_id}/disable"))["data"]
    assert (disabled["status"], disabled["active"]) == ("disabled", False)
    assert disabled["disabled_at"] is not None
    assert disabled["disabled_by"] == world.org.admin.user_id
    response = world.standard.get("/me")
    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHENTICATED"
    assert world.standard.get("/tasks").status_code == 401
    again = ok(world.admin.delete(f"/users/{standard_id}/disable"))["data"]
    assert again["disabled_at"] == disabled["disabled_at"]
    assert ok(world.admin.get(f"/users/{standard_id}"))["data"]["status"] == "disabled"

    enabled = ok(world.admin.put(f"/users/{standard_id}/enable"))["data"]
    assert (enabled["status"], enabled["disabled_at"]) == ("active", None)
    assert enabled["reactivated_by"] == world.org.admin.user_id
    assert ok(world.admin.put(f"/users/{standard_id}/enable"))["data"]["status"] == "active"
    assert world.standard.get("/me").status_code == 200


def test_nobody_may_disable_themselves(world: World) -> None:
    response = world.admin.delete(f"/users/{world.org.admin.user_id}/disable")
    assert response.status_code == 422
    assert ok(world.admin.get("/me"))["data"]["status"] == "active"


def test_role_changes_apply_and_repeat_harmlessly(world: World) -> None:
    path = f"/users/{world.org.light.user_id}/role"
    assert ok(world.admin.put(path, {"role": "standard"}))["data"]["role"] == "standard"
    assert ok(world.admin.put(path, {"role": "standard"}))["data"]["role"] == "standard"
    assert ok(world.light.get("/me"))["data"]["role"] == "standard"
    assert world.admin.put(path, {"role": "boss"}).status_code == 422


def test_the_last_active_admin_cannot_be_demoted(world: World) -> None:
    me = f"/users/{world.org.admin.user_id}/role"
    response = world.admin.put(me, {"role": "standard"})
    assert response.status_code == 422, response.text
    assert "role" in response.json()["errors"]
    # A second admin who is disabled does not count.
    standard = world.org.standard.user_id
    ok(world.admin.put(f"/users/{standard}/role", {"role": "admin"}))
    ok(world.admin.delete(f"/users/{standard}/disable"))
    assert world.admin.put(me, {"role": "standard"}).status_code == 422
    ok(world.admin.put(f"/users/{standard}/enable"))
    assert ok(world.admin.put(me, {"role": "standard"}))["data"]["role"] == "standard"
    # Now the standard member is the only admin: they may not be disabled or demoted.
    other = world.admin.as_(world.org.standard)
    assert other.put(f"/users/{standard}/role", {"role": "light"}).status_code == 422


def test_the_last_active_admin_cannot_be_disabled_by_another_admin_who_is_leaving(
    world: World,
) -> None:
    """Two admins: the first demotes themselves, then nobody may disable the second."""
    standard = world.org.standard.user_id
    ok(world.admin.put(f"/users/{standard}/role", {"role": "admin"}))
    ok(world.admin.put(f"/users/{world.org.admin.user_id}/role", {"role": "light"}))
    assert world.admin.delete(f"/users/{standard}/disable").status_code == 403
    second = world.admin.as_(world.org.standard)
    assert second.delete(f"/users/{standard}/disable").status_code == 422


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "/users/{id}/role"),
        ("DELETE", "/users/{id}/disable"),
        ("PUT", "/users/{id}/enable"),
        ("PUT", "/users/{id}/approve"),
    ],
)
def test_admin_routes_are_404_for_someone_who_is_not_a_member(
    world: World, method: str, path: str
) -> None:
    url = path.format(id=world.other.admin.user_id)
    response = world.admin.request(method, url, json={"role": "light"})
    assert response.status_code == 404, response.text
