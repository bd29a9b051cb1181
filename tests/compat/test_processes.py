"""Launching processes from templates and reading them back through the SDK."""

from collections.abc import Callable

import pytest
from tallyfy import Run, RunsList, TallyfySDK, TasksList

from tests.compat.conftest import Blueprint, LiveServer


@pytest.mark.sdk("launch_process")
def test_launch_process_starts_an_active_run_with_one_task_per_step(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint], live_server: LiveServer
) -> None:
    blueprint = build_template(steps=3)

    run = sdk.launch_process(org_id, blueprint.id, "Acme onboarding", summary="For Acme")

    assert isinstance(run, Run)
    assert len(run.id) == 32
    assert run.name == "Acme onboarding"
    assert run.summary == "For Acme"
    assert run.checklist_id == blueprint.id
    assert run.checklist_title == blueprint.title
    assert run.status == "active"
    assert run.started_by == live_server.org.admin.user_id
    assert run.owner_id == live_server.org.admin.user_id
    assert run.progress is not None
    assert (run.progress.complete, run.progress.total, run.progress.percent) == (0, 3, 0)
    assert run.completed_at is None
    assert run.archived_at is None


@pytest.mark.sdk("launch_process", "get_process")
def test_get_process_returns_the_launched_run(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    blueprint = build_template(steps=2)
    launched = sdk.launch_process(org_id, blueprint.id, "Read me back")

    run = sdk.get_process(org_id, launched.id)

    assert run.id == launched.id
    assert run.name == "Read me back"
    assert run.checklist_id == blueprint.id
    assert run.status == "active"
    assert run.progress is not None
    assert run.progress.total == 2


@pytest.mark.sdk("launch_process", "get_organization_runs")
def test_get_organization_runs_lists_the_runs_of_a_template(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    blueprint = build_template(steps=1)
    first = sdk.launch_process(org_id, blueprint.id, "First run")
    second = sdk.launch_process(org_id, blueprint.id, "Second run")
    other = build_template(steps=1, title="Some other template")
    sdk.launch_process(org_id, other.id, "Unrelated run")

    runs = sdk.get_organization_runs(org_id, checklist_id=blueprint.id)

    assert isinstance(runs, RunsList)
    assert {run.id: run.name for run in runs.data} == {
        first.id: "First run",
        second.id: "Second run",
    }
    assert all(run.checklist_id == blueprint.id for run in runs.data)
    assert all(run.status == "active" for run in runs.data)
    assert runs.count == 2
    assert runs.meta is not None
    assert runs.meta.total == 2


@pytest.mark.sdk("launch_process", "get_organization_runs")
def test_get_organization_runs_includes_a_new_run_in_the_unfiltered_list(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    blueprint = build_template(steps=1)
    run = sdk.launch_process(org_id, blueprint.id, "Newest run")

    runs = sdk.get_organization_runs(org_id, sort="-created_at")

    assert runs.data[0].id == run.id
    assert runs.data[0].name == "Newest run"
    assert runs.meta is not None
    assert runs.meta.total >= 1
    assert runs.meta.per_page == 25


@pytest.mark.sdk("launch_process", "get_tasks_for_process")
def test_get_tasks_for_process_returns_the_tasks_in_step_order(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint], live_server: LiveServer
) -> None:
    blueprint = build_template(steps=3)
    run = sdk.launch_process(org_id, blueprint.id, "Three tasks")

    tasks = sdk.get_tasks_for_process(org_id, process_id=run.id)

    assert isinstance(tasks, TasksList)
    assert [task.title for task in tasks.data] == ["Step 1", "Step 2", "Step 3"]
    assert [task.step_id for task in tasks.data] == [step["id"] for step in blueprint.steps]
    assert all(task.run_id == run.id for task in tasks.data)
    assert all(task.status == "not-started" for task in tasks.data)
    assert all(task.is_oneoff_task is False for task in tasks.data)
    assert all(task.owners is not None for task in tasks.data)
    admin = live_server.org.admin.user_id
    assert all(task.owners.users == [admin] for task in tasks.data if task.owners)
    assert tasks.count == 3
