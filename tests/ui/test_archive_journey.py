"""The whole life of a process through the admin pages, in a real browser: sign in, build a
template, launch, complete a task, archive, restore, archive again, delete permanently
through the confirmation page, and find every step in the audit trail."""

import re

from playwright.sync_api import Page, expect

from tests.conftest import World
from tests.ui.conftest import Screens, sign_in


def flash(page: Page, text: str) -> None:
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()


def test_process_from_template_to_permanent_delete(
    page: Page, site: str, signed_world: World, shot: Screens
) -> None:
    page.goto(f"{site}/processes")
    expect(page).to_have_url(re.compile(r"/admin/login\?next=%2Fadmin%2Fprocesses"))
    shot(page, "sign-in")
    sign_in(page, site, signed_world.org.admin.email)
    expect(page.get_by_role("heading", name="Processes")).to_be_visible()  # back where we were
    page.get_by_role("link", name="Procession").click()
    shot(page, "home")

    # A template with a kick-off field and two steps, one with a required form field.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Templates").click()
    page.get_by_label("Title").fill("Employee onboarding")
    page.get_by_role("button", name="Create template").click()
    flash(page, "Template “Employee onboarding” created")
    for title in ("Sign the contract", "Set up the laptop"):
        page.get_by_label("Step title").fill(title)
        page.get_by_role("button", name="Add step").click()
        flash(page, f"Step “{title}” added.")
    page.get_by_text("Add a form field to this step").first.click()
    page.get_by_label("Label").first.fill("Contract number")
    page.get_by_label("Required").first.check()
    page.get_by_role("button", name="Add field").first.click()
    flash(page, "Form field “Contract number” added.")
    page.get_by_text("Add a kick-off field").click()
    kickoff = page.get_by_role("group").filter(has_text="Add kick-off field")
    kickoff = page.locator("form", has=page.get_by_role("button", name="Add kick-off field"))
    kickoff.get_by_label("Label").fill("Employee name")
    kickoff.get_by_label("Required").check()
    kickoff.get_by_role("button", name="Add kick-off field").click()
    flash(page, "Kick-off field “Employee name” added.")
    shot(page, "template")

    # Launch it with its kick-off form.
    page.get_by_label("Process name").fill("Onboarding Ada")
    page.get_by_label("Employee name").fill("Ada Lovelace")
    page.get_by_role("button", name="Launch").click()
    flash(page, "Process “Onboarding Ada” launched.")
    expect(page.get_by_role("heading", name=re.compile("Onboarding Ada"))).to_be_visible()
    expect(page.get_by_text("Ada Lovelace")).to_be_visible()

    # Completing without the required answer is refused and says why; with it, it completes.
    first = page.get_by_role("article", name="Task Sign the contract")
    first.get_by_role("button", name="Complete “Sign the contract”").click()
    expect(page.get_by_role("alert")).to_contain_text("Contract number is required")
    first.get_by_label("Contract number").fill("C-1815")
    first.get_by_role("button", name="Complete “Sign the contract”").click()
    flash(page, "Completed “Sign the contract”.")
    expect(page.get_by_text("1/2").first).to_be_visible()
    second = page.get_by_role("article", name="Task Set up the laptop")
    second.get_by_text("Comments (0)").click()
    second.get_by_label("Comment on “Set up the laptop”").fill("Ordered, arrives Monday.")
    second.get_by_role("button", name="Add comment").click()
    flash(page, "Comment added.")
    shot(page, "process")

    # Archive: gone from the list, present in the Archive with who and when.
    page.get_by_role("button", name="Archive this process").click()
    flash(page, "Process “Onboarding Ada” archived")
    expect(page.get_by_role("link", name="Onboarding Ada")).to_have_count(0)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Archive").click()
    row = page.get_by_role("row").filter(has_text="Onboarding Ada")
    expect(row).to_contain_text("Admin")  # archived by
    shot(page, "archive")

    # Restore brings it back exactly: still one of two tasks done, the comment there.
    row.get_by_role("button", name="Restore").click()
    flash(page, "Process “Onboarding Ada” restored.")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Processes").click()
    page.get_by_role("link", name="Onboarding Ada").click()
    expect(page.get_by_text("1/2").first).to_be_visible()
    expect(page.get_by_text("Ordered, arrives Monday.")).to_be_visible()
    expect(page.get_by_role("article", name="Task Sign the contract")).to_contain_text("C-1815")

    # Archive again, then delete permanently through the confirmation page.
    page.get_by_role("button", name="Archive this process").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Archive").click()
    row = page.get_by_role("row").filter(has_text="Onboarding Ada")
    row.get_by_role("link", name="Delete permanently").click()
    expect(
        page.get_by_role("heading", name=re.compile("Delete process “Onboarding Ada”"))
    ).to_be_visible()
    expect(page.locator("[data-table=tasks]")).to_have_text("2")
    expect(page.locator("[data-table=comments]")).to_have_text("1")
    shot(page, "confirm-delete")
    page.get_by_label("Type the name").fill("Onboarding Bob")
    page.get_by_role("button", name="Delete permanently").click()
    expect(page.get_by_role("alert")).to_contain_text("does not match; nothing was deleted")
    page.get_by_label("Type the name").fill("Onboarding Ada")
    page.get_by_role("button", name="Delete permanently").click()
    flash(page, "Process “Onboarding Ada” permanently deleted")
    expect(page.get_by_text("Nothing archived.")).to_be_visible()

    # The audit trail tells the story, newest first.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit").click()
    actions = page.locator("tbody tr td:nth-child(3)").all_inner_texts()
    assert actions == ["purge", "archive", "restore", "archive"]
    expect(page.get_by_role("row").filter(has_text="purge")).to_contain_text("Onboarding Ada")
    page.get_by_label("Action").select_option("purge")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    shot(page, "audit")

    # Nothing of it is left for the API either.
    runs = signed_world.admin.get("/runs", params={"archived": "true"}).json()
    assert runs["data"] == []
