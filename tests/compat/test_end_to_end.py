"""A whole workflow through the SDK: design a template, run it, fill it in, finish it."""

import pytest
from tallyfy import TallyfyError, TallyfySDK


@pytest.mark.sdk(
    "create_template",
    "add_step_to_template",
    "add_form_field_to_step",
    "get_template_with_steps",
    "launch_process",
    "update_task",
    "complete_task",
    "get_process",
    "get_organization_runs",
    "get_tasks_for_process",
)
def test_a_process_with_a_required_field_runs_to_complete_once_every_task_is_done(
    sdk: TallyfySDK, org_id: str
) -> None:
    template = sdk.create_template(org_id, "Employee onboarding", summary="Day one to week one")
    assert template is not None
    paperwork = sdk.add_step_to_template(org_id, template.id, {"title": "Collect paperwork"})
    laptop = sdk.add_step_to_template(org_id, template.id, {"title": "Set up a laptop"})
    welcome = sdk.add_step_to_template(org_id, template.id, {"title": "Welcome lunch"})
    tax_id = sdk.add_form_field_to_step(
        org_id, template.id, paperwork["id"], {"field_type": "text", "label": "Tax id"}
    )
    notes = sdk.add_form_field_to_step(
        org_id,
        template.id,
        paperwork["id"],
        {"field_type": "textarea", "label": "Notes", "required": False},
    )
    serial = sdk.add_form_field_to_step(
        org_id, template.id, laptop["id"], {"field_type": "text", "label": "Serial number"}
    )
    assert tax_id is not None
    assert notes is not None
    assert serial is not None
    designed = sdk.get_template_with_steps(org_id, template.id)
    assert designed is not None
    assert designed["step_count"] == 3
    assert [len(step["captures"]) for step in designed["steps"]] == [2, 1, 0]

    run = sdk.launch_process(org_id, template.id, "Onboarding: Ada Lovelace")
    tasks = sdk.get_tasks_for_process(org_id, process_id=run.id).data
    assert [task.title for task in tasks] == [
        "Collect paperwork",
        "Set up a laptop",
        "Welcome lunch",
    ]
    assert [task.step_id for task in tasks] == [paperwork["id"], laptop["id"], welcome["id"]]
    by_step = {task.step_id: task for task in tasks}

    # A required field left empty blocks completion, and nothing changes.
    first = by_step[paperwork["id"]]
    with pytest.raises(TallyfyError) as refused:
        sdk.complete_task(org_id, run.id, first.id)
    assert refused.value.status_code == 422
    assert sdk.get_process(org_id, run.id).progress.complete == 0

    filled = sdk.update_task(org_id, run.id, first.id, taskdata={tax_id.id: "123-45-6789"})
    assert filled.taskdata is not None
    assert filled.taskdata[tax_id.id] == "123-45-6789"
    assert filled.taskdata.get(notes.id) is None
    done = sdk.complete_task(org_id, run.id, first.id)
    assert done.status == "completed"

    second = by_step[laptop["id"]]
    sdk.update_task(org_id, run.id, second.id, taskdata={serial.id: "SN-0042"})
    assert sdk.complete_task(org_id, run.id, second.id).status == "completed"
    midway = sdk.get_process(org_id, run.id)
    assert midway.status == "active"
    assert (midway.progress.complete, midway.progress.total) == (2, 3)

    assert sdk.complete_task(org_id, run.id, by_step[welcome["id"]].id).status == "completed"

    finished = sdk.get_process(org_id, run.id)
    assert finished.status == "complete"
    assert finished.completed_at is not None
    assert (finished.progress.complete, finished.progress.total) == (3, 3)
    assert finished.progress.percent == 100
    final_tasks = sdk.get_tasks_for_process(org_id, process_id=run.id).data
    assert [task.status for task in final_tasks] == ["completed"] * 3
    assert final_tasks[0].taskdata is not None
    assert final_tasks[0].taskdata[tax_id.id] == "123-45-6789"
    assert final_tasks[1].taskdata is not None
    assert final_tasks[1].taskdata[serial.id] == "SN-0042"
    complete_runs = sdk.get_organization_runs(org_id, checklist_id=template.id, status="complete")
    assert [r.id for r in complete_runs.data] == [run.id]
