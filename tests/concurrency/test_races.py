"""Real concurrent requests against a live server with two workers: every outcome must be one
a serial order could give, with no 5xx and nothing lost or left behind."""

import random
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import create_engine, text

from procession.config import Settings
from tests.conftest import OrgFixture, run_async, seed_org
from tests.databases import DatabaseFactory, foreign_key_violations
from tests.live import live_client, live_server


class Client:
    """One member's HTTP client for the live server (thread-safe: one httpx client per call
    site is not needed, httpx clients are)."""

    def __init__(self, base: str, org: OrgFixture) -> None:
        self.http = live_client(
            f"{base}/api/organizations/{org.id}",
            headers={"Authorization": f"Bearer {org.admin.token}"},
            timeout=60,
        )

    def call(self, method: str, path: str, body: Any = None) -> httpx.Response:
        response = self.http.request(method, path, json=body)
        assert response.status_code < 500, response.text
        return response

    def data(self, method: str, path: str, body: Any = None) -> Any:
        response = self.call(method, path, body)
        assert response.status_code in (200, 201), response.text
        return response.json()["data"]


@pytest.fixture(scope="module")
def live(databases: DatabaseFactory) -> Iterator[tuple[Client, Settings]]:
    settings = databases.fresh()
    org = run_async(seed_org(settings, "Racers"))
    with live_server(settings, workers=2) as base:
        client = Client(base, org)
        yield client, settings
        client.http.close()
    databases.drop(settings)


Request = tuple[str, str] | tuple[str, str, Any]


def together(client: Client, *requests: Request) -> list[int]:
    """Send the requests at the same moment (a barrier releases them); their statuses."""
    barrier = threading.Barrier(len(requests))

    def send(request: Request) -> int:
        barrier.wait()
        return client.call(*request).status_code

    with ThreadPoolExecutor(len(requests)) as pool:
        return list(pool.map(send, requests))


def new_run(client: Client, steps: int = 3) -> tuple[str, list[str]]:
    template = client.data("POST", "/checklists", {"title": "Race"})
    for n in range(steps):
        client.data("POST", f"/checklists/{template['id']}/steps", {"title": f"Step {n}"})
    run = client.data("POST", "/runs", {"checklist_id": template["id"]})
    tasks = client.data("GET", f"/runs/{run['id']}/tasks?per_page=100")
    return run["id"], [t["id"] for t in tasks]


def test_two_permanent_deletes_of_one_process_one_wins_the_other_is_404(
    live: tuple[Client, Settings],
) -> None:
    client, settings = live
    for _ in range(5):
        run_id, _ = new_run(client)
        client.data("DELETE", f"/runs/{run_id}")
        purge = ("DELETE", f"/runs/{run_id}/delete")
        assert sorted(together(client, purge, purge)) == [200, 404]
        assert client.call("GET", f"/runs/{run_id}").status_code == 404
    assert foreign_key_violations(settings) == []


def test_archive_racing_task_completion_ends_in_a_serial_outcome(
    live: tuple[Client, Settings],
) -> None:
    client, _ = live
    for _ in range(6):
        run_id, tasks = new_run(client)
        archived, completed = together(
            client,
            ("DELETE", f"/runs/{run_id}"),
            ("POST", f"/runs/{run_id}/completed-tasks", {"task_id": tasks[0]}),
        )
        assert archived == 200
        assert completed in (200, 422)
        restored = client.data("PUT", f"/runs/{run_id}/activate")
        task = client.data("GET", f"/runs/{run_id}/tasks/{tasks[0]}")
        expected_done = 1 if completed == 200 else 0
        assert (task["status"] == "completed") == (completed == 200)
        assert restored["progress"]["complete"] == expected_done
        assert task["archived_at"] is None


def test_restore_racing_permanent_delete_ends_in_a_serial_outcome(
    live: tuple[Client, Settings],
) -> None:
    client, _ = live
    for _ in range(6):
        run_id, _ = new_run(client)
        client.data("DELETE", f"/runs/{run_id}")
        outcome = tuple(
            together(
                client, ("PUT", f"/runs/{run_id}/activate"), ("DELETE", f"/runs/{run_id}/delete")
            )
        )
        assert outcome in {(200, 422), (404, 200)}, outcome
        after = client.call("GET", f"/runs/{run_id}")
        if outcome == (200, 422):
            assert after.json()["data"]["status"] == "active"
        else:
            assert after.status_code == 404


