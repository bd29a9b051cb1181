"""Uploading, reading, archiving and deleting files (reference 3.16, 4.17)."""

import os

import pytest
from fastapi.testclient import TestClient

from procession.main import create_app
from tests.conftest import World
from tests.databases import snapshot
from tests.factories import add_capture, make_oneoff, make_run, make_template, ok, steps_of
from tests.files.helpers import PNG, stored, stored_files, upload


def test_upload_answers_the_asset_and_stores_the_bytes(world: World) -> None:
    run, tasks = make_run(world.admin, steps=1)
    body = ok(
        upload(
            world.admin,
            "Run",
            run["id"],
            uploaded_from="capture1",
            step_id=tasks[0]["step_id"],
            checklist_id=run["checklist_id"],
        )
    )
    asset = body["data"]
    assert isinstance(asset, dict)
    assert len(asset["id"]) == 32
    assert asset["filename"] == "photo.png"
    assert asset["subject"] == {"id": run["id"], "type": "Run"}
    assert asset["uploaded_from"] == "capture1"
    assert asset["step_id"] == tasks[0]["step_id"]
    assert asset["source"] == "local"
    assert asset["version"] == 1
    assert asset["file_size"] == len(PNG)
    assert asset["uploaded_at"].endswith("Z")
    assert asset["url"] == f"organizations/{world.org.id}/file/{asset['id']}/dl"
    assert asset["full_url"].endswith(f"/api/{asset['url']}")
    assert stored(world, asset["id"]).read_bytes() == PNG


def test_download_streams_the_same_bytes_as_an_attachment(world: World) -> None:
    template = make_template(world.admin, steps=1)
    content = os.urandom(3 * 1024 * 1024 + 17)  # past the 1 MiB body guard of other routes
    asset = ok(upload(world.admin, "Checklist", template["id"], content, "big report.pdf"))["data"]
    for base in ("/api", ""):  # Tallyfy's documented base and the SDK's
        url = f"{base}/organizations/{world.org.id}/file/{asset['id']}/dl"
        response = world.client.get(
            url, headers={**world.admin.headers, "Accept": "application/json"}
        )
        assert response.status_code == 200
        assert response.content == content
        assert response.headers["content-type"] == "application/octet-stream"
        assert response.headers["content-length"] == str(len(content))
        assert response.headers["content-disposition"].startswith(
            'attachment; filename="big report.pdf"'
        )


def test_post_file_is_the_same_upload(world: World) -> None:
    template = make_template(world.admin, steps=1)
    asset = ok(upload(world.admin, "Checklist", template["id"], path="/file"))["data"]
    assert world.admin.get(f"/file/{asset['id']}/dl").content == PNG


def test_metadata_and_inline_view(world: World) -> None:
    template = make_template(world.admin, steps=1)
    asset = ok(upload(world.admin, "Checklist", template["id"]))["data"]
    read = ok(world.standard.get(f"/assets/{asset['id']}"))["data"]
    assert read == asset
    inline = world.light.get(f"/file/{asset['id']}")
    assert inline.status_code == 200
    assert inline.content == PNG
    assert inline.headers["content-type"] == "image/png"
    assert inline.headers["content-disposition"].startswith("inline;")
    assert inline.headers["x-content-type-options"] == "nosniff"


def test_a_non_ascii_filename_is_kept(world: World) -> None:
    template = make_template(world.admin, steps=1)
    asset = ok(upload(world.admin, "Checklist", template["id"], filename="../Résumé ü.txt"))["data"]
    assert asset["filename"] == "Résumé ü.txt"
    disposition = world.admin.get(f"/file/{asset['id']}/dl").headers["content-disposition"]
    assert "filename*=UTF-8''R%C3%A9sum%C3%A9%20%C3%BC.txt" in disposition


