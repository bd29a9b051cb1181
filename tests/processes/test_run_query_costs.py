"""The run-list and run-task filters are set-based: a fixed number of SQL statements whatever
the page size or the number of tasks."""

import pytest

from procession.config import Settings
from tests.api.test_query_counts import counted, populate, statements_for
from tests.conftest import World
from tests.databases import query_plans
from tests.factories import ok, tasks_of

# No background jobs: their polling would be counted with the request's statements.
pytestmark = pytest.mark.without_background_jobs


FILTERED_RUNS = [
    "/runs?per_page={n}&form_fields_values=true&with=tasks",
    "/runs?per_page={n}&task_status=in-progress&type=procedure&status=active",
    "/runs?per_page={n}&owners={user}&groups=g1&sort=name",
    "/runs?per_page={n}&status=delayed",
]


@pytest.mark.parametrize("path", FILTERED_RUNS)
def test_filtered_run_lists_cost_the_same_for_one_row_or_many(world: World, path: str) -> None:
    api = world.admin
    for _ in range(3):
        populate(api, runs=2, steps=3)
    for run in ok(api.get("/runs?per_page=100"))["data"]:
        task = tasks_of(api, run["id"])[0]
        body = {"deadline": "2020-01-01 00:00:00", "owners": {"groups": ["g1"]}}
        ok(api.put(f"/runs/{run['id']}/tasks/{task['id']}", body))
    user = world.org.admin.user_id
    one = statements_for(world, api, path.format(n=1, user=user))
    many = statements_for(world, api, path.format(n=20, user=user))
    assert len(ok(api.get(path.format(n=20, user=user)))["data"]) == 6
    assert many == one, f"{path}: {one} statements for one row, {many} for twenty"


def test_filtered_run_tasks_cost_the_same_for_two_tasks_or_twenty(world: World) -> None:
    api = world.admin
    query = (
        f"owners={world.org.admin.user_id}&groups=g1&guests=a@example.com&status=incomplete"
        "&deadline_start_range=2000-01-01&deadline_end_range=2100-01-01&sort=-deadline"
        "&with=threads,form_fields&without_pagination=true"
    )
    costs = []
    for steps in (2, 20):
        template_id = populate(api, runs=1, steps=steps)
        run_id = ok(api.get(f"/runs?checklist_id={template_id}"))["data"][0]["id"]
        assert len(ok(api.get(f"/runs/{run_id}/tasks?{query}"))["data"]) == steps
        current = tasks_of(api, run_id)[-1]["id"]
        costs.append(
            (
                statements_for(world, api, f"/runs/{run_id}/tasks?{query}"),
                statements_for(world, api, f"/runs/{run_id}/tasks?currentTask={current}"),
            )
        )
    assert costs[0] == costs[1]


def test_a_status_filter_reads_its_page_and_count_through_an_index(
    world: World, settings: Settings
) -> None:
    """Live runs of one status, newest first, and how many there are, come from an index
    on (org_id, status, created_at, id): no scan of the organization's runs, no sort."""
    if not settings.is_sqlite:
        pytest.skip("PostgreSQL rightly scans tables this small; the plan is SQLite's")
    api = world.admin
    populate(api, runs=2, steps=1)
    with counted(world) as statements:
        ok(api.get("/runs?status=problem"))
    on_runs = [(sql, params) for sql, params in statements if "FROM processes" in sql]
    assert len(on_runs) == 2  # the page and its count
    engine = world.client.app.state.database.engine.sync_engine  # type: ignore[attr-defined]
    with engine.connect() as connection:
        for sql, params in on_runs:
            plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params).all()
            details = [row[-1] for row in plan]
            assert details == [
                "SEARCH processes USING INDEX ix_processes_org_live_status (org_id=? AND status=?)"
            ], (sql, details)


def test_the_default_list_reads_its_page_and_count_through_indexes(
    world: World, settings: Settings
) -> None:
    """The newest live runs come from the page index in order; how many live runs there are
    is counted from an index alone, without reading the table."""
    api = world.admin
    populate(api, runs=2, steps=1)
    with counted(world) as statements:
        ok(api.get("/runs"))
    on_runs = [(sql, params) for sql, params in statements if "FROM processes" in sql]
    page, count = query_plans(settings, on_runs)
    if settings.is_sqlite:
        assert page == "SEARCH processes USING INDEX ix_processes_org_live_page (org_id=?)"
        assert count == (
            "SEARCH processes USING COVERING INDEX ix_processes_org_live_created"
            " (org_id=? AND archived_at=?)"
        )
    else:
        assert "Index Scan Backward using ix_processes_org_live_page" in page, page
        assert "Index Only Scan using ix_processes_org_live on processes" in count, count
