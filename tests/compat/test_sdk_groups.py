"""Groups and folders through the SDK: `get_groups` .. `delete_group`, `get_folders` ..
`remove_object_from_folder`, and the `folder` filters of `get_all_templates` and
`get_organization_runs`. The organization is shared with every compat test, so each test
names its objects uniquely and looks only at those."""

import uuid
from collections.abc import Callable

import httpx2 as httpx
import pytest
from tallyfy import Folder, Group, TallyfyError, TallyfySDK

from tests.compat.conftest import Blueprint, LiveServer


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


@pytest.mark.sdk("create_group", "get_group")
def test_create_group_returns_what_was_sent_and_get_group_reads_it(
    sdk: TallyfySDK, org_id: str, live_server: LiveServer
) -> None:
    members = [live_server.org.admin.user_id, live_server.org.standard.user_id]
    name = unique("Reviewers")

    group = sdk.create_group(
        org_id, name, description="Second pair of eyes", members=members, guests=["x@ex.io"]
    )

    assert isinstance(group, Group)
    assert len(group.id) == 32
    assert (group.name, group.description) == (name, "Second pair of eyes")
    assert group.members == members
    assert group.guests == ["x@ex.io"]
    assert group.updated_at is not None
    read = sdk.get_group(org_id, group.id)
    assert (read.id, read.name, read.members, read.guests) == (group.id, name, members, ["x@ex.io"])


@pytest.mark.sdk("create_group")
def test_create_group_refuses_a_duplicate_name_and_an_unknown_member(
    sdk: TallyfySDK, org_id: str
) -> None:
    name = unique("Unique")
    sdk.create_group(org_id, name)

    with pytest.raises(TallyfyError) as duplicate:
        sdk.create_group(org_id, name.upper())
    assert duplicate.value.status_code == 422
    with pytest.raises(TallyfyError) as unknown:
        sdk.create_group(org_id, unique("Ghosts"), members=[987654])
    assert unknown.value.status_code == 422


@pytest.mark.sdk("get_groups", "create_group")
def test_get_groups_walks_every_page_and_filters_by_name(sdk: TallyfySDK, org_id: str) -> None:
    marker = uuid.uuid4().hex[:8]
    made = {sdk.create_group(org_id, f"Walk {marker} {n:03d}").id for n in range(12)}

    every = sdk.get_groups(org_id, per_page=5, q=marker)
    assert {group.id for group in every} == made
    assert len(every) == 12
    assert [g.name for g in every] == [f"Walk {marker} {n:03d}" for n in range(12)]
    assert made <= {group.id for group in sdk.get_groups(org_id)}
    third_page = sdk.get_groups(org_id, page=3, per_page=5, q=marker)
    assert [g.name for g in third_page] == [f"Walk {marker} {n:03d}" for n in (10, 11)]


@pytest.mark.sdk("update_group", "create_group", "get_group")
def test_update_group_replaces_members_and_guests(
    sdk: TallyfySDK, org_id: str, live_server: LiveServer
) -> None:
    admin, light = live_server.org.admin.user_id, live_server.org.light.user_id
    group = sdk.create_group(org_id, unique("Rota"), members=[admin], guests=["old@ex.io"])
    renamed = unique("Rota renamed")

    updated = sdk.update_group(org_id, group.id, name=renamed, members=[light], guests=[])

    assert (updated.id, updated.name) == (group.id, renamed)
    assert (updated.members, updated.guests) == ([light], [])
    kept = sdk.update_group(org_id, group.id, description="Weekends")
    assert (kept.name, kept.members, kept.description) == (renamed, [light], "Weekends")
    assert sdk.get_group(org_id, group.id).description == "Weekends"


