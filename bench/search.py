"""Search latency at scale: seeds one organization with templates, processes and tasks by
bulk insert (the index triggers run for every row, as they would for real writes), plus a
second organization of the same size, then times `GET /search` in-process and prints p50
and p95 per query.

    .venv/bin/python -m bench.search [--processes 20000 --tasks-per-process 5]
    .venv/bin/python -m bench.search --database-url postgresql+psycopg://...
"""

import argparse
import asyncio
import random
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, insert

from procession.config import Settings
from procession.db import migrate
from procession.db.base import new_id
from procession.main import create_app
from procession.processes.models import Process
from procession.tasks.models import Task
from procession.templates.models import Template
from tests.conftest import seed_org

WORDS = [
    "invoice",
    "payroll",
    "vendor",
    "onboarding",
    "review",
    "audit",
    "contract",
    "renewal",
    "budget",
    "hiring",
    "laptop",
    "badge",
    "security",
    "compliance",
    "expense",
    "travel",
    "report",
    "quarterly",
    "annual",
    "training",
    "access",
    "shipment",
    "order",
    "refund",
    "claim",
    "incident",
    "release",
    "deploy",
    "backup",
    "migration",
    "survey",
    "feedback",
    "policy",
    "handbook",
    "lease",
    "office",
    "client",
    "meeting",
    "proposal",
    "quote",
    "tax",
    "filing",
]
QUERIES = ["invoice", "payroll review", "onboard", "quarterly incident rel", "ta", "zzzz"]
BATCH = 5000


def title(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(3)).capitalize() + f" {rng.randint(1, 9999)}"


def seed(settings: Settings, org_id: str, processes: int, per_process: int) -> None:
    rng = random.Random(org_id)
    engine = create_engine(settings.database_url)
    now = datetime.now(UTC)
    templates = [
        {"id": new_id(), "org_id": org_id, "title": title(rng), "created_at": now}
        for _ in range(max(1, processes // 40))
    ]
    runs: list[dict[str, Any]] = []
    tasks: list[dict[str, Any]] = []
    for n in range(processes):
        run_id = new_id()
        runs.append({"id": run_id, "org_id": org_id, "increment_id": n, "name": title(rng)})
        tasks += [
            {"id": new_id(), "org_id": org_id, "process_id": run_id, "title": title(rng)}
            for _ in range(per_process)
        ]
    with engine.begin() as db:
        for model, rows in ((Template, templates), (Process, runs), (Task, tasks)):
            for start in range(0, len(rows), BATCH):
                db.execute(insert(model), rows[start : start + BATCH])
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    parser.add_argument("--processes", type=int, default=20_000)
    parser.add_argument("--tasks-per-process", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'search.db'}"
    settings = Settings(database_url=url, background_jobs=False, rate_limit="", log_level="warning")
    migrate.upgrade(settings)
    org = asyncio.run(seed_org(settings, f"Bench{uuid.uuid4().hex[:6]}"))
    other = asyncio.run(seed_org(settings, f"Other{uuid.uuid4().hex[:6]}"))
    started = time.perf_counter()
    for org_id in (org.id, other.id):
        seed(settings, org_id, args.processes, args.tasks_per_process)
    rows = 2 * args.processes * (1 + args.tasks_per_process)
    print(f"seeded {rows} rows in 2 organizations in {time.perf_counter() - started:.1f}s")
    headers = {"Authorization": f"Bearer {org.admin.token}"}
    path = f"/api/organizations/{org.id}/search"
    with TestClient(create_app(settings)) as client:
        for on in ("process", "task", "blueprint"):
            for query in QUERIES:
                params = {"search": query, "on": on, "per_page": 20}
                timings = []
                for _ in range(args.rounds):
                    start = time.perf_counter()
                    response = client.get(path, params=params, headers=headers)
                    timings.append((time.perf_counter() - start) * 1000)
                    assert response.status_code == 200, response.text
                total = response.json()[on]["meta"]["pagination"]["total"]
                p50 = statistics.median(timings)
                p95 = statistics.quantiles(timings, n=20)[-1]
                print(f"on={on:9} {query!r:26} hits={total:6}  p50={p50:7.1f}ms  p95={p95:7.1f}ms")


if __name__ == "__main__":
    main()
