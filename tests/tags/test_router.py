"""Tags (create, list, read, update, archive, restore, delete) and attaching them to
templates, runs, tasks and steps through `/checklists/tags`."""

from typing import Any

import pytest

from tests.conftest import Api, World
from tests.factories import make_oneoff, make_run, make_template, ok, steps_of
from tests.processes.builders import (
    MISSING_ID,
    bad_token,
    counts,
    forbidden,
    invalid,
    make_tag,
    not_found,
    tag_with,
    unauthenticated,
)

ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/tags", None),
    ("POST", "/tags", {"title": "new"}),
    ("GET", "/tags/{tag}", None),
    ("PUT", "/tags/{tag}", {"title": "renamed"}),
    ("DELETE", "/tags/{tag}", None),
    ("PUT", "/tags/{tag}/restore", None),
    ("DELETE", "/tags/{tag}/delete", None),
    ("POST", "/checklists/tags", {"tag_id": "{tag}", "subject_type": "Run", "subject_id": "{run}"}),
    ("DELETE", "/checklists/tags/{tagging}", None),
]
TAG_ROUTES = [route for route in ROUTES if "{tag}" in route[1] or "{tagging}" in route[1]]
TABLES = ("tags", "taggings")


def route_id(route: tuple[str, str, Any]) -> str:
    return f"{route[0]} {route[1]}"


def call(api: Api, route: tuple[str, str, dict[str, Any] | None], ids: dict[str, Any]) -> Any:
    method, path, body = route
    filled = {k: v.format(**ids) for k, v in body.items()} if body else None
    return api.request(method, path.format(**ids), json=filled)


def titles(api: Api, **params: Any) -> list[str]:
    return [tag["title"] for tag in ok(api.get("/tags", params=params))["data"]]


def attach(api: Api, tag_id: str, subject_type: str, subject_id: str) -> Any:
    body = {"tag_id": tag_id, "subject_type": subject_type, "subject_id": subject_id}
    return api.post("/checklists/tags", body)


@pytest.fixture
def tag(api: Api) -> dict[str, Any]:
    return make_tag(api, "urgent", "#ff0000")


@pytest.fixture
def ids(api: Api, tag: dict[str, Any]) -> dict[str, Any]:
    run, _ = make_run(api, steps=1)
    tagging = tag_with(api, tag["id"], "Run", run["id"])
    return {"tag": tag["id"], "run": run["id"], "tagging": tagging["id"]}


@pytest.fixture
def foreign_ids(world: World) -> dict[str, Any]:
    other = world.other_admin
    foreign_tag = make_tag(other, "theirs")
    run, _ = make_run(other, steps=1)
    tagging = tag_with(other, foreign_tag["id"], "Run", run["id"])
    return {"tag": foreign_tag["id"], "run": run["id"], "tagging": tagging["id"]}


@pytest.fixture
def subjects(world: World, api: Api) -> dict[str, str]:
    """One live subject of each kind, by Tallyfy's subject_type."""
    template = make_template(api, steps=1)
    run, tasks = make_run(api, steps=1)
    return {
        "Checklist": template["id"],
        "Run": run["id"],
        "Task": tasks[0]["id"],
        "Step": steps_of(api, template["id"])[0]["id"],
    }


# ---------------------------------------------------------------- authentication and tenancy


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_every_tag_route_answers_401_without_a_token(
    world: World, ids: dict[str, Any], route: Any
) -> None:
    unauthenticated(call(world.anonymous, route, ids))


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_every_tag_route_answers_401_with_an_unknown_token(
    world: World, ids: dict[str, Any], route: Any
) -> None:
    unauthenticated(call(bad_token(world), route, ids))


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_every_tag_route_answers_404_to_a_member_of_another_organization(
    world: World, ids: dict[str, Any], route: Any
) -> None:
    before = counts(world, *TABLES)

    not_found(call(world.outsider, route, ids))

    assert counts(world, *TABLES) == before


@pytest.mark.parametrize("route", TAG_ROUTES, ids=route_id)
def test_every_tag_route_answers_404_for_ids_of_another_organization(
    world: World, ids: dict[str, Any], foreign_ids: dict[str, Any], route: Any
) -> None:
    before = counts(world, *TABLES)

    not_found(call(world.admin, route, foreign_ids))

    assert counts(world, *TABLES) == before
    assert ok(world.other_admin.get(f"/tags/{foreign_ids['tag']}"))["data"]["deleted_at"] is None


