"""Completing, reopening, creating and listing tasks through the SDK."""

from collections.abc import Callable

import pytest
from tallyfy import TallyfySDK, Task, TasksList

from tests.compat.conftest import Blueprint, LiveServer

DEADLINE = "2030-01-31 17:00:00"


@pytest.mark.sdk("launch_process", "complete_task", "get_process", "get_tasks_for_process")
def test_complete_task_marks_it_completed_and_advances_the_run_progress(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint], live_server: LiveServer
) -> None:
    blueprint = build_template(steps=2)
    run = sdk.launch_process(org_id, blueprint.id, "Complete one")
    first = sdk.get_tasks_for_process(org_id, process_id=run.id).data[0]

    task = sdk.complete_task(org_id, run.id, first.id)

    assert isinstance(task, Task)
    assert task.id == first.id
    assert task.status == "completed"
    assert task.completed_at is not None
    assert task.completer_id == live_server.org.admin.user_id
    process = sdk.get_process(org_id, run.id)
    assert process.status == "active"
    assert process.progress is not None
    assert (process.progress.complete, process.progress.total) == (1, 2)
    assert process.progress.percent == 50


@pytest.mark.sdk(
    "launch_process", "complete_task", "reopen_task", "get_process", "get_tasks_for_process"
)
def test_reopen_task_returns_a_completed_task_to_in_progress(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    blueprint = build_template(steps=2)
    run = sdk.launch_process(org_id, blueprint.id, "Reopen one")
    first = sdk.get_tasks_for_process(org_id, process_id=run.id).data[0]
    sdk.complete_task(org_id, run.id, first.id)

    task = sdk.reopen_task(org_id, run.id, first.id)

    assert task.id == first.id
    assert task.status == "in-progress"
    assert task.completed_at is None
    assert task.completer_id is None
    process = sdk.get_process(org_id, run.id)
    assert process.progress is not None
    assert process.progress.complete == 0


@pytest.mark.sdk(
    "launch_process", "complete_task", "reopen_task", "get_process", "get_tasks_for_process"
)
def test_reopen_task_returns_a_complete_run_to_active(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    blueprint = build_template(steps=1)
    run = sdk.launch_process(org_id, blueprint.id, "Finish then reopen")
    only = sdk.get_tasks_for_process(org_id, process_id=run.id).data[0]
    sdk.complete_task(org_id, run.id, only.id)
    assert sdk.get_process(org_id, run.id).status == "complete"

    sdk.reopen_task(org_id, run.id, only.id)

    process = sdk.get_process(org_id, run.id)
    assert process.status == "active"
    assert process.completed_at is None


@pytest.mark.sdk("create_task")
def test_create_task_makes_a_one_off_task_for_the_given_member(
    sdk: TallyfySDK, org_id: str, live_server: LiveServer
) -> None:
    light = live_server.org.light.user_id

    task = sdk.create_task(
        org_id, "Call the client", DEADLINE, user_ids=[light], description="Ask about renewal"
    )

    assert isinstance(task, Task)
    assert len(task.id) == 32
    assert task.title == "Call the client"
    assert task.summary == "Ask about renewal"
    assert task.is_oneoff_task is True
    assert task.run_id is None
    assert task.task_type == "task"
    assert task.status == "not-started"
    assert task.owners is not None
    assert task.owners.users == [light]
    assert task.deadline is not None
    assert task.deadline.startswith("2030-01-31T17:00:00")


@pytest.mark.sdk("create_task", "launch_process", "get_my_tasks", "get_tasks_for_process")
def test_get_my_tasks_lists_exactly_the_tasks_assigned_to_the_caller(
    sdk: TallyfySDK,
    standard_sdk: TallyfySDK,
    org_id: str,
    build_template: Callable[..., Blueprint],
    live_server: LiveServer,
) -> None:
    member = live_server.org.standard.user_id
    oneoff = sdk.create_task(org_id, "Review the budget", DEADLINE, user_ids=[member])
    blueprint = build_template(steps=2, assignees=[member])
    run = sdk.launch_process(org_id, blueprint.id, "Assigned to standard")
    run_tasks = sdk.get_tasks_for_process(org_id, process_id=run.id).data
    light = live_server.org.light.user_id
    not_mine = sdk.create_task(org_id, "Not for them", DEADLINE, user_ids=[light])
    assert oneoff is not None
    assert not_mine is not None

    mine = standard_sdk.get_my_tasks(org_id)

    assert isinstance(mine, TasksList)
    made_here = {oneoff.id, not_mine.id, *(task.id for task in run_tasks)}
    assert {task.id for task in mine.data} & made_here == {
        oneoff.id,
        *(task.id for task in run_tasks),
    }
    assert all(task.owners is not None and member in task.owners.users for task in mine.data)
    assert mine.count == len(mine.data)
    titles = {task.id: task.title for task in mine.data}
    assert titles[oneoff.id] == "Review the budget"
    assert [titles[task.id] for task in run_tasks] == ["Step 1", "Step 2"]


@pytest.mark.sdk("launch_process", "complete_task", "get_my_tasks", "get_tasks_for_process")
def test_get_my_tasks_includes_completed_tasks_by_default(
    sdk: TallyfySDK,
    standard_sdk: TallyfySDK,
    org_id: str,
    build_template: Callable[..., Blueprint],
    live_server: LiveServer,
) -> None:
    member = live_server.org.standard.user_id
    blueprint = build_template(steps=2, assignees=[member])
    run = sdk.launch_process(org_id, blueprint.id, "Half done for standard")
    first, second = sdk.get_tasks_for_process(org_id, process_id=run.id).data
    standard_sdk.complete_task(org_id, run.id, first.id)

    everything = standard_sdk.get_my_tasks(org_id)
    active = standard_sdk.get_my_tasks(org_id, status="active")

    statuses = {task.id: task.status for task in everything.data}
    assert statuses[first.id] == "completed"
    assert statuses[second.id] == "not-started"
    active_ids = {task.id for task in active.data}
    assert second.id in active_ids
    assert first.id not in active_ids


@pytest.mark.sdk("add_form_field_to_step", "launch_process", "update_task", "get_tasks_for_process")
def test_update_task_stores_form_values_by_capture_id(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    blueprint = build_template(steps=1)
    step_id = blueprint.steps[0]["id"]
    capture = sdk.add_form_field_to_step(
        org_id, blueprint.id, step_id, {"field_type": "text", "label": "PO number"}
    )
    assert capture is not None
    run = sdk.launch_process(org_id, blueprint.id, "Fill a field")
    task = sdk.get_tasks_for_process(org_id, process_id=run.id).data[0]

    updated = sdk.update_task(org_id, run.id, task.id, taskdata={capture.id: "PO-1234"})

    assert updated.id == task.id
    assert updated.taskdata is not None
    assert updated.taskdata[capture.id] == "PO-1234"
    reread = sdk.get_tasks_for_process(org_id, process_id=run.id).data[0]
    assert reread.taskdata is not None
    assert reread.taskdata[capture.id] == "PO-1234"
