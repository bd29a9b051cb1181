"""Every endpoint issues a fixed number of SQL statements, whatever the page size or the
number of children: an N+1 makes these tests fail."""

import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, func, select

from procession.bulk.models import BulkJobItem
from procession.db.session import unit_of_work
from tests.api.conftest import finished_bulk_job
from tests.api.routes import ROUTES, fill
from tests.conftest import Api, World, run_async
from tests.factories import (
    add_capture,
    add_rule,
    completed,
    launch,
    make_oneoff,
    make_template,
    ok,
    steps_of,
    tasks_of,
    visibility,
)

# No background jobs: their polling would be counted with the request's statements.
pytestmark = pytest.mark.without_background_jobs


@contextmanager
def counted(world: World) -> Iterator[list[tuple[str, Any]]]:
    """The SQL statements the app sends while the block runs, with their parameters."""
    engine = world.client.app.state.database.engine.sync_engine  # type: ignore[attr-defined]
    statements: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def read_statements(world: World, url: str) -> int:
    with counted(world) as statements:
        response = world.client.get(url, headers=world.admin.headers)
    assert response.status_code == 200, (url, response.text[:300])
    return len(statements)


def statements_for(world: World, api: Api, path: str) -> int:
    return read_statements(world, api.url(path))


def populate(api: Api, runs: int, steps: int) -> str:
    """`runs` processes of one template with `steps` steps (each with a form field), with a
    comment and a tag on every task, and a tag on every run. Returns the template id."""
    template = make_template(api, steps=steps)
    for step in steps_of(api, template["id"]):
        add_capture(api, template["id"], step["id"])
    tag = ok(api.post("/tags", {"title": f"tag {uuid.uuid4().hex[:8]}"}), 201)["data"]
    for _ in range(runs):
        run = launch(api, template["id"], tags=[tag["id"]])
        for task in tasks_of(api, run["id"]):
            ok(api.post(f"/tasks/{task['id']}/comment", {"content": "hi"}), 201)
    return str(template["id"])


PATHS = [
    "/runs?per_page={n}&with=tasks,tags,checklist",
    "/checklists?per_page={n}&with=steps,tags",
    "/tasks?per_page={n}&with=threads,step,run,form_fields,tags",
    "/me/tasks?status=all&per_page={n}&with=threads",
    "/tags?per_page={n}",
    "/users?per_page={n}",
]


@pytest.mark.parametrize("path", PATHS)
def test_lists_cost_the_same_for_one_row_or_many(world: World, path: str) -> None:
    api = world.admin
    for _ in range(3):
        populate(api, runs=2, steps=3)
    make_oneoff(api, owner=world.org.admin.user_id)
    one = statements_for(world, api, path.format(n=1))
    many = statements_for(world, api, path.format(n=20))
    assert many == one, f"{path}: {one} statements for one row, {many} for twenty"


def test_reading_a_run_costs_the_same_for_two_tasks_or_twenty(world: World) -> None:
    api = world.admin
    costs = []
    for steps in (2, 20):
        template_id = populate(api, runs=1, steps=steps)
        run_id = ok(api.get(f"/runs?checklist_id={template_id}"))["data"][0]["id"]
        costs.append(
            (
                statements_for(world, api, f"/runs/{run_id}?with=tasks,tags,checklist"),
                statements_for(world, api, f"/runs/{run_id}/tasks?with=threads,form_fields"),
                statements_for(world, api, f"/checklists/{template_id}?with=steps,tags"),
            )
        )
    assert costs[0] == costs[1]


def test_a_run_with_its_tasks_reads_the_run_once(world: World) -> None:
    """The tasks' view reuses the run the session already holds, and its late-task count
    comes with it."""
    api = world.admin
    template_id = populate(api, runs=1, steps=3)
    run_id = ok(api.get(f"/runs?checklist_id={template_id}"))["data"][0]["id"]
    with counted(world) as statements:
        ok(api.get(f"/runs/{run_id}?with=tasks"))
    reads = [sql for sql, _ in statements if re.search(r"\bFROM processes\b", sql)]
    assert len(reads) == 1, reads
    assert not [sql for sql, _ in statements if "GROUP BY tasks.process_id" in sql]


def selects_from(statements: list[tuple[str, Any]], table: str) -> list[str]:
    pattern = rf"^\s*SELECT\b.*\bFROM {table}\b"
    return [sql for sql, _ in statements if re.search(pattern, sql, re.S)]


