"""Browsing in a real browser: htmx's live search, pagination, and a phone-sized window."""

from playwright.sync_api import Page, expect

from tests.conftest import World
from tests.factories import launch, make_template
from tests.ui.conftest import Screens, sign_in


def test_live_search_pages_and_a_phone_sized_window(
    page: Page, site: str, signed_world: World, shot: Screens
) -> None:
    admin = signed_world.admin
    for n in range(23):
        make_template(admin, title=f"Audit {n:02d}", steps=0)
    template = make_template(admin, title="Hiring", steps=3)
    run = launch(admin, template["id"], name="Hire a designer")
    sign_in(page, site, signed_world.org.admin.email)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Templates").click()
    expect(page.get_by_text("Page 1 of 2 (24 in all)")).to_be_visible()
    page.get_by_role("link", name="Next →").click()
    expect(page.get_by_text("Page 2 of 2 (24 in all)")).to_be_visible()

    # Typing filters the list in place (htmx swaps the results; no form submission).
    page.get_by_role("searchbox", name="Search").fill("hir")
    expect(page.get_by_role("link", name="Hiring")).to_be_visible()
    expect(page.get_by_role("link", name="Audit 00")).to_have_count(0)
    expect(page).to_have_url(f"{site}/templates?q=hir")
    shot(page, "templates-search")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{site}/processes/{run['id']}")
    expect(page.get_by_role("heading", name="Hire a designer")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page scrolls sideways on a phone"
    shot(page, "process-on-a-phone")