@pytest.mark.parametrize(
    ("filename", "content_type", "field", "message"),
    [
        ("tool.exe", "application/octet-stream", "name", "not allowed"),
        ("noextension", "application/octet-stream", "name", "not allowed"),
        ("photo.png", "application/pdf", "name", "does not match its extension .png"),
        ("page.xml", "text/html", "name", "does not match"),
    ],
)
def test_disallowed_or_contradicting_files_are_422_and_store_nothing(
    world: World, filename: str, content_type: str, field: str, message: str
) -> None:
    template = make_template(world.admin, steps=1)
    before = snapshot(world.settings, skip=())
    response = upload(world.admin, "Checklist", template["id"], b"x", filename, content_type)
    assert response.status_code == 422, response.text
    assert response.json()["error"] is True
    assert message in response.json()["errors"][field][0]
    assert snapshot(world.settings, skip=()) == before
    assert stored_files(world) == []


def test_a_declared_type_that_agrees_is_accepted(world: World) -> None:
    template = make_template(world.admin, steps=1)
    ok(upload(world.admin, "Checklist", template["id"], b"a,b\n", "data.csv", "text/csv"))
    ok(upload(world.admin, "Checklist", template["id"], PNG, "PHOTO.PNG", "image/png"))


def test_subject_checks(world: World) -> None:
    template = make_template(world.admin, steps=1)
    other_template = make_template(world.other_admin, steps=1)
    missing = upload(world.admin, "Checklist", "0" * 32)
    assert missing.status_code == 404
    assert missing.json()["code"] == "RESOURCE_NOT_FOUND"
    assert upload(world.admin, "Checklist", other_template["id"]).status_code == 404
    assert upload(world.admin, "Step", template["id"]).status_code == 422
    ok(world.admin.delete(f"/checklists/{template['id']}"))
    archived = upload(world.admin, "Checklist", template["id"])
    assert archived.status_code == 422
    assert "subject_id" in archived.json()["errors"]
    run, _ = make_run(world.admin, steps=1)
    wrong = upload(world.admin, "Run", run["id"], checklist_id=template["id"])
    assert wrong.status_code == 422
    assert "checklist_id" in wrong.json()["errors"]
    assert stored_files(world) == []


def test_malformed_uploads(world: World) -> None:
    template = make_template(world.admin, steps=1)
    as_json = world.admin.post("/assets", {"subject_type": "Checklist"})
    assert as_json.status_code == 400
    assert as_json.json()["code"] == "BAD_REQUEST"
    no_file = world.admin.request(
        "POST",
        "/assets",
        data={"uploaded_from": "ko_field", "subject_type": "Checklist", "subject_id": "x"},
        files={"other": ("a.txt", b"a")},
    )
    assert no_file.status_code == 422
    assert "name" in no_file.json()["errors"]
    no_subject = world.admin.request(
        "POST", "/assets", data={"uploaded_from": "ko_field"}, files={"name": ("a.txt", b"a")}
    )
    assert no_subject.status_code == 422
    assert {"subject_type", "subject_id"} <= set(no_subject.json()["errors"])
    broken = world.client.post(
        world.admin.url("/assets"),
        content=b"--xyz\r\nnot a part",
        headers={**world.admin.headers, "content-type": "multipart/form-data; boundary=xyz"},
    )
    assert broken.status_code in (400, 422), broken.text
    assert ok(world.admin.get(f"/checklists/{template['id']}"))
    assert stored_files(world) == []


def test_roles_and_organizations(world: World) -> None:
    template = make_template(world.admin, steps=1)
    assert upload(world.light, "Checklist", template["id"]).status_code == 403
    assert upload(world.outsider, "Checklist", template["id"]).status_code == 404
    assert upload(world.anonymous, "Checklist", template["id"]).status_code == 401
    asset = ok(upload(world.standard, "Checklist", template["id"]))["data"]
    for path in (f"/assets/{asset['id']}", f"/file/{asset['id']}", f"/file/{asset['id']}/dl"):
        response = world.outsider.get(path)
        assert response.status_code == 404
        assert response.json()["code"] == "RESOURCE_NOT_FOUND"
        assert world.other_admin.get(path).status_code == 404
    assert world.light.delete(f"/assets/{asset['id']}").status_code == 403
    assert world.light.delete(f"/file/{asset['id']}").status_code == 403
    assert stored(world, asset["id"]).exists()


