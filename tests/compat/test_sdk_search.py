"""Search through the SDK: every search method, and the by-name paths of `get_template`,
`get_template_with_steps` and `get_tasks_for_process`. The organization is shared by every
compat test, so each test searches for a word only it has used."""

import uuid
from collections.abc import Callable

import pytest
from tallyfy import TallyfyError, TallyfySDK
from tallyfy.models import SearchResultsList

from tests.compat.conftest import Blueprint, LiveServer

DEADLINE = "2030-01-31 17:00:00"


def unique() -> str:
    return "w" + uuid.uuid4().hex[:12]


@pytest.mark.sdk("search", "search_templates", "search_processes", "search_tasks")
def test_search_finds_templates_processes_and_tasks_by_word(
    sdk: TallyfySDK,
    org_id: str,
    build_template: Callable[..., Blueprint],
    live_server: LiveServer,
) -> None:
    owner = live_server.org.admin.user_id
    word = unique()
    blueprint = build_template(steps=1, title=f"Audit {word}")
    run = sdk.launch_process(org_id, blueprint.id, f"Run {word}")
    assert run is not None
    task = sdk.create_task(org_id, f"Call {word}", DEADLINE, user_ids=[owner])
    assert task is not None

    templates = sdk.search_templates(org_id, word)
    processes = sdk.search_processes(org_id, word)
    tasks = sdk.search_tasks(org_id, word)
    generic = sdk.search(org_id, word, on="process")

    assert isinstance(templates, SearchResultsList)
    assert [(r.id, r.title) for r in templates.data] == [(blueprint.id, f"Audit {word}")]
    assert templates.data[0].steps_count == 1
    assert [(r.id, r.name) for r in processes.data] == [(run.id, f"Run {word}")]
    assert [r.id for r in generic.data] == [run.id]
    assert generic.count == 1
    assert generic.meta is not None
    assert generic.meta.total == 1
    assert [(r.id, r.title, r.is_oneoff_task) for r in tasks.data] == [
        (task.id, f"Call {word}", True)
    ]
    assert tasks.data[0].owners is not None
    assert tasks.data[0].owners.users == [owner]


@pytest.mark.sdk("search_all", "search_snippets")
def test_search_all_answers_one_block_per_type(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    word = unique()
    blueprint = build_template(steps=0, title=f"Both {word}")
    run = sdk.launch_process(org_id, blueprint.id, f"Both run {word}")
    assert run is not None

    results = sdk.search_all(org_id, word, per_page=5)
    snippets = sdk.search_snippets(org_id, word)

    assert set(results) == {"blueprint", "process", "task", "snippet"}
    assert [r.id for r in results["blueprint"].data] == [blueprint.id]
    assert [r.id for r in results["process"].data] == [run.id]
    assert results["task"].data == []
    assert results["snippet"].data == []
    assert snippets.data == []
    assert snippets.count == 0


@pytest.mark.sdk("search_templates")
def test_search_pages_and_leaves_archived_templates_out(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    word = unique()
    made = [build_template(steps=0, title=f"Paged {word} {n}") for n in range(3)]

    first = sdk.search_templates(org_id, word, page=1, per_page=2)
    second = sdk.search_templates(org_id, word, page=2, per_page=2)
    assert first.meta is not None
    assert first.meta.total == 3
    assert first.meta.total_pages == 2
    assert {r.id for r in first.data + second.data} == {b.id for b in made}

    sdk.delete_template(org_id, made[0].id)
    after = sdk.search_templates(org_id, word)
    assert {r.id for r in after.data} == {made[1].id, made[2].id}


@pytest.mark.sdk("search_processes_by_name", "search_templates_by_name")
def test_by_name_prefers_the_exact_name_and_refuses_ambiguity(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    word = unique()
    exact = build_template(steps=0, title=f"Payroll {word}")
    build_template(steps=0, title=f"Payroll {word} extended")
    run = sdk.launch_process(org_id, exact.id, f"Payroll {word}")
    assert run is not None
    longer = sdk.launch_process(org_id, exact.id, f"Payroll {word} for March")
    assert longer is not None

    assert sdk.search_templates_by_name(org_id, f"payroll {word}") == exact.id
    assert sdk.search_processes_by_name(org_id, f"PAYROLL {word}") == run.id
    assert sdk.search_processes_by_name(org_id, f"{word} for march") == longer.id
    with pytest.raises(TallyfyError, match="Multiple"):
        sdk.search_processes_by_name(org_id, word)
    with pytest.raises(TallyfyError, match="No process found"):
        sdk.search_processes_by_name(org_id, unique())


@pytest.mark.sdk("get_template", "get_template_with_steps")
def test_templates_are_read_by_name(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    word = unique()
    blueprint = build_template(steps=2, title=f"Named {word}")

    template = sdk.get_template(org_id, template_name=f"Named {word}")
    with_steps = sdk.get_template_with_steps(org_id, template_name=f"named {word}")

    assert template is not None
    assert template.id == blueprint.id
    assert [step.title for step in template.steps] == ["Step 1", "Step 2"]
    assert with_steps is not None
    assert with_steps["template"].id == blueprint.id
    assert with_steps["step_count"] == 2


@pytest.mark.sdk("get_tasks_for_process")
def test_tasks_of_a_process_are_read_by_its_name(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    word = unique()
    blueprint = build_template(steps=3)
    run = sdk.launch_process(org_id, blueprint.id, f"Tasks of {word}")
    assert run is not None

    tasks = sdk.get_tasks_for_process(org_id, process_name=f"Tasks of {word}")

    assert [t.title for t in tasks.data] == ["Step 1", "Step 2", "Step 3"]
    assert {t.run_id for t in tasks.data} == {run.id}


@pytest.mark.sdk("search")
def test_search_leaves_an_archived_process_out(
    sdk: TallyfySDK, org_id: str, build_template: Callable[..., Blueprint]
) -> None:
    word = unique()
    blueprint = build_template(steps=1)
    run = sdk.launch_process(org_id, blueprint.id, f"Doomed {word}")
    assert run is not None
    assert [r.id for r in sdk.search(org_id, word, on="process").data] == [run.id]

    sdk.archive_process(org_id, run.id)

    assert sdk.search(org_id, word, on="process").data == []
