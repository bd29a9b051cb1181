"""A member's tasks (`GET users/{id}/tasks`, H11) in the orders `sort_by` names."""

import pytest

from tests.conftest import World
from tests.factories import make_oneoff, ok


@pytest.fixture
def three_tasks(world: World) -> list[str]:
    """Three tasks of the standard member, created in this order, due late, soon, middle."""
    owner = world.org.standard.user_id
    deadlines = ["2031-03-01 09:00:00", "2031-01-01 09:00:00", "2031-02-01 09:00:00"]
    return [
        make_oneoff(world.admin, owner=owner, title=f"Task {n}", deadline=deadline)["id"]
        for n, deadline in enumerate(deadlines)
    ]


def listed(world: World, query: str) -> list[str]:
    path = f"/users/{world.org.standard.user_id}/tasks?status=all&per_page=100{query}"
    return [t["id"] for t in ok(world.admin.get(path))["data"]]


def test_sort_by_newest_and_its_reverse(world: World, three_tasks: list[str]) -> None:
    first, second, third = three_tasks
    assert listed(world, "&sort_by=newest") == [third, second, first]
    assert listed(world, "&sort_by=-newest") == [first, second, third]


def test_deadline_order_is_the_default_and_reverses(world: World, three_tasks: list[str]) -> None:
    late, soon, middle = three_tasks
    assert listed(world, "") == [soon, middle, late]
    assert listed(world, "&sort_by=deadline") == [soon, middle, late]
    assert listed(world, "&sort_by=-deadline") == [late, middle, soon]


def test_completed_newest_puts_the_last_completed_first(
    world: World, three_tasks: list[str]
) -> None:
    late, soon, middle = three_tasks
    for task_id in (soon, late):
        ok(world.admin.post("/completed-tasks", {"task_id": task_id}))
    assert listed(world, "&sort_by=completed_newest") == [late, soon, middle]


def test_problems_puts_tasks_with_an_open_issue_first(world: World, three_tasks: list[str]) -> None:
    late, soon, middle = three_tasks
    issue = {"content": "Blocked", "label": "problem"}
    ok(world.admin.post(f"/tasks/{late}/comment", issue), 201)
    assert listed(world, "&sort_by=problems") == [late, soon, middle]
    assert listed(world, "&sort_by=-problems") == [soon, middle, late]


def test_an_unknown_sort_is_422(world: World) -> None:
    path = f"/users/{world.org.standard.user_id}/tasks?sort_by=random"
    assert world.admin.get(path).status_code == 422
