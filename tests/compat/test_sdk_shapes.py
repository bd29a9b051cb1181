"""The response shapes the SDK is strict about, read off the wire of the live server (the SDK's
lenient parsing would hide a wrong shape as an empty answer), each next to the SDK call that
depends on it."""

import uuid
from collections.abc import Callable
from typing import Any

import httpx2 as httpx
import pytest
from tallyfy import TallyfyError, TallyfySDK

from tests.compat.conftest import Blueprint, LiveServer


@pytest.fixture
def wire(live_server: LiveServer) -> Callable[[str], Any]:
    """GETs an organization path as the admin and returns the decoded JSON of a 200."""

    def get(path: str) -> Any:
        response = httpx.get(
            f"{live_server.base_url}/organizations/{live_server.org.id}{path}",
            headers={"Authorization": f"Bearer {live_server.org.admin.token}"},
            follow_redirects=False,
        )
        assert response.status_code == 200, response.text
        return response.json()

    return get


@pytest.mark.sdk("add_assignees_to_step", "edit_description_on_step")
def test_a_single_step_carries_a_title_owner_lists_and_a_bare_captures_list(
    sdk: TallyfySDK,
    org_id: str,
    build_template: Callable[..., Blueprint],
    wire: Callable[[str], Any],
    live_server: LiveServer,
) -> None:
    blueprint = build_template(steps=1)
    step_id = blueprint.steps[0]["id"]
    sdk.add_form_field_to_step(
        org_id, blueprint.id, step_id, {"field_type": "text", "label": "Reason"}
    )

    step = wire(f"/checklists/{blueprint.id}/steps/{step_id}")["data"]

    assert step["title"] == "Step 1"
    for owners in ("assignees", "guests", "groups"):
        assert step[owners] == []
    assert [capture["label"] for capture in step["captures"]] == ["Reason"]
    # Both read-modify-write methods refuse to write unless that shape came back.
    admin_id = live_server.org.admin.user_id
    sdk.add_assignees_to_step(org_id, blueprint.id, step_id, [admin_id])
    sdk.edit_description_on_step(org_id, blueprint.id, step_id, "Why it matters")
    step = wire(f"/checklists/{blueprint.id}/steps/{step_id}")["data"]
    assert (step["assignees"], step["summary"]) == ([admin_id], "Why it matters")


@pytest.mark.sdk("get_task_comments")
def test_comments_are_read_only_from_with_threads_wrapped_in_data(
    sdk: TallyfySDK,
    org_id: str,
    build_template: Callable[..., Blueprint],
    wire: Callable[[str], Any],
) -> None:
    run = sdk.launch_process(org_id, build_template(steps=1).id, "Threads")
    task = sdk.get_tasks_for_process(org_id, process_id=run.id).data[0]
    comment = sdk.add_task_comment(org_id, task.id, "Wrapped, please")

    plain = wire(f"/runs/{run.id}/tasks/{task.id}")["data"]
    threaded = wire(f"/runs/{run.id}/tasks/{task.id}?with=threads")["data"]

    assert "threads" not in plain
    assert isinstance(threaded["threads"], dict)
    assert [t["id"] for t in threaded["threads"]["data"]] == [comment.id]
    assert [c.id for c in sdk.get_task_comments(org_id, run.id, task.id)] == [comment.id]


@pytest.mark.sdk("tag_template", "untag_template", "tag_process", "untag_process")
def test_tag_rows_on_templates_and_runs_carry_an_integer_id_and_the_tag_id(
    sdk: TallyfySDK,
    org_id: str,
    build_template: Callable[..., Blueprint],
    wire: Callable[[str], Any],
) -> None:
    blueprint = build_template(steps=1)
    run = sdk.launch_process(org_id, blueprint.id, "Tag rows")
    tag = sdk.create_tag(org_id, f"Rows {uuid.uuid4().hex[:8]}")
    assert tag is not None
    sdk.tag_template(org_id, blueprint.id, tag.id)
    sdk.tag_process(org_id, run.id, tag.id)

    for path in (f"/checklists/{blueprint.id}?with=tags", f"/runs/{run.id}?with=tags"):
        tags = wire(path)["data"]["tags"]
        rows = tags["data"] if isinstance(tags, dict) else tags
        assert [row["tag_id"] for row in rows] == [tag.id]
        assert all(type(row["id"]) is int for row in rows)

    # The untag methods find the association by `tag_id` and delete it by its integer id.
    sdk.untag_template(org_id, tag.id, blueprint.id)
    sdk.untag_process(org_id, run.id, tag.id)
    assert wire(f"/checklists/{blueprint.id}?with=tags")["data"]["tags"] in ([], {"data": []})
    assert wire(f"/runs/{run.id}?with=tags")["data"]["tags"] in ([], {"data": []})


@pytest.mark.sdk("get_tags")
def test_page_walks_trust_total_and_total_pages(
    sdk: TallyfySDK, org_id: str, wire: Callable[[str], Any]
) -> None:
    word = f"walk{uuid.uuid4().hex[:8]}"
    made = {sdk.create_tag(org_id, f"{word} {n}").id for n in range(5)}  # type: ignore[union-attr]

    pages = [wire(f"/tags?q={word}&per_page=2&page={page}") for page in (1, 2, 3)]

    for page in pages:
        assert page["meta"]["pagination"]["total"] == 5
        assert page["meta"]["pagination"]["total_pages"] == 3
    assert [len(page["data"]) for page in pages] == [2, 2, 1]
    # The SDK walks to `total_pages` and raises if it collects fewer rows than `total`.
    assert {tag.id for tag in sdk.get_tags(org_id, per_page=2, q=word)} == made


@pytest.mark.sdk("get_process")
def test_errors_reach_the_sdk_as_tallyfy_errors_with_status_and_message(
    sdk: TallyfySDK, org_id: str
) -> None:
    with pytest.raises(TallyfyError) as raised:
        sdk.get_process(org_id, "0" * 32)

    assert raised.value.status_code == 404
    assert "Resource not found" in str(raised.value)
    assert raised.value.response_data["error"] is True


@pytest.mark.sdk("upload_file", "download_file")
def test_downloads_answer_the_bytes_themselves_never_a_redirect(
    sdk: TallyfySDK,
    org_id: str,
    build_template: Callable[..., Blueprint],
    live_server: LiveServer,
) -> None:
    run = sdk.launch_process(org_id, build_template(steps=1).id, "Download")
    task = sdk.get_tasks_for_process(org_id, process_id=run.id).data[0]
    content = uuid.uuid4().bytes * 1000
    asset = sdk.upload_file(org_id, content, "notes.txt", "ko_field", "Task", task.id)

    # The SDK downloads with redirects refused: the server must answer 200 with the bytes.
    response = httpx.get(
        f"{live_server.base_url}/organizations/{org_id}/file/{asset.id}/dl",
        headers={"Authorization": f"Bearer {live_server.org.admin.token}"},
        follow_redirects=False,
    )
    assert response.status_code == 200
    assert response.content == content
    assert response.headers["content-length"] == str(len(content))
    assert response.headers["content-disposition"].startswith("attachment")
    assert sdk.download_file(org_id, asset.id) == content