@pytest.mark.parametrize("route", TAG_ROUTES, ids=route_id)
def test_every_tag_route_answers_404_for_missing_ids(
    world: World, ids: dict[str, Any], route: Any
) -> None:
    not_found(call(world.admin, route, {"tag": MISSING_ID, "tagging": 999_999}))


@pytest.mark.parametrize(
    "route", [r for r in ROUTES if r[0] != "GET" and r[1] != "/tags/{tag}/delete"], ids=route_id
)
def test_light_member_may_not_change_tags(world: World, ids: dict[str, Any], route: Any) -> None:
    before = counts(world, *TABLES)

    forbidden(call(world.light, route, ids))

    assert counts(world, *TABLES) == before


@pytest.mark.parametrize("member", ["standard", "light"])
def test_only_an_admin_may_permanently_delete_a_tag(
    world: World, api: Api, tag: dict[str, Any], member: str
) -> None:
    ok(api.delete(f"/tags/{tag['id']}"))

    forbidden(getattr(world, member).delete(f"/tags/{tag['id']}/delete"))

    assert ok(api.get(f"/tags/{tag['id']}"))["data"]["deleted_at"] is not None


def test_light_member_may_read_tags(world: World, tag: dict[str, Any]) -> None:
    assert titles(world.light) == ["urgent"]
    assert ok(world.light.get(f"/tags/{tag['id']}"))["data"]["id"] == tag["id"]


# ---------------------------------------------------------------- create


def test_create_tag_answers_201_with_the_tag(api: Api) -> None:
    response = api.post("/tags", {"title": "Q3 launch", "color": "#A1b2C3", "id": "ignored"})

    tag = ok(response, 201)["data"]
    assert len(tag["id"]) == 32
    assert (tag["title"], tag["color"]) == ("Q3 launch", "#A1b2C3")
    assert tag["auto_generated"] is False
    assert tag["deleted_at"] is None
    assert tag["created_at"].endswith("Z")
    assert ok(api.get(f"/tags/{tag['id']}"))["data"] == tag


def test_standard_member_may_create_a_tag(world: World) -> None:
    assert make_tag(world.standard, "by standard", None)["color"] is None


def test_create_tag_with_a_title_already_taken_answers_422(api: Api, tag: dict[str, Any]) -> None:
    invalid(api.post("/tags", {"title": "URGENT"}), "title")

    assert titles(api) == ["urgent"]


def test_create_tag_may_reuse_the_title_of_an_archived_tag(api: Api, tag: dict[str, Any]) -> None:
    ok(api.delete(f"/tags/{tag['id']}"))

    again = make_tag(api, "urgent")

    assert again["id"] != tag["id"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "x", "color": "red"}, "color"),
        ({"title": "x", "color": "#fff"}, "color"),
        ({"title": "x", "color": "#gggggg"}, "color"),
        ({"title": "x", "color": "#1234567"}, "color"),
        ({"title": ""}, "title"),
        ({"title": "x" * 31}, "title"),
        ({"color": "#ffffff"}, "title"),
        ({"title": "x", "type": "secret"}, "type"),
    ],
)
def test_create_tag_with_an_invalid_field_answers_422_and_creates_nothing(
    world: World, api: Api, body: dict[str, Any], field: str
) -> None:
    invalid(api.post("/tags", body), field)

    assert counts(world, "tags") == {"tags": 0}


# ---------------------------------------------------------------- list and get


def test_list_tags_paginates_by_title(api: Api) -> None:
    for n in range(12):
        make_tag(api, f"tag {n:02d}")

    first = ok(api.get("/tags", params={"per_page": 5}))
    last = ok(api.get("/tags", params={"per_page": 5, "page": 3}))

    assert [t["title"] for t in first["data"]] == [f"tag {n:02d}" for n in range(5)]
    assert [t["title"] for t in last["data"]] == ["tag 10", "tag 11"]
    pagination = first["meta"]["pagination"]
    assert {k: v for k, v in pagination.items() if k != "links"} == {
        "total": 12,
        "count": 5,
        "per_page": 5,
        "current_page": 1,
        "total_pages": 3,
    }
    assert "page=2" in pagination["links"]["next"]
    assert "next" not in last["meta"]["pagination"]["links"]
    assert "page=2" in last["meta"]["pagination"]["links"]["prev"]
    walked = [
        t["id"]
        for page in range(1, 4)
        for t in ok(api.get("/tags", params={"per_page": 5, "page": page}))["data"]
    ]
    assert len(set(walked)) == 12


