"""`GET /runs` filters and sorts beyond the basics: groups, task status, issue/delayed,
type, starred, tag, form field values, sort names and archived."""

from typing import Any

from tests.conftest import Api, World
from tests.factories import add_capture, launch, make_template, ok, steps_of, tasks_of
from tests.processes.builders import error

PAST = "2020-01-01 00:00:00"


def ids(response: Any) -> list[str]:
    return [run["id"] for run in ok(response)["data"]]


def launched(api: Api, title: str = "T", steps: int = 1, **fields: Any) -> dict[str, Any]:
    return launch(api, make_template(api, title=title, steps=steps, **fields)["id"])


def test_groups_matches_runs_with_a_task_assigned_to_the_group(api: Api) -> None:
    grouped, other = launched(api), launched(api)
    task = tasks_of(api, grouped["id"])[0]
    ok(api.put(f"/runs/{grouped['id']}/tasks/{task['id']}", {"owners": {"groups": ["g1"]}}))
    assert ids(api.get("/runs?groups=g1")) == [grouped["id"]]
    assert set(ids(api.get("/runs?groups=g1,g2"))) == {grouped["id"]}
    assert ids(api.get("/runs?groups=nobody")) == []
    assert other["id"] in ids(api.get("/runs"))


def test_task_status_matches_runs_by_the_state_of_their_tasks(world: World) -> None:
    api = world.admin
    done, open_ = launched(api), launched(api, steps=2)
    ok(
        api.post(
            f"/runs/{done['id']}/completed-tasks", {"task_id": tasks_of(api, done["id"])[0]["id"]}
        )
    )
    both = {done["id"], open_["id"]}
    assert set(ids(api.get("/runs?task_status=completed"))) & both == {done["id"]}
    assert set(ids(api.get("/runs?task_status=in-progress"))) & both == {open_["id"]}
    assert set(ids(api.get("/runs?task_status=all"))) & both == both
    error(api.get("/runs?task_status=later"), 422)
    # With `owners`, the task in that state must be theirs.
    standard = world.org.standard.user_id
    first = tasks_of(api, open_["id"])[0]
    ok(api.put(f"/runs/{open_['id']}/tasks/{first['id']}", {"owners": {"users": [standard]}}))
    assert ids(api.get(f"/runs?owners={standard}&task_status=in-progress")) == [open_["id"]]
    assert ids(api.get(f"/runs?owners={standard}&task_status=completed")) == []


def test_issue_is_problem_and_delayed_means_an_open_task_past_its_deadline(api: Api) -> None:
    troubled, late, fine = launched(api), launched(api), launched(api)
    task = tasks_of(api, troubled["id"])[0]
    ok(api.post(f"/tasks/{task['id']}/problem", {"content": "Blocked"}), 201)
    late_task = tasks_of(api, late["id"])[0]
    ok(api.put(f"/runs/{late['id']}/tasks/{late_task['id']}", {"deadline": PAST}))
    assert ids(api.get("/runs?status=issue")) == [troubled["id"]]
    assert ids(api.get("/runs?status=problem")) == [troubled["id"]]
    assert ids(api.get("/runs?status=delayed")) == [late["id"]]
    body = ok(api.get(f"/runs/{late['id']}"))["data"]
    assert (body["late_tasks"], body["due_date_passed"]) == (1, True)
    assert ok(api.get(f"/runs/{fine['id']}"))["data"]["late_tasks"] == 0
    listed = {run["id"]: run for run in ok(api.get("/runs?per_page=100"))["data"]}
    assert (listed[late["id"]]["late_tasks"], listed[late["id"]]["due_date_passed"]) == (1, True)
    assert (listed[fine["id"]]["late_tasks"], listed[troubled["id"]]["late_tasks"]) == (0, 0)
    # A completed late task no longer delays its run.
    ok(api.post(f"/runs/{late['id']}/completed-tasks", {"task_id": late_task["id"]}))
    assert ids(api.get("/runs?status=delayed")) == []
    assert ok(api.get(f"/runs/{late['id']}"))["data"]["late_tasks"] == 0


def test_type_starred_and_tag(api: Api) -> None:
    form = launched(api, type="form")
    procedure = launched(api)
    ok(api.put(f"/runs/{procedure['id']}", {"starred": True}))
    tag = ok(api.post("/tags", {"title": "vip"}), 201)["data"]
    body = {"tag_id": tag["id"], "subject_type": "Run", "subject_id": form["id"]}
    ok(api.post("/checklists/tags", body))
    assert ids(api.get("/runs?type=form")) == [form["id"]]
    assert ids(api.get("/runs?type=procedure")) == [procedure["id"]]
    assert ids(api.get("/runs?type=document")) == []
    error(api.get("/runs?type=poem"), 422)
    assert ids(api.get("/runs?starred=true")) == [procedure["id"]]
    assert ids(api.get("/runs?starred=false")) == [form["id"]]
    assert ids(api.get(f"/runs?tag={tag['id']}")) == [form["id"]]


def test_sort_by_name_and_creation_in_both_directions(api: Api) -> None:
    template = make_template(api, steps=1)
    b = launch(api, template["id"], name="Bravo")
    a = launch(api, template["id"], name="Alpha")
    c = launch(api, template["id"], name="Charlie")
    assert ids(api.get("/runs?sort=name")) == [a["id"], b["id"], c["id"]]
    assert ids(api.get("/runs?sort=-name")) == ids(api.get("/runs?sort=name"))[::-1]
    assert ids(api.get("/runs?sort=created_at")) == [b["id"], a["id"], c["id"]]
    assert ids(api.get("/runs?sort=-created_at")) == [c["id"], a["id"], b["id"]]
    assert ids(api.get("/runs?sort_by=created_at")) == [b["id"], a["id"], c["id"]]
    error(api.get("/runs?sort=colour"), 422)


def test_archived_only_and_true(api: Api) -> None:
    kept, gone = launched(api), launched(api)
    ok(api.delete(f"/runs/{gone['id']}"))
    assert ids(api.get("/runs")) == [kept["id"]]
    assert ids(api.get("/runs?archived=only")) == [gone["id"]]
    assert set(ids(api.get("/runs?archived=true"))) == {kept["id"], gone["id"]}


def test_form_fields_values_adds_every_task_answer_keyed_by_capture(api: Api) -> None:
    template = make_template(api, steps=2)
    first, second = steps_of(api, template["id"])
    name = add_capture(api, template["id"], first["id"], label="Name", required=False)
    size = add_capture(api, template["id"], second["id"], label="Size", required=False)
    run = launch(api, template["id"])
    task = tasks_of(api, run["id"])[0]
    ok(api.put(f"/runs/{run['id']}/tasks/{task['id']}", {"taskdata": {name["id"]: "Ada"}}))
    listed = ok(api.get(f"/runs?checklist_id={template['id']}&form_fields_values=true"))
    assert listed["data"][0]["form_fields_values"] == {name["id"]: "Ada", size["id"]: None}
    single = ok(api.get(f"/runs/{run['id']}?form_fields_values=true"))["data"]
    assert single["form_fields_values"][name["id"]] == "Ada"
    assert "form_fields_values" not in ok(api.get(f"/runs/{run['id']}"))["data"]
