"""Launch options beyond the basics (`assign_someone_else`, `publicly_hidden_fields`, `users`,
`groups`, `roles`, per-step `tasks` overrides), and the kick-off form's complete/reopen."""

from typing import Any

from tests.conftest import Api, World
from tests.factories import make_template, ok, steps_of, tasks_of
from tests.processes.builders import MISSING_ID, error, forbidden, invalid, not_found


def post_launch(api: Api, template_id: str, **fields: Any) -> Any:
    return api.post("/runs", {"checklist_id": template_id, **fields})


def test_run_members_groups_and_hidden_fields_are_kept_and_returned(world: World) -> None:
    api = world.admin
    standard = world.org.standard.user_id
    template = make_template(api, steps=1)
    body = {
        "users": [standard],
        "groups": ["g-sales"],
        "publicly_hidden_fields": ["comments"],
        "assign_someone_else": True,
    }
    run = ok(post_launch(api, template["id"], **body), 201)["data"]
    for key, value in body.items():
        assert run[key] == value
    assert run["collaborators"] == [world.org.admin.user_id, standard]
    again = ok(api.get(f"/runs/{run['id']}"))["data"]
    assert (again["users"], again["groups"]) == ([standard], ["g-sales"])
    changed = ok(api.put(f"/runs/{run['id']}", {"users": [], "groups": ["g-ops"]}))["data"]
    assert (changed["users"], changed["groups"]) == ([], ["g-ops"])
    assert changed["publicly_hidden_fields"] == ["comments"]


def test_run_members_must_belong_to_the_organization(world: World) -> None:
    api = world.admin
    template = make_template(api, steps=1)
    invalid(post_launch(api, template["id"], users=[world.other.admin.user_id]), "users")
    invalid(post_launch(api, template["id"], publicly_hidden_fields="comments"))


def test_assign_someone_else_leaves_unassigned_steps_to_nobody(api: Api) -> None:
    template = make_template(api, steps=2)
    starter = ok(post_launch(api, template["id"]), 201)["data"]
    assert all(t["owners"]["users"] for t in tasks_of(api, starter["id"]))
    other = ok(post_launch(api, template["id"], assign_someone_else=True), 201)["data"]
    assert [t["owners"]["users"] for t in tasks_of(api, other["id"])] == [[], []]


def test_roles_assign_the_steps_that_carry_the_role(world: World) -> None:
    api = world.admin
    standard = world.org.standard.user_id
    template = make_template(api, steps=2)
    first, second = steps_of(api, template["id"])
    ok(api.put(f"/checklists/{template['id']}/steps/{first['id']}", {"roles": ["reviewer"]}))
    roles = {"reviewer": {"users": [standard], "guests": ["pat@example.com"], "groups": []}}
    run = ok(post_launch(api, template["id"], roles=roles), 201)["data"]
    by_step = {t["step_id"]: t["owners"] for t in tasks_of(api, run["id"])}
    assert by_step[first["id"]]["users"] == [standard]
    assert by_step[first["id"]]["guests"] == ["pat@example.com"]
    assert by_step[second["id"]]["users"] == [world.org.admin.user_id]
    invalid(post_launch(api, template["id"], roles=[{"users": [standard]}]), "roles")
    outsider = {"reviewer": {"users": [world.other.admin.user_id]}}
    invalid(post_launch(api, template["id"], roles=outsider), "roles.reviewer.users")


def test_task_overrides_set_position_deadline_owners_and_max_assignable(world: World) -> None:
    api = world.admin
    standard = world.org.standard.user_id
    template = make_template(api, steps=3)
    one, two, three = steps_of(api, template["id"])
    tasks = {
        three["id"]: {
            "position": 1,
            "deadline": "2031-05-01 09:00:00",
            "max_assignable": 3,
            "owners": {"users": [standard]},
        }
    }
    run = ok(post_launch(api, template["id"], tasks=tasks), 201)["data"]
    made = tasks_of(api, run["id"])
    assert [t["step_id"] for t in made] == [three["id"], one["id"], two["id"]]
    assert [t["position"] for t in made] == [1, 2, 3]
    assert made[0]["deadline"] == "2031-05-01T09:00:00.000Z"
    assert (made[0]["max_assignable"], made[0]["owners"]["users"]) == (3, [standard])
    invalid(post_launch(api, template["id"], tasks={three["id"]: {"position": 0}}))


def kickoff_template(api: Api) -> tuple[dict[str, Any], str]:
    prerun = [{"field_type": "text", "label": "Client", "required": True}]
    template = ok(api.post("/checklists", {"title": "Kick-off", "prerun": prerun}), 201)["data"]
    ok(api.post(f"/checklists/{template['id']}/steps", {"title": "Step 1"}), 201)
    field_id = template["prerun"][0]["id"]
    return template, field_id


def test_complete_and_reopen_the_kickoff_form(world: World) -> None:
    api = world.admin
    template, field_id = kickoff_template(api)
    run = ok(post_launch(api, template["id"], prerun={field_id: "Acme"}), 201)["data"]
    assert run["prerun_status"] == "pending"
    path = f"/runs/{run['id']}/complete-prerun"
    done = ok(api.post(path))["data"]
    assert done["prerun_status"] == "complete"
    assert done["prerun_completed_by"] == world.org.admin.user_id
    assert ok(api.post(path))["data"]["prerun_completed_at"] == done["prerun_completed_at"]
    reopened = ok(api.delete(path))["data"]
    assert (reopened["prerun_status"], reopened["prerun_completed_at"]) == ("pending", None)
    assert ok(api.delete(path))["data"]["prerun_status"] == "pending"


def test_kickoff_form_cannot_complete_while_a_required_value_is_empty(world: World) -> None:
    api = world.admin
    template, field_id = kickoff_template(api)
    run = ok(post_launch(api, template["id"], prerun={field_id: "Acme"}), 201)["data"]
    ok(api.put(f"/runs/{run['id']}", {"prerun": {field_id: ""}}))
    invalid(api.post(f"/runs/{run['id']}/complete-prerun"), f"prerun.{field_id}")
    assert ok(api.get(f"/runs/{run['id']}"))["data"]["prerun_status"] == "pending"
    ok(api.put(f"/runs/{run['id']}", {"prerun": {field_id: "Globex"}}))
    ok(api.post(f"/runs/{run['id']}/complete-prerun"))


def test_kickoff_form_routes_check_the_run_and_the_role(world: World) -> None:
    api = world.admin
    template, field_id = kickoff_template(api)
    run = ok(post_launch(api, template["id"], prerun={field_id: "Acme"}), 201)["data"]
    not_found(api.post(f"/runs/{MISSING_ID}/complete-prerun"))
    not_found(world.outsider.post(f"/runs/{run['id']}/complete-prerun"))
    forbidden(world.light.post(f"/runs/{run['id']}/complete-prerun"))
    forbidden(world.light.delete(f"/runs/{run['id']}/complete-prerun"))
    ok(api.delete(f"/runs/{run['id']}"))
    error(api.post(f"/runs/{run['id']}/complete-prerun"), 422)
    error(api.delete(f"/runs/{run['id']}/complete-prerun"), 422)
