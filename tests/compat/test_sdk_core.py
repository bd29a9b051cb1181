"""The SDK methods on Procession's core resources that the older compat tests do not drive:
organization and members' reads, template and step editing, process and standalone-task
lifecycle, comment editing, and tags on templates and runs."""

import uuid
from collections.abc import Callable

import pytest
from tallyfy import TallyfyError, TallyfySDK

from tests.compat.conftest import Blueprint, LiveServer

DEADLINE = "2030-01-01T17:00:00Z"


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


# --- organization and members -------------------------------------------------------------


@pytest.mark.sdk("get_organization")
def test_get_organization_returns_the_organization_asked_for(sdk: TallyfySDK, org_id: str) -> None:
    organization = sdk.get_organization(org_id)

    assert organization is not None
    assert organization.id == org_id
    assert organization.name == "Compat"


@pytest.mark.sdk("get_current_user_organizations")
def test_get_current_user_organizations_lists_the_callers_organization(
    sdk: TallyfySDK, org_id: str
) -> None:
    organizations = sdk.get_current_user_organizations()

    assert [organization.id for organization in organizations.data] == [org_id]
    assert organizations.meta is not None
    assert organizations.meta.total == 1


@pytest.mark.sdk("get_user")
def test_get_user_returns_the_member_asked_for(
    sdk: TallyfySDK, org_id: str, live_server: LiveServer
) -> None:
    standard = live_server.org.standard

    user = sdk.get_user(org_id, standard.user_id)

    assert user is not None
    assert (user.id, user.email, user.role) == (standard.user_id, standard.email, "standard")


@pytest.mark.sdk("get_user")
def test_get_user_of_an_unknown_id_raises_a_404(sdk: TallyfySDK, org_id: str) -> None:
    with pytest.raises(TallyfyError) as raised:
        sdk.get_user(org_id, 987654)

    assert raised.value.status_code == 404


@pytest.mark.sdk("get_organization_users_list")
def test_get_organization_users_list_includes_every_seeded_member(
    sdk: TallyfySDK, org_id: str, live_server: LiveServer
) -> None:
    users = sdk.get_organization_users_list(org_id)

    org = live_server.org
    seeded = {org.admin.user_id, org.standard.user_id, org.light.user_id}
    assert seeded <= {user.id for user in users.data}


@pytest.mark.sdk("get_organization_users", "create_group")
def test_get_organization_users_with_groups_carries_each_members_groups(
    sdk: TallyfySDK, org_id: str, live_server: LiveServer
) -> None:
    light = live_server.org.light.user_id
    group = sdk.create_group(org_id, unique("Reviewers"), members=[light])

    users = sdk.get_organization_users(org_id, with_groups=True)

    # The SDK's `User` has no `groups` field; the include arrives in `extra`.
    groups = {user.id: user.extra["groups"]["data"] for user in users.data}
    assert {"id": group.id, "name": group.name} in groups[light]
    assert all(g["id"] != group.id for g in groups[live_server.org.admin.user_id])
    assert "groups" not in sdk.get_organization_users(org_id).data[0].extra


# --- templates and steps --------------------------------------------------------------------


