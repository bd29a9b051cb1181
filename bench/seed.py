"""A large organization, seeded fast: years of history for the benchmarks.

One prototype of everything is made through the real API (a template of 20 steps, each with
a form field; a process launched from it; comments; a tag), so every row is one the app
itself wrote. The prototype's rows are then copied with bulk inserts through the models'
tables (SQLAlchemy Core `executemany`, no HTTP): 200 templates, 20,000 processes (a quarter
archived, half complete), their 400,000 tasks with form values, 200,000 comments, 1,000
tags on runs; plus "heavy" processes of 100 tasks and 200 comments to archive, restore and
purge. `Scale.quick()` is a tenth of that.
"""

import itertools
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, select
from starlette.testclient import TestClient

from procession.config import Settings
from procession.db import migrate
from procession.db.base import Base, new_id
from procession.main import create_app

STEPS = 20
CHUNK = 500  # processes copied per executemany round: bounded memory, few round trips


@dataclass(frozen=True)
class Scale:
    templates: int = 200
    processes: int = 20_000
    comments_per_process: int = 10
    tags: int = 1_000
    heavy: int = 60  # processes of 100 tasks and 200 comments, for archive/restore/purge

    @classmethod
    def quick(cls) -> "Scale":
        return cls(templates=20, processes=2_000, tags=100, heavy=20)


@dataclass
class Seeded:
    """What the benchmarks need to name: credentials and ids of live, representative rows."""

    database_url: str
    org: str
    token: str
    template: str  # a live 20-step template with a form field on every step
    tag: str  # a tag on some live runs
    big_template: str  # a live 100-step template, a form field on every step
    prototype: tuple[str, str, str]  # (template, process, tag) made through the API
    runs: list[str] = field(default_factory=list)  # live, active runs
    open_tasks: list[tuple[str, str]] = field(default_factory=list)  # (run, task), incomplete
    heavy: list[str] = field(default_factory=list)  # live runs of 100 tasks, 200 comments
    rows: dict[str, int] = field(default_factory=dict)


def table(name: str) -> Table:
    return Base.metadata.tables[name]


