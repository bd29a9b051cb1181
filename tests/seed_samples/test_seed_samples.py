"""The seed documents' JavaScript samples, run under Node against a live server.

They are the seeds' code, changed only where they name the host, token and ids (read from the
environment). Each must print its own success line, and print its failure for a live process.
"""

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.conftest import OrgFixture, run_async, seed_org
from tests.databases import DatabaseFactory
from tests.live import live_server

SAMPLES = Path(__file__).parent / "js"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js is not installed")


@pytest.fixture(scope="module")
def server(databases: DatabaseFactory) -> Iterator[tuple[str, OrgFixture]]:
    settings = databases.fresh()
    org = run_async(seed_org(settings, "Seeds"))
    with live_server(settings) as base:
        yield base, org
    databases.drop(settings)


def run_sample(name: str, base: str, org: OrgFixture, **ids: str) -> str:
    env = {**os.environ, "BASE": base, "TOKEN": org.admin.token, "ORG_ID": org.id, **ids}
    assert NODE is not None
    done = subprocess.run(
        [NODE, str(SAMPLES / name)], env=env, capture_output=True, text=True, timeout=30
    )
    return done.stdout + done.stderr


def create(base: str, org: OrgFixture, path: str, body: dict[str, object]) -> str:
    response = httpx.post(
        f"{base}/api/organizations/{org.id}/{path}",
        json=body,
        headers={"Authorization": f"Bearer {org.admin.token}"},
    )
    assert response.status_code == 201, response.text
    object_id: str = response.json()["data"]["id"]
    return object_id


def template_and_run(base: str, org: OrgFixture) -> tuple[str, str]:
    template_id = create(base, org, "checklists", {"title": "Seed sample template"})
    create(base, org, f"checklists/{template_id}/steps", {"title": "Only step"})
    return template_id, create(base, org, "runs", {"checklist_id": template_id})


@pytest.mark.parametrize("prefix", ["/api", ""])
def test_archive_then_delete_process_samples_print_success(
    server: tuple[str, OrgFixture], prefix: str
) -> None:
    base, org = server
    _, run_id = template_and_run(base, org)
    archived = run_sample("archive-process.js", base + prefix, org, RUN_ID=run_id)
    assert f"Archived process {run_id}. Status: 200" in archived
    assert '"status": "archived"' in archived
    deleted = run_sample("delete-process.js", base + prefix, org, RUN_ID=run_id)
    assert f"Permanently deleted process {run_id}. Status: 200" in deleted
    again = run_sample("delete-process.js", base + prefix, org, RUN_ID=run_id)
    assert "Failed (404)" in again


def test_delete_process_sample_prints_its_failure_for_a_live_process(
    server: tuple[str, OrgFixture],
) -> None:
    base, org = server
    _, run_id = template_and_run(base, org)
    output = run_sample("delete-process.js", base + "/api", org, RUN_ID=run_id)
    assert "Failed (422)" in output
    assert "must be archived" in output
    assert "Delete failed: HTTP error 422" in output


@pytest.mark.parametrize("prefix", ["/api", ""])
def test_archive_template_samples_print_success(
    server: tuple[str, OrgFixture], prefix: str
) -> None:
    base, org = server
    first, _ = template_and_run(base, org)
    output = run_sample("archive-template.js", base + prefix, org, CHECKLIST_ID=first)
    assert f"Successfully archived template {first}. Status: 200" in output
    assert '"archived_at": "' in output
    second, _ = template_and_run(base, org)
    output = run_sample("archive-or-delete-template.js", base + prefix, org, CHECKLIST_ID=second)
    assert f"Successfully archived template {second}. Status: 200" in output


def test_delete_archived_template_sample_prints_success(server: tuple[str, OrgFixture]) -> None:
    base, org = server
    template_id, _ = template_and_run(base, org)
    live = run_sample(
        "archive-or-delete-template.js",
        base + "/api",
        org,
        CHECKLIST_ID=template_id,
        PERMANENT="1",
    )
    assert f"Failed to delete template {template_id}. Status: 422" in live
    run_sample("archive-or-delete-template.js", base + "/api", org, CHECKLIST_ID=template_id)
    deleted = run_sample(
        "archive-or-delete-template.js",
        base + "/api",
        org,
        CHECKLIST_ID=template_id,
        PERMANENT="1",
    )
    assert f"Successfully deleted template {template_id}. Status: 200" in deleted
    assert "The template was permanently deleted." in deleted