def first_task_statements(
    world: World, send: Callable[[Api, str, str], object]
) -> list[tuple[str, Any]]:
    """The statements of `send(api, run_id, task_id)` on the first task of a new 3-step run."""
    api = world.admin
    run_id = launch(api, make_template(api, steps=3)["id"])["id"]
    task_id = tasks_of(api, run_id)[0]["id"]
    with counted(world) as statements:
        send(api, run_id, task_id)
    return statements


def completion_statements(world: World) -> list[tuple[str, Any]]:
    return first_task_statements(
        world,
        lambda api, run, task: ok(api.post(f"/runs/{run}/completed-tasks", {"task_id": task})),
    )


def test_completing_a_task_reads_its_process_once(world: World) -> None:
    """The process is locked as the task is found; the recount after the change reuses it."""
    assert len(selects_from(completion_statements(world), "processes")) == 1


def test_completing_a_task_recounts_its_process_in_one_statement(world: World) -> None:
    """Its tasks, how many are complete and its open issues come back together."""
    statements = completion_statements(world)
    recounts = [sql for sql, _ in statements if "tasks.process_id = " in sql]
    assert len(recounts) == 1, recounts


def test_a_completion_looks_for_webhook_endpoints_only_when_its_organization_has_one(
    world: World,
) -> None:
    """Whether the organization has an active endpoint comes with the caller: without one,
    announcing the completion costs no statement."""
    without = completion_statements(world)
    endpoint = {"url": "https://hooks.example.com/in", "event_types": ["tag.archived"]}
    ok(world.admin.post("/webhooks", endpoint), 201)
    with_one = completion_statements(world)
    looks = [sql for sql, _ in with_one if sql.lstrip().startswith("SELECT webhook_endpoints.")]
    assert len(looks) == 1, [sql[:80] for sql, _ in with_one]
    assert len(with_one) == len(without) + 1


@pytest.mark.parametrize("rules", [0, 1])
def test_a_completion_reads_the_rules_only_when_its_template_has_some(
    world: World, rules: int
) -> None:
    """Whether the template has rules comes with the locked process: without any, a
    completion reads none; with one, it reads them and applies it (step 2 hidden)."""
    api = world.admin
    template_id = make_template(api, steps=2)["id"]
    first, second = (step["id"] for step in steps_of(api, template_id))
    if rules:
        add_rule(api, template_id, [completed(first)], [visibility("hide", second)])
    run_id = launch(api, template_id)["id"]
    task_id = tasks_of(api, run_id)[0]["id"]
    with counted(world) as statements:
        ok(api.post(f"/runs/{run_id}/completed-tasks", {"task_id": task_id}))
    reads = [sql for sql, _ in statements if sql.startswith("SELECT automation_rules.")]
    assert len(reads) == rules, reads
    statuses = [task["status"] for task in tasks_of(api, run_id)]
    assert statuses == ["completed", "auto-skipped" if rules else "not-started"]


def comment_statements(world: World, label: str) -> list[tuple[str, Any]]:
    """A comment with `label`, addressed by the task's id alone (`/tasks/{id}/comment`)."""
    body = {"content": "Invoice", "label": label}
    return first_task_statements(
        world, lambda api, _, task: ok(api.post(f"/tasks/{task}/comment", body), 201)
    )


@pytest.mark.parametrize(("label", "expected"), [("comment", 4), ("problem", 6)])
def test_a_comment_finds_its_process_through_its_task_and_only_an_issue_recounts_it(
    world: World, label: str, expected: int
) -> None:
    """The caller; the task's process, found through the task, locked and given its new
    `updated_at` in one statement; the task; the comment. An issue finds the process the
    same way without stamping it, then recounts it and writes its status, since it puts it
    in problem."""
    statements = comment_statements(world, label)
    assert len(statements) == expected, [sql[:80] for sql, _ in statements]


@pytest.mark.parametrize("change", ["answer", "complete"])
def test_answering_or_completing_a_task_reads_its_form_once(world: World, change: str) -> None:
    """The fields read to check the answers (or the required ones) give the task's view
    its answers."""
    api = world.admin
    template_id = make_template(api, steps=2)["id"]
    for step in steps_of(api, template_id):
        add_capture(api, template_id, step["id"], required=False)
    run_id = launch(api, template_id)["id"]
    task = tasks_of(api, run_id)[0]
    capture_id = next(iter(task["taskdata"]))
    with counted(world) as statements:
        if change == "answer":
            path, body = f"/runs/{run_id}/tasks/{task['id']}", {"taskdata": {capture_id: "yes"}}
            answered = ok(api.put(path, body))["data"]
        else:
            path, body = f"/runs/{run_id}/completed-tasks", {"task_id": task["id"]}
            answered = ok(api.post(path, body))["data"]
    assert len(selects_from(statements, "task_fields")) == 1
    assert answered["taskdata"] == {capture_id: "yes" if change == "answer" else None}


