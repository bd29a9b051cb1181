"""The HTTP contract of every template route (templates, steps, form fields): who may call it
and what each error looks like (reference 1.2, 1.9, 1.12, 2.2), then the template endpoints
themselves (3.2, 4.2, 4.3). Steps and form fields have their own modules."""

from typing import Any

import pytest

from tests.conftest import Api, World
from tests.databases import snapshot
from tests.factories import ok
from tests.templates.helpers import (
    ADDRESSED,
    EDITS,
    ENDPOINTS,
    HEX32,
    MISSING,
    PURGE,
    READS,
    TEMPLATE_FLAGS,
    WRITES,
    Endpoint,
    Tree,
    assert_error,
    assert_field_error,
    assert_flags,
    assert_timestamps,
    build_tree,
    named,
)


def by_name(endpoints: list[Endpoint]) -> Any:
    return pytest.mark.parametrize("endpoint", endpoints, ids=str)


@pytest.fixture
def tree(api: Api) -> Tree:
    return build_tree(api)


# ---------------------------------------------------------------- 401


@by_name(ENDPOINTS)
def test_every_route_answers_401_without_a_valid_token(world: World, endpoint: Endpoint) -> None:
    ids = {"template": MISSING, "step": MISSING, "capture": MISSING}
    callers = [
        (world.anonymous, {}),
        (Api(world.client, world.org.id, "pcs_not-a-real-token"), {}),
        (world.anonymous, {"Authorization": f"Basic {world.org.admin.token}"}),
        (world.anonymous, {"Authorization": "Bearer"}),
    ]
    for caller, headers in callers:
        response = endpoint.call(caller, ids, headers=headers)
        assert_error(response, 401, "UNAUTHENTICATED")
        assert response.headers["www-authenticate"] == "Bearer"


# ---------------------------------------------------------------- 404


@by_name(ADDRESSED)
def test_unknown_or_misplaced_id_answers_404_even_to_light_members(
    world: World, api: Api, tree: Tree, endpoint: Endpoint
) -> None:
    """Each id of the path in turn unknown, then (for a step or form field) one that lives
    under another template or step. 404 wins over 403 (reference LC1) and nothing changes."""
    sibling = build_tree(api, title="Sibling").ids()
    cases = [(name, MISSING) for name in endpoint.placeholders]
    cases += [(name, sibling[name]) for name in endpoint.placeholders[1:]]
    before = snapshot(world.settings)
    for name, value in cases:
        for caller in (world.admin, world.light):
            response = endpoint.call(caller, {**tree.ids(), name: value})
            assert response.status_code == 404, (name, value, response.text)
            assert_error(response, 404, "RESOURCE_NOT_FOUND")
    assert snapshot(world.settings) == before


@by_name(ENDPOINTS)
def test_another_organization_gets_404_and_changes_nothing(
    world: World, tree: Tree, endpoint: Endpoint
) -> None:
    """Ids of the other organization in this organization's URLs (all of them, then only the
    last), and the other organization's admin calling with this one's real ids."""
    theirs = build_tree(world.other_admin, title="Theirs").ids()
    names = endpoint.placeholders
    calls = [(world.outsider, tree.ids())]
    if names:
        calls.append((world.admin, {**tree.ids(), **{n: theirs[n] for n in names}}))
        calls.append((world.admin, {**tree.ids(), names[-1]: theirs[names[-1]]}))
    before = snapshot(world.settings)
    for caller, ids in calls:
        response = endpoint.call(caller, ids)
        assert response.status_code == 404, (ids, response.text)
        assert_error(response, 404, "RESOURCE_NOT_FOUND")
    assert snapshot(world.settings) == before


# ---------------------------------------------------------------- roles


@by_name(WRITES)
def test_light_member_is_refused_every_write_with_403(
    world: World, tree: Tree, endpoint: Endpoint
) -> None:
    before = snapshot(world.settings)
    body = assert_error(endpoint.call(world.light, tree.ids()), 403, "FORBIDDEN")
    assert "permission" in body["message"]
    assert snapshot(world.settings) == before


@by_name(READS)
def test_light_member_reads_every_template_route(
    world: World, tree: Tree, endpoint: Endpoint
) -> None:
    ok(endpoint.call(world.light, tree.ids()))


