"""What a standard (non-admin) member sees and may do on the archive pages, in a browser:
Restore, but no permanent delete; and the server refuses the delete form anyway."""

import re

from playwright.sync_api import Page, expect

from tests.conftest import World
from tests.factories import launch, make_template
from tests.ui.conftest import Screens, sign_in


def test_standard_member_sees_no_delete_and_is_refused(
    page: Page, site: str, signed_world: World, shot: Screens
) -> None:
    admin = signed_world.admin
    run = launch(admin, make_template(admin, steps=2)["id"], name="Quarterly audit")
    assert admin.delete(f"/runs/{run['id']}").status_code == 200

    sign_in(page, site, signed_world.org.standard.email)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Audit")).to_have_count(0)  # admins only
    nav.get_by_role("link", name="Archive").click()
    row = page.get_by_role("row").filter(has_text="Quarterly audit")
    expect(row.get_by_role("button", name="Restore")).to_be_visible()
    expect(page.get_by_role("link", name="Delete permanently")).to_have_count(0)
    shot(page, "archive-as-standard")

    # The confirmation page and the form it would post are refused by the server.
    confirm = f"{site}/archive/processes/{run['id']}/delete"
    assert page.goto(confirm).status == 403
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    shot(page, "refused")
    token = page.locator("input[name=csrf_token]").first.input_value()
    answer = page.request.post(
        confirm, form={"csrf_token": token, "confirm_name": "Quarterly audit"}
    )
    assert answer.status == 403
    assert re.search("permission to permanently delete", answer.text())
    assert admin.get(f"/runs/{run['id']}").status_code == 200  # still there, still archived
    assert page.goto(f"{site}/audit").status == 403
