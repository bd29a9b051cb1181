"""The admin pages over the ASGI client (no browser): sign-in rules, CSRF, cookies and
headers, roles, other organizations, hostile strings, and form errors."""

import re
from concurrent.futures import ThreadPoolExecutor, wait

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.conftest import Member, World
from tests.databases import sync_engine
from tests.factories import launch, make_template
from tests.ui.conftest import PASSWORD

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Visitor:
    """A browser-like client of the admin pages: keeps cookies and posts forms with the
    CSRF token of the last page it read."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.token = ""

    def get(self, path: str) -> "object":
        page = self.client.get(f"/admin{path}")
        if found := CSRF.search(page.text):
            self.token = found.group(1)
        return page

    def post(self, path: str, csrf: bool = True, **form: str):  # type: ignore[no-untyped-def]
        data = {**form, "csrf_token": self.token} if csrf else form
        page = self.client.post(f"/admin{path}", data=data)
        if found := CSRF.search(page.text):
            self.token = found.group(1)
        return page

    def sign_in(self, member: Member, password: str = PASSWORD):  # type: ignore[no-untyped-def]
        self.get("/login")
        return self.post("/login", email=member.email, password=password)


@pytest.fixture
def visitor(signed_world: World) -> Visitor:
    return Visitor(signed_world.client)


def test_pages_need_a_sign_in_and_come_back_after_it(visitor: Visitor, signed_world: World) -> None:
    page = visitor.client.get("/admin/templates", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].endswith("/admin/login?next=%2Fadmin%2Ftemplates")
    visitor.get("/login?next=/admin/templates")
    page = visitor.post(
        "/login", email=signed_world.org.admin.email, password=PASSWORD, next="/admin/templates"
    )
    assert page.url.path == "/admin/templates"
    # Only paths inside the admin pages are followed after sign-in.
    visitor.get("/login")
    page = visitor.post(
        "/login", email=signed_world.org.admin.email, password=PASSWORD, next="//evil.example"
    )
    assert page.url.path == "/admin/"


def test_wrong_password_and_unknown_email_get_the_same_answer(
    visitor: Visitor, signed_world: World
) -> None:
    wrong = visitor.sign_in(signed_world.org.admin, password="not it")
    unknown = visitor.post("/login", email="nobody@example.com", password=PASSWORD)
    for page in (wrong, unknown):
        assert page.status_code == 401
        assert "Wrong email or password." in page.text
    assert visitor.client.get("/admin/", follow_redirects=False).status_code == 303


def test_forms_without_the_session_csrf_token_are_refused(
    visitor: Visitor, signed_world: World
) -> None:
    visitor.sign_in(signed_world.org.admin)
    refused = visitor.post("/templates", csrf=False, title="Sneaky")
    assert refused.status_code == 403
    forged = visitor.client.post("/admin/templates", data={"title": "x", "csrf_token": "forged"})
    assert forged.status_code == 403
    assert signed_world.admin.get("/checklists").json()["data"] == []


def test_session_cookie_and_security_headers(signed_world: World) -> None:
    visitor = Visitor(signed_world.client)
    page = visitor.get("/login")
    cookie = page.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "secure" not in cookie
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["x-frame-options"] == "DENY"
    https = TestClient(signed_world.client.app, base_url="https://testserver")
    assert "secure" in https.get("/admin/login").headers["set-cookie"].lower()


def test_signing_out_ends_the_session(visitor: Visitor, signed_world: World) -> None:
    visitor.sign_in(signed_world.org.admin)
    home = visitor.get("/")
    assert home.status_code == 200
    page = visitor.post("/logout")
    assert "Signed out." in page.text
    assert visitor.client.get("/admin/", follow_redirects=False).status_code == 303


def test_home_counts_processes_by_state(visitor: Visitor, signed_world: World) -> None:
    admin = signed_world.admin
    template = make_template(admin, steps=1)
    runs = [launch(admin, template["id"]) for _ in range(3)]
    admin.delete(f"/runs/{runs[0]['id']}")
    visitor.sign_in(signed_world.org.admin)
    page = visitor.get("/").text
    assert '<strong data-count="active">2</strong>' in page
    assert '<strong data-count="archived">1</strong>' in page
    assert '<strong data-count="complete">0</strong>' in page


def test_another_organizations_objects_are_not_found(visitor: Visitor, signed_world: World) -> None:
    theirs = launch(signed_world.other_admin, make_template(signed_world.other_admin)["id"])
    visitor.sign_in(signed_world.org.admin)
    assert visitor.get(f"/processes/{theirs['id']}").status_code == 404
    assert visitor.post(f"/processes/{theirs['id']}/archive").status_code == 404
    assert (
        signed_world.other_admin.get(f"/runs/{theirs['id']}").json()["data"]["archived_at"] is None
    )
    assert visitor.get("/no/such/page").status_code == 404


def test_light_members_get_no_editing_forms_and_are_refused(
    visitor: Visitor, signed_world: World
) -> None:
    visitor.sign_in(signed_world.org.light)
    page = visitor.get("/templates")
    assert "New template" not in page.text
    assert visitor.post("/templates", title="Not mine").status_code == 403
    assert visitor.get("/audit").status_code == 403


def test_script_and_sql_looking_input_is_stored_verbatim_and_shown_escaped(
    visitor: Visitor, signed_world: World
) -> None:
    title = "<script>alert(1)</script>'; DROP TABLE processes; --"
    visitor.sign_in(signed_world.org.admin)
    page = visitor.post("/templates", title=title)
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    stored = signed_world.admin.get("/checklists").json()["data"][0]
    assert stored["title"] == title


def test_a_refused_form_goes_back_with_the_reason_and_changes_nothing(
    visitor: Visitor, signed_world: World
) -> None:
    template = make_template(signed_world.admin, steps=0)
    visitor.sign_in(signed_world.org.admin)
    visitor.get(f"/templates/{template['id']}")
    page = visitor.client.post(
        f"/admin/templates/{template['id']}/steps",
        data={"title": "Bad type", "step_type": "nonsense", "csrf_token": visitor.token},
        headers={"referer": f"http://testserver/admin/templates/{template['id']}"},
    )
    assert page.url.path == f"/admin/templates/{template['id']}"
    assert 'class="flash error"' in page.text
    assert signed_world.admin.get(f"/checklists/{template['id']}/steps").json()["data"] == []


def test_the_delete_confirmation_wants_the_exact_name(
    visitor: Visitor, signed_world: World
) -> None:
    admin = signed_world.admin
    run = launch(admin, make_template(admin, steps=2)["id"], name="Vendor review")
    visitor.sign_in(signed_world.org.admin)
    live = visitor.get(f"/archive/processes/{run['id']}/delete")
    assert live.status_code == 422  # not archived yet: nothing to confirm
    admin.delete(f"/runs/{run['id']}")
    confirm = visitor.get(f"/archive/processes/{run['id']}/delete")
    assert '<strong data-table="tasks">2</strong>' in confirm.text
    visitor.post(f"/archive/processes/{run['id']}/delete", confirm_name="Vendor")
    assert admin.get(f"/runs/{run['id']}").status_code == 200
    done = visitor.post(f"/archive/processes/{run['id']}/delete", confirm_name="Vendor review")
    assert "permanently deleted" in done.text
    assert admin.get(f"/runs/{run['id']}").status_code == 404


def test_the_delete_confirmation_does_not_wait_for_a_change_in_progress(
    visitor: Visitor, signed_world: World
) -> None:
    """The confirmation page only reads: a restore or purge holding the run's row lock does
    not hold it up (PostgreSQL; SQLite has no row locks)."""
    if signed_world.settings.is_sqlite:
        pytest.skip("SQLite has no row locks")
    admin = signed_world.admin
    run = launch(admin, make_template(admin, steps=2)["id"], name="Vendor review")
    admin.delete(f"/runs/{run['id']}")
    visitor.sign_in(signed_world.org.admin)
    engine = sync_engine(signed_world.settings)
    with engine.connect() as holder, ThreadPoolExecutor(1) as pool:
        lock = text("SELECT id FROM processes WHERE id = :id FOR UPDATE")
        holder.execute(lock, {"id": run["id"]})
        page = pool.submit(visitor.get, f"/archive/processes/{run['id']}/delete")
        answered, _ = wait([page], timeout=10)
        holder.rollback()  # lets a page that waited for the lock finish, so the test ends
    engine.dispose()
    assert answered, "the confirmation page waited for the run's lock"
    assert '<strong data-table="tasks">2</strong>' in page.result().text