@by_name(WRITES)
def test_standard_member_may_write_everything_but_a_permanent_delete(
    world: World, tree: Tree, endpoint: Endpoint
) -> None:
    response = endpoint.call(world.standard, tree.ids())
    if endpoint == PURGE:
        assert_error(response, 403, "FORBIDDEN")
    else:
        assert 200 <= response.status_code < 300, response.text


# ---------------------------------------------------------------- archived templates


@by_name(EDITS)
def test_archived_template_refuses_edits_with_422(
    world: World, api: Api, tree: Tree, endpoint: Endpoint
) -> None:
    ok(api.delete(f"/checklists/{tree.template}"))
    before = snapshot(world.settings)
    body = assert_error(endpoint.call(api, tree.ids()), 422)
    assert body["errors"]
    assert snapshot(world.settings) == before


def test_archive_restore_and_purge_a_template(api: Api, tree: Tree) -> None:
    path = f"/checklists/{tree.template}"
    assert_error(api.delete(f"{path}/delete"), 422, "NOT_ARCHIVED")
    archived = ok(api.delete(path))
    assert archived["message"] == "The template was archived."
    assert archived["deleted_references"] == []
    assert_timestamps(archived["data"], "archived_at")
    assert ok(api.get(path))["data"]["archived_at"] == archived["data"]["archived_at"]
    assert ok(api.put(f"{path}/restore"))["data"]["archived_at"] is None
    ok(api.delete(path))
    gone = ok(api.delete(f"{path}/delete"))
    assert gone == {
        "message": "The template was permanently deleted.",
        "deleted_references": [],
    }
    assert_error(api.get(path), 404, "RESOURCE_NOT_FOUND")


def test_malformed_json_answers_400_in_the_error_shape(api: Api) -> None:
    response = api.post(
        "/checklists", content=b'{"title": ', headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400, "BAD_REQUEST")


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("body", "field"),
    named(
        [
            ({}, "title"),
            ({"title": None}, "title"),
            ({"title": ""}, "title"),
            ({"title": "x" * 251}, "title"),
            ({"title": 12}, "title"),
            ({"title": ["Audit"]}, "title"),
            ({"title": "Audit", "type": "poem"}, "type"),
            ({"title": "Audit", "summary": "x" * 2001}, "summary"),
            ({"title": "Audit", "starred": "maybe"}, "starred"),
            ({"title": "Audit", "is_featured": [True]}, "is_featured"),
            ({"title": "Audit", "owner_id": "someone"}, "owner_id"),
            ({"title": "Audit", "owner_id": 999_999}, "owner_id"),
            ({"title": "Audit", "users": [999_999]}, "users"),
            ({"title": "Audit", "users": "all"}, "users"),
            ({"title": "Audit", "prerun": {"label": "Name"}}, "prerun"),
            ({"title": "Audit", "prerun": [{"label": "no type"}]}, "prerun.0"),
            (
                {"title": "Audit", "prerun": [{"label": "x", "field_type": "poem"}]},
                "prerun.0.field_type",
            ),
        ]
    ),
)
def test_create_template_answers_422_naming_the_bad_field(
    world: World, api: Api, body: dict[str, Any], field: str
) -> None:
    before = snapshot(world.settings)
    assert_field_error(api.post("/checklists", body), field)
    assert snapshot(world.settings) == before


def test_create_template_refuses_an_owner_from_another_organization(world: World, api: Api) -> None:
    body = {"title": "Audit", "owner_id": world.other.admin.user_id}
    body = assert_field_error(api.post("/checklists", body), "owner_id")
    assert str(world.other.admin.user_id) in body["message"]
    users = {"title": "Audit", "users": [world.org.standard.user_id, world.other.admin.user_id]}
    assert_field_error(api.post("/checklists", users), "users")