def statements_for_write(world: World, method: str, path: str, body: Any = None) -> int:
    api = world.admin
    with counted(world) as statements:
        answer = api.request(method, path, json=body)
        assert answer.status_code < 300, answer.text
    return len(statements)


def test_launching_costs_the_same_for_two_steps_or_twenty(world: World) -> None:
    api = world.admin
    costs = []
    for steps in (2, 20):
        template_id = populate(api, runs=0, steps=steps)
        costs.append(statements_for_write(world, "POST", "/runs", {"checklist_id": template_id}))
    assert costs[0] == costs[1], f"launch: {costs[0]} statements for 2 steps, {costs[1]} for 20"


def test_a_launch_locks_its_organization_once_and_knows_its_caller_is_a_member(
    world: World,
) -> None:
    """The process's number and its tasks' numbers are drawn under one lock of the
    organization's row; the owner, its caller, was authenticated as a member, so only the
    other users it names are looked up."""
    api = world.admin
    template_id = make_template(api, steps=3)["id"]
    with counted(world) as statements:
        ok(api.post("/runs", {"checklist_id": template_id}), 201)
    locks = selects_from(statements, "organizations")
    assert len(locks) == 1, locks
    assert not selects_from(statements, "memberships")
    with counted(world) as statements:
        body = {"checklist_id": template_id, "users": [world.org.standard.user_id]}
        ok(api.post("/runs", body), 201)
    assert len(selects_from(statements, "memberships")) == 1


def test_archive_and_restore_read_their_run_again_only_for_the_answer(world: World) -> None:
    """The run takes the values its UPDATE wrote: nothing reads it back between the cascade
    and the run's view."""
    api = world.admin
    populate(api, runs=1, steps=2)
    run_id = ok(api.get("/runs?per_page=1"))["data"][0]["id"]
    for method, path, status in (
        ("DELETE", f"/runs/{run_id}", "archived"),
        ("PUT", f"/runs/{run_id}/activate", "active"),
    ):
        with counted(world) as statements:
            assert ok(api.request(method, path))["data"]["status"] == status
        updates = [i for i, (sql, _) in enumerate(statements) if sql.lstrip().startswith("UPDATE")]
        reads = selects_from(statements[max(updates) :], "processes")
        assert len(reads) == 1, f"{method} {path}: {reads}"


def test_archive_restore_and_purge_cost_the_same_for_two_tasks_or_twenty(world: World) -> None:
    """The lifecycle cascades are set-based: one statement per table, whatever the rows."""
    api = world.admin
    costs = []
    for steps in (2, 20):
        populate(api, runs=1, steps=steps)
        run_id = ok(api.get("/runs?per_page=1"))["data"][0]["id"]
        costs.append(
            (
                statements_for_write(world, "DELETE", f"/runs/{run_id}"),
                statements_for_write(world, "PUT", f"/runs/{run_id}/activate"),
                statements_for_write(world, "DELETE", f"/runs/{run_id}"),
                statements_for_write(world, "DELETE", f"/runs/{run_id}/delete"),
            )
        )
    assert costs[0] == costs[1], f"(archive, restore, archive, purge): {costs[0]} vs {costs[1]}"


INCLUDES = (
    "tasks,tags,checklist,steps,threads,step,run,form_fields,form_fields_values,stats,children"
)
"""Every `?with=` include some read knows (the others ignore what they do not know)."""

READS = [path for method, path in ROUTES if method == "GET"]
"""Every read of the API, from its own route table, so a new one is counted too."""


FILTERS = "folder_type=run&search=more&on=template,process,task,capture,step"
"""What some reads need to list the objects `grow` adds (the others ignore them)."""


def read_url(path: str, ids: dict[str, Any]) -> str:
    """A read's URL for this organization's objects, its largest page with every include."""
    query = f"per_page=20&with={INCLUDES}&form_fields_values=true&{FILTERS}"
    return "/api" + fill(path, ids) + "?" + query


