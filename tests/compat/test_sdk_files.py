"""The SDK's file methods (`upload_file`, `download_file`, `download_file_from_url`) against
a live server: bytes come back exactly, refusals are `TallyfyError`s with their status, and
a file of an archived or purged process can no longer be downloaded."""

import os
from collections.abc import Callable, Iterator
from typing import Any

import httpx2 as httpx
import pytest
from tallyfy import TallyfyError, TallyfySDK

from tests.compat.conftest import Blueprint, LiveServer
from tests.conftest import OrgFixture, run_async, seed_org
from tests.databases import DatabaseFactory
from tests.live import live_server as live

PDF = b"%PDF-1.4\n" + os.urandom(2048)


def api_get(server: LiveServer, path: str) -> dict[str, Any]:
    """A raw read (for what the SDK has no method for, like an asset's download links)."""
    response = httpx.get(
        f"{server.base_url}/api/organizations/{server.org.id}{path}",
        headers={"Authorization": f"Bearer {server.org.admin.token}"},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def api_delete(server: LiveServer, path: str) -> int:
    response = httpx.delete(
        f"{server.base_url}/api/organizations/{server.org.id}{path}",
        headers={"Authorization": f"Bearer {server.org.admin.token}"},
    )
    return response.status_code


def launch_with_task(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint], name: str
) -> tuple[Any, Blueprint]:
    blueprint = build_template(steps=1)
    run = sdk.launch_process(org_id, blueprint.id, name)
    return run, blueprint


def upload_to_run(sdk: TallyfySDK, org_id: str, run: Any, blueprint: Blueprint, **kw: Any) -> Any:
    defaults: dict[str, Any] = {"content": PDF, "filename": "contract.pdf"}
    return sdk.upload_file(
        org_id,
        uploaded_from="capture1",
        subject_type="Run",
        subject_id=run.id,
        step_id=blueprint.steps[0]["id"],
        checklist_id=blueprint.id,
        **{**defaults, **kw},
    )


