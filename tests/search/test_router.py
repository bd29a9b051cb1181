"""`GET /search`: blocks keyed by the tokens sent, matching, ranking, pagination, archived
objects, organizations, and the index following every write (on both engines)."""

from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import Api, World
from tests.factories import add_capture, launch, make_oneoff, make_template, ok, steps_of, tasks_of


def search(api: Api, q: str, on: str, **params: Any) -> dict[str, Any]:
    return ok(api.get("/search", params={"search": q, "on": on, **params}))


def titles(block: dict[str, Any], key: str = "title") -> list[str]:
    return [item[key] for item in block["data"]]


def test_blocks_are_keyed_by_each_token_as_sent(api: Api) -> None:
    template = make_template(api, title="Zephyr onboarding", steps=1)
    run = launch(api, template["id"], name="Zephyr for Ada")
    body = search(api, "zephyr", "blueprint,process,task,snippet,template")
    assert list(body) == ["blueprint", "process", "task", "snippet", "template"]
    assert titles(body["blueprint"]) == ["Zephyr onboarding"]
    assert body["template"] == body["blueprint"]
    assert titles(body["process"], "name") == ["Zephyr for Ada"]
    assert body["process"]["data"][0]["id"] == run["id"]
    assert body["task"]["data"] == []
    assert body["snippet"] == {
        "data": [],
        "meta": {
            "pagination": {
                "total": 0,
                "count": 0,
                "per_page": 10,
                "current_page": 1,
                "total_pages": 1,
                "links": {},
            }
        },
    }


def test_hits_carry_the_search_result_fields(api: Api, world: World) -> None:
    template = make_template(api, title="Quasar review", steps=2)
    run = launch(api, template["id"], name="Quasar run")
    task = tasks_of(api, run["id"])[0]
    ok(api.put(f"/runs/{run['id']}/tasks/{task['id']}", {"title": "Quasar check"}))
    blueprint = search(api, "quasar", "blueprint")["blueprint"]["data"][0]
    assert blueprint["steps_count"] == 2
    assert blueprint["folders"] == []
    assert blueprint["organization_id"] == world.org.id
    assert blueprint["status"] == "active"
    hit = search(api, "quasar check", "task")["task"]["data"][0]
    assert hit["id"] == task["id"]
    assert hit["run_id"] == run["id"]
    assert hit["is_oneoff_task"] is False
    assert isinstance(hit["owners"], dict)
    assert set(hit["owners"]) >= {"users", "guests", "groups"}
    oneoff = make_oneoff(api, owner=world.org.standard.user_id, title="Quasar call")
    found = search(api, "quasar call", "task")["task"]["data"]
    assert [(h["id"], h["is_oneoff_task"]) for h in found] == [(oneoff["id"], True)]
    assert found[0]["owners"]["users"] == [world.org.standard.user_id]


def test_matching_is_case_insensitive_by_word_and_prefix(api: Api) -> None:
    make_template(api, title="Employee Onboarding Checklist", steps=0)
    make_template(api, title="Vendor offboarding", steps=0)
    for q in ("employee", "EMPLOYEE onboarding", "onboard", "checklist employee", "employee onb"):
        assert titles(search(api, q, "blueprint")["blueprint"]) == [
            "Employee Onboarding Checklist"
        ], q
    assert search(api, "employee vendor", "blueprint")["blueprint"]["data"] == []


def test_sqlite_matches_any_substring(api: Api, world: World) -> None:
    if not world.settings.is_sqlite:
        pytest.skip("trigram substring matching is the SQLite index's; PostgreSQL matches words")
    make_template(api, title="Employee Onboarding", steps=0)
    for q in ("boarding", "ployee", "mp", "e o"):
        assert titles(search(api, q, "blueprint")["blueprint"]) == ["Employee Onboarding"], q


