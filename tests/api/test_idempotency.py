"""`Idempotency-Key`: a retried write returns the first answer instead of doing it twice."""

from concurrent.futures import ThreadPoolExecutor
from itertools import repeat

import httpx2 as httpx

from tests.conftest import World
from tests.factories import launch, make_template
from tests.live import live_server


def keyed(key: str) -> dict[str, str]:
    return {"Idempotency-Key": key}


def count_runs(world: World) -> int:
    runs = world.admin.get("/runs", params={"archived": "true"}).json()
    return int(runs["meta"]["pagination"]["total"])


def test_a_retried_launch_returns_the_first_answer(world: World) -> None:
    template = make_template(world.admin, steps=2)
    body = {"checklist_id": template["id"], "name": "Once"}
    first = world.admin.post("/runs", body, headers=keyed("launch-1"))
    again = world.admin.post("/runs", body, headers=keyed("launch-1"))
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert count_runs(world) == 1
    other = world.admin.post("/runs", body, headers=keyed("launch-2"))
    assert other.json()["data"]["id"] != first.json()["data"]["id"]
    assert count_runs(world) == 2


def test_a_key_reused_for_another_request_is_422(world: World) -> None:
    template = make_template(world.admin, steps=1)
    world.admin.post("/runs", {"checklist_id": template["id"]}, headers=keyed("k"))
    reused = world.admin.post(
        "/runs", {"checklist_id": template["id"], "name": "Different"}, headers=keyed("k")
    )
    assert reused.status_code == 422
    assert reused.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert count_runs(world) == 1


def test_keys_belong_to_the_client_that_sent_them(world: World) -> None:
    template = make_template(world.admin, steps=1)
    body = {"checklist_id": template["id"]}
    mine = world.admin.post("/runs", body, headers=keyed("shared"))
    theirs = world.standard.post("/runs", body, headers=keyed("shared"))
    assert theirs.json()["data"]["id"] != mine.json()["data"]["id"]


def test_lifecycle_calls_and_comments_replay_too(world: World) -> None:
    run = launch(world.admin, make_template(world.admin, steps=1)["id"])
    task = world.admin.get(f"/runs/{run['id']}/tasks").json()["data"][0]
    comment = {"content": "Only once"}
    for _ in range(3):
        answer = world.admin.post(f"/tasks/{task['id']}/comment", comment, headers=keyed("c1"))
        assert answer.status_code == 201
    threads = world.admin.get(f"/runs/{run['id']}/tasks/{task['id']}?with=threads").json()
    assert len(threads["data"]["threads"]["data"]) == 1
    world.admin.delete(f"/runs/{run['id']}", headers=keyed("a1"))
    purged = [world.admin.delete(f"/runs/{run['id']}/delete", headers=keyed("p1")) for _ in "ab"]
    assert [p.status_code for p in purged] == [200, 200]  # not the 404 a plain retry gets
    assert purged[1].headers["Idempotent-Replayed"] == "true"


def test_a_server_error_is_not_remembered(world: World) -> None:
    """A 5xx answer leaves the key free, so the client's retry runs for real."""
    template = make_template(world.admin, steps=1)
    body = {"checklist_id": template["id"], "owner_id": 10**20}  # refused: 422, remembered
    assert world.admin.post("/runs", body, headers=keyed("r")).status_code == 422
    assert world.admin.post("/runs", body, headers=keyed("r")).headers["Idempotent-Replayed"]


def test_a_thousand_launches_sent_five_times_make_a_thousand_processes(world: World) -> None:
    """Half the keys are replayed one after another, half five at once against a live server
    with two workers: every key launches exactly one process."""
    template = make_template(world.admin, steps=1)
    body = {"checklist_id": template["id"]}
    for n in range(500):
        answers = [world.admin.post("/runs", body, headers=keyed(f"seq-{n}")) for _ in range(5)]
        assert len({a.json()["data"]["id"] for a in answers}) == 1

    with live_server(world.settings, workers=2) as base:
        url = f"{base}/api/organizations/{world.org.id}/runs"
        auth = {"Authorization": f"Bearer {world.org.admin.token}"}

        def send(key: str) -> int:
            with httpx.Client(timeout=30) as client:
                return client.post(url, json=body, headers={**auth, **keyed(key)}).status_code

        keys = [f"par-{n}" for n in range(500) for _ in repeat(None, 5)]
        with ThreadPoolExecutor(10) as pool:
            statuses = list(pool.map(send, keys))
    assert set(statuses) <= {201, 409}  # 409: the first of that key was still running
    assert statuses.count(201) >= 500
    assert count_runs(world) == 1000