def grow(world: World, ids: dict[str, Any], more: int) -> None:
    """`more` of every kind, many of them under the very objects `ids` names (its template's
    steps and form fields, its run's tags, its task's comments, its group's members, ...)."""
    api = world.admin
    template_id, org = ids["template_id"], world.org
    ok(api.put(f"/webhooks/{ids['webhook_id']}", {"is_active": True}))  # deliveries for it
    for _ in range(more):
        n = uuid.uuid4().hex[:8]
        step = ok(api.post(f"/checklists/{template_id}/steps", {"title": f"more {n}"}), 201)
        add_capture(api, template_id, step["data"]["id"], label=f"more {n}")
        add_capture(api, template_id, ids["step_id"], label=f"more {n}")
        run = launch(api, template_id, name=f"more {n}")
        other_template = make_template(api, title=f"more {n}", steps=2)
        tag = ok(api.post("/tags", {"title": f"more {n}"}), 201)["data"]
        for tag_id, subject_type, subject_id in (
            (tag["id"], "Run", ids["process_id"]),
            (tag["id"], "Checklist", template_id),
            (tag["id"], "Checklist", other_template["id"]),
            (ids["tag_id"], "Run", run["id"]),
        ):
            tagging = {"tag_id": tag_id, "subject_type": subject_type, "subject_id": subject_id}
            ok(api.post("/checklists/tags", tagging))
        ok(api.post(f"/tasks/{ids['task_id']}/comment", {"content": f"more {n}"}), 201)
        for owners in ({"users": [ids["user_id"]]}, {"guests": [ids["guest_email"]]}):
            make_oneoff(api, owner=org.admin.user_id, title=f"more {n}", owners=owners)
        ok(api.post("/guests", {"email": f"more.{n}@acme.example.com"}), 201)
        members = [org.admin.user_id, org.standard.user_id]
        ok(api.post("/groups", {"name": f"more {n}", "members": members}), 201)
        child = {"name": f"more {n}", "folder_type": "run", "parent_id": ids["folder_id"]}
        ok(api.post("/folders", child), 201)
        filed = {"folder_id": ids["folder_id"], "subject_id": run["id"], "subject_type": "Run"}
        ok(api.post("/folders/add-object", filed))
        hook = {"url": f"http://127.0.0.1:9/{n}", "event_types": ["process.launched"]}
        ok(api.post("/webhooks", hook), 201)
        invite = {"email": f"more.{n}@example.com", "first_name": "More", "last_name": n}
        ok(api.post("/users/invite", invite))
        ok(api.delete(f"/runs/{run['id']}"))  # audit events
        ok(api.put(f"/runs/{run['id']}/activate"))
    everyone = [org.admin.user_id, org.standard.user_id, org.light.user_id]
    ok(api.put(f"/groups/{ids['group_id']}", {"name": "mine", "members": everyone}))
    ok(api.put(f"/webhooks/{ids['webhook_id']}", {"is_active": False}))
    run_async(add_bulk_jobs(world, ids["job_id"], more))


async def add_bulk_jobs(world: World, job_id: str, more: int) -> None:
    """`more` finished jobs, and `more` handled items for the job `job_id`."""
    for _ in range(more):
        await finished_bulk_job(world.settings, world.org.id, world.org.admin.user_id)
    async with unit_of_work(world.settings) as session:
        start = await session.scalar(
            select(func.count()).select_from(BulkJobItem).where(BulkJobItem.job_id == job_id)
        )
        session.add_all(
            BulkJobItem(
                job_id=job_id, position=start + i, object_id=uuid.uuid4().hex, outcome="done"
            )
            for i in range(more)
        )


def test_every_read_costs_the_same_for_one_object_of_each_kind_or_many(
    world: World, ids: dict[str, Any]
) -> None:
    """Each read once with one more of everything, then again with four more: an N+1
    anywhere makes the second count larger."""
    grow(world, ids, more=1)
    for path in READS:
        read_statements(world, read_url(path, ids))  # warm: a first call may read more
    few = {path: read_statements(world, read_url(path, ids)) for path in READS}
    grow(world, ids, more=3)
    many = {path: read_statements(world, read_url(path, ids)) for path in READS}
    assert {p: (few[p], many[p]) for p in READS if few[p] != many[p]} == {}


def template_of(world: World, children: int) -> tuple[str, list[dict[str, Any]]]:
    """A template of `children` steps, each with a form field, and its steps."""
    template_id = populate(world.admin, runs=0, steps=children)
    return template_id, steps_of(world.admin, template_id)


def template_with(world: World, children: int) -> str:
    """A template of `children` steps, each with a form field."""
    return f"/checklists/{template_of(world, children)[0]}"


