"""Files follow their subject (reference 2.7, 2.8): hidden with an archived process or task,
back on restore, and gone, bytes included, when the subject is purged; a purge that does not
commit keeps every byte."""

import io
from pathlib import Path
from typing import Any

import pytest

from procession.audit import service as audit_service
from procession.auth.service import principal_for_token
from procession.db.session import Database
from procession.files import service as file_service
from procession.files.schemas import AssetUpload
from procession.processes.models import Process
from procession.templates.models import Template
from tests.conftest import World, run_async
from tests.factories import make_oneoff, make_run, make_template, ok
from tests.files.helpers import PNG, stored, stored_files, upload


def run_with_files(world: World) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A process with a file on the process and one on its task."""
    run, tasks = make_run(world.admin, steps=1)
    on_run = ok(upload(world.admin, "Run", run["id"], uploaded_from="c1"))["data"]
    on_task = ok(upload(world.admin, "Task", tasks[0]["id"], uploaded_from="c2"))["data"]
    return run, [on_run, on_task]


def downloadable(world: World, asset: dict[str, Any]) -> bool:
    response = world.admin.get(f"/file/{asset['id']}/dl")
    assert response.status_code in (200, 404), response.text
    if response.status_code == 404:
        assert response.json()["code"] == "RESOURCE_NOT_FOUND"
    return response.status_code == 200 and response.content == PNG


def test_archiving_a_process_hides_its_files_and_restoring_brings_them_back(
    world: World,
) -> None:
    run, assets = run_with_files(world)
    ok(world.admin.delete(f"/runs/{run['id']}"))
    assert not any(downloadable(world, a) for a in assets)
    assert all(stored(world, a["id"]).exists() for a in assets)
    ok(world.admin.put(f"/runs/{run['id']}/activate"))
    assert all(downloadable(world, a) for a in assets)


def test_a_file_archived_on_its_own_stays_archived_after_the_process_restore(
    world: World,
) -> None:
    run, (on_run, on_task) = run_with_files(world)
    ok(world.admin.delete(f"/assets/{on_run['id']}"))
    ok(world.admin.delete(f"/runs/{run['id']}"))
    ok(world.admin.put(f"/runs/{run['id']}/activate"))
    assert not downloadable(world, on_run)
    assert downloadable(world, on_task)


def test_one_off_task_archive_and_restore(world: World) -> None:
    task = make_oneoff(world.admin, owner=world.org.admin.user_id)
    asset = ok(upload(world.admin, "Task", task["id"]))["data"]
    assert world.admin.delete(f"/tasks/{task['id']}").status_code == 204
    assert not downloadable(world, asset)
    ok(world.admin.put(f"/tasks/{task['id']}/restore"))
    assert downloadable(world, asset)


def test_archiving_a_template_keeps_its_kick_off_files(world: World) -> None:
    template = make_template(world.admin, steps=1)
    asset = ok(upload(world.admin, "Checklist", template["id"]))["data"]
    ok(world.admin.delete(f"/checklists/{template['id']}"))
    assert downloadable(world, asset)


@pytest.mark.parametrize("kind", ["run", "template", "task"])
def test_purging_the_subject_removes_rows_and_bytes(world: World, kind: str) -> None:
    api = world.admin
    keep = make_template(api, steps=1)
    kept = ok(upload(api, "Checklist", keep["id"]))["data"]
    if kind == "run":
        run, assets = run_with_files(world)
        path = f"/runs/{run['id']}"
    elif kind == "template":
        template = make_template(api, steps=1)
        assets = [ok(upload(api, "Checklist", template["id"]))["data"]]
        path = f"/checklists/{template['id']}"
    else:
        task = make_oneoff(api, owner=world.org.admin.user_id)
        assets = [ok(upload(api, "Task", task["id"]))["data"]]
        path = f"/tasks/{task['id']}"
    assert api.delete(path).status_code in (200, 204)
    assert all(stored(world, a["id"]).exists() for a in assets)
    assert api.delete(path + "/delete").status_code in (200, 204)
    for asset in assets:
        assert api.get(f"/assets/{asset['id']}").status_code == 404
        assert not downloadable(world, asset)
        assert not stored(world, asset["id"]).exists()
    assert downloadable(world, kept)


def test_a_purge_dry_run_keeps_the_bytes(world: World) -> None:
    run, assets = run_with_files(world)
    ok(world.admin.delete(f"/runs/{run['id']}"))
    preview = world.admin.delete(f"/runs/{run['id']}/delete", params={"dry_run": "true"})
    assert preview.status_code == 200, preview.text
    assert all(stored(world, a["id"]).exists() for a in assets)


async def purge_then_fail(world: World, run_id: str, *, in_savepoint: bool) -> None:
    """Purge the process as the admin, then fail: the whole transaction, or only the
    savepoint the purge ran in (as a bulk item does), is rolled back."""
    database = Database(world.settings)
    try:
        async with database.transaction() as session:
            caller = await principal_for_token(session, world.org.admin.token, world.org.id)
            process = await session.get(Process, run_id)
            assert process is not None
            if in_savepoint:
                savepoint = await session.begin_nested()
                await audit_service.purge(session, caller, process)
                await savepoint.rollback()  # the item failed after its purge
                template = await session.get(Template, process.template_id)
                assert template is not None
                template.title = "committed with the outer transaction"
            else:
                await audit_service.purge(session, caller, process)
                raise RuntimeError("the request fails after the purge")
    except RuntimeError:
        assert not in_savepoint
    finally:
        await database.dispose()


@pytest.mark.parametrize("in_savepoint", [False, True], ids=["transaction", "savepoint"])
def test_a_purge_that_is_rolled_back_keeps_rows_and_bytes(world: World, in_savepoint: bool) -> None:
    run, assets = run_with_files(world)
    ok(world.admin.delete(f"/runs/{run['id']}"))
    run_async(purge_then_fail(world, run["id"], in_savepoint=in_savepoint))
    if in_savepoint:  # the outer transaction did commit
        template = ok(world.admin.get(f"/checklists/{run['checklist_id']}"))["data"]
        assert template["title"] == "committed with the outer transaction"
    ok(world.admin.put(f"/runs/{run['id']}/activate"))
    for asset in assets:
        assert Path(stored(world, asset["id"])).read_bytes() == PNG
        assert downloadable(world, asset)


async def upload_then_fail(world: World, template_id: str) -> str:
    database = Database(world.settings)
    asset_id = ""
    try:
        async with database.transaction() as session:
            caller = await principal_for_token(session, world.org.admin.token, world.org.id)
            data = AssetUpload(
                uploaded_from="ko_field", subject_type="Checklist", subject_id=template_id
            )
            asset = await file_service.upload(
                session,
                caller,
                data,
                filename="a.png",
                declared_type="image/png",
                content=io.BytesIO(PNG),
            )
            asset_id = asset.id
            assert stored(world, asset_id).read_bytes() == PNG  # bytes first, then the row
            raise RuntimeError("the request fails after the upload")
    except RuntimeError:
        return asset_id
    finally:
        await database.dispose()
    raise AssertionError("not reached")


def test_an_upload_whose_transaction_fails_leaves_no_bytes(world: World) -> None:
    template = make_template(world.admin, steps=1)
    asset_id = run_async(upload_then_fail(world, template["id"]))
    assert not stored(world, asset_id).exists()
    assert world.admin.get(f"/assets/{asset_id}").status_code == 404
    assert stored_files(world) == []
