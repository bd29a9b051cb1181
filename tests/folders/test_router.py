"""Folders (reference 3.14): the tree, filing runs, tasks and templates, the `folder`
filters of the run and template lists, and what deleting or purging takes with it."""

from typing import Any

from tests.conftest import Api, World
from tests.factories import launch, make_oneoff, make_run, make_template, ok
from tests.processes.builders import MISSING_ID, counts, forbidden, invalid, not_found


def make_folder(api: Api, name: str, **fields: Any) -> dict[str, Any]:
    return ok(api.post("/folders", {"name": name, **fields}), 201)["data"]


def file_run(api: Api, folder_id: str, run_id: str, kind: str = "Run") -> dict[str, Any]:
    body = {"folder_id": folder_id, "subject_id": run_id, "subject_type": kind}
    return ok(api.post("/folders/add-object", body))["data"]


def tree(api: Api, folder_type: str = "checklist", **params: Any) -> list[dict[str, Any]]:
    query = {"pagination": "false", "sort": "position", "with": "children"}
    query |= {"folder_type": folder_type, **params}
    folders: list[dict[str, Any]] = ok(api.get("/folders", params=query))["data"]
    return folders


def names(folders: list[dict[str, Any]]) -> list[Any]:
    """Names, with each folder's children nested after it."""
    out: list[Any] = []
    for folder in folders:
        out.append(folder["name"])
        if folder["children"]["data"]:
            out.append(names(folder["children"]["data"]))
    return out


def test_folders_form_a_tree_per_type_listed_by_position(world: World) -> None:
    api = world.admin
    hr = make_folder(api, "HR")
    finance = make_folder(api, "Finance", position=0)
    hiring = make_folder(api, "Hiring", parent_id=hr["id"])
    make_folder(api, "Leavers", parent_id=hr["id"])
    make_folder(api, "Interviews", parent_id=hiring["id"])
    make_folder(api, "Run folder", folder_type="run")
    assert hr["position"] == 1
    assert hiring["parent_id"] == hiring["parent"] == hr["id"]
    assert hiring["folder_type"] == "checklist"
    assert hiring["total"] == 0
    assert names(tree(api)) == ["Finance", "HR", ["Hiring", ["Interviews"], "Leavers"]]
    assert names(tree(api, "run")) == ["Run folder"]
    assert [f["name"] for f in tree(api, q="ER")] == ["Interviews", "Leavers"]  # any depth
    flat = ok(api.get("/folders"))
    assert [f["name"] for f in flat["data"]] == ["Finance", "HR"]
    assert "children" not in flat["data"][0]
    assert flat["meta"]["pagination"]["total"] == 2
    read = ok(api.get(f"/folders/{hr['id']}", params={"with": "children"}))["data"]
    assert names([read]) == ["HR", ["Hiring", ["Interviews"], "Leavers"]]
    assert ok(api.get(f"/folders/{finance['id']}"))["data"]["name"] == "Finance"
    assert world.light.get("/folders").status_code == 200


def test_a_parent_must_be_a_folder_of_this_organization_and_type(world: World) -> None:
    api = world.admin
    run_folder = make_folder(api, "Runs", folder_type="run")
    theirs = make_folder(world.other_admin, "Theirs")
    for parent in (run_folder["id"], theirs["id"], MISSING_ID):
        invalid(api.post("/folders", {"name": "Child", "parent_id": parent}), "parent_id")
    mine = make_folder(api, "Mine")
    for parent in (run_folder["id"], theirs["id"]):
        invalid(api.put(f"/folders/{mine['id']}", {"name": "x", "parent_id": parent}), "parent_id")
    assert counts(world, "folders")["folders"] == 3


def test_moving_a_folder_under_itself_or_its_descendant_is_refused(world: World) -> None:
    api = world.admin
    top = make_folder(api, "Top")
    middle = make_folder(api, "Middle", parent_id=top["id"])
    bottom = make_folder(api, "Bottom", parent_id=middle["id"])
    for target in (top, bottom):
        body = {"name": "Top", "parent_id": target["id"]}
        invalid(api.put(f"/folders/{top['id']}", body), "parent_id")
    assert names(tree(api)) == ["Top", ["Middle", ["Bottom"]]]
    moved = ok(api.put(f"/folders/{bottom['id']}", {"name": "Bottom", "parent_id": top["id"]}))
    assert moved["data"]["parent_id"] == top["id"]
    renamed = ok(api.put(f"/folders/{middle['id']}", {"name": "Centre", "parent_id": None}))
    assert renamed["data"]["parent_id"] is None
    assert renamed["data"]["position"] == 2  # last among its new siblings
    assert names(tree(api)) == ["Top", ["Bottom"], "Centre"]