@pytest.mark.sdk(
    "delete_group",
    "create_group",
    "get_group",
    "get_groups",
    "get_template",
    "create_template",
    "add_step_to_template",
)
def test_delete_group_removes_it_and_its_step_assignments(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    group = sdk.create_group(org_id, unique("Temporary"))
    kept = sdk.create_group(org_id, unique("Permanent"))
    blueprint = build_template(steps=1, groups=[group.id, kept.id])

    assert sdk.delete_group(org_id, group.id) is True

    with pytest.raises(TallyfyError) as gone:
        sdk.get_group(org_id, group.id)
    assert gone.value.status_code == 404
    template = sdk.get_template(org_id, blueprint.id)
    assert template is not None
    assert [step.groups for step in template.steps] == [[kept.id]]
    assert group.id not in {g.id for g in sdk.get_groups(org_id)}


@pytest.mark.sdk("create_folder", "get_folder", "get_folders")
def test_folders_are_created_read_and_listed_as_a_tree(sdk: TallyfySDK, org_id: str) -> None:
    top_name = unique("Top")
    top = sdk.create_folder(org_id, top_name)
    child = sdk.create_folder(org_id, unique("Child"), parent_id=top.id)

    assert isinstance(top, Folder)
    assert (top.name, top.parent_id, top.folder_type) == (top_name, None, "checklist")
    assert child.parent_id == top.id
    read = sdk.get_folder(org_id, child.id)
    assert (read.id, read.name, read.parent_id) == (child.id, child.name, top.id)
    listed = {folder.id: folder for folder in sdk.get_folders(org_id)}
    assert child.id not in listed  # nested, not at the top level
    assert [c.id for c in listed[top.id].children or []] == [child.id]
    found = sdk.get_folders(org_id, q=child.name)
    assert [folder.id for folder in found] == [child.id]
    assert top.id not in {f.id for f in sdk.get_folders(org_id, folder_type="run")}


@pytest.mark.sdk("update_folder", "create_folder", "get_folder")
def test_update_folder_renames_moves_and_refuses_a_cycle(sdk: TallyfySDK, org_id: str) -> None:
    parent = sdk.create_folder(org_id, unique("Parent"))
    child = sdk.create_folder(org_id, unique("Child"), parent_id=parent.id)
    other = sdk.create_folder(org_id, unique("Other"))

    renamed = sdk.update_folder(org_id, child.id, name="Renamed child")
    assert (renamed.name, renamed.parent_id) == ("Renamed child", parent.id)
    moved = sdk.update_folder(org_id, child.id, parent_id=other.id)
    assert (moved.name, moved.parent_id) == ("Renamed child", other.id)
    with pytest.raises(TallyfyError) as cycle:
        sdk.update_folder(org_id, other.id, parent_id=child.id)
    assert cycle.value.status_code == 422
    assert sdk.get_folder(org_id, other.id).parent_id is None


@pytest.mark.sdk(
    "delete_folder",
    "create_folder",
    "get_folder",
    "add_object_to_folder",
    "get_all_templates",
    "get_template",
    "create_template",
    "add_step_to_template",
)
def test_delete_folder_unfiles_its_templates_and_keeps_them(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    folder = sdk.create_folder(org_id, unique("Doomed"))
    blueprint = build_template(steps=1)
    assert sdk.add_object_to_folder(org_id, folder.id, blueprint.id, "checklist") is True
    filed = sdk.get_all_templates(org_id, folder=folder.id)
    assert [t.id for t in filed.data] == [blueprint.id]

    assert sdk.delete_folder(org_id, folder.id) is True

    with pytest.raises(TallyfyError) as gone:
        sdk.get_folder(org_id, folder.id)
    assert gone.value.status_code == 404
    assert sdk.get_all_templates(org_id, folder=folder.id).data == []
    template = sdk.get_template(org_id, blueprint.id)
    assert template is not None
    assert template.id == blueprint.id


@pytest.mark.sdk(
    "add_object_to_folder",
    "create_folder",
    "get_all_templates",
    "create_template",
    "add_step_to_template",
)
def test_add_template_to_folder_files_it_and_refuses_a_run_folder(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    first = sdk.create_folder(org_id, unique("Templates A"))
    second = sdk.create_folder(org_id, unique("Templates B"))
    blueprint = build_template(steps=1)
    assert sdk.add_object_to_folder(org_id, first.id, blueprint.id, "checklist") is True
    assert sdk.add_object_to_folder(org_id, second.id, blueprint.id, "checklist") is True

    assert sdk.get_all_templates(org_id, folder=first.id).data == []
    assert [t.id for t in sdk.get_all_templates(org_id, folder=second.id).data] == [blueprint.id]
    unfiled = build_template(steps=1, title=unique("Elsewhere"))
    assert unfiled.id not in {t.id for t in sdk.get_all_templates(org_id, folder=second.id).data}
    with pytest.raises(TallyfyError) as refused:
        sdk.add_object_to_folder(org_id, "f" * 32, blueprint.id, "checklist")
    assert refused.value.status_code == 422


@pytest.mark.sdk(
    "add_object_to_folder",
    "remove_object_from_folder",
    "get_organization_runs",
    "launch_process",
    "create_folder",
    "get_folder",
    "create_template",
    "add_step_to_template",
)
def test_runs_are_filed_listed_by_folder_and_unfiled_by_relation_id(
    sdk: TallyfySDK, org_id: str, live_server: LiveServer, build_template: Callable[..., Blueprint]
) -> None:
    folder_name = unique("Projects")
    created = sdk.create_folder(org_id, folder_name)  # a checklist folder: refused below
    blueprint = build_template(steps=1)
    filed = sdk.launch_process(org_id, blueprint.id, unique("Filed run"))
    sdk.launch_process(org_id, blueprint.id, unique("Loose run"))
    with pytest.raises(TallyfyError) as wrong_type:
        sdk.add_object_to_folder(org_id, created.id, filed.id, "run")
    assert wrong_type.value.status_code == 422
    run_folder = run_folder_for(sdk, live_server, org_id)

    relation = sdk.add_object_to_folder(org_id, run_folder.id, filed.id, "run")

    assert isinstance(relation, dict)
    assert isinstance(relation["id"], int)
    assert (relation["folder_id"], relation["subject_id"]) == (run_folder.id, filed.id)
    assert relation["subject_type"] == "Run"
    listed = sdk.get_organization_runs(org_id, folder=run_folder.id)
    assert [run.id for run in listed.data] == [filed.id]
    assert sdk.remove_object_from_folder(org_id, relation["id"]) is True
    assert sdk.get_organization_runs(org_id, folder=run_folder.id).data == []
    with pytest.raises(TallyfyError) as again:
        sdk.remove_object_from_folder(org_id, relation["id"])
    assert again.value.status_code == 404


def run_folder_for(sdk: TallyfySDK, live_server: LiveServer, org_id: str) -> Folder:
    """A folder of runs. The SDK's `create_folder` sends no `folder_type`, so this one is
    made with a plain request, as a client of Tallyfy's web app would."""
    response = httpx.post(
        f"{live_server.base_url}/organizations/{org_id}/folders",
        json={"name": unique("Run folder"), "folder_type": "run"},
        headers={"Authorization": f"Bearer {live_server.org.admin.token}"},
    )
    assert response.status_code == 201, response.text
    return sdk.get_folder(org_id, response.json()["data"]["id"])