def task_with(world: World, children: int) -> str:
    """A one-off task with `children` comments."""
    api = world.admin
    task_id = make_oneoff(api, owner=world.org.admin.user_id)["id"]
    for n in range(children):
        ok(api.post(f"/tasks/{task_id}/comment", {"content": f"note {n}"}), 201)
    return f"/tasks/{task_id}"


def tag_with(world: World, children: int) -> str:
    """A tag on `children` processes."""
    api = world.admin
    template_id = make_template(api, steps=1)["id"]
    tag_id = ok(api.post("/tags", {"title": f"tag {uuid.uuid4().hex[:8]}"}), 201)["data"]["id"]
    for _ in range(children):
        launch(api, template_id, tags=[tag_id])
    return f"/tags/{tag_id}"


@pytest.mark.parametrize("make", [template_with, task_with, tag_with])
def test_archive_restore_and_purge_of_templates_tasks_and_tags_cost_the_same_for_2_or_20(
    world: World, make: Callable[[World, int], str]
) -> None:
    costs = []
    for children in (2, 20):
        path = make(world, children)
        costs.append(
            (
                statements_for_write(world, "DELETE", path),
                statements_for_write(world, "PUT", f"{path}/restore"),
                statements_for_write(world, "DELETE", path),
                statements_for_write(world, "DELETE", f"{path}/delete"),
            )
        )
    assert costs[0] == costs[1], f"(archive, restore, archive, purge): {costs[0]} vs {costs[1]}"


Write = tuple[str, str, Any]
"""A write's method, path (in the organization) and body."""


def clone_template(world: World, children: int) -> Write:
    template_id, _ = template_of(world, children)
    return "POST", f"/checklists/{template_id}/clone", {"tenant": world.org.id}


def step_of(world: World, fields: int) -> tuple[str, str]:
    """A template of one step with `fields` form fields: the template's and the step's ids."""
    template_id, steps = template_of(world, 1)
    for n in range(fields - 1):
        add_capture(world.admin, template_id, steps[0]["id"], label=f"field {n}")
    return template_id, steps[0]["id"]


def clone_step(world: World, children: int) -> Write:
    """A step with `children` form fields, copied."""
    template_id, step_id = step_of(world, children)
    return "POST", f"/checklists/{template_id}/steps/{step_id}/clone", {}


def move_last_step_first(world: World, children: int) -> Write:
    template_id, steps = template_of(world, children)
    return "PUT", f"/checklists/{template_id}/steps/{steps[-1]['id']}/reorder", {"position": 1}


def remove_first_step(world: World, children: int) -> Write:
    template_id, steps = template_of(world, children)
    return "DELETE", f"/checklists/{template_id}/steps/{steps[0]['id']}", None


def answer_every_field(world: World, children: int) -> Write:
    """The one task of a run whose step has `children` form fields, all answered at once."""
    api = world.admin
    template_id, _ = step_of(world, children)
    run_id = launch(api, template_id)["id"]
    task = tasks_of(api, run_id)[0]
    answers = dict.fromkeys(task["taskdata"], "yes")
    return "PUT", f"/runs/{run_id}/tasks/{task['id']}", {"taskdata": answers}


def replace_group_guests(world: World, children: int) -> Write:
    guests = [f"guest.{n}.{uuid.uuid4().hex[:6]}@acme.example.com" for n in range(children)]
    group = ok(world.admin.post("/groups", {"name": f"group {uuid.uuid4().hex[:6]}"}), 201)
    return "PUT", f"/groups/{group['data']['id']}", {"guests": guests}


def remove_folder_with_subfolders(world: World, children: int) -> Write:
    folder = {"name": f"folder {uuid.uuid4().hex[:6]}", "folder_type": "run"}
    folder_id = ok(world.admin.post("/folders", folder), 201)["data"]["id"]
    for n in range(children):
        child = {**folder, "name": f"child {n}", "parent_id": folder_id}
        ok(world.admin.post("/folders", child), 201)
    return "DELETE", f"/folders/{folder_id}", None


@pytest.mark.parametrize(
    "write",
    [
        clone_template,
        clone_step,
        move_last_step_first,
        remove_first_step,
        answer_every_field,
        replace_group_guests,
        remove_folder_with_subfolders,
    ],
)
def test_writes_over_many_children_cost_the_same_for_2_or_20(
    world: World, write: Callable[[World, int], Write]
) -> None:
    costs = [statements_for_write(world, *write(world, children)) for children in (2, 20)]
    assert costs[0] == costs[1], f"{write.__name__}: {costs[0]} statements for 2, {costs[1]} for 20"
