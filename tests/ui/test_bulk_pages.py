"""The bulk-job pages over the ASGI client: start a job, follow its progress, read results."""

import re

import pytest

from procession.bulk import runner
from procession.db.session import Database
from tests.bulk.helpers import archived_runs, runs
from tests.conftest import World, run_async
from tests.factories import ok
from tests.ui.test_pages import Visitor

# No background jobs: each test runs the jobs it starts.
pytestmark = pytest.mark.without_background_jobs


def run_jobs(world: World) -> None:
    async def work() -> None:
        database = Database(world.settings)
        try:
            while await runner.work(database, world.settings):
                pass
        finally:
            await database.dispose()

    run_async(work())


def test_an_admin_starts_a_job_and_follows_it_to_the_end(signed_world: World) -> None:
    ids = runs(signed_world.admin, "Bulk one", "Bulk two", "Kept")
    visitor = Visitor(signed_world.client)
    visitor.sign_in(signed_world.org.admin)
    listing = visitor.get("/bulk")
    assert "Start a bulk job" in listing.text
    started = visitor.post("/bulk", action="archive", object_type="process", filter="q=bulk")
    assert started.status_code == 200
    assert "Bulk archive started (processes: 2)." in started.text
    assert "queued" in started.text
    job_path = started.url.path.removeprefix("/admin")
    assert re.search(r'hx-get="[^"]+/progress" hx-trigger="every 1s"', started.text)

    run_jobs(signed_world)
    done = visitor.get(job_path)
    assert "every 1s" not in done.text
    assert "2/2 handled: 2 done, 0 not found, 0 refused" in done.text
    fragment = visitor.get(f"{job_path}/progress")
    assert '<section id="progress"' in fragment.text
    assert [run["id"] for run in ok(signed_world.admin.get("/runs"))["data"]] == [ids[2]]
    assert "Bulk job" in visitor.get("/bulk").text


def test_refused_items_show_their_reason(signed_world: World) -> None:
    (live,) = runs(signed_world.admin, "Live")
    (archived,) = archived_runs(signed_world.admin, "Archived")
    visitor = Visitor(signed_world.client)
    visitor.sign_in(signed_world.org.admin)
    visitor.get("/bulk")
    started = visitor.post(
        "/bulk", action="delete", object_type="process", ids=f"{live}\n{archived}", dry_run="true"
    )
    run_jobs(signed_world)
    page = visitor.get(f"{started.url.path.removeprefix('/admin')}?outcome=refused")
    assert "The object must be archived before it can be permanently deleted." in page.text
    assert "NOT_ARCHIVED" in page.text
    assert archived not in page.text
    assert ok(signed_world.admin.get(f"/runs/{archived}"))["data"]["id"] == archived  # a dry run


def test_a_bad_filter_goes_back_to_the_form_with_the_reason(signed_world: World) -> None:
    visitor = Visitor(signed_world.client)
    visitor.sign_in(signed_world.org.admin)
    visitor.get("/bulk")
    form = {"action": "archive", "object_type": "process", "filter": "colour=red"}
    page = signed_world.client.post(
        "/admin/bulk",
        data={**form, "csrf_token": visitor.token},
        headers={"referer": "http://testserver/admin/bulk"},  # as a browser sends it
    )
    assert page.url.path == "/admin/bulk"
    assert "colour" in page.text
    assert "No bulk jobs yet." in page.text


def test_light_members_cannot_start_jobs_and_standard_ones_cannot_delete(
    signed_world: World,
) -> None:
    visitor = Visitor(signed_world.client)
    visitor.sign_in(signed_world.org.light)
    home = visitor.get("/bulk")
    assert "Start a bulk job" not in home.text
    refused = visitor.post("/bulk", action="archive", object_type="process", filter="")
    assert refused.status_code == 403

    standard = Visitor(signed_world.client)
    standard.sign_in(signed_world.org.standard)
    form = standard.get("/bulk")
    assert 'value="delete"' not in form.text
    assert standard.post("/bulk", action="delete", object_type="tag").status_code == 403


def test_another_members_job_is_not_found(signed_world: World) -> None:
    runs(signed_world.admin, "Theirs")
    admin = Visitor(signed_world.client)
    admin.sign_in(signed_world.org.admin)
    admin.get("/bulk")
    started = admin.post("/bulk", action="archive", object_type="process", dry_run="true")
    job_path = started.url.path.removeprefix("/admin")
    standard = Visitor(signed_world.client)
    standard.sign_in(signed_world.org.standard)
    assert standard.get(job_path).status_code == 404
    assert standard.get(f"{job_path}/progress").status_code == 404
