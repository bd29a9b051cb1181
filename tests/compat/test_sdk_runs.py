"""Runs and their tasks through the SDK: run-list filters, launch options, task-list
filters, status and position updates, issues and the kick-off form.

The organization is shared by every compat test, so each test scopes what it reads to the
template it built (`checklist_id`) or to ids it made up for itself."""

import uuid
from collections.abc import Callable
from typing import Any

import httpx2 as httpx
import pytest
from tallyfy import TallyfyError, TallyfySDK

from tests.compat.conftest import Blueprint, LiveServer

PAST = "2020-01-01 00:00:00"


def admin_http(live_server: LiveServer, method: str, path: str, **body: Any) -> Any:
    """Setup the SDK cannot do, over plain HTTP as the admin; the JSON answer."""
    response = httpx.request(
        method,
        f"{live_server.base_url}/api/organizations/{live_server.org.id}{path}",
        json=body,
        headers={"Authorization": f"Bearer {live_server.org.admin.token}"},
    )
    assert response.status_code == 200, response.text
    return response.json()


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def run_ids(runs: Any) -> list[str]:
    return [run.id for run in runs.data]


def task_titles(tasks: Any) -> list[str]:
    return [task.title for task in tasks.data]


@pytest.mark.sdk("get_organization_runs")
def test_get_organization_runs_filters_by_groups_owners_and_task_status(
    sdk: TallyfySDK,
    org_id: str,
    build_template: Callable[..., Blueprint],
    live_server: LiveServer,
) -> None:
    blueprint = build_template(steps=2)
    grouped = sdk.launch_process(org_id, blueprint.id, "Grouped")
    finished = sdk.launch_process(org_id, blueprint.id, "Finished")
    group = unique("group")
    first = sdk.get_tasks_for_process(org_id, process_id=grouped.id).data[0]
    sdk.update_task(org_id, grouped.id, first.id, owners={"users": [], "groups": [group]})
    for task in sdk.get_tasks_for_process(org_id, process_id=finished.id).data:
        sdk.complete_task(org_id, finished.id, task.id)

    assert run_ids(sdk.get_organization_runs(org_id, groups=group)) == [grouped.id]
    in_template = {"checklist_id": blueprint.id}
    done = sdk.get_organization_runs(org_id, task_status="completed", **in_template)
    assert run_ids(done) == [finished.id]
    busy = sdk.get_organization_runs(org_id, task_status="in-progress", **in_template)
    assert run_ids(busy) == [grouped.id]
    admin = str(live_server.org.admin.user_id)
    mine = sdk.get_organization_runs(org_id, owners=admin, sort="created_at", **in_template)
    assert run_ids(mine) == [grouped.id, finished.id]
    standard = str(live_server.org.standard.user_id)
    assert run_ids(sdk.get_organization_runs(org_id, owners=standard, **in_template)) == []