@pytest.mark.parametrize(
    ("body", "field"),
    named(
        [
            ({"title": None}, "title"),
            ({"title": ""}, "title"),
            ({"title": "x" * 251}, "title"),
            ({"title": 7}, "title"),
            ({"type": None}, "type"),
            ({"type": "poem"}, "type"),
            ({"starred": None}, "starred"),
            ({"is_public": None}, "is_public"),
            ({"prerun": None}, "prerun"),
            ({"prerun": [{"id": MISSING, "label": "x"}]}, "prerun.0.id"),
            ({"prerun": [{"field_type": "text"}]}, "prerun.0"),
            ({"prerun": [{"label": None, "field_type": "text"}]}, "prerun.0.label"),
            ({"owner_id": 999_999}, "owner_id"),
            ({"users": [999_999]}, "users"),
            ({"icon": "x" * 101}, "icon"),
        ]
    ),
)
def test_update_template_answers_422_naming_the_bad_field(
    world: World, api: Api, tree: Tree, body: dict[str, Any], field: str
) -> None:
    before = snapshot(world.settings)
    assert_field_error(api.put(f"/checklists/{tree.template}", body), field)
    assert snapshot(world.settings) == before


# ---------------------------------------------------------------- create


def test_create_template_answers_201_with_the_full_template(world: World, api: Api) -> None:
    response = api.post("/checklists", {"title": "Audit", "summary": "Yearly"})
    body = ok(response, 201)["data"]
    assert HEX32.match(body["id"])
    assert (body["title"], body["summary"], body["type"]) == ("Audit", "Yearly", "procedure")
    assert body["owner_id"] == body["created_by"] == world.org.admin.user_id
    assert isinstance(body["increment_id"], int)
    assert (body["steps_count"], body["started_processes"]) == (0, 0)
    assert_timestamps(body, "created_at", "last_updated")
    assert body["archived_at"] is None
    assert_flags(body, TEMPLATE_FLAGS)
    assert body["starred"] is False
    assert body["allow_launcher_change_name"] is True
    for key in ("prerun", "automated_actions", "industry_tags", "topic_tags", "linked_tasks"):
        assert body[key] == [], key
    assert "steps" not in body
    assert "tags" not in body


def test_create_template_accepts_a_250_character_title(api: Api) -> None:
    body = ok(api.post("/checklists", {"title": "x" * 250}), 201)["data"]
    assert len(body["title"]) == 250


def test_create_template_stores_every_setting_it_is_sent(world: World, api: Api) -> None:
    settings = {
        "type": "form",
        "owner_id": world.org.standard.user_id,
        "guidance": "Read me",
        "icon": "star",
        "alias": "audit",
        "webhook": "https://example.com/hook",
        "kickoff_title": "Start",
        "starred": True,
        "is_public": True,
        "is_featured": True,
        "auto_naming": True,
        "allow_launcher_change_name": False,
        "can_add_oot": False,
        "users": [world.org.light.user_id],
        "groups": ["g1"],
    }
    body = ok(api.post("/checklists", {"title": "Audit", **settings}), 201)["data"]
    assert {key: body[key] for key in settings} == settings
    assert body["created_by"] == world.org.admin.user_id
    assert ok(api.get(f"/checklists/{body['id']}"))["data"] == body


def test_create_template_ignores_unknown_and_read_only_keys(api: Api) -> None:
    sent = {"title": "Audit", "id": MISSING, "created_at": "yesterday", "bogus": {"a": 1}}
    body = ok(api.post("/checklists", sent), 201)["data"]
    assert body["id"] != MISSING
    assert HEX32.match(body["id"])
    assert "bogus" not in body


def test_create_template_with_kickoff_fields_numbers_options(api: Api) -> None:
    prerun = [
        {"label": "Name", "field_type": "text"},
        {"label": "Size", "field_type": "dropdown", "options": [{"text": "S"}, {"text": "L"}]},
    ]
    template = ok(api.post("/checklists", {"title": "Hire", "prerun": prerun}), 201)["data"]
    fields = template["prerun"]
    assert [(f["label"], f["field_type"], f["position"]) for f in fields] == [
        ("Name", "text", 1),
        ("Size", "dropdown", 2),
    ]
    for field in fields:
        assert HEX32.match(field["id"])
        assert field["checklist_id"] == template["id"]
        assert field["required"] is True
        assert_timestamps(field, "created_at", "last_updated")
    assert fields[1]["options"] == [{"id": 1, "text": "S"}, {"id": 2, "text": "L"}]


def test_light_member_may_not_create_a_template(world: World) -> None:
    assert_error(world.light.post("/checklists", {"title": "Mine"}), 403, "FORBIDDEN")
    assert ok(world.admin.get("/checklists"))["data"] == []