def test_list_tags_defaults_to_ten_per_page(api: Api) -> None:
    for n in range(11):
        make_tag(api, f"tag {n:02d}")

    body = ok(api.get("/tags"))

    assert len(body["data"]) == 10
    assert body["meta"]["pagination"]["total_pages"] == 2


def test_list_tags_filters_by_title_and_sorts(api: Api) -> None:
    for title in ("Urgent", "Not urgent", "Later", "50% off"):
        make_tag(api, title)

    assert titles(api, q="URGENT") == ["Not urgent", "Urgent"]
    assert titles(api, q="%") == ["50% off"]
    assert titles(api, sort="-title") == ["Urgent", "Not urgent", "Later", "50% off"]
    invalid(api.get("/tags", params={"sort": "color"}), "sort")


def test_list_tags_leaves_out_auto_generated_tags_unless_asked(api: Api) -> None:
    make_tag(api, "manual")
    ok(api.post("/tags", {"title": "from:Onboarding", "auto_generated": True}), 201)

    assert titles(api) == ["manual"]
    assert titles(api, all="true") == ["from:Onboarding", "manual"]
    assert titles(api, auto_generated="true", all="true") == ["from:Onboarding"]


def test_list_tags_leaves_out_archived_tags_unless_asked(api: Api, tag: dict[str, Any]) -> None:
    make_tag(api, "kept")
    ok(api.delete(f"/tags/{tag['id']}"))

    assert titles(api) == ["kept"]
    assert titles(api, archived="only") == ["urgent"]
    assert titles(api, archived="true") == ["kept", "urgent"]


def test_list_tags_never_shows_another_organizations_tags(world: World, api: Api) -> None:
    make_tag(world.other_admin, "theirs")

    assert titles(api) == []


def test_get_an_archived_tag_answers_it_with_deleted_at(api: Api, tag: dict[str, Any]) -> None:
    ok(api.delete(f"/tags/{tag['id']}"))

    assert ok(api.get(f"/tags/{tag['id']}"))["data"]["deleted_at"] is not None


# ---------------------------------------------------------------- update


def test_update_tag_changes_only_what_it_is_sent(api: Api, tag: dict[str, Any]) -> None:
    recolored = ok(api.put(f"/tags/{tag['id']}", {"color": "#00ff00"}))["data"]
    renamed = ok(api.put(f"/tags/{tag['id']}", {"title": "Critical"}))["data"]

    assert (recolored["title"], recolored["color"]) == ("urgent", "#00ff00")
    assert (renamed["title"], renamed["color"]) == ("Critical", "#00ff00")
    assert ok(api.get(f"/tags/{tag['id']}"))["data"] == renamed


def test_update_tag_clears_the_color_when_sent_null(api: Api, tag: dict[str, Any]) -> None:
    assert ok(api.put(f"/tags/{tag['id']}", {"color": None}))["data"]["color"] is None


def test_update_tag_may_keep_its_own_title(api: Api, tag: dict[str, Any]) -> None:
    assert ok(api.put(f"/tags/{tag['id']}", {"title": "Urgent"}))["data"]["title"] == "Urgent"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": None}, "title"),
        ({"title": ""}, "title"),
        ({"title": "LATER"}, "title"),
        ({"color": "blue"}, "color"),
    ],
)
def test_update_tag_with_an_invalid_field_answers_422_and_changes_nothing(
    api: Api, tag: dict[str, Any], body: dict[str, Any], field: str
) -> None:
    make_tag(api, "later")

    invalid(api.put(f"/tags/{tag['id']}", body), field)

    assert ok(api.get(f"/tags/{tag['id']}"))["data"] == tag


def test_update_of_an_archived_tag_answers_422(api: Api, tag: dict[str, Any]) -> None:
    ok(api.delete(f"/tags/{tag['id']}"))

    invalid(api.put(f"/tags/{tag['id']}", {"title": "Back"}), code="ARCHIVED")


# ---------------------------------------------------------------- tag and untag subjects


@pytest.mark.parametrize("subject_type", ["Checklist", "Run", "Task", "Step"])
def test_tag_subject_answers_the_association_with_an_integer_id(
    api: Api, tag: dict[str, Any], subjects: dict[str, str], subject_type: str
) -> None:
    subject_id = subjects[subject_type]

    association = ok(attach(api, tag["id"], subject_type, subject_id))["data"]

    assert isinstance(association["id"], int)
    assert association["tag_id"] == tag["id"]
    assert (association["title"], association["color"]) == ("urgent", "#ff0000")
    assert (association["subject_type"], association["subject_id"]) == (subject_type, subject_id)
    again = ok(attach(api, tag["id"], subject_type, subject_id))["data"]
    assert again == association