def test_the_exact_title_ranks_first_then_the_better_match(api: Api) -> None:
    for title in ("Invoice run monthly archive", "Invoice run", "Invoice invoice run notes"):
        make_template(api, title=title, steps=0)
    found = titles(search(api, "invoice run", "blueprint")["blueprint"])
    assert found[0] == "Invoice run"
    assert sorted(found) == sorted(
        ["Invoice run monthly archive", "Invoice run", "Invoice invoice run notes"]
    )


def test_pages_walk_to_exactly_the_total(api: Api) -> None:
    template = make_template(api, title="Pager", steps=0)
    ids = {launch(api, template["id"], name=f"Walrus {n}")["id"] for n in range(7)}
    seen: list[str] = []
    page = 1
    while True:
        block = search(api, "walrus", "process", per_page=3, page=page)["process"]
        pagination = block["meta"]["pagination"]
        assert pagination["total"] == 7
        assert pagination["total_pages"] == 3
        assert pagination["count"] == len(block["data"])
        seen += [item["id"] for item in block["data"]]
        if page == pagination["total_pages"]:
            assert "next" not in pagination["links"]
            break
        assert "search=walrus" in pagination["links"]["next"]
        page += 1
    assert len(seen) == 7
    assert set(seen) == ids
    beyond = search(api, "walrus", "process", per_page=3, page=9)["process"]
    assert beyond["data"] == []
    assert beyond["meta"]["pagination"]["total"] == 7


def test_per_page_defaults_to_ten_and_is_clamped(api: Api) -> None:
    block = search(api, "nothing", "process")["process"]
    assert block["meta"]["pagination"]["per_page"] == 10
    block = search(api, "nothing", "process", per_page=1000)["process"]
    assert block["meta"]["pagination"]["per_page"] == 100


def test_archived_objects_only_with_trashed(api: Api) -> None:
    template = make_template(api, title="Gryphon template", steps=1)
    run = launch(api, template["id"], name="Gryphon run")
    task = tasks_of(api, run["id"])[0]
    ok(api.put(f"/runs/{run['id']}/tasks/{task['id']}", {"title": "Gryphon task"}))
    ok(api.delete(f"/runs/{run['id']}"))
    ok(api.delete(f"/checklists/{template['id']}"))
    body = search(api, "gryphon", "blueprint,process,task")
    assert all(body[k]["data"] == [] for k in body)
    body = search(api, "gryphon", "blueprint,process,task", withTrashed="true")
    assert titles(body["blueprint"]) == ["Gryphon template"]
    assert body["blueprint"]["data"][0]["status"] == "archived"
    assert [h["id"] for h in body["process"]["data"]] == [run["id"]]
    assert [h["id"] for h in body["task"]["data"]] == [task["id"]]


def test_one_organization_never_sees_another(world: World) -> None:
    make_template(world.admin, title="Basilisk secret", steps=0)
    theirs = search(world.other_admin, "basilisk", "blueprint")
    assert theirs["blueprint"]["data"] == []
    assert world.outsider.get("/search", params={"search": "x", "on": "task"}).status_code == 404


def test_the_index_follows_renames(api: Api) -> None:
    template = make_template(api, title="Chimera", steps=0)
    ok(api.put(f"/checklists/{template['id']}", {"title": "Manticore"}))
    assert search(api, "chimera", "blueprint")["blueprint"]["data"] == []
    assert titles(search(api, "manticore", "blueprint")["blueprint"]) == ["Manticore"]


def test_task_status_filter(api: Api) -> None:
    template = make_template(api, title="Statuses", steps=2)
    run = launch(api, template["id"], name="Statuses run")
    first, second = tasks_of(api, run["id"])
    for task, title in ((first, "Kraken one"), (second, "Kraken two")):
        ok(api.put(f"/runs/{run['id']}/tasks/{task['id']}", {"title": title}))
    ok(api.post(f"/runs/{run['id']}/completed-tasks", {"task_id": first["id"]}))
    done = search(api, "kraken", "task", status="completed")["task"]
    assert [h["id"] for h in done["data"]] == [first["id"]]
    active = search(api, "kraken", "task", status="active")["task"]
    assert [h["id"] for h in active["data"]] == [second["id"]]
    assert search(api, "kraken", "task")["task"]["meta"]["pagination"]["total"] == 2