# ---------------------------------------------------------------- list


def titles(listing: dict[str, Any]) -> list[str]:
    return [t["title"] for t in listing["data"]]


def test_list_templates_paginates_most_recently_updated_first(api: Api) -> None:
    for title in ("First", "Second", "Third"):
        ok(api.post("/checklists", {"title": title}), 201)
    first = ok(api.get("/checklists?per_page=2"))
    assert titles(first) == ["Third", "Second"]
    pagination = first["meta"]["pagination"]
    assert {k: v for k, v in pagination.items() if k != "links"} == {
        "total": 3,
        "count": 2,
        "per_page": 2,
        "current_page": 1,
        "total_pages": 2,
    }
    assert set(pagination["links"]) == {"next"}
    assert pagination["links"]["next"].startswith("http")
    assert "page=2" in pagination["links"]["next"]
    second = ok(api.get("/checklists?per_page=2&page=2"))
    assert titles(second) == ["First"]
    assert second["meta"]["pagination"]["count"] == 1
    links = second["meta"]["pagination"]["links"]
    assert set(links) == {"previous", "prev"}
    assert links["prev"] == links["previous"]
    beyond = ok(api.get("/checklists?per_page=2&page=5"))
    assert beyond["data"] == []
    assert beyond["meta"]["pagination"]["total"] == 3


@pytest.mark.parametrize(("asked", "served"), [(0, 1), (-3, 1), (500, 100)])
def test_list_templates_clamps_per_page(api: Api, asked: int, served: int) -> None:
    pagination = ok(api.get(f"/checklists?per_page={asked}"))["meta"]["pagination"]
    assert pagination["per_page"] == served
    assert pagination["total_pages"] == 1


@pytest.mark.parametrize(
    ("query", "field"), [("page=0", "page"), ("page=last", "page"), ("starred=maybe", "starred")]
)
def test_list_templates_answers_422_for_a_bad_query(api: Api, query: str, field: str) -> None:
    assert_field_error(api.get(f"/checklists?{query}"), field)


def test_list_templates_searches_titles_case_insensitively(api: Api) -> None:
    for title in ("Onboarding", "Offboarding", "Quarterly audit", "100% done"):
        ok(api.post("/checklists", {"title": title}), 201)
    found = ok(api.get("/checklists?q=BOARD&per_page=1"))
    assert found["meta"]["pagination"]["total"] == 2
    assert "q=BOARD" in found["meta"]["pagination"]["links"]["next"]
    assert set(titles(ok(api.get("/checklists?q=board")))) == {"Onboarding", "Offboarding"}
    assert titles(ok(api.get("/checklists?q=100%25"))) == ["100% done"]
    assert titles(ok(api.get("/checklists?q=_"))) == []


def test_list_templates_filters_on_starred(api: Api) -> None:
    ok(api.post("/checklists", {"title": "Starred", "starred": True}), 201)
    ok(api.post("/checklists", {"title": "Plain"}), 201)
    assert titles(ok(api.get("/checklists?starred=true"))) == ["Starred"]
    assert titles(ok(api.get("/checklists?starred=false"))) == ["Plain"]
    assert len(ok(api.get("/checklists"))["data"]) == 2


def test_list_templates_hides_archived_ones_unless_asked(api: Api) -> None:
    ok(api.post("/checklists", {"title": "Live"}), 201)
    old = ok(api.post("/checklists", {"title": "Old"}), 201)["data"]
    ok(api.delete(f"/checklists/{old['id']}"))
    assert titles(ok(api.get("/checklists"))) == ["Live"]
    assert titles(ok(api.get("/checklists?archived=only"))) == ["Old"]
    assert sorted(titles(ok(api.get("/checklists?archived=true")))) == ["Live", "Old"]


def test_list_templates_shows_only_this_organization(world: World) -> None:
    build_tree(world.other_admin, title="Theirs")
    listing = ok(world.admin.get("/checklists"))
    assert listing["data"] == []
    assert listing["meta"]["pagination"]["total"] == 0
    assert listing["meta"]["pagination"]["links"] == {}


