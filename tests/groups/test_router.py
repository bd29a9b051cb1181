"""Groups (reference 3.13): list, read, create, update, delete, and what a delete takes with
it (step assignees, task owners)."""

from typing import Any

from sqlalchemy import event

from procession.db.session import unit_of_work
from procession.groups.repository import GroupRef, groups_by_user
from tests.conftest import Api, World, run_async
from tests.factories import launch, make_oneoff, make_template, ok, steps_of, tasks_of
from tests.processes.builders import MISSING_ID, counts, forbidden, invalid, not_found


def make_group(api: Api, name: str, **fields: Any) -> dict[str, Any]:
    return ok(api.post("/groups", {"name": name, **fields}), 201)["data"]


def test_created_group_carries_what_was_sent_and_reads_back(world: World) -> None:
    api = world.admin
    members = [world.org.standard.user_id, world.org.admin.user_id]
    body = {"name": "Finance", "description": "Money", "members": members}
    created = ok(api.post("/groups", {**body, "guests": ["Auditor@Example.com"]}), 201)["data"]
    assert len(created["id"]) == 32
    assert created["name"] == "Finance"
    assert created["description"] == "Money"
    assert created["members"] == members
    assert created["guests"] == ["auditor@example.com"]
    assert created["deleted_at"] is None
    assert created["updated_at"] == created["last_updated"]
    assert ok(api.get(f"/groups/{created['id']}"))["data"] == created
    assert world.light.get(f"/groups/{created['id']}").status_code == 200


def test_group_names_are_unique_per_organization_ignoring_case(world: World) -> None:
    make_group(world.admin, "Legal")
    invalid(world.admin.post("/groups", {"name": "legal"}), "name")
    make_group(world.other_admin, "Legal")  # another organization may use it
    assert counts(world, "groups")["groups"] == 2


def test_members_must_be_members_of_this_organization(world: World) -> None:
    outsider = world.other.admin.user_id
    errors = invalid(world.admin.post("/groups", {"name": "Mixed", "members": [outsider]}))
    assert "members" in errors
    invalid(world.admin.post("/groups", {"name": "Bad", "guests": ["not-an-email"]}))
    assert counts(world, "groups", "group_members") == {"groups": 0, "group_members": 0}


def test_update_replaces_the_lists_and_keeps_what_is_not_sent(world: World) -> None:
    api = world.admin
    group = make_group(
        api, "Ops", description="Night shift", members=[world.org.admin.user_id], guests=["a@x.io"]
    )
    body = {"name": "Operations", "members": [world.org.light.user_id], "guests": []}
    updated = ok(api.put(f"/groups/{group['id']}", body))["data"]
    assert updated["name"] == "Operations"
    assert updated["description"] == "Night shift"
    assert updated["members"] == [world.org.light.user_id]
    assert updated["guests"] == []
    assert ok(api.get(f"/groups/{group['id']}"))["data"] == updated
    # What the SDK echoes back from its GET is accepted.
    echoed = ok(api.put(f"/groups/{group['id']}", updated))["data"]
    assert echoed["members"] == [world.org.light.user_id]


def test_update_refuses_a_name_in_use_and_changes_nothing(world: World) -> None:
    api = world.admin
    make_group(api, "Sales")
    group = make_group(api, "Support", members=[world.org.admin.user_id])
    body = {"name": "SALES", "members": []}
    invalid(api.put(f"/groups/{group['id']}", body), "name")
    assert ok(api.get(f"/groups/{group['id']}"))["data"] == group
    bad = {"members": [world.other.admin.user_id]}
    invalid(api.put(f"/groups/{group['id']}", bad), "members")
    assert ok(api.put(f"/groups/{group['id']}", {"name": "Support"}))["data"]["name"] == "Support"