def test_two_launches_from_one_template_both_succeed_with_distinct_numbers(
    live: tuple[Client, Settings],
) -> None:
    client, _ = live
    template = client.data("POST", "/checklists", {"title": "Twins"})
    for n in range(4):
        client.data("POST", f"/checklists/{template['id']}/steps", {"title": f"Step {n}"})
    launch = ("POST", "/runs", {"checklist_id": template["id"]})
    assert together(client, launch, launch, launch) == [201, 201, 201]
    runs = client.data("GET", f"/runs?checklist_id={template['id']}")
    assert len(runs) == 3
    assert len({r["increment_id"] for r in runs}) == 3
    assert all(r["progress"]["total"] == 4 for r in runs)


def test_many_completions_on_one_run_all_count(live: tuple[Client, Settings]) -> None:
    client, _ = live
    run_id, tasks = new_run(client, steps=12)
    completions = [
        ("POST", f"/runs/{run_id}/completed-tasks", {"task_id": task_id}) for task_id in tasks
    ]
    assert together(client, *completions) == [200] * len(tasks)
    run = client.data("GET", f"/runs/{run_id}")
    assert run["status"] == "complete"
    assert run["progress"] == {"complete": 12, "total": 12, "percent": 100.0}


# Operations of the mixed workload and how often each is drawn.
WORKLOAD = {"complete": 6, "reopen": 2, "comment": 3, "archive": 2, "restore": 2, "purge": 1}
WORKLOAD |= {"read": 3}


def mixed_step(client: Client, runs: list[str], rng: random.Random) -> tuple[str, int]:
    """One random request of the mixed workload; returns (operation, status)."""
    run_id = rng.choice(runs)
    operation = rng.choices(list(WORKLOAD), weights=list(WORKLOAD.values()))[0]
    if operation in ("complete", "reopen", "comment"):
        found = client.call("GET", f"/runs/{run_id}/tasks?per_page=100")
        if found.status_code != 200:
            return operation, found.status_code
        tasks = found.json()["data"]
        if not tasks:  # purged between the listing's two reads (READ COMMITTED on PostgreSQL)
            return operation, found.status_code
        task_id = rng.choice(tasks)["id"]
        if operation == "complete":
            body = {"task_id": task_id}
            return operation, client.call(
                "POST", f"/runs/{run_id}/completed-tasks", body
            ).status_code
        if operation == "reopen":
            path = f"/runs/{run_id}/completed-tasks/{task_id}"
            return operation, client.call("DELETE", path).status_code
        body = {"content": "load", "label": rng.choice(["comment", "comment", "problem"])}
        return operation, client.call("POST", f"/tasks/{task_id}/comment", body).status_code
    if operation == "archive":
        return operation, client.call("DELETE", f"/runs/{run_id}").status_code
    if operation == "restore":
        return operation, client.call("PUT", f"/runs/{run_id}/activate").status_code
    if operation == "purge":
        return operation, client.call("DELETE", f"/runs/{run_id}/delete").status_code
    return operation, client.call("GET", f"/runs/{run_id}?with=tasks").status_code


# Issues count while live, or archived with their process (which keeps its status).
INVARIANTS = {
    "tasks of a live process are live": """
        SELECT count(*) FROM tasks t JOIN processes p ON p.id = t.process_id
        WHERE p.archived_at IS NULL AND t.archived_at IS NOT NULL""",
    "tasks of an archived process carry its archive batch": """
        SELECT count(*) FROM tasks t JOIN processes p ON p.id = t.process_id
        WHERE p.archived_at IS NOT NULL
          AND (t.archive_batch_id IS NULL OR t.archive_batch_id != p.archive_batch_id)""",
    "comments are hidden with their task, never stamped by its archive": """
        SELECT count(*) FROM comments c JOIN tasks t ON t.id = c.task_id
        WHERE c.archive_batch_id = t.archive_batch_id""",
    "task counts add up": """
        SELECT count(*) FROM processes p WHERE p.task_count !=
          (SELECT count(*) FROM tasks t WHERE t.process_id = p.id)""",
    "completed counts add up": """
        SELECT count(*) FROM processes p WHERE p.completed_task_count !=
          (SELECT count(*) FROM tasks t WHERE t.process_id = p.id AND t.status = 'completed')""",
    "a process is complete exactly when all its tasks are and no issue is open": """
        SELECT count(*) FROM processes p
        WHERE (p.status = 'complete') != (p.completed_task_count = p.task_count
          AND NOT EXISTS (SELECT 1 FROM comments c JOIN tasks t ON t.id = c.task_id
                          WHERE t.process_id = p.id AND c.label = 'problem'
                            AND c.resolve_id IS NULL AND c.archived_at IS NULL))""",
    "a process is in problem exactly when an issue is open on it": """
        SELECT count(*) FROM processes p
        WHERE (p.status = 'problem') != EXISTS (SELECT 1 FROM comments c
          JOIN tasks t ON t.id = c.task_id WHERE t.process_id = p.id AND c.label = 'problem'
            AND c.resolve_id IS NULL AND c.archived_at IS NULL)""",
    "completed tasks have a completion time": """
        SELECT count(*) FROM tasks WHERE (status = 'completed') != (completed_at IS NOT NULL)""",
    "no task without a process or one-off owner row": """
        SELECT count(*) FROM tasks t WHERE t.process_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM processes p WHERE p.id = t.process_id)""",
}


