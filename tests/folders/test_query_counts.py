"""Group and folder lists cost a fixed number of statements, whatever their size."""

import pytest

from tests.api.test_query_counts import statements_for
from tests.conftest import World
from tests.factories import make_run, make_template, ok

# No background jobs: their polling would be counted with the request's statements.
pytestmark = pytest.mark.without_background_jobs


def populate(world: World, n: int) -> None:
    """`n` groups with two members and a guest; `n` folders of each type, each with a
    subfolder, a filed template and a filed run."""
    api = world.admin
    members = [world.org.admin.user_id, world.org.standard.user_id]
    for i in range(n):
        body = {"name": f"Group {n}-{i}", "members": members, "guests": [f"g{i}@ex.io"]}
        ok(api.post("/groups", body), 201)
        folder = ok(api.post("/folders", {"name": f"F {n}-{i}"}), 201)["data"]
        ok(api.post("/folders", {"name": f"Sub {n}-{i}", "parent_id": folder["id"]}), 201)
        make_template(api, title=f"T {n}-{i}", steps=0, folder_id=folder["id"])
        runs = ok(api.post("/folders", {"name": f"R {n}-{i}", "folder_type": "run"}), 201)
        run, _ = make_run(api, steps=1)
        body = {"folder_id": runs["data"]["id"], "subject_id": run["id"], "subject_type": "Run"}
        ok(api.post("/folders/add-object", body))


PATHS = [
    "/groups?per_page={n}",
    "/folders?per_page={n}&with=children",
    "/folders?folder_type=run&per_page={n}&with=children",
    "/folders?pagination=false&with=children&q=F",
]


@pytest.mark.parametrize("path", PATHS)
def test_lists_cost_the_same_for_one_row_or_many(world: World, path: str) -> None:
    populate(world, 1)
    one = statements_for(world, world.admin, path.format(n=1))
    populate(world, 4)
    many = statements_for(world, world.admin, path.format(n=20))
    assert len(ok(world.admin.get(path.format(n=20)))["data"]) >= 4
    assert many == one, f"{path}: {one} statements for one row, {many} for many"