def test_tagging_a_template_shows_in_its_tags(api: Api, tag: dict[str, Any]) -> None:
    template = make_template(api, steps=1)

    association = tag_with(api, tag["id"], "Checklist", template["id"])

    read = ok(api.get(f"/checklists/{template['id']}?with=tags"))["data"]
    assert read["tags"] == [association]


def test_tagging_a_run_and_a_task_shows_in_their_tags(world: World, api: Api) -> None:
    first, second = make_tag(api, "first"), make_tag(api, "second")
    run, tasks = make_run(api, steps=1)
    oneoff = make_oneoff(api, owner=world.org.admin.user_id)

    on_run = [tag_with(api, t["id"], "Run", run["id"]) for t in (first, second)]
    on_task = tag_with(api, first["id"], "Task", oneoff["id"])

    assert ok(api.get(f"/runs/{run['id']}?with=tags"))["data"]["tags"] == {"data": on_run}
    task = ok(api.get(f"/tasks/{oneoff['id']}?with=tags"))["data"]
    assert task["tags"] == {"data": [on_task]}
    assert ok(api.get(f"/tasks/{tasks[0]['id']}?with=tags"))["data"]["tags"] == {"data": []}


@pytest.mark.parametrize("subject_type", ["Checklist", "Run", "Task", "Step"])
def test_tag_an_unknown_subject_answers_422_subject_not_found(
    world: World, api: Api, tag: dict[str, Any], subject_type: str
) -> None:
    errors = invalid(attach(api, tag["id"], subject_type, MISSING_ID), "subject_id")

    assert errors["subject_id"] == ["Subject not found"]
    assert counts(world, "taggings") == {"taggings": 0}


@pytest.mark.parametrize("subject_type", ["Checklist", "Run", "Task", "Step"])
def test_tag_another_organizations_subject_answers_422_subject_not_found(
    world: World, api: Api, tag: dict[str, Any], subject_type: str
) -> None:
    other = world.other_admin
    template = make_template(other, steps=1)
    run, tasks = make_run(other, steps=1)
    foreign = {
        "Checklist": template["id"],
        "Run": run["id"],
        "Task": tasks[0]["id"],
        "Step": steps_of(other, template["id"])[0]["id"],
    }

    response = attach(api, tag["id"], subject_type, foreign[subject_type])

    assert invalid(response, "subject_id")["subject_id"] == ["Subject not found"]
    assert counts(world, "taggings") == {"taggings": 0}


@pytest.mark.parametrize("subject_type", ["Checklist", "Run"])
def test_tag_an_archived_subject_answers_422_subject_not_found(
    api: Api, tag: dict[str, Any], subjects: dict[str, str], subject_type: str
) -> None:
    base = {"Checklist": "/checklists", "Run": "/runs"}[subject_type]
    ok(api.delete(f"{base}/{subjects[subject_type]}"))

    response = attach(api, tag["id"], subject_type, subjects[subject_type])

    assert invalid(response, "subject_id")["subject_id"] == ["Subject not found"]


@pytest.mark.parametrize("which", ["missing", "archived", "other organization's"])
def test_tag_with_an_unusable_tag_answers_422_on_tag_id(
    world: World, api: Api, subjects: dict[str, str], which: str
) -> None:
    if which == "missing":
        tag_id = MISSING_ID
    elif which == "archived":
        tag_id = make_tag(api)["id"]
        ok(api.delete(f"/tags/{tag_id}"))
    else:
        tag_id = make_tag(world.other_admin)["id"]

    invalid(attach(api, tag_id, "Run", subjects["Run"]), "tag_id")

    assert counts(world, "taggings") == {"taggings": 0}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"subject_type": "Folder"}, "subject_type"),
        ({"subject_type": None}, "subject_type"),
        ({"subject_id": None}, "subject_id"),
        ({"tag_id": None}, "tag_id"),
        ({"tag_type": "secret"}, "tag_type"),
    ],
)
def test_tag_subject_with_an_invalid_field_answers_422(
    api: Api, tag: dict[str, Any], subjects: dict[str, str], change: dict[str, Any], field: str
) -> None:
    body = {"tag_id": tag["id"], "subject_type": "Run", "subject_id": subjects["Run"]}
    body = {k: v for k, v in {**body, **change}.items() if v is not None}

    invalid(api.post("/checklists/tags", body), field)


