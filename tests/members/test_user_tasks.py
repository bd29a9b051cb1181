"""A member's tasks in the orders Tallyfy's sort values name: `GET users/{id}/tasks?sort_by=`
(H11), `GET /me/tasks?sort=` (H10) and `GET /tasks?sort=` (H1, the organization's tasks)."""

from collections.abc import Callable

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


Listed = Callable[[str], list[str]]
LISTS: dict[str, Callable[[World], tuple[str, str]]] = {
    "member's tasks": lambda w: (f"/users/{w.org.standard.user_id}/tasks?status=all", "sort_by"),
    "my tasks": lambda w: ("/me/tasks?status=all", "sort"),
    "organization's tasks": lambda w: (f"/tasks?owners={w.org.standard.user_id}", "sort"),
}


@pytest.fixture(params=LISTS.values(), ids=LISTS.keys())
def listed(request: pytest.FixtureRequest, world: World) -> Listed:
    """The standard member's task ids from one of the lists, in the order a sort value
    (or "" for none) gives, read by the member itself."""
    path, parameter = request.param(world)

    def read(sort: str) -> list[str]:
        query = f"&{parameter}={sort}" if sort else ""
        return [t["id"] for t in ok(world.standard.get(f"{path}&per_page=100{query}"))["data"]]

    return read


def test_sort_by_newest_and_its_reverse(listed: Listed, three_tasks: list[str]) -> None:
    first, second, third = three_tasks
    assert listed("newest") == [third, second, first]
    assert listed("-newest") == [first, second, third]


def test_deadline_order_is_the_default_and_reverses(listed: Listed, three_tasks: list[str]) -> None:
    late, soon, middle = three_tasks
    assert listed("") == [soon, middle, late]
    assert listed("deadline") == [soon, middle, late]
    assert listed("-deadline") == [late, middle, soon]


def test_completed_newest_puts_the_last_completed_first(
    world: World, listed: Listed, three_tasks: list[str]
) -> None:
    late, soon, middle = three_tasks
    for task_id in (soon, late):
        ok(world.admin.post("/completed-tasks", {"task_id": task_id}))
    assert listed("completed_newest") == [late, soon, middle]


def test_problems_puts_tasks_with_an_open_issue_first(
    world: World, listed: Listed, three_tasks: list[str]
) -> None:
    late, soon, middle = three_tasks
    issue = {"content": "Blocked", "label": "problem"}
    ok(world.admin.post(f"/tasks/{late}/comment", issue), 201)
    assert listed("problems") == [late, soon, middle]
    assert listed("-problems") == [soon, middle, late]


@pytest.mark.parametrize("make_path", LISTS.values(), ids=LISTS.keys())
def test_an_unknown_sort_is_422(
    world: World, make_path: Callable[[World], tuple[str, str]]
) -> None:
    path, parameter = make_path(world)
    assert world.standard.get(f"{path}&{parameter}=random").status_code == 422