def test_files_over_the_limit_are_413_and_leave_nothing(world: World) -> None:
    small = world.settings.model_copy(update={"max_upload_bytes": 100_000})
    template = make_template(world.admin, steps=1)
    before = snapshot(world.settings, skip=())
    with TestClient(create_app(small)) as client:
        world_small = World(client, small, world.org, world.other)
        fits = upload(world_small.admin, "Checklist", template["id"], b"x" * 100_000, "a.txt")
        too_big = upload(world_small.admin, "Checklist", template["id"], b"x" * 100_001, "a.txt")
        huge = upload(world_small.admin, "Checklist", template["id"], b"x" * 5_000_000, "a.txt")
    assert fits.status_code == 200, fits.text
    for response in (too_big, huge):
        assert response.status_code == 413, response.text
        assert response.json()["code"] == "PAYLOAD_TOO_LARGE"
    assert stored_files(world) == [stored(world, fits.json()["data"]["id"])]
    after = snapshot(world.settings, skip=())
    assert len(after["assets"]) == len(before["assets"]) + 1


def test_archiving_an_asset_hides_its_bytes_but_keeps_them(world: World) -> None:
    template = make_template(world.admin, steps=1)
    asset = ok(upload(world.admin, "Checklist", template["id"]))["data"]
    archived = ok(world.standard.delete(f"/assets/{asset['id']}"))["data"]
    assert archived["archived_at"] is not None
    again = ok(world.standard.delete(f"/assets/{asset['id']}"))["data"]
    assert again["archived_at"] == archived["archived_at"]
    for path in (f"/file/{asset['id']}/dl", f"/file/{asset['id']}"):
        response = world.admin.get(path)
        assert response.status_code == 404
        assert response.json()["code"] == "RESOURCE_NOT_FOUND"
    assert ok(world.admin.get(f"/assets/{asset['id']}"))["data"]["archived_at"] is not None
    assert stored(world, asset["id"]).read_bytes() == PNG


def test_deleting_a_file_removes_the_record_and_the_bytes(world: World) -> None:
    template = make_template(world.admin, steps=1)
    asset = ok(upload(world.admin, "Checklist", template["id"]))["data"]
    response = world.standard.delete(f"/file/{asset['id']}")
    assert response.status_code == 200
    assert response.content == b""
    assert world.admin.get(f"/assets/{asset['id']}").status_code == 404
    assert world.admin.get(f"/file/{asset['id']}/dl").status_code == 404
    assert world.admin.delete(f"/file/{asset['id']}").status_code == 404
    assert not stored(world, asset["id"]).exists()


def test_an_uploaded_file_goes_into_a_task_form_field_and_back(world: World) -> None:
    api = world.admin
    template = make_template(api, steps=1)
    step = steps_of(api, template["id"])[0]
    capture = add_capture(api, template["id"], step["id"], field_type="file", label="Scan")
    run = ok(api.post("/runs", {"checklist_id": template["id"]}), 201)["data"]
    task = ok(api.get(f"/runs/{run['id']}/tasks"))["data"][0]
    asset = ok(
        upload(
            api,
            "Run",
            run["id"],
            uploaded_from=capture["id"],
            step_id=step["id"],
            checklist_id=template["id"],
        )
    )["data"]
    path = f"/runs/{run['id']}/tasks/{task['id']}"
    ok(api.put(path, {"taskdata": {capture["id"]: [asset]}}))
    saved = ok(api.get(path, params={"with": "form_fields"}))["data"]["taskdata"][capture["id"]]
    assert saved == [asset]
    link = saved[0]["url"]
    assert world.client.get("/" + link, headers=api.headers).content == PNG


def test_one_off_task_files(world: World) -> None:
    task = make_oneoff(world.admin, owner=world.org.admin.user_id)
    asset = ok(upload(world.admin, "Task", task["id"], uploaded_from="field1"))["data"]
    assert asset["subject"] == {"id": task["id"], "type": "Task"}
    assert world.admin.get(f"/file/{asset['id']}/dl").content == PNG
