"""The organization's task list (`/tasks`, also behind the admin pages' task list) reads a
page of live tasks in its default order, soonest deadline first, or newest first, from an
index: no sort of every live task."""

import pytest

from procession.config import Settings
from tests.api.test_query_counts import counted, populate
from tests.conftest import World
from tests.databases import query_plans
from tests.factories import ok, tasks_of

# No background jobs: their statements would be counted with the request's.
pytestmark = pytest.mark.without_background_jobs


@pytest.mark.parametrize("query", ["", "?status=active", "?status=completed"])
def test_a_page_of_the_organizations_tasks_is_read_in_order_from_an_index(
    world: World, settings: Settings, query: str
) -> None:
    api = world.admin
    populate(api, runs=2, steps=2)
    with counted(world) as statements:
        ok(api.get(f"/tasks{query}"))
    on_tasks = [(sql, params) for sql, params in statements if "FROM tasks" in sql]
    page, count = query_plans(settings, on_tasks)
    if settings.is_sqlite:
        assert page == "SEARCH tasks USING INDEX ix_tasks_org_live_deadline (org_id=?)", page
        assert count == "SEARCH tasks USING COVERING INDEX ix_tasks_org_live_deadline (org_id=?)"
    else:
        assert "Index Scan using ix_tasks_org_live_deadline" in page, page
        assert "Sort" not in page, page
        assert "ix_tasks_org_live_deadline" in count, count


@pytest.mark.parametrize("sort", ["newest", "-newest"])
def test_a_page_newest_first_or_last_is_read_from_the_index_of_live_tasks_newest_first(
    world: World, settings: Settings, sort: str
) -> None:
    """Newest first reads the index in order; oldest first reads it backwards and sorts only
    the tasks created together (one launch's), which it meets side by side."""
    api = world.admin
    populate(api, runs=2, steps=2)
    with counted(world) as statements:
        ok(api.get(f"/tasks?sort={sort}"))
    page = next(
        (sql, params) for sql, params in statements if "FROM tasks" in sql and "LIMIT" in sql
    )
    (plan,) = query_plans(settings, [page])
    if settings.is_sqlite:
        assert plan.startswith("SEARCH tasks USING INDEX ix_tasks_org_live_newest (org_id=?)")
        if sort == "newest":
            assert "TEMP B-TREE" not in plan, plan
        else:
            assert plan.endswith("USE TEMP B-TREE FOR RIGHT PART OF ORDER BY"), plan
    else:
        assert "ix_tasks_org_live_newest" in plan, plan
        if sort == "newest":
            assert "Sort" not in plan, plan
        else:
            assert "Incremental Sort" in plan, plan
            assert "Presorted Key: created_at" in plan, plan


def test_tasks_without_a_deadline_come_last_both_ways(world: World) -> None:
    """The order the index gives is the lists' order: soonest deadline first, tasks with
    none after every dated one, ties by id; reversed, the latest first, still none last."""
    api = world.admin
    populate(api, runs=1, steps=4)
    run = ok(api.get("/runs"))["data"][0]
    tasks = tasks_of(api, run["id"])
    undated = tasks[1]
    mine = {"users": [world.org.admin.user_id]}
    days = ("2031-01-02", None, "2031-01-01", "2031-01-01")
    for task, day in zip(tasks, days, strict=True):
        body = {"deadline": day and f"{day} 09:00:00", "owners": mine}
        ok(api.put(f"/runs/{run['id']}/tasks/{task['id']}", body))
    listed = ok(api.get("/tasks?per_page=100"))["data"]
    assert listed[-1]["id"] == undated["id"]
    assert listed[-1]["deadline"] is None
    dated = listed[:-1]
    assert [t["id"] for t in dated] == [
        t["id"] for t in sorted(dated, key=lambda t: (t["deadline"], t["id"]))
    ]
    user_tasks = f"/users/{world.org.admin.user_id}/tasks?per_page=100&sort_by=-deadline"
    reverse = ok(api.get(user_tasks))["data"]
    assert reverse[-1]["id"] == undated["id"]
    deadlines = [t["deadline"] for t in reverse[:-1]]
    assert deadlines == sorted(deadlines, reverse=True)
    assert len(set(deadlines)) == 2
