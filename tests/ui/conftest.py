"""Admin-page fixtures: members with passwords, a live server, and Debian's headless
Chromium driven by Playwright (its own browser downloads are not used)."""

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from procession.auth import service as auth_service
from procession.auth.models import User
from procession.config import Settings
from procession.db.session import unit_of_work
from tests.conftest import OrgFixture, World, run_async
from tests.live import live_server

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "correct horse battery staple"
SCREENSHOTS = Path(__file__).parent / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


async def give_passwords(settings: Settings, *orgs: OrgFixture) -> None:
    async with unit_of_work(settings) as session:
        for org in orgs:
            for member in (org.admin, org.standard, org.light):
                user = await session.get(User, member.user_id)
                assert user is not None
                await auth_service.set_password(session, user, PASSWORD)


@pytest.fixture
def signed_world(world: World) -> World:
    """The usual two organizations; every member can sign in with `PASSWORD`."""
    run_async(give_passwords(world.settings, world.org, world.other))
    return world


@pytest.fixture
def site(signed_world: World) -> Iterator[str]:
    """A live server on the test database; yields the admin pages' base URL."""
    with live_server(signed_world.settings) as base:
        yield f"{base}/admin"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        message = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI installs it: its absence there is a failure
        pytest.skip(message)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser tab. The test fails if a page logs an error (a script that did not
    load, a Content-Security-Policy violation, an exception)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    # A page the server refused on purpose logs its status; anything else is a defect.
    assert [e for e in errors if "status of 4" not in e] == []


class Screens:
    """Saves numbered full-page screenshots of one test under `tests/ui/screenshots/`."""

    def __init__(self, test_name: str) -> None:
        self.prefix = re.sub(r"\W+", "-", test_name).strip("-")
        self.count = 0
        SCREENSHOTS.mkdir(exist_ok=True)

    def __call__(self, page: Page, name: str) -> None:
        self.count += 1
        path = SCREENSHOTS / f"{self.prefix}-{self.count:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Screens:
    return Screens(request.node.name)


def sign_in(page: Page, site: str, email: str, password: str = PASSWORD) -> None:
    """Sign in on the sign-in page the browser is on (or the one the home page sends to)."""
    if "/admin/login" not in page.url:
        page.goto(f"{site}/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as").wait_for()