def test_list_templates_includes_steps_when_asked(api: Api, tree: Tree) -> None:
    listed = ok(api.get("/checklists?with=steps"))["data"][0]
    assert [s["id"] for s in listed["steps"]] == [tree.step]
    assert "steps" not in ok(api.get("/checklists"))["data"][0]


# ---------------------------------------------------------------- get


def test_get_template_with_steps_returns_bare_lists(world: World, api: Api, tree: Tree) -> None:
    second = ok(
        api.post(
            f"/checklists/{tree.template}/steps",
            {"title": "Step 2", "assignees": [world.org.standard.user_id], "guests": ["g@x.io"]},
        ),
        201,
    )["data"]
    data = ok(api.get(f"/checklists/{tree.template}?with=steps"))["data"]
    assert [(s["id"], s["position"]) for s in data["steps"]] == [(tree.step, 1), (second["id"], 2)]
    first, last = data["steps"]
    assert [c["id"] for c in first["captures"]] == [tree.capture]
    assert last["captures"] == []
    assert (first["assignees"], first["guests"], first["groups"]) == ([], [], [])
    assert (last["assignees"], last["guests"]) == ([world.org.standard.user_id], ["g@x.io"])
    assert last["groups"] == []
    assert data["steps_count"] == 2
    assert "tags" not in data


def test_get_template_with_tags_returns_tag_links(api: Api, tree: Tree) -> None:
    tag = ok(api.post("/tags", {"title": "hr"}), 201)["data"]
    link = {"tag_id": tag["id"], "subject_type": "Checklist", "subject_id": tree.template}
    ok(api.post("/checklists/tags", link))
    data = ok(api.get(f"/checklists/{tree.template}?with=tags"))["data"]
    assert [(t["tag_id"], t["title"]) for t in data["tags"]] == [(tag["id"], "hr")]
    assert isinstance(data["tags"][0]["id"], int)
    assert "steps" not in data


def test_get_template_without_tags_has_an_empty_tag_list(api: Api, tree: Tree) -> None:
    assert ok(api.get(f"/checklists/{tree.template}?with=tags"))["data"]["tags"] == []


@pytest.mark.parametrize(
    "includes", ["", "?with=", "?with=bogus", "?with=prerun,automated_actions,folder, ,x"]
)
def test_get_template_ignores_unknown_includes(api: Api, tree: Tree, includes: str) -> None:
    data = ok(api.get(f"/checklists/{tree.template}{includes}"))["data"]
    assert data["id"] == tree.template
    assert data["prerun"] == []
    assert data["automated_actions"] == []
    assert "steps" not in data
    assert "tags" not in data


def test_get_template_combines_known_and_unknown_includes(api: Api, tree: Tree) -> None:
    data = ok(api.get(f"/checklists/{tree.template}?with=steps,automated_actions,prerun,tags"))
    assert [s["id"] for s in data["data"]["steps"]] == [tree.step]
    assert data["data"]["tags"] == []


def test_get_template_shows_its_shape(world: World, api: Api, tree: Tree) -> None:
    data = ok(world.light.get(f"/checklists/{tree.template}"))["data"]
    assert data["id"] == tree.template
    assert data["steps_count"] == 1
    assert_flags(data, TEMPLATE_FLAGS)
    assert_timestamps(data, "created_at", "last_updated")


# ---------------------------------------------------------------- update


def test_update_template_changes_only_what_is_sent(api: Api) -> None:
    sent = {"title": "Audit", "summary": "Before", "icon": "star", "is_featured": True}
    template = ok(api.post("/checklists", sent), 201)["data"]
    body = ok(api.put(f"/checklists/{template['id']}", {"summary": "After", "starred": True}))
    data = body["data"]
    assert (data["summary"], data["starred"]) == ("After", True)
    unchanged = {k: v for k, v in data.items() if k not in ("summary", "starred", "last_updated")}
    assert unchanged == {
        k: v for k, v in template.items() if k not in ("summary", "starred", "last_updated")
    }
    assert data["last_updated"] >= template["last_updated"]
    assert ok(api.get(f"/checklists/{template['id']}"))["data"] == data


def test_update_template_clears_nullable_fields(api: Api) -> None:
    template = ok(api.post("/checklists", {"title": "Audit", "summary": "Yearly"}), 201)["data"]
    data = ok(api.put(f"/checklists/{template['id']}", {"summary": None, "icon": None}))["data"]
    assert (data["summary"], data["icon"], data["title"]) == (None, None, "Audit")