def test_steps_and_captures_of_live_templates(api: Api) -> None:
    template = make_template(api, title="Holder", steps=0)
    step = ok(
        api.post(f"/checklists/{template['id']}/steps", {"title": "Sign the Hydra form"}), 201
    )
    add_capture(api, template["id"], step["data"]["id"], label="Hydra licence number")
    body = search(api, "hydra", "step,capture")
    assert titles(body["step"]) == ["Sign the Hydra form"]
    assert body["step"]["data"][0]["checklist_id"] == template["id"]
    assert titles(body["capture"]) == ["Hydra licence number"]
    ok(api.delete(f"/checklists/{template['id']}"))
    body = search(api, "hydra", "step,capture")
    assert body["step"]["data"] == []
    assert body["capture"]["data"] == []


def test_tags_true_adds_each_hits_tags(api: Api) -> None:
    template = make_template(api, title="Tagged pegasus", steps=0)
    tag = ok(api.post("/tags", {"title": "winged"}), 201)["data"]
    body = {"tag_id": tag["id"], "subject_type": "Checklist", "subject_id": template["id"]}
    ok(api.post("/checklists/tags", body))
    plain = search(api, "pegasus", "blueprint")["blueprint"]["data"][0]
    assert "tags" not in plain
    hit = search(api, "pegasus", "blueprint", tags="true")["blueprint"]["data"][0]
    assert [t["title"] for t in hit["tags"]] == ["winged"]


@pytest.mark.parametrize(
    "params",
    [
        {"on": "blueprint"},
        {"search": "   ", "on": "blueprint"},
        {"search": "x"},
        {"search": "x", "on": "blueprint,wizard"},
        {"search": "x", "on": "task", "status": "sideways"},
        {"search": "x" * 201, "on": "task"},
    ],
)
def test_bad_queries_are_422(api: Api, params: dict[str, str]) -> None:
    response = api.get("/search", params=params)
    assert response.status_code == 422, response.text
    assert response.json()["error"] is True


def test_structured_filters(api: Api, world: World) -> None:
    first = make_template(api, title="Filter griffin alpha", steps=0)
    make_template(api, title="Filter griffin beta", steps=0)
    condition = {
        "filter[type]": "field",
        "filter[field]": "title",
        "filter[value]": "filter griffin alpha",
    }
    found = search(api, "griffin", "blueprint", **condition)["blueprint"]["data"]
    assert [h["id"] for h in found] == [first["id"]]
    group = {
        "filter[0][type]": "boolean",
        "filter[0][value]": "OR",
        "filter[1][field]": "title",
        "filter[1][value]": "Filter griffin alpha",
        "filter[2][field]": "title",
        "filter[2][operation]": "<>",
        "filter[2][value]": "filter griffin alpha",
    }
    assert len(search(api, "griffin", "blueprint", **group)["blueprint"]["data"]) == 2
    starter = {"filter[field]": "starter", "filter[value]": str(world.org.standard.user_id)}
    assert search(api, "griffin", "blueprint", **starter)["blueprint"]["data"] == []
    wrong = api.get(
        "/search",
        params={"search": "griffin", "on": "task", "filter[field]": "date", "filter[value]": "1"},
    )
    assert wrong.status_code == 422
    assert "starter, title" in wrong.json()["message"]