def test_delete_removes_the_group_from_steps_and_task_owners(world: World) -> None:
    api = world.admin
    doomed = make_group(api, "Doomed", members=[world.org.admin.user_id])
    kept = make_group(api, "Kept")
    template = make_template(api, steps=2)
    step = steps_of(api, template["id"])[0]
    path = f"/checklists/{template['id']}/steps/{step['id']}"
    ok(api.put(path, {"groups": [doomed["id"], kept["id"]]}))
    run = launch(api, template["id"])
    task = tasks_of(api, run["id"])[0]
    assert task["owners"]["groups"] == [doomed["id"], kept["id"]]
    owners = {"groups": [doomed["id"]], "users": [world.org.admin.user_id]}
    oneoff = make_oneoff(api, owner=world.org.admin.user_id, owners=owners)
    # The other organization's rows naming the same id are not this delete's business.
    other_template = make_template(world.other_admin, steps=1)
    other_step = steps_of(world.other_admin, other_template["id"])[0]
    other_path = f"/checklists/{other_template['id']}/steps/{other_step['id']}"
    ok(world.other_admin.put(other_path, {"groups": [doomed["id"]]}))

    response = api.delete(f"/groups/{doomed['id']}")
    assert response.status_code == 204
    assert response.content == b""
    not_found(api.get(f"/groups/{doomed['id']}"))
    assert ok(api.get(path))["data"]["groups"] == [kept["id"]]
    assert tasks_of(api, run["id"])[0]["owners"]["groups"] == [kept["id"]]
    oneoff_owners = ok(api.get(f"/tasks/{oneoff['id']}"))["data"]["owners"]
    assert oneoff_owners["groups"] == []
    assert oneoff_owners["users"] == [world.org.admin.user_id]
    assert ok(world.other_admin.get(other_path))["data"]["groups"] == [doomed["id"]]
    assert counts(world, "group_members")["group_members"] == 0
    assert [g["id"] for g in ok(api.get("/groups"))["data"]] == [kept["id"]]
    not_found(api.delete(f"/groups/{doomed['id']}"))


def test_only_admins_manage_groups(world: World) -> None:
    group = make_group(world.admin, "Admins' group")
    for api in (world.standard, world.light):
        forbidden(api.post("/groups", {"name": "Mine"}))
        forbidden(api.put(f"/groups/{group['id']}", {"name": "Mine"}))
        forbidden(api.delete(f"/groups/{group['id']}"))
        assert ok(api.get("/groups"))["data"][0]["id"] == group["id"]
    assert ok(world.admin.get(f"/groups/{group['id']}"))["data"] == group


def test_another_organizations_group_is_not_found(world: World) -> None:
    theirs = make_group(world.other_admin, "Theirs")
    for response in (
        world.admin.get(f"/groups/{theirs['id']}"),
        world.admin.put(f"/groups/{theirs['id']}", {"name": "Mine"}),
        world.admin.delete(f"/groups/{theirs['id']}"),
        world.admin.get(f"/groups/{MISSING_ID}"),
        world.outsider.get("/groups"),
    ):
        not_found(response)
    assert ok(world.other_admin.get(f"/groups/{theirs['id']}"))["data"]["name"] == "Theirs"
    assert ok(world.admin.get("/groups"))["data"] == []


def test_list_pages_add_up_to_the_total_and_q_filters_by_name(world: World) -> None:
    api = world.admin
    for n in range(12):
        make_group(api, f"Team {n:02d}")
    make_group(api, "Board")
    first = ok(api.get("/groups", params={"q": "team", "per_page": 5}))
    pagination = first["meta"]["pagination"]
    assert (pagination["total"], pagination["total_pages"], pagination["count"]) == (12, 3, 5)
    names = [g["name"] for g in first["data"]]
    for page in (2, 3):
        listed = ok(api.get("/groups", params={"q": "team", "per_page": 5, "page": page}))
        names += [g["name"] for g in listed["data"]]
    assert names == [f"Team {n:02d}" for n in range(12)]
    by_name = ok(api.get("/groups", params={"sort_by": "name", "sort": "desc", "per_page": 2}))
    assert [g["name"] for g in by_name["data"]] == ["Team 11", "Team 10"]
    assert ok(api.get("/groups"))["meta"]["pagination"]["total"] == 13


def test_groups_by_user_answers_every_user_in_one_query(world: World) -> None:
    api = world.admin
    admin, standard, light = (world.org.admin, world.org.standard, world.org.light)
    b = make_group(api, "B", members=[admin.user_id, standard.user_id])
    a = make_group(api, "A", members=[admin.user_id])
    make_group(world.other_admin, "Elsewhere", members=[world.other.admin.user_id])

    async def lookup() -> tuple[dict[int, list[GroupRef]], int]:
        async with unit_of_work(world.settings) as session:
            statements: list[str] = []
            sync_engine = session.bind.sync_engine  # type: ignore[union-attr]

            def record(*args: Any) -> None:
                if args[2].lstrip().upper().startswith("SELECT"):  # not SQLite's BEGIN
                    statements.append(args[2])

            event.listen(sync_engine, "before_cursor_execute", record)
            try:
                ids = [admin.user_id, standard.user_id, light.user_id, world.other.admin.user_id]
                found = await groups_by_user(session, world.org.id, ids)
            finally:
                event.remove(sync_engine, "before_cursor_execute", record)
            return found, len(statements)

    found, statements = run_async(lookup())
    assert found == {
        admin.user_id: [(a["id"], "A"), (b["id"], "B")],
        standard.user_id: [(b["id"], "B")],
        light.user_id: [],
        world.other.admin.user_id: [],
    }
    assert statements == 1
