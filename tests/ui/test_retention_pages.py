"""The retention page and legal holds in the admin pages (over the ASGI client)."""

import pytest

from tests.conftest import World
from tests.factories import make_run, make_template, ok
from tests.ui.test_pages import Visitor


@pytest.fixture
def admin(signed_world: World) -> Visitor:
    visitor = Visitor(signed_world.client)
    visitor.sign_in(signed_world.org.admin)
    return visitor


def test_an_admin_sets_the_policy_dry_runs_and_runs_it(admin: Visitor, signed_world: World) -> None:
    api = signed_world.admin
    run, _ = make_run(api)
    ok(api.delete(f"/runs/{run['id']}"))
    page = admin.get("/retention")
    assert 'placeholder="off"' in page.text

    saved = admin.post("/retention", archive_completed_after_days="", purge_archived_after_days="1")
    assert "Retention policy saved." in saved.text
    assert ok(api.get("/retention"))["data"]["purge_archived_after_days"] == 1
    # Archived just now: a 1-day window purges nothing yet, and the dry run says so.
    dry = admin.post("/retention/run", dry_run="true")
    assert "would permanently delete nothing" in dry.text
    done = admin.post("/retention/run")
    assert "did permanently delete nothing" in done.text

    refused = admin.post("/retention", purge_archived_after_days="0")
    assert ok(api.get("/retention"))["data"]["purge_archived_after_days"] == 1
    assert "greater than or equal to 1" in refused.text


def test_only_admins_see_retention(signed_world: World) -> None:
    standard = Visitor(signed_world.client)
    standard.sign_in(signed_world.org.standard)
    assert standard.get("/retention").status_code == 403
    assert "/admin/retention" not in standard.get("/").text
    assert standard.post("/retention", purge_archived_after_days="1").status_code == 403


@pytest.mark.parametrize("kind", ["processes", "templates"])
def test_an_admin_places_and_lifts_a_legal_hold(
    admin: Visitor, signed_world: World, kind: str
) -> None:
    api = signed_world.admin
    if kind == "processes":
        subject_id, api_path = (run := make_run(api)[0])["id"], f"/runs/{run['id']}"
    else:
        subject_id = make_template(api)["id"]
        api_path = f"/checklists/{subject_id}"
    page = admin.get(f"/{kind}/{subject_id}")
    assert "Place legal hold" in page.text

    held = admin.post(f"/holds/{kind}/{subject_id}/place", reason="Case <b>9</b>")
    assert "Legal hold placed" in held.text
    assert "Case &lt;b&gt;9&lt;/b&gt;" in held.text
    ok(api.delete(api_path))
    assert api.delete(f"{api_path}/delete").json()["code"] == "LEGAL_HOLD"

    admin.get(f"/{kind}/{subject_id}")
    lifted = admin.post(f"/holds/{kind}/{subject_id}/lift")
    assert "Legal hold lifted." in lifted.text
    assert api.delete(f"{api_path}/delete").status_code in (200, 204)


def test_standard_members_neither_see_nor_use_holds(signed_world: World) -> None:
    run, _ = make_run(signed_world.admin)
    standard = Visitor(signed_world.client)
    standard.sign_in(signed_world.org.standard)
    assert "Place legal hold" not in standard.get(f"/processes/{run['id']}").text
    assert standard.post(f"/holds/processes/{run['id']}/place").status_code == 403
    outsider = Visitor(signed_world.client)
    outsider.sign_in(signed_world.other.admin)
    assert outsider.post(f"/holds/processes/{run['id']}/place").status_code == 404