def test_runs_and_tasks_are_filed_in_run_folders_by_integer_relation(world: World) -> None:
    api = world.admin
    folder = make_folder(api, "Projects", folder_type="run")
    run, _ = make_run(api, steps=1)
    relation = file_run(api, folder["id"], run["id"])
    assert isinstance(relation["id"], int)
    assert relation["folder_id"] == folder["id"]
    assert relation["folder_name"] == "Projects"
    assert relation["folder_position"] == folder["position"]
    assert relation["folder_parent_id"] is None
    assert (relation["subject_id"], relation["subject_type"]) == (run["id"], "Run")
    assert file_run(api, folder["id"], run["id"]) == relation  # filing twice is one relation
    oneoff = make_oneoff(api, owner=world.org.admin.user_id)
    task_relation = file_run(api, folder["id"], oneoff["id"], kind="Task")
    assert task_relation["subject_type"] == "Task"
    assert ok(api.get(f"/folders/{folder['id']}"))["data"]["total"] == 2
    assert counts(world, "folder_objects")["folder_objects"] == 2


def test_what_cannot_be_filed_is_refused(world: World) -> None:
    api = world.admin
    runs = make_folder(api, "Runs", folder_type="run")
    templates = make_folder(api, "Templates")
    run, _ = make_run(api, steps=1)
    theirs_run, _ = make_run(world.other_admin, steps=1)
    theirs_folder = make_folder(world.other_admin, "Theirs", folder_type="run")
    template = make_template(api, steps=0)
    cases = [  # (folder, subject, subject type): the field blamed
        ((runs, template["id"], "Checklist"), "subject_type"),
        ((templates, run["id"], "Run"), "folder_id"),
        ((theirs_folder, run["id"], "Run"), "folder_id"),
        ((runs, theirs_run["id"], "Run"), "subject_id"),
        ((runs, MISSING_ID, "Task"), "subject_id"),
    ]
    for (folder, subject_id, kind), field in cases:
        body = {"folder_id": folder["id"], "subject_id": subject_id, "subject_type": kind}
        invalid(api.post("/folders/add-object", body), field)
    ok(api.delete(f"/runs/{run['id']}"))
    body = {"folder_id": runs["id"], "subject_id": run["id"], "subject_type": "Run"}
    invalid(api.post("/folders/add-object", body), "subject_id")
    assert counts(world, "folder_objects")["folder_objects"] == 0


def test_removing_an_object_unfiles_it_and_keeps_it(world: World) -> None:
    api = world.admin
    folder = make_folder(api, "Projects", folder_type="run")
    run, _ = make_run(api, steps=1)
    relation = file_run(api, folder["id"], run["id"])
    theirs_folder = make_folder(world.other_admin, "Theirs", folder_type="run")
    theirs_run, _ = make_run(world.other_admin, steps=1)
    theirs = file_run(world.other_admin, theirs_folder["id"], theirs_run["id"])
    not_found(api.delete(f"/folders-objects/{theirs['id']}"))
    forbidden(world.light.delete(f"/folders-objects/{relation['id']}"))
    response = api.delete(f"/folders-objects/{relation['id']}")
    assert response.status_code == 204
    not_found(api.delete(f"/folders-objects/{relation['id']}"))
    assert ok(api.get(f"/runs/{run['id']}"))["data"]["id"] == run["id"]
    assert ok(api.get("/runs", params={"folder": folder["id"]}))["data"] == []
    assert counts(world, "folder_objects")["folder_objects"] == 1


def test_run_list_folder_filter_keeps_only_filed_runs(world: World) -> None:
    api = world.admin
    a = make_folder(api, "A", folder_type="run")
    b = make_folder(api, "B", folder_type="run")
    template = make_template(api, steps=1)
    first, second, unfiled = (launch(api, template["id"], name=n) for n in ("one", "two", "x"))
    file_run(api, a["id"], first["id"])
    file_run(api, b["id"], second["id"])
    file_run(api, b["id"], first["id"])  # a run may sit in several folders

    def listed(folder: str) -> set[str]:
        return {r["id"] for r in ok(api.get("/runs", params={"folder": folder}))["data"]}

    assert listed(a["id"]) == {first["id"]}
    assert listed(b["id"]) == {first["id"], second["id"]}
    assert listed(f"{a['id']},{MISSING_ID}") == {first["id"]}
    assert unfiled["id"] in {r["id"] for r in ok(api.get("/runs"))["data"]}
    ok(api.delete(f"/runs/{first['id']}"))
    assert listed(a["id"]) == set()
    assert ok(api.get(f"/folders/{a['id']}"))["data"]["total"] == 0


def test_templates_are_filed_with_folder_id_and_filtered_by_folder(world: World) -> None:
    api = world.admin
    hr = make_folder(api, "HR")
    it = make_folder(api, "IT")
    onboarding = make_template(api, title="Onboarding", steps=0, folder_id=hr["id"])
    laptop = make_template(api, title="Laptop", steps=0)
    make_template(api, title="Unfiled", steps=0)
    put = ok(api.put(f"/checklists/{laptop['id']}", {"title": "Laptop", "folder_id": it["id"]}))
    assert put["data"]["folder_id"] == it["id"]
    assert ok(api.get(f"/checklists/{onboarding['id']}"))["data"]["folder_id"] == hr["id"]

    def listed(folder: str) -> list[str]:
        return [t["title"] for t in ok(api.get("/checklists", params={"folder": folder}))["data"]]

    assert listed(hr["id"]) == ["Onboarding"]
    assert sorted(listed(f"{hr['id']},{it['id']}")) == ["Laptop", "Onboarding"]
    ok(api.put(f"/checklists/{laptop['id']}", {"folder_id": hr["id"]}))  # moves it
    assert listed(it["id"]) == []
    assert ok(api.get(f"/folders/{hr['id']}"))["data"]["total"] == 2
    ok(api.put(f"/checklists/{laptop['id']}", {"folder_id": None}))
    assert listed(hr["id"]) == ["Onboarding"]
    assert ok(api.get(f"/checklists/{laptop['id']}"))["data"]["folder_id"] is None