def test_update_template_accepts_an_empty_body(api: Api, tree: Tree) -> None:
    before = ok(api.get(f"/checklists/{tree.template}"))["data"]
    after = ok(api.put(f"/checklists/{tree.template}", {}))["data"]
    assert {**after, "last_updated": None} == {**before, "last_updated": None}


def test_update_template_ignores_an_echoed_read(api: Api, tree: Tree) -> None:
    read = ok(api.get(f"/checklists/{tree.template}?with=steps,tags"))["data"]
    echoed = {**read, "title": "Renamed", "id": MISSING, "created_at": "x", "steps_count": 9}
    data = ok(api.put(f"/checklists/{tree.template}", echoed))["data"]
    assert (data["id"], data["title"], data["steps_count"]) == (tree.template, "Renamed", 1)
    assert data["created_at"] == read["created_at"]


def test_update_template_replaces_users_and_groups(world: World, api: Api) -> None:
    sent = {"title": "Audit", "users": [world.org.light.user_id], "groups": ["a", "b"]}
    template = ok(api.post("/checklists", sent), 201)["data"]
    path = f"/checklists/{template['id']}"
    data = ok(api.put(path, {"users": [world.org.standard.user_id], "groups": []}))["data"]
    assert (data["users"], data["groups"]) == ([world.org.standard.user_id], [])


def test_update_template_prerun_updates_creates_and_removes(api: Api) -> None:
    prerun = [
        {"label": "Keep", "field_type": "text"},
        {"label": "Drop", "field_type": "text"},
        {"label": "Also keep", "field_type": "date", "required": False},
    ]
    template = ok(api.post("/checklists", {"title": "Hire", "prerun": prerun}), 201)["data"]
    keep, drop, also = template["prerun"]
    wanted = [
        {"id": keep["id"], "label": "Kept", "required": False},
        {"id": also["id"]},
        {"label": "New", "field_type": "dropdown", "options": [{"text": "a"}]},
    ]
    data = ok(api.put(f"/checklists/{template['id']}", {"prerun": wanted}))["data"]
    fields = {f["label"]: f for f in data["prerun"]}
    assert set(fields) == {"Kept", "Also keep", "New"}
    assert fields["Kept"]["id"] == keep["id"]
    assert fields["Kept"]["required"] is False
    assert fields["Also keep"] == also | {"last_updated": fields["Also keep"]["last_updated"]}
    assert HEX32.match(fields["New"]["id"])
    assert fields["New"]["id"] not in (keep["id"], drop["id"], also["id"])
    assert fields["New"]["options"] == [{"id": 1, "text": "a"}]
    assert fields["New"]["required"] is True


def test_update_template_without_prerun_keeps_kickoff_fields(api: Api) -> None:
    prerun = [{"label": "Name", "field_type": "text"}]
    template = ok(api.post("/checklists", {"title": "Hire", "prerun": prerun}), 201)["data"]
    data = ok(api.put(f"/checklists/{template['id']}", {"title": "Hiring"}))["data"]
    assert data["prerun"] == template["prerun"]


def test_update_template_with_an_empty_prerun_removes_every_kickoff_field(api: Api) -> None:
    prerun = [{"label": "Name", "field_type": "text"}]
    template = ok(api.post("/checklists", {"title": "Hire", "prerun": prerun}), 201)["data"]
    assert ok(api.put(f"/checklists/{template['id']}", {"prerun": []}))["data"]["prerun"] == []


def test_update_template_refuses_a_kickoff_field_of_another_template(api: Api) -> None:
    prerun = [{"label": "Name", "field_type": "text"}]
    first = ok(api.post("/checklists", {"title": "One", "prerun": prerun}), 201)["data"]
    second = ok(api.post("/checklists", {"title": "Two"}), 201)["data"]
    stolen = {"prerun": [{"id": first["prerun"][0]["id"], "label": "Mine"}]}
    assert_field_error(api.put(f"/checklists/{second['id']}", stolen), "prerun.0.id")
    assert ok(api.get(f"/checklists/{first['id']}"))["data"]["prerun"] == first["prerun"]