@pytest.mark.sdk(
    "upload_file", "download_file", "launch_process", "create_template", "add_step_to_template"
)
def test_upload_then_download_gives_back_the_same_bytes(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    run, blueprint = launch_with_task(sdk, org_id, build_template, "Files round trip")
    content = os.urandom(5 * 1024 * 1024 + 3)  # a multi-MB binary file
    asset = upload_to_run(sdk, org_id, run, blueprint, content=content, filename="scan.zip")
    assert len(asset.id) == 32
    assert asset.filename == "scan.zip"
    assert asset.subject == {"id": run.id, "type": "Run"}
    assert asset.uploaded_from == "capture1"
    assert asset.step_id == blueprint.steps[0]["id"]
    assert asset.source == "local"
    assert sdk.download_file(org_id, asset.id) == content


@pytest.mark.sdk("upload_file", "download_file_from_url", "create_template", "add_step_to_template")
def test_download_from_the_links_the_server_gives(
    sdk: TallyfySDK,
    org_id: str,
    build_template: Callable[..., Blueprint],
    live_server: LiveServer,
) -> None:
    blueprint = build_template(steps=1)
    asset = sdk.upload_file(org_id, PDF, "kickoff.pdf", "ko_field", "Checklist", blueprint.id)
    assert asset.subject == {"id": blueprint.id, "type": "Checklist"}
    read = api_get(live_server, f"/assets/{asset.id}")["data"]
    assert read["id"] == asset.id
    for link in (read["url"], read["full_url"]):
        assert sdk.download_file_from_url(link) == PDF


@pytest.mark.sdk("upload_file", "create_task")
def test_upload_to_a_one_off_task(sdk: TallyfySDK, org_id: str, live_server: LiveServer) -> None:
    task = sdk.create_task(
        org_id, "File holder", "2030-01-31 17:00:00", user_ids=[live_server.org.admin.user_id]
    )
    asset = sdk.upload_file(org_id, b"hello", "note.txt", "field1", "Task", task.id)
    assert asset.subject == {"id": task.id, "type": "Task"}
    assert sdk.download_file(org_id, asset.id) == b"hello"


@pytest.mark.sdk("upload_file", "create_template", "add_step_to_template")
@pytest.mark.parametrize(
    ("filename", "status"), [("virus.exe", 422), ("no-extension", 422)], ids=["exe", "none"]
)
def test_a_disallowed_file_is_refused(
    sdk: TallyfySDK,
    org_id: str,
    build_template: Callable[..., Blueprint],
    filename: str,
    status: int,
) -> None:
    blueprint = build_template(steps=1)
    with pytest.raises(TallyfyError) as refused:
        sdk.upload_file(
            org_id, b"MZ" + b"\0" * 100, filename, "ko_field", "Checklist", blueprint.id
        )
    assert refused.value.status_code == status
    assert "not allowed" in str(refused.value)


@pytest.mark.sdk("upload_file")
def test_an_upload_to_a_missing_subject_is_404(sdk: TallyfySDK, org_id: str) -> None:
    with pytest.raises(TallyfyError) as refused:
        sdk.upload_file(org_id, PDF, "a.pdf", "ko_field", "Checklist", "0" * 32)
    assert refused.value.status_code == 404


@pytest.mark.sdk("download_file")
def test_downloading_a_missing_file_is_404(sdk: TallyfySDK, org_id: str) -> None:
    with pytest.raises(TallyfyError) as missing:
        sdk.download_file(org_id, "0" * 32)
    assert missing.value.status_code == 404


@pytest.mark.sdk(
    "upload_file",
    "download_file",
    "launch_process",
    "archive_process",
    "reactivate_process",
    "create_template",
    "add_step_to_template",
)
def test_archive_hides_the_file_restore_brings_it_back_purge_removes_it(
    sdk: TallyfySDK,
    org_id: str,
    build_template: Callable[..., Blueprint],
    live_server: LiveServer,
) -> None:
    run, blueprint = launch_with_task(sdk, org_id, build_template, "Archive my files")
    asset = upload_to_run(sdk, org_id, run, blueprint)
    sdk.archive_process(org_id, run.id)
    with pytest.raises(TallyfyError) as hidden:
        sdk.download_file(org_id, asset.id)
    assert hidden.value.status_code == 404
    sdk.reactivate_process(org_id, run.id)
    assert sdk.download_file(org_id, asset.id) == PDF
    sdk.archive_process(org_id, run.id)
    assert api_delete(live_server, f"/runs/{run.id}/delete") == 200
    with pytest.raises(TallyfyError) as purged:
        sdk.download_file(org_id, asset.id)
    assert purged.value.status_code == 404


@pytest.fixture(scope="module")
def small_server(databases: DatabaseFactory) -> Iterator[tuple[str, OrgFixture]]:
    """A server of its own whose uploads may be at most 1 MiB."""
    settings = databases.fresh()
    org = run_async(seed_org(settings, "Small"))
    with live(settings, env={"PROCESSION_MAX_UPLOAD_BYTES": str(1024 * 1024)}) as base_url:
        yield base_url, org
    databases.drop(settings)


@pytest.mark.sdk("upload_file", "download_file", "create_template")
def test_a_file_over_the_limit_is_refused_with_413(
    small_server: tuple[str, OrgFixture], sdk_for: Callable[..., TallyfySDK]
) -> None:
    base_url, org = small_server
    sdk = sdk_for(org.admin.token, base_url)
    template = sdk.create_template(org.id, "Small uploads")
    fits = sdk.upload_file(
        org.id, b"x" * 1024 * 1024, "a.txt", "ko_field", "Checklist", template.id
    )
    assert sdk.download_file(org.id, fits.id) == b"x" * 1024 * 1024
    with pytest.raises(TallyfyError) as refused:
        sdk.upload_file(
            org.id, os.urandom(3 * 1024 * 1024), "big.zip", "ko_field", "Checklist", template.id
        )
    assert refused.value.status_code == 413