@pytest.mark.sdk("update_template_metadata", "get_template")
def test_update_template_metadata_changes_what_a_read_returns(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    blueprint = build_template(steps=1)
    title = unique("Renamed")

    updated = sdk.update_template_metadata(
        org_id, blueprint.id, title=title, summary="Now with a summary"
    )

    assert updated is not None
    assert (updated.id, updated.title) == (blueprint.id, title)
    reread = sdk.get_template(org_id, blueprint.id)
    assert reread is not None
    assert (reread.title, reread.summary) == (title, "Now with a summary")


@pytest.mark.sdk("get_template_steps")
def test_get_template_steps_walks_every_page_in_position_order(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    blueprint = build_template(steps=3)

    steps = sdk.get_template_steps(org_id, blueprint.id)

    assert [step.id for step in steps] == [step["id"] for step in blueprint.steps]
    assert [step.title for step in steps] == ["Step 1", "Step 2", "Step 3"]


@pytest.mark.sdk("edit_description_on_step", "get_template_steps")
def test_edit_description_on_step_keeps_the_title_and_sets_the_summary(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    blueprint = build_template(steps=1)
    step_id = blueprint.steps[0]["id"]

    sdk.edit_description_on_step(org_id, blueprint.id, step_id, "Check the contract twice")

    (step,) = sdk.get_template_steps(org_id, blueprint.id)
    assert (step.title, step.summary) == ("Step 1", "Check the contract twice")


@pytest.mark.sdk("add_assignees_to_step", "get_template_steps")
def test_add_assignees_to_step_merges_members_and_guests(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint], live_server: LiveServer
) -> None:
    org = live_server.org
    blueprint = build_template(steps=1, assignees=[org.admin.user_id])
    step_id = blueprint.steps[0]["id"]

    # The SDK annotates `assignees` as a dict but checks for a list of member ids.
    sdk.add_assignees_to_step(
        org_id, blueprint.id, step_id, [org.standard.user_id], ["ext@example.com"]
    )

    (step,) = sdk.get_template_steps(org_id, blueprint.id)
    assert sorted(step.assignees) == sorted([org.admin.user_id, org.standard.user_id])
    assert step.guests == ["ext@example.com"]


@pytest.mark.sdk("reorder_step", "get_template_steps")
def test_reorder_step_moves_a_step_and_shifts_the_others(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    blueprint = build_template(steps=3)
    last = blueprint.steps[2]["id"]

    sdk.reorder_step(org_id, blueprint.id, last, 1)

    steps = sdk.get_template_steps(org_id, blueprint.id)
    assert [step.title for step in steps] == ["Step 3", "Step 1", "Step 2"]
    assert [step.position for step in steps] == [1, 2, 3]


@pytest.mark.sdk("delete_step", "get_template_steps")
def test_delete_step_removes_it_from_the_template(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    blueprint = build_template(steps=2)
    first = blueprint.steps[0]["id"]

    sdk.delete_step(org_id, blueprint.id, first)

    steps = sdk.get_template_steps(org_id, blueprint.id)
    assert [step.id for step in steps] == [blueprint.steps[1]["id"]]


@pytest.mark.sdk("update_form_field", "get_dropdown_options", "update_dropdown_options")
def test_dropdown_options_read_and_replace(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    blueprint = build_template(steps=1)
    step_id = blueprint.steps[0]["id"]
    field = sdk.add_form_field_to_step(
        org_id,
        blueprint.id,
        step_id,
        {
            "field_type": "dropdown",
            "label": "Size",
            "options": [{"id": 1, "text": "S"}, {"id": 2, "text": "M"}],
        },
    )
    assert field is not None

    renamed = sdk.update_form_field(org_id, blueprint.id, step_id, field.id, label="Shirt size")
    assert renamed is not None
    assert (renamed.id, renamed.label) == (field.id, "Shirt size")
    assert sdk.get_dropdown_options(org_id, blueprint.id, step_id, field.id) == ["S", "M"]

    assert sdk.update_dropdown_options(org_id, blueprint.id, step_id, field.id, ["L", "XL"])

    assert sdk.get_dropdown_options(org_id, blueprint.id, step_id, field.id) == ["L", "XL"]
    (step,) = sdk.get_template_steps(org_id, blueprint.id)
    assert [capture.label for capture in step.captures] == ["Shirt size"]


@pytest.mark.sdk("delete_form_field", "get_template_steps")
def test_delete_form_field_removes_it_from_the_step(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    blueprint = build_template(steps=1)
    step_id = blueprint.steps[0]["id"]
    field = sdk.add_form_field_to_step(
        org_id, blueprint.id, step_id, {"field_type": "text", "label": "Note"}
    )
    assert field is not None

    sdk.delete_form_field(org_id, blueprint.id, step_id, field.id)

    (step,) = sdk.get_template_steps(org_id, blueprint.id)
    assert step.captures == []


@pytest.mark.sdk("delete_template", "get_template", "get_all_templates")
def test_delete_template_archives_it_out_of_the_list(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    blueprint = build_template(steps=1)

    assert sdk.delete_template(org_id, blueprint.id) is True

    # An archive keeps the template readable by id, stamped, and drops it from the list.
    template = sdk.get_template(org_id, blueprint.id)
    assert template is not None
    assert template.archived_at is not None
    assert blueprint.id not in {t.id for t in sdk.get_all_templates(org_id).data}


@pytest.mark.sdk("delete_template_with_references", "get_template")
def test_delete_template_with_references_archives_and_reports_a_list(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    blueprint = build_template(steps=1)

    answer = sdk.delete_template_with_references(org_id, blueprint.id)

    assert isinstance(answer["deleted_references"], list)
    template = sdk.get_template(org_id, blueprint.id)
    assert template is not None
    assert template.archived_at is not None


# --- processes ------------------------------------------------------------------------------


@pytest.mark.sdk("update_process", "get_process")
def test_update_process_renames_and_stars_a_run(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    run = sdk.launch_process(org_id, build_template(steps=1).id, "Before")

    updated = sdk.update_process(org_id, run.id, name="After", summary="Why", starred=True)

    assert updated is not None
    assert (updated.id, updated.name, updated.starred) == (run.id, "After", True)
    reread = sdk.get_process(org_id, run.id)
    assert (reread.name, reread.summary, reread.starred) == ("After", "Why", True)


@pytest.mark.sdk("archive_process", "reactivate_process", "get_process", "get_organization_runs")
def test_archive_then_reactivate_a_process(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    run = sdk.launch_process(org_id, build_template(steps=2).id, "Archive me")

    sdk.archive_process(org_id, run.id)

    assert sdk.get_process(org_id, run.id).archived_at is not None
    assert run.id not in {r.id for r in sdk.get_organization_runs(org_id, per_page=100).data}

    restored = sdk.reactivate_process(org_id, run.id)

    assert restored is not None
    assert restored.id == run.id
    assert restored.archived_at is None
    assert sdk.get_process(org_id, run.id).name == "Archive me"


# --- tasks in a run and standalone tasks -----------------------------------------------------


@pytest.mark.sdk("get_task")
def test_get_task_returns_the_task_asked_for_with_its_owners(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint], live_server: LiveServer
) -> None:
    admin_id = live_server.org.admin.user_id
    run = sdk.launch_process(org_id, build_template(steps=2, assignees=[admin_id]).id, "Read")
    second = sdk.get_tasks_for_process(org_id, process_id=run.id).data[1]

    task = sdk.get_task(org_id, run.id, second.id)

    assert task is not None
    assert (task.id, task.title, task.run_id) == (second.id, "Step 2", run.id)
    assert task.owners is not None
    assert task.owners.users == [admin_id]


@pytest.mark.sdk("create_task", "get_standalone_task", "complete_standalone_task")
@pytest.mark.sdk("reopen_standalone_task")
def test_standalone_task_complete_and_reopen(
    sdk: TallyfySDK, org_id: str, live_server: LiveServer
) -> None:
    admin_id = live_server.org.admin.user_id
    created = sdk.create_task(org_id, "Order chairs", DEADLINE, user_ids=[admin_id])
    assert created is not None

    read = sdk.get_standalone_task(org_id, created.id)
    assert read is not None
    assert (read.id, read.title, read.status) == (created.id, "Order chairs", "not-started")

    completed = sdk.complete_standalone_task(org_id, created.id)
    assert completed is not None
    assert completed.status == "completed"
    assert sdk.get_standalone_task(org_id, created.id).status == "completed"

    reopened = sdk.reopen_standalone_task(org_id, created.id)
    assert reopened is not None
    assert reopened.status != "completed"
    assert sdk.get_standalone_task(org_id, created.id).completed_at is None


@pytest.mark.sdk("delete_standalone_task", "get_standalone_task")
def test_delete_standalone_task_archives_it_out_of_reach(
    sdk: TallyfySDK, org_id: str, live_server: LiveServer
) -> None:
    admin_id = live_server.org.admin.user_id
    created = sdk.create_task(org_id, "Short-lived", DEADLINE, user_ids=[admin_id])
    assert created is not None

    sdk.delete_standalone_task(org_id, created.id)

    task = sdk.get_standalone_task(org_id, created.id)
    assert task is not None
    assert task.archived_at is not None


# --- comments -------------------------------------------------------------------------------


@pytest.mark.sdk("get_standalone_task_comments", "update_task_comment", "delete_task_comment")
def test_comment_on_a_standalone_task_edit_and_delete(
    sdk: TallyfySDK, org_id: str, live_server: LiveServer
) -> None:
    task = sdk.create_task(
        org_id, "Talk it over", DEADLINE, user_ids=[live_server.org.admin.user_id]
    )
    assert task is not None
    kept = sdk.add_task_comment(org_id, task.id, "First thought")
    dropped = sdk.add_task_comment(org_id, task.id, "Second thought")

    edited = sdk.update_task_comment(org_id, task.id, kept.id, "Better first thought")
    assert edited is not None
    assert (edited.id, edited.content) == (kept.id, "Better first thought")

    sdk.delete_task_comment(org_id, task.id, dropped.id)

    comments = sdk.get_standalone_task_comments(org_id, task.id)
    assert [(c.id, c.content) for c in comments] == [(kept.id, "Better first thought")]


# --- tags -----------------------------------------------------------------------------------


@pytest.mark.sdk("get_tags", "update_tag", "delete_tag", "get_tag")
def test_tags_list_update_and_delete(sdk: TallyfySDK, org_id: str) -> None:
    tag = sdk.create_tag(org_id, unique("Q3"), color="#ff0000")
    assert tag is not None

    renamed = unique("Q4")
    updated = sdk.update_tag(org_id, tag.id, title=renamed, color="#00ff00")
    assert updated is not None
    assert (updated.id, updated.title, updated.color) == (tag.id, renamed, "#00ff00")
    assert renamed in {t.title for t in sdk.get_tags(org_id)}

    sdk.delete_tag(org_id, tag.id)

    assert tag.id not in {t.id for t in sdk.get_tags(org_id)}
    assert sdk.get_tag(org_id, tag.id).deleted_at is not None


@pytest.mark.sdk("tag_template", "untag_template", "get_template")
def test_tag_and_untag_a_template(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    blueprint = build_template(steps=1)
    tag = sdk.create_tag(org_id, unique("Legal"))
    assert tag is not None

    sdk.tag_template(org_id, blueprint.id, tag.id)

    template = sdk.get_template(org_id, blueprint.id)
    assert template is not None
    # Template tag rows are the associations: an integer `id` plus the tag's `tag_id`.
    assert [row.extra["tag_id"] for row in template.tags] == [tag.id]
    assert all(isinstance(row.id, int) for row in template.tags)

    sdk.untag_template(org_id, tag.id, blueprint.id)

    template = sdk.get_template(org_id, blueprint.id)
    assert template is not None
    assert template.tags == []


@pytest.mark.sdk("untag_process", "tag_process", "get_process")
def test_untag_a_process(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    run = sdk.launch_process(org_id, build_template(steps=1).id, "Tagged run")
    kept = sdk.create_tag(org_id, unique("Keep"))
    dropped = sdk.create_tag(org_id, unique("Drop"))
    assert kept is not None
    assert dropped is not None
    sdk.tag_process(org_id, run.id, kept.id)
    sdk.tag_process(org_id, run.id, dropped.id)

    sdk.untag_process(org_id, run.id, dropped.id)

    tags = sdk.get_process(org_id, run.id, with_="tags").tags
    rows = tags["data"] if isinstance(tags, dict) else tags
    assert [row["tag_id"] for row in rows] == [kept.id]