def test_a_template_folder_must_be_a_checklist_folder_of_this_organization(
    world: World,
) -> None:
    api = world.admin
    mine = make_folder(api, "Mine")
    run_folder = make_folder(api, "Runs", folder_type="run")
    theirs = make_folder(world.other_admin, "Theirs")
    template = make_template(api, steps=0, folder_id=mine["id"])
    for folder_id in (theirs["id"], run_folder["id"], MISSING_ID):
        body = {"title": "Renamed", "folder_id": folder_id}
        invalid(api.put(f"/checklists/{template['id']}", body), "folder_id")
        invalid(api.post("/checklists", {"title": "New", "folder_id": folder_id}), "folder_id")
    read = ok(api.get(f"/checklists/{template['id']}"))["data"]
    assert (read["title"], read["folder_id"]) == (template["title"], mine["id"])
    assert counts(world, "templates")["templates"] == 1


def test_deleting_a_folder_unfiles_its_contents_and_lifts_its_subfolders(world: World) -> None:
    api = world.admin
    parent = make_folder(api, "Parent")
    doomed = make_folder(api, "Doomed", parent_id=parent["id"])
    child = make_folder(api, "Child", parent_id=doomed["id"])
    make_folder(api, "Grandchild", parent_id=child["id"])
    template = make_template(api, steps=0, folder_id=doomed["id"])
    run_folder = make_folder(api, "Runs", folder_type="run")
    run, _ = make_run(api, steps=1)
    file_run(api, run_folder["id"], run["id"])
    forbidden(world.light.delete(f"/folders/{doomed['id']}"))
    response = api.delete(f"/folders/{doomed['id']}")
    assert response.status_code == 204
    not_found(api.get(f"/folders/{doomed['id']}"))
    # Both at position 1 of the top level now: by name.
    assert names(tree(api)) == ["Child", ["Grandchild"], "Parent"]
    assert ok(api.get(f"/checklists/{template['id']}"))["data"]["folder_id"] is None
    assert ok(api.get("/checklists", params={"folder": doomed["id"]}))["data"] == []
    assert api.delete(f"/folders/{run_folder['id']}").status_code == 204
    assert ok(api.get(f"/runs/{run['id']}"))["data"]["id"] == run["id"]
    assert counts(world, "folder_objects")["folder_objects"] == 0


def test_purging_a_run_or_template_removes_its_folder_relations(world: World) -> None:
    api = world.admin
    run_folder = make_folder(api, "Runs", folder_type="run")
    template_folder = make_folder(api, "Templates")
    run, _ = make_run(api, steps=1)
    file_run(api, run_folder["id"], run["id"])
    template = make_template(api, steps=0, folder_id=template_folder["id"])
    ok(api.delete(f"/runs/{run['id']}"))
    preview = ok(api.delete(f"/runs/{run['id']}/delete", params={"dry_run": "true"}))
    assert preview["would_delete"]["folder_objects"] == 1
    assert api.delete(f"/runs/{run['id']}/delete").status_code == 200
    ok(api.delete(f"/checklists/{template['id']}"))
    assert api.delete(f"/checklists/{template['id']}/delete").status_code in (200, 204)
    assert counts(world, "folder_objects", "folders") == {"folder_objects": 0, "folders": 2}


def test_light_members_read_folders_but_do_not_change_them(world: World) -> None:
    folder = make_folder(world.admin, "Shared")
    run, _ = make_run(world.admin, steps=1)
    light = world.light
    forbidden(light.post("/folders", {"name": "Mine"}))
    forbidden(light.put(f"/folders/{folder['id']}", {"name": "Mine"}))
    body = {"folder_id": folder["id"], "subject_id": run["id"], "subject_type": "Run"}
    forbidden(light.post("/folders/add-object", body))
    assert ok(light.get(f"/folders/{folder['id']}"))["data"]["name"] == "Shared"
    standard_made = make_folder(world.standard, "Standard's")
    assert world.standard.delete(f"/folders/{standard_made['id']}").status_code == 204


def test_another_organizations_folder_is_not_found(world: World) -> None:
    theirs = make_folder(world.other_admin, "Theirs")
    for response in (
        world.admin.get(f"/folders/{theirs['id']}"),
        world.admin.put(f"/folders/{theirs['id']}", {"name": "Mine"}),
        world.admin.delete(f"/folders/{theirs['id']}"),
        world.outsider.get("/folders"),
    ):
        not_found(response)
    assert tree(world.admin) == []