def test_mixed_load_keeps_every_invariant(
    live: tuple[Client, Settings], capsys: pytest.CaptureFixture[str]
) -> None:
    client, settings = live
    runs = [new_run(client, steps=4)[0] for _ in range(16)]
    rng = random.Random(20261123)
    plans = [random.Random(rng.random()) for _ in range(6)]
    per_thread = 50

    def worker(own: random.Random) -> list[tuple[str, int]]:
        return [mixed_step(client, runs, own) for _ in range(per_thread)]

    with ThreadPoolExecutor(len(plans)) as pool:
        outcomes = [o for chunk in pool.map(worker, plans) for o in chunk]
    statuses = Counter(status for _, status in outcomes)
    assert all(status < 500 for status in statuses)
    engine = create_engine(settings.database_url)
    with engine.connect() as db:
        broken = {name: db.execute(text(sql)).scalar_one() for name, sql in INVARIANTS.items()}
    engine.dispose()
    assert broken == dict.fromkeys(INVARIANTS, 0)
    assert foreign_key_violations(settings) == []
    with capsys.disabled():
        by_operation = Counter(f"{op}:{status}" for op, status in outcomes)
        print(
            f"\n[mixed load on {settings.database_url.split(':')[0]}] "
            f"{len(outcomes)} requests from {len(plans)} threads; statuses {dict(statuses)}; "
            f"{dict(sorted(by_operation.items()))}; {len(INVARIANTS)} invariants hold"
        )


def test_fifty_lifecycle_calls_at_once_on_one_process_end_in_a_legal_state(
    live: tuple[Client, Settings], capsys: pytest.CaptureFixture[str]
) -> None:
    """Archive, restore and permanent delete, 50 at once on one process with 40 tasks and
    their comments: no 5xx (a busy database is 503 with Retry-After), and afterwards the
    process is either wholly gone or whole, in one archive state with its children."""
    client, settings = live
    run_id, task_ids = new_run(client, steps=40)
    for task_id in task_ids[:10]:
        client.data("POST", f"/tasks/{task_id}/comment", {"content": "note"})
    rng = random.Random(50)
    paths = {
        "DELETE /runs/{id}": ("DELETE", f"/runs/{run_id}"),
        "PUT /runs/{id}/activate": ("PUT", f"/runs/{run_id}/activate"),
        "DELETE /runs/{id}/delete": ("DELETE", f"/runs/{run_id}/delete"),
    }
    chosen = [rng.choice(list(paths)) for _ in range(50)]
    barrier = threading.Barrier(len(chosen))

    def send(name: str) -> tuple[str, int]:
        barrier.wait()
        response = client.http.request(*paths[name])
        if response.status_code == 503:
            assert response.headers["Retry-After"]
        return name, response.status_code

    with ThreadPoolExecutor(len(chosen)) as pool:
        outcomes = list(pool.map(send, chosen))
    statuses = Counter(status for _, status in outcomes)
    assert set(statuses) <= {200, 404, 422, 503}, statuses
    engine = create_engine(settings.database_url)
    with engine.connect() as db:
        broken = {name: db.execute(text(sql)).scalar_one() for name, sql in INVARIANTS.items()}
        left = db.execute(
            text("SELECT count(*) FROM tasks WHERE process_id = :id"), {"id": run_id}
        ).scalar_one()
    engine.dispose()
    assert broken == dict.fromkeys(INVARIANTS, 0)
    assert foreign_key_violations(settings) == []
    gone = client.http.get(f"/runs/{run_id}").status_code == 404
    assert left == (0 if gone else 40)
    with capsys.disabled():
        print(f"\n[50 lifecycle calls at once] {dict(Counter(outcomes))}; gone={gone}")