@pytest.mark.sdk("get_organization_runs", "report_task_issue")
def test_get_organization_runs_filters_by_status_issue_problem_and_delayed(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    blueprint = build_template(steps=1)
    troubled = sdk.launch_process(org_id, blueprint.id, "Troubled")
    late = sdk.launch_process(org_id, blueprint.id, "Late")
    calm = sdk.launch_process(org_id, blueprint.id, "Calm")
    issue_task = sdk.get_tasks_for_process(org_id, process_id=troubled.id).data[0]
    sdk.report_task_issue(org_id, issue_task.id, "Blocked")
    late_task = sdk.get_tasks_for_process(org_id, process_id=late.id).data[0]
    sdk.update_task(org_id, late.id, late_task.id, deadline=PAST)

    def listed(status: str) -> list[str]:
        return run_ids(sdk.get_organization_runs(org_id, checklist_id=blueprint.id, status=status))

    assert listed("issue") == [troubled.id]
    assert listed("problem") == [troubled.id]
    assert listed("delayed") == [late.id]
    assert set(listed("active")) == {late.id, calm.id}
    delayed = sdk.get_organization_runs(org_id, checklist_id=blueprint.id, status="delayed")
    assert (delayed.data[0].late_tasks, delayed.data[0].due_date_passed) == (1, True)


@pytest.mark.sdk("get_organization_runs")
def test_get_organization_runs_filters_by_starred_type_tag_sort_and_archived(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    blueprint = build_template(steps=1)
    bravo = sdk.launch_process(org_id, blueprint.id, "Bravo")
    alpha = sdk.launch_process(org_id, blueprint.id, "Alpha")
    gone = sdk.launch_process(org_id, blueprint.id, "Gone")
    sdk.update_process(org_id, bravo.id, starred=True)
    tag = sdk.create_tag(org_id, unique("tag"))
    sdk.tag_process(org_id, alpha.id, tag.id)
    sdk.archive_process(org_id, gone.id)
    scope = {"checklist_id": blueprint.id}

    assert run_ids(sdk.get_organization_runs(org_id, starred=True, **scope)) == [bravo.id]
    assert run_ids(sdk.get_organization_runs(org_id, starred=False, **scope)) == [alpha.id]
    procedures = sdk.get_organization_runs(org_id, run_type="procedure", sort="name", **scope)
    assert run_ids(procedures) == [alpha.id, bravo.id]
    assert run_ids(sdk.get_organization_runs(org_id, run_type="form", **scope)) == []
    assert run_ids(sdk.get_organization_runs(org_id, tag=tag.id)) == [alpha.id]
    newest = sdk.get_organization_runs(org_id, sort="-created_at", **scope)
    assert run_ids(newest) == [alpha.id, bravo.id]
    assert run_ids(sdk.get_organization_runs(org_id, archived="only", **scope)) == [gone.id]
    everything = sdk.get_organization_runs(org_id, archived="true", sort="created_at", **scope)
    assert run_ids(everything) == [bravo.id, alpha.id, gone.id]
    assert everything.data[2].status == "archived"


@pytest.mark.sdk("get_organization_runs")
def test_get_organization_runs_adds_form_field_values_when_asked(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    blueprint = build_template(steps=1)
    field = sdk.add_form_field_to_step(
        org_id,
        blueprint.id,
        blueprint.steps[0]["id"],
        {"field_type": "text", "label": "Serial", "required": False},
    )
    assert field is not None
    run = sdk.launch_process(org_id, blueprint.id, "With values")
    task = sdk.get_tasks_for_process(org_id, process_id=run.id).data[0]
    sdk.update_task(org_id, run.id, task.id, taskdata={field.id: "SN-1"})

    runs = sdk.get_organization_runs(org_id, checklist_id=blueprint.id, form_fields_values=True)
    assert runs.data[0].extra["form_fields_values"] == {field.id: "SN-1"}
    plain = sdk.get_organization_runs(org_id, checklist_id=blueprint.id)
    assert "form_fields_values" not in plain.data[0].extra


@pytest.mark.sdk("launch_process")
def test_launch_process_honours_members_groups_roles_and_hidden_fields(
    sdk: TallyfySDK,
    org_id: str,
    build_template: Callable[..., Blueprint],
    live_server: LiveServer,
) -> None:
    standard = live_server.org.standard.user_id
    blueprint = build_template(steps=2)
    for step in blueprint.steps:  # the SDK's step writes do not carry `roles`
        admin_http(
            live_server, "PUT", f"/checklists/{blueprint.id}/steps/{step['id']}", roles=["reviewer"]
        )
    group = unique("group")

    run = sdk.launch_process(
        org_id,
        blueprint.id,
        "Reviewed",
        users=[standard],
        groups=[group],
        publicly_hidden_fields=["comments"],
        roles={"reviewer": {"users": [standard], "guests": [], "groups": [group]}},
        is_public=True,
    )

    assert run.name == "Reviewed"
    assert run.extra["users"] == [standard]
    assert run.extra["groups"] == [group]
    assert run.extra["publicly_hidden_fields"] == ["comments"]
    assert run.extra["is_public"] is True
    assert standard in run.collaborators
    tasks = sdk.get_tasks_for_process(org_id, process_id=run.id).data
    assert [task.owners.users for task in tasks] == [[standard], [standard]]
    assert [task.owners.groups for task in tasks] == [[group], [group]]
    again = sdk.get_process(org_id, run.id)
    assert (again.extra["users"], again.extra["groups"]) == ([standard], [group])


@pytest.mark.sdk("launch_process")
def test_launch_process_with_assign_someone_else_and_task_overrides(
    sdk: TallyfySDK,
    org_id: str,
    build_template: Callable[..., Blueprint],
    live_server: LiveServer,
) -> None:
    standard = live_server.org.standard.user_id
    blueprint = build_template(steps=3)
    last = blueprint.steps[2]["id"]
    overrides = {
        last: {
            "position": 1,
            "deadline": "2031-05-01 09:00:00",
            "max_assignable": 2,
            "owners": {"users": [standard], "guests": [], "groups": []},
        }
    }

    run = sdk.launch_process(
        org_id, blueprint.id, "Delegated", assign_someone_else=True, tasks=overrides
    )

    assert run.assign_someone_else is True
    tasks = sdk.get_tasks_for_process(org_id, process_id=run.id).data
    assert [task.title for task in tasks] == ["Step 3", "Step 1", "Step 2"]
    assert [task.position for task in tasks] == [1, 2, 3]
    assert tasks[0].deadline is not None
    assert tasks[0].deadline.startswith("2031-05-01T09:00:00")
    assert (tasks[0].max_assignable, tasks[0].owners.users) == (2, [standard])
    # Someone else, not the launcher, takes the steps nobody is assigned to.
    assert [task.owners.users for task in tasks[1:]] == [[], []]


@pytest.mark.sdk("get_tasks_for_process")
def test_get_tasks_for_process_filters_by_owners_groups_guests_and_unassigned(
    sdk: TallyfySDK,
    org_id: str,
    build_template: Callable[..., Blueprint],
    live_server: LiveServer,
) -> None:
    standard = live_server.org.standard.user_id
    run = sdk.launch_process(org_id, build_template(steps=4).id, "Assigned four ways")
    tasks = sdk.get_tasks_for_process(org_id, process_id=run.id).data
    owners: list[dict[str, list[Any]]] = [
        {"users": [standard], "guests": [], "groups": []},
        {"users": [], "guests": [], "groups": ["g-run"]},
        {"users": [], "guests": ["pat@example.com"], "groups": []},
        {"users": [], "guests": [], "groups": []},
    ]
    for task, owner in zip(tasks, owners, strict=True):
        sdk.update_task(org_id, run.id, task.id, owners=owner)

    def titles(**query: Any) -> list[str]:
        return task_titles(sdk.get_tasks_for_process(org_id, process_id=run.id, **query))

    assert titles(owners=str(standard)) == ["Step 1"]
    assert titles(groups="g-run") == ["Step 2"]
    assert titles(guests="pat@example.com") == ["Step 3"]
    assert titles(unassigned=True) == ["Step 4"]
    assert titles(unassigned=False) == ["Step 1", "Step 2", "Step 3", "Step 4"]


@pytest.mark.sdk("get_tasks_for_process")
def test_get_tasks_for_process_filters_by_status_deadline_and_sorts(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    run = sdk.launch_process(org_id, build_template(steps=3).id, "Deadlines")
    tasks = sdk.get_tasks_for_process(org_id, process_id=run.id).data
    for task, day in zip(tasks, ("2031-03-01", "2031-03-02", "2031-03-05"), strict=True):
        sdk.update_task(org_id, run.id, task.id, deadline=f"{day} 12:00:00")
    sdk.complete_task(org_id, run.id, tasks[0].id)
    sdk.report_task_issue(org_id, tasks[1].id, "Stuck")

    def titles(**query: Any) -> list[str]:
        return task_titles(sdk.get_tasks_for_process(org_id, process_id=run.id, **query))

    assert titles(status="complete") == ["Step 1"]
    assert titles(status="incomplete") == ["Step 2", "Step 3"]
    assert titles(status="hasproblem") == ["Step 2"]
    assert titles(deadline_start_range="2031-03-02", deadline_end_range="2031-03-05") == [
        "Step 2",
        "Step 3",
    ]
    assert titles(deadline_end_range="2031-03-01") == ["Step 1"]
    assert titles(sort="-deadline") == ["Step 3", "Step 2", "Step 1"]
    assert titles(sort="-position") == ["Step 3", "Step 2", "Step 1"]


@pytest.mark.sdk("get_tasks_for_process")
def test_get_tasks_for_process_pages_whole_current_and_replaced(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    run = sdk.launch_process(org_id, build_template(steps=12).id, "Twelve steps")

    whole = sdk.get_tasks_for_process(org_id, process_id=run.id)
    assert len(whole.data) == 12
    assert whole.meta is not None
    ids = [task.id for task in whole.data]

    def titles(**query: Any) -> list[str]:
        found = sdk.get_tasks_for_process(
            org_id, process_id=run.id, without_pagination="false", per_page=5, **query
        )
        return task_titles(found)

    assert titles(page=1) == [f"Step {n}" for n in range(1, 6)]
    assert titles(page=1, current_task=ids[11]) == ["Step 11", "Step 12"]
    assert titles(page=1, replace_page=2) == [f"Step {n}" for n in range(6, 11)]


@pytest.mark.sdk("update_task")
def test_update_task_status_completes_and_reopens_and_position_moves(
    sdk: TallyfySDK,
    org_id: str,
    build_template: Callable[..., Blueprint],
    live_server: LiveServer,
) -> None:
    run = sdk.launch_process(org_id, build_template(steps=3).id, "Status and position")
    tasks = sdk.get_tasks_for_process(org_id, process_id=run.id).data

    moved = sdk.update_task(org_id, run.id, tasks[2].id, position=1)
    assert moved.position == 1
    after = sdk.get_tasks_for_process(org_id, process_id=run.id).data
    assert [task.title for task in after] == ["Step 3", "Step 1", "Step 2"]

    done = sdk.update_task(org_id, run.id, tasks[0].id, status="completed")
    assert done.status == "completed"
    assert done.completer_id == live_server.org.admin.user_id
    assert sdk.get_process(org_id, run.id).progress.complete == 1
    reopened = sdk.update_task(org_id, run.id, tasks[0].id, status="in-progress")
    assert (reopened.status, reopened.completed_at) == ("in-progress", None)
    assert sdk.get_process(org_id, run.id).progress.complete == 0
    assert sdk.update_task(org_id, run.id, tasks[1].id, status="not-started").status == (
        "not-started"
    )
    for task in tasks:
        sdk.update_task(org_id, run.id, task.id, status="completed")
    assert sdk.get_process(org_id, run.id).status == "complete"


@pytest.mark.sdk("update_standalone_task")
def test_update_standalone_task_status_completes_and_reopens(
    sdk: TallyfySDK, org_id: str, live_server: LiveServer
) -> None:
    admin = live_server.org.admin.user_id
    task = sdk.create_task(org_id, "Standalone status", "2031-01-31 17:00:00", user_ids=[admin])
    assert task is not None

    done = sdk.update_standalone_task(org_id, task.id, status="completed")
    assert (done.status, done.completer_id) == ("completed", admin)
    assert sdk.get_standalone_task(org_id, task.id).completed_at is not None
    reopened = sdk.update_standalone_task(org_id, task.id, status="in-progress")
    assert (reopened.status, reopened.completed_at) == ("in-progress", None)


@pytest.mark.sdk("report_task_issue", "update_task")
def test_report_task_issue_flags_the_task_and_run_and_blocks_completion(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    run = sdk.launch_process(org_id, build_template(steps=1).id, "Issue reported")
    task = sdk.get_tasks_for_process(org_id, process_id=run.id).data[0]

    issue = sdk.report_task_issue(org_id, task.id, "The laptop has not arrived")

    assert (issue.label, issue.content) == ("problem", "The laptop has not arrived")
    assert sdk.get_task(org_id, run.id, task.id).problem is True
    assert sdk.get_process(org_id, run.id).status == "problem"
    comments = sdk.get_task_comments(org_id, run.id, task.id)
    assert [comment.id for comment in comments] == [issue.id]
    with pytest.raises(TallyfyError, match=r"422|issue"):
        sdk.complete_task(org_id, run.id, task.id)
    with pytest.raises(TallyfyError, match=r"422|issue"):
        sdk.update_task(org_id, run.id, task.id, status="completed")
    assert sdk.get_task(org_id, run.id, task.id).status != "completed"


@pytest.mark.sdk("resolve_task_issues")
def test_resolve_task_issues_through_the_threads_manager_clears_the_flags(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    run = sdk.launch_process(org_id, build_template(steps=1).id, "Issue resolved")
    task = sdk.get_tasks_for_process(org_id, process_id=run.id).data[0]
    issue = sdk.report_task_issue(org_id, task.id, "Stuck")

    assert sdk.threads.resolve_task_issues(org_id, task.id, issue.id) is True

    assert sdk.get_task(org_id, run.id, task.id).problem is False
    assert sdk.get_process(org_id, run.id).status == "active"
    threads = {c.id: c for c in sdk.get_task_comments(org_id, run.id, task.id)}
    resolution = next(c for c in threads.values() if c.label == "resolve")
    assert resolution.content == "Resolved"
    assert threads[issue.id].resolve_id == resolution.id
    done = sdk.complete_task(org_id, run.id, task.id)
    assert done.status == "completed"


@pytest.mark.sdk("resolve_task_issues")
def test_resolve_task_issues_facade_raises_before_sending_anything(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    """The SDK's facade never passes the required `thread_id` (docs/SDK-COMPAT.md, quirk 1)."""
    run = sdk.launch_process(org_id, build_template(steps=1).id, "Facade")
    task = sdk.get_tasks_for_process(org_id, process_id=run.id).data[0]
    sdk.report_task_issue(org_id, task.id, "Stuck")
    sent: list[tuple[Any, ...]] = []
    send = sdk._make_request

    def recording(*args: Any, **kwargs: Any) -> Any:
        sent.append(args)
        return send(*args, **kwargs)

    sdk._make_request = recording
    try:
        with pytest.raises(TypeError, match="thread_id"):
            sdk.resolve_task_issues(org_id, task.id)
    finally:
        sdk._make_request = send
    assert sent == []
    assert sdk.get_task(org_id, run.id, task.id).problem is True


def kickoff_blueprint(sdk: TallyfySDK, live_server: LiveServer, title: str) -> tuple[str, str]:
    """A template with one step and one required kick-off field (set up over plain HTTP: the
    SDK has no method that adds kick-off fields)."""
    template = sdk.create_template(live_server.org.id, title)
    assert template is not None
    sdk.add_step_to_template(live_server.org.id, template.id, {"title": "Step 1"})
    prerun = [{"field_type": "text", "label": "Client", "required": True}]
    updated = admin_http(live_server, "PUT", f"/checklists/{template.id}", prerun=prerun)
    return template.id, updated["data"]["prerun"][0]["id"]


@pytest.mark.sdk("complete_kickoff_form", "reopen_kickoff_form")
def test_complete_and_reopen_the_kickoff_form(
    sdk: TallyfySDK, org_id: str, live_server: LiveServer
) -> None:
    template_id, field_id = kickoff_blueprint(sdk, live_server, "Kick-off complete")
    run = sdk.launch_process(org_id, template_id, "Kick-off", prerun={field_id: "Acme"})
    assert run.extra["prerun_status"] == "pending"

    assert sdk.complete_kickoff_form(org_id, run.id) is True
    completed = sdk.get_process(org_id, run.id)
    assert completed.extra["prerun_status"] == "complete"
    assert completed.prerun_completed_by == live_server.org.admin.user_id
    assert sdk.complete_kickoff_form(org_id, run.id) is True
    assert sdk.get_process(org_id, run.id).prerun_completed_at == completed.prerun_completed_at

    assert sdk.reopen_kickoff_form(org_id, run.id) is True
    reopened = sdk.get_process(org_id, run.id)
    assert (reopened.extra["prerun_status"], reopened.prerun_completed_at) == ("pending", None)
    assert sdk.reopen_kickoff_form(org_id, run.id) is True


@pytest.mark.sdk("complete_kickoff_form")
def test_complete_kickoff_form_is_refused_while_a_required_value_is_empty(
    sdk: TallyfySDK, org_id: str, live_server: LiveServer
) -> None:
    template_id, field_id = kickoff_blueprint(sdk, live_server, "Kick-off refused")
    run = sdk.launch_process(org_id, template_id, "Kick-off", prerun={field_id: "Acme"})
    admin_http(live_server, "PUT", f"/runs/{run.id}", prerun={field_id: ""})

    with pytest.raises(TallyfyError, match=r"422|required"):
        sdk.complete_kickoff_form(org_id, run.id)
    assert sdk.get_process(org_id, run.id).extra["prerun_status"] == "pending"