def make_organization(database_url: str, workdir: Path) -> tuple[str, str]:
    """Migrate, then create the demo organization and admin with the real CLI."""
    migrate.upgrade(Settings(database_url=database_url, _env_file=None))
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PROCESSION_DEMO_ENV_FILE": str(workdir / "demo.env"),
    }
    printed = subprocess.run(
        [sys.executable, "-m", "procession.cli", "demo"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    org = re.search(r"PROCESSION_ORG=(\w+)", printed)
    token = re.search(r"PROCESSION_TOKEN=(\S+)", printed)
    assert org, printed
    assert token, printed
    return org.group(1), token.group(1)


def poster(client: TestClient, org: str) -> Callable[[str, dict[str, Any]], dict[str, Any]]:
    """`post(path, body)`: a POST under the organization that must succeed; its `data`."""

    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = client.post(f"/api/organizations/{org}{path}", json=body)
        assert answer.status_code in (200, 201), answer.text
        data: dict[str, Any] = answer.json()["data"]
        return data

    return post


def make_prototype(database_url: str, org: str, token: str) -> tuple[str, str, str, str]:
    """A template, a run of it with comments, a tag, and a 100-step template, through the
    API. Returns (template id, process id, tag id, 100-step template id)."""
    settings = Settings(
        database_url=database_url, background_jobs=False, log_level="warning", _env_file=None
    )
    with TestClient(create_app(settings)) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        base = f"/api/organizations/{org}"
        post = poster(client, org)

        def template_of(title: str, steps: int) -> str:
            template: str = post("/checklists", {"title": title})["id"]
            for n in range(1, steps + 1):
                step = post(f"/checklists/{template}/steps", {"title": f"{title} step {n}"})
                post(
                    f"/checklists/{template}/steps/{step['id']}/captures",
                    {"field_type": "text", "label": f"Notes for step {n}", "required": False},
                )
            return template

        template = template_of("Employee onboarding", STEPS)
        tag = post("/tags", {"title": "tag 0"})["id"]
        run = post("/runs", {"checklist_id": template, "name": "Onboarding Ada", "tags": [tag]})
        tasks = client.get(f"{base}/runs/{run['id']}/tasks", params={"per_page": STEPS})
        first = tasks.json()["data"][0]["id"]
        post(f"/tasks/{first}/comment", {"content": "Welcome aboard, the laptop is on its way"})
        return template, run["id"], tag, template_of("Plant audit", 100)


def rows_of(db: Connection, name: str, column: str, value: str) -> list[dict[str, Any]]:
    t = table(name)
    return [dict(r._mapping) for r in db.execute(select(t).where(t.c[column] == value))]


def chunks(items: Iterable[int], size: int) -> Iterator[list[int]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


class Copier:
    """Copies the prototype's rows; counts what it inserts."""

    def __init__(self, db: Connection, template_id: str, process_id: str, tag_id: str) -> None:
        self.db = db
        self.rows: dict[str, int] = {}
        self.template = rows_of(db, "templates", "id", template_id)[0]
        self.steps = sorted(
            rows_of(db, "template_steps", "template_id", template_id), key=lambda r: r["position"]
        )
        self.captures = {
            s["id"]: rows_of(db, "step_captures", "step_id", s["id"])[0] for s in self.steps
        }
        self.process = rows_of(db, "processes", "id", process_id)[0]
        self.tasks = sorted(
            rows_of(db, "tasks", "process_id", process_id), key=lambda r: r["position"]
        )
        self.fields = {t["id"]: rows_of(db, "task_fields", "task_id", t["id"]) for t in self.tasks}
        comment_rows = (rows_of(db, "comments", "task_id", t["id"]) for t in self.tasks)
        self.comment = next(c for rows in comment_rows for c in rows)
        self.tag = rows_of(db, "tags", "id", tag_id)[0]
        # Its integer key is the database's to number.
        self.tagging = rows_of(db, "taggings", "process_id", process_id)[0]
        del self.tagging["id"]
        # Per template copy: its id and its steps' and captures' ids, by position.
        self.templates: list[tuple[str, list[str], list[str]]] = []
        self.tag_ids: list[str] = [tag_id]

    def insert(self, name: str, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.db.execute(table(name).insert(), rows)
            self.rows[name] = self.rows.get(name, 0) + len(rows)

    def copy_templates(self, count: int) -> None:
        ids = [self.template["id"]] + [new_id() for _ in range(count - 1)]
        self.insert(
            "templates",
            [
                {**self.template, "id": t, "title": f"Template {n}", "increment_id": n + 1}
                for n, t in enumerate(ids)
                if n
            ],
        )
        for n, template_id in enumerate(ids):
            if n == 0:
                step_ids = [s["id"] for s in self.steps]
                capture_ids = [self.captures[s]["id"] for s in step_ids]
            else:
                step_ids = [new_id() for _ in self.steps]
                capture_ids = [new_id() for _ in self.steps]
                self.insert(
                    "template_steps",
                    [
                        {**s, "id": sid, "template_id": template_id}
                        for s, sid in zip(self.steps, step_ids, strict=True)
                    ],
                )
                self.insert(
                    "step_captures",
                    [
                        {**self.captures[s["id"]], "id": cid, "step_id": sid}
                        for s, sid, cid in zip(self.steps, step_ids, capture_ids, strict=True)
                    ],
                )
            self.templates.append((template_id, step_ids, capture_ids))

    def copy_tags(self, count: int) -> None:
        new = [{**self.tag, "id": new_id(), "title": f"tag {n}"} for n in range(1, count)]
        self.insert("tags", new)
        self.tag_ids += [t["id"] for t in new]

    def copy_processes(
        self, numbers: list[int], *, archived_every: int, tasks_each: int, comments_each: int
    ) -> list[tuple[str, bool, bool, list[str]]]:
        """Processes numbered `numbers`: every `archived_every`-th archived (0: none), half of
        them complete. Returns (id, archived, complete, task ids) for each."""
        now = datetime.now(UTC)
        made: list[tuple[str, bool, bool, list[str]]] = []
        processes, tasks, fields, comments, taggings = [], [], [], [], []
        for n in numbers:
            template_id, step_ids, capture_ids = self.templates[n % len(self.templates)]
            process_id = new_id()
            archived = bool(archived_every) and n % archived_every == 0
            complete = (n // 4) % 2 == 0  # half, archived or not
            created = now - timedelta(minutes=n)
            lifecycle = {
                "archived_at": now if archived else None,
                "archive_batch_id": new_id() if archived else None,
            }
            processes.append(
                {
                    **self.process,
                    **lifecycle,
                    "id": process_id,
                    "increment_id": n + 1,
                    "template_id": template_id,
                    "name": f"Onboarding {n}",
                    "status": "complete" if complete else "active",
                    "task_count": tasks_each,
                    "completed_task_count": tasks_each if complete else 0,
                    "completed_at": created if complete else None,
                    "created_at": created,
                    "updated_at": created,
                }
            )
            task_ids = []
            for position in range(tasks_each):
                proto = self.tasks[position % STEPS]
                task_id = new_id()
                task_ids.append(task_id)
                tasks.append(
                    {
                        **proto,
                        **lifecycle,
                        "id": task_id,
                        "increment_id": n * tasks_each + position + 1,
                        "process_id": process_id,
                        "template_id": template_id,
                        "step_id": step_ids[position % STEPS],
                        "position": position + 1,
                        "status": "completed" if complete else proto["status"],
                        "completed_at": created if complete else None,
                        "created_at": created,
                        "updated_at": created,
                    }
                )
                for proto_field in self.fields[proto["id"]]:
                    fields.append(
                        {
                            **proto_field,
                            "id": new_id(),
                            "task_id": task_id,
                            "capture_id": capture_ids[position % STEPS],
                        }
                    )
            for c in range(comments_each if tasks_each else 0):
                comments.append(  # live: hidden with their task when it is archived
                    {
                        **self.comment,
                        "id": new_id(),
                        "task_id": task_ids[c % tasks_each],
                        "created_at": created,
                        "updated_at": created,
                    }
                )
            taggings.append(
                {
                    **self.tagging,
                    "tag_id": self.tag_ids[n % len(self.tag_ids)],
                    "process_id": process_id,
                }
            )
            made.append((process_id, archived, complete, task_ids))
        for name, rows in (
            ("processes", processes),
            ("tasks", tasks),
            ("task_fields", fields),
            ("comments", comments),
            ("taggings", taggings),
        ):
            self.insert(name, rows)
        return made


def seed(database_url: str, workdir: Path, scale: Scale) -> Seeded:
    """Migrate `database_url` (an empty database) and fill it; see the module docstring."""
    org, token = make_organization(database_url, workdir)
    template, process, tag, big = make_prototype(database_url, org, token)
    engine = create_engine(database_url)
    seeded = Seeded(database_url, org, token, template, tag, big, (template, process, tag))
    try:
        with engine.begin() as db:
            copier = Copier(db, template, process, tag)
            copier.copy_templates(scale.templates)
            copier.copy_tags(scale.tags)
            for numbers in chunks(range(1, scale.processes), CHUNK):
                for run_id, archived, complete, task_ids in copier.copy_processes(
                    numbers,
                    archived_every=4,
                    tasks_each=STEPS,
                    comments_each=scale.comments_per_process,
                ):
                    if not archived and not complete and len(seeded.runs) < 1_000:
                        seeded.runs.append(run_id)
                        seeded.open_tasks += [(run_id, task) for task in task_ids]
            heavy = range(scale.processes, scale.processes + scale.heavy)
            for run_id, *_ in copier.copy_processes(
                list(heavy), archived_every=0, tasks_each=100, comments_each=200
            ):
                seeded.heavy.append(run_id)
            seeded.rows = copier.rows
        analyze(engine)
    finally:
        engine.dispose()
    return seeded


def analyze(engine: Engine) -> None:
    """On PostgreSQL, gather the planner's statistics and mark the loaded pages all-visible
    after a bulk load, as autovacuum does within a minute in production: without the
    statistics it picks plans no running server keeps (the first full-scale run served get
    run with its tasks at 17 req/s, then 74 once autovacuum had run), and without the
    visibility map a count cannot be answered from an index alone. SQLite's statistics are
    gathered by the server as it starts (procession/db/statistics.py)."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as db:
            db.exec_driver_sql("VACUUM ANALYZE")


def add_archived_history(seeded: Seeded, count: int, first_number: int) -> None:
    """`count` more archived processes, older than everything else (numbered from
    `first_number`), each with its tagging but no tasks: history that list queries must skip."""
    engine = create_engine(seeded.database_url)
    try:
        with engine.begin() as db:
            copier = Copier(db, *seeded.prototype)
            copier.copy_templates(1)
            numbers = range(first_number, first_number + count)
            for chunk in chunks(numbers, CHUNK * 10):
                copier.copy_processes(chunk, archived_every=1, tasks_each=0, comments_each=0)
        analyze(engine)
    finally:
        engine.dispose()