def test_standard_member_may_tag_and_untag(
    world: World, tag: dict[str, Any], subjects: dict[str, str]
) -> None:
    association = ok(attach(world.standard, tag["id"], "Run", subjects["Run"]))["data"]

    assert ok(world.standard.delete(f"/checklists/tags/{association['id']}"))["data"] == (
        association
    )


def test_untag_answers_the_removed_association_and_removes_it(
    api: Api, tag: dict[str, Any], subjects: dict[str, str]
) -> None:
    template_id = subjects["Checklist"]
    association = tag_with(api, tag["id"], "Checklist", template_id)

    response = api.delete(f"/checklists/tags/{association['id']}")

    assert ok(response)["data"] == association
    assert ok(api.get(f"/checklists/{template_id}?with=tags"))["data"]["tags"] == []
    not_found(api.delete(f"/checklists/tags/{association['id']}"))
    assert ok(api.get(f"/tags/{tag['id']}"))["data"]["deleted_at"] is None


@pytest.mark.parametrize("subject_type", ["Checklist", "Run"])
def test_untag_an_archived_subject_answers_422_and_keeps_the_association(
    api: Api, tag: dict[str, Any], subjects: dict[str, str], subject_type: str
) -> None:
    base = {"Checklist": "/checklists", "Run": "/runs"}[subject_type]
    subject_id = subjects[subject_type]
    association = tag_with(api, tag["id"], subject_type, subject_id)
    ok(api.delete(f"{base}/{subject_id}"))

    invalid(api.delete(f"/checklists/tags/{association['id']}"))

    restore = "/activate" if subject_type == "Run" else "/restore"
    ok(api.put(f"{base}/{subject_id}{restore}"))
    tags = ok(api.get(f"{base}/{subject_id}?with=tags"))["data"]["tags"]
    assert (tags["data"] if subject_type == "Run" else tags) == [association]


# ---------------------------------------------------------------- archive, restore, delete


def test_archive_tag_hides_it_and_its_associations_until_restored(
    api: Api, tag: dict[str, Any], subjects: dict[str, str]
) -> None:
    run_id = subjects["Run"]
    association = tag_with(api, tag["id"], "Run", run_id)

    archived = ok(api.delete(f"/tags/{tag['id']}"))["data"]

    assert archived["deleted_at"] is not None
    assert titles(api) == []
    assert ok(api.get(f"/runs/{run_id}?with=tags"))["data"]["tags"] == {"data": []}
    assert ok(api.get("/runs", params={"tag": tag["id"]}))["data"] == []
    assert ok(api.delete(f"/tags/{tag['id']}"))["data"]["deleted_at"] == archived["deleted_at"]

    restored = ok(api.put(f"/tags/{tag['id']}/restore"))["data"]

    assert restored["deleted_at"] is None
    assert ok(api.get(f"/runs/{run_id}?with=tags"))["data"]["tags"] == {"data": [association]}


def test_restore_a_tag_whose_title_was_taken_meanwhile_answers_422(
    api: Api, tag: dict[str, Any]
) -> None:
    ok(api.delete(f"/tags/{tag['id']}"))
    make_tag(api, "urgent")

    invalid(api.put(f"/tags/{tag['id']}/restore"), "title")

    assert ok(api.get(f"/tags/{tag['id']}"))["data"]["deleted_at"] is not None


def test_delete_tag_permanently_answers_204_and_removes_its_associations(
    world: World, api: Api, tag: dict[str, Any], subjects: dict[str, str]
) -> None:
    tag_with(api, tag["id"], "Run", subjects["Run"])
    ok(api.delete(f"/tags/{tag['id']}"))

    response = api.delete(f"/tags/{tag['id']}/delete")

    assert response.status_code == 204
    assert response.content == b""
    not_found(api.get(f"/tags/{tag['id']}"))
    assert counts(world, *TABLES) == {"tags": 0, "taggings": 0}


def test_delete_an_active_tag_permanently_answers_422(api: Api, tag: dict[str, Any]) -> None:
    invalid(api.delete(f"/tags/{tag['id']}/delete"), code="NOT_ARCHIVED")

    assert ok(api.get(f"/tags/{tag['id']}"))["data"]["deleted_at"] is None
