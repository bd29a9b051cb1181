"""Comments on tasks and tags on processes, through the SDK."""

import uuid
from collections.abc import Callable

import pytest
from tallyfy import Comment, Tag, TallyfySDK

from tests.compat.conftest import Blueprint, LiveServer


def unique_title(prefix: str) -> str:
    """Tag titles are unique per organization and at most 30 characters."""
    return f"{prefix} {uuid.uuid4().hex[:8]}"


@pytest.mark.sdk("launch_process", "add_task_comment", "get_tasks_for_process")
def test_add_task_comment_returns_the_comment_by_its_author(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint], live_server: LiveServer
) -> None:
    blueprint = build_template(steps=1)
    run = sdk.launch_process(org_id, blueprint.id, "Discuss a task")
    task = sdk.get_tasks_for_process(org_id, process_id=run.id).data[0]

    comment = sdk.add_task_comment(org_id, task.id, "Looks good to me")

    assert isinstance(comment, Comment)
    assert len(comment.id) == 32
    assert comment.content == "Looks good to me"
    assert comment.task_id == task.id
    assert comment.author_id == live_server.org.admin.user_id
    assert comment.label == "comment"
    assert comment.state == "open"
    assert comment.archived_at is None


@pytest.mark.sdk("launch_process", "add_task_comment", "get_task_comments", "get_tasks_for_process")
def test_get_task_comments_returns_every_comment_oldest_first(
    sdk: TallyfySDK,
    standard_sdk: TallyfySDK,
    org_id: str,
    build_template: Callable[..., Blueprint],
    live_server: LiveServer,
) -> None:
    blueprint = build_template(steps=2)
    run = sdk.launch_process(org_id, blueprint.id, "A conversation")
    first_task, second_task = sdk.get_tasks_for_process(org_id, process_id=run.id).data
    opening = sdk.add_task_comment(org_id, first_task.id, "Who takes this?")
    reply = standard_sdk.add_task_comment(org_id, first_task.id, "I will", label="advice")
    sdk.add_task_comment(org_id, second_task.id, "On another task")

    comments = sdk.get_task_comments(org_id, run.id, first_task.id)

    assert [(c.id, c.content) for c in comments] == [
        (opening.id, "Who takes this?"),
        (reply.id, "I will"),
    ]
    org = live_server.org
    assert [c.author_id for c in comments] == [org.admin.user_id, org.standard.user_id]
    assert [c.label for c in comments] == ["comment", "advice"]
    assert all(c.task_id == first_task.id for c in comments)


@pytest.mark.sdk("launch_process", "get_task_comments", "get_tasks_for_process")
def test_get_task_comments_is_empty_for_a_task_without_comments(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    blueprint = build_template(steps=1)
    run = sdk.launch_process(org_id, blueprint.id, "Quiet task")
    task = sdk.get_tasks_for_process(org_id, process_id=run.id).data[0]

    assert sdk.get_task_comments(org_id, run.id, task.id) == []


@pytest.mark.sdk("create_tag", "get_tag")
def test_create_tag_returns_the_tag_with_its_title_and_color(sdk: TallyfySDK, org_id: str) -> None:
    title = unique_title("Urgent")

    tag = sdk.create_tag(org_id, title, color="#ff5733")

    assert isinstance(tag, Tag)
    assert len(tag.id) == 32
    assert tag.title == title
    assert tag.color == "#ff5733"
    assert tag.deleted_at is None
    assert sdk.get_tag(org_id, tag.id).title == title


@pytest.mark.sdk(
    "launch_process", "create_tag", "get_process", "get_organization_runs", "tag_process"
)
def test_tag_process_attaches_the_tag_to_the_run(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    blueprint = build_template(steps=1)
    run = sdk.launch_process(org_id, blueprint.id, "Tag me")
    untagged = sdk.launch_process(org_id, blueprint.id, "Leave me alone")
    tag = sdk.create_tag(org_id, unique_title("Q3"))

    assert sdk.tag_process(org_id, run.id, tag.id) is True

    process = sdk.get_process(org_id, run.id, with_="tags")
    assert isinstance(process.tags, dict)
    associations = process.tags["data"]
    assert [(a["tag_id"], a["title"]) for a in associations] == [(tag.id, tag.title)]
    assert isinstance(associations[0]["id"], int)
    tagged_runs = sdk.get_organization_runs(org_id, tag=tag.id)
    assert [r.id for r in tagged_runs.data] == [run.id]
    assert untagged.id not in {r.id for r in tagged_runs.data}


@pytest.mark.sdk("launch_process", "create_tag", "get_process", "tag_process")
def test_tag_process_twice_keeps_a_single_association(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    blueprint = build_template(steps=1)
    run = sdk.launch_process(org_id, blueprint.id, "Tag me twice")
    tag = sdk.create_tag(org_id, unique_title("Twice"))

    assert sdk.tag_process(org_id, run.id, tag.id) is True
    assert sdk.tag_process(org_id, run.id, tag.id) is True

    process = sdk.get_process(org_id, run.id, with_="tags")
    assert isinstance(process.tags, dict)
    associations = process.tags["data"]
    assert [a["tag_id"] for a in associations] == [tag.id]