def index_rows(world: World) -> dict[str, int]:
    """Rows in each SQLite FTS index (its document-size table has one per indexed row), and
    FTS5's own check that the index matches the table."""
    engine = create_engine(world.settings.database_url)
    try:
        with engine.connect() as db:
            counts = {}
            for table in ("templates", "processes", "tasks", "template_steps", "step_captures"):
                fts = f"search_{table}"
                db.execute(text(f"INSERT INTO {fts}({fts}, rank) VALUES ('integrity-check', 1)"))
                counts[table] = db.execute(text(f"SELECT count(*) FROM {fts}_docsize")).scalar_one()
                assert (
                    counts[table] == db.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                )
            return counts
    finally:
        engine.dispose()


def test_permanent_delete_leaves_nothing_in_the_index(api: Api, world: World) -> None:
    template = make_template(api, title="Phoenix template", steps=2)
    add_capture(api, template["id"], steps_of(api, template["id"])[0]["id"], label="Phoenix field")
    run = launch(api, template["id"], name="Phoenix run")
    oneoff = make_oneoff(api, owner=world.org.admin.user_id, title="Phoenix call")
    every = "blueprint,process,task,step,capture"
    if world.settings.is_sqlite:
        before = index_rows(world)
    ok(api.delete(f"/runs/{run['id']}"))
    ok(api.delete(f"/checklists/{template['id']}"))
    assert api.delete(f"/tasks/{oneoff['id']}").status_code == 204
    assert api.delete(f"/runs/{run['id']}/delete").status_code in (200, 204)
    assert api.delete(f"/checklists/{template['id']}/delete").status_code in (200, 204)
    assert api.delete(f"/tasks/{oneoff['id']}/delete").status_code == 204
    body = search(api, "phoenix", every, withTrashed="true")
    assert all(body[k]["data"] == [] and body[k]["meta"]["pagination"]["total"] == 0 for k in body)
    if world.settings.is_sqlite:
        after = index_rows(world)
        assert before["templates"] - after["templates"] == 1
        assert before["processes"] - after["processes"] == 1
        assert before["tasks"] - after["tasks"] == 3  # the run's two and the one-off
        assert before["template_steps"] - after["template_steps"] == 2
        assert before["step_captures"] - after["step_captures"] == 1


def test_the_sqlite_triggers_exist_at_head(world: World) -> None:
    """A later batch migration that recreates a searched table drops its triggers; this
    names what must be there."""
    if not world.settings.is_sqlite:
        pytest.skip("PostgreSQL indexes need no triggers")
    engine = create_engine(world.settings.database_url)
    try:
        with engine.connect() as db:
            names = set(
                db.execute(text("SELECT name FROM sqlite_master WHERE type='trigger'")).scalars()
            )
    finally:
        engine.dispose()
    for table in ("templates", "processes", "tasks", "template_steps", "step_captures"):
        for event in ("insert", "delete", "update"):
            assert f"search_{table}_{event}" in names


@pytest.mark.parametrize(
    "q",
    [
        '"',
        "'",
        'a"b',
        "NEAR(x y)",
        "x OR y",
        "*",
        "%",
        "_",
        "\\",
        "-x",
        "x:*",
        "héllo wörld",
        "🦄 emoji",
        "'; DROP TABLE tasks; --",
        "(((",
        "a\x00b",
        "x" * 200,
    ],
)
def test_query_syntax_is_just_text(api: Api, q: str) -> None:
    """Nothing in the text is read as index query syntax or SQL: it matches as text or not
    at all, and never fails."""
    make_template(api, title="Plain words only", steps=0)
    response = api.get("/search", params={"search": q, "on": "blueprint,process,task"})
    assert response.status_code in (200, 422), response.text
    if response.status_code == 200:
        assert response.json()["blueprint"]["data"] == []


def test_symbols_match_themselves(api: Api) -> None:
    make_template(api, title='Q3 "draft" 50% done', steps=0)
    assert titles(search(api, "50%", "blueprint")["blueprint"]) == ['Q3 "draft" 50% done']
    assert titles(search(api, "draft", "blueprint")["blueprint"]) == ['Q3 "draft" 50% done']
