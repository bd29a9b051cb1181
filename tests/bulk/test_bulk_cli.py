"""`procession bulk ...`: a job run in-process with a progress bar and a summary."""

import pytest
from typer.testing import CliRunner

from procession.cli import app as cli
from tests.bulk.helpers import archived_runs, audit_ids, runs
from tests.conftest import World
from tests.factories import ok

# The tests decide when a job runs.
pytestmark = pytest.mark.without_background_jobs


def test_archive_by_filter_shows_progress_and_a_summary(world: World, runner: CliRunner) -> None:
    api = world.admin
    ids = runs(api, "Cli one", "Cli two", "Other")
    command = ["bulk", "archive", "--org", world.org.id, "--as", world.org.admin.email]
    result = runner.invoke(cli, [*command, "--type", "process", "--filter", "q=cli"])
    assert result.exit_code == 0, result.output
    assert "archive process" in result.output
    assert "2/2" in result.output  # the progress bar's last state
    assert "2 done, 0 not found, 0 refused (of 2)" in result.output
    assert audit_ids(api, "archive") == sorted(ids[:2])
    job = ok(api.get("/bulk/jobs"))["data"][0]
    assert (job["status"], job["selection"]) == ("done", {"filter": {"q": "cli"}})


def test_a_dry_run_delete_lists_what_it_would_refuse(world: World, runner: CliRunner) -> None:
    api = world.admin
    (archived,) = archived_runs(api, "Gone")
    (live,) = runs(api, "Here")
    command = ["bulk", "delete", "--org", world.org.id, "--as", world.org.admin.email]
    ids = f"{archived},{live},missing"
    result = runner.invoke(cli, [*command, "--type", "process", "--ids", ids, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "1 would be done, 1 not found, 1 refused (of 3)" in result.output
    assert f"{live} refused: The object must be archived" in result.output
    assert "missing not found" in result.output
    assert ok(api.get(f"/runs/{archived}"))["data"]["id"] == archived


def test_roles_and_bad_options_are_refused(world: World, runner: CliRunner) -> None:
    (run_id,) = runs(world.admin, "Kept")
    as_standard = ["bulk", "delete", "--org", world.org.id, "--as", world.org.standard.email]
    refused = runner.invoke(cli, [*as_standard, "--type", "process", "--ids", run_id])
    assert refused.exit_code == 1
    assert "permission" in refused.output
    as_admin = ["bulk", "archive", "--org", world.org.id, "--as", world.org.admin.email]
    neither = runner.invoke(cli, [*as_admin, "--type", "process"])
    assert neither.exit_code == 2
    unknown = runner.invoke(cli, [*as_admin, "--type", "process", "--filter", "colour=red"])
    assert unknown.exit_code == 2
    assert "colour" in unknown.output
    stranger = ["bulk", "archive", "--org", world.org.id, "--as", world.other.admin.email]
    outside = runner.invoke(cli, [*stranger, "--type", "process", "--ids", run_id])
    assert outside.exit_code == 1
    assert audit_ids(world.admin, "archive") == []
