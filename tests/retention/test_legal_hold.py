"""Legal holds: nobody permanently deletes a held process or template until the hold is
lifted; archiving and restoring still work."""

import pytest

from tests.conftest import Api, World
from tests.factories import make_run, make_template, ok


def held(api: Api, path: str, reason: str = "Litigation 7") -> dict[str, object]:
    return ok(api.put(f"{path}/legal-hold", {"reason": reason}))["data"]


@pytest.fixture(params=["runs", "checklists"])
def target(request: pytest.FixtureRequest, world: World) -> str:
    """The path of a live process or template of the test organization."""
    if request.param == "runs":
        run, _ = make_run(world.admin)
        return f"/runs/{run['id']}"
    return f"/checklists/{make_template(world.admin)['id']}"


def test_a_held_object_cannot_be_permanently_deleted_until_the_hold_is_lifted(
    world: World, target: str
) -> None:
    api = world.admin
    hold = held(api, target)
    assert hold["on_hold"] is True
    assert hold["reason"] == "Litigation 7"
    assert hold["by"] == world.org.admin.user_id
    ok(api.delete(target))  # archiving a held object is allowed

    for params in ({}, {"dry_run": "true"}):
        refused = api.delete(f"{target}/delete", params=params)
        assert refused.status_code == 422
        assert refused.json()["code"] == "LEGAL_HOLD"
        assert "Litigation 7" in refused.json()["message"]

    lifted = ok(api.delete(f"{target}/legal-hold"))["data"]
    assert (lifted["on_hold"], lifted["since"], lifted["reason"]) == (False, None, None)
    assert api.delete(f"{target}/delete").status_code in (200, 204)
    assert api.get(target).status_code == 404
    actions = [e["action"] for e in ok(api.get("/audit-events"))["data"]]
    assert actions == ["purge", "unhold", "archive", "hold"]


def test_holding_twice_keeps_the_first_hold(world: World, target: str) -> None:
    first = held(world.admin, target, "first")
    again = held(world.admin, target, "second")
    assert again == first
    assert len(ok(world.admin.get("/audit-events", params={"action": "hold"}))["data"]) == 1


def test_only_admins_place_or_lift_holds_and_other_organizations_see_nothing(
    world: World, target: str
) -> None:
    assert world.standard.put(f"{target}/legal-hold", {}).status_code == 403
    assert world.light.delete(f"{target}/legal-hold").status_code == 403
    assert world.outsider.put(f"{target}/legal-hold", {}).status_code == 404
    assert world.outsider.get(f"{target}/legal-hold").status_code == 404
    assert ok(world.standard.get(f"{target}/legal-hold"))["data"]["on_hold"] is False
    assert world.admin.put(f"{target}/legal-hold", {"reason": "x" * 501}).status_code == 422
    missing = target.rsplit("/", 1)[0] + "/" + "0" * 32
    assert world.admin.put(f"{missing}/legal-hold", {}).status_code == 404
