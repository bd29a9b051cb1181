"""Archive, restore and permanent delete of one large process, at the database level:
Procession's lifecycle engine against the floor, hand-written set-based SQL.

One process of N tasks (default 10,000) and M comments (default 100,000, spread over the
tasks), with a form value and an owner per task and a tag link and a folder filing on every
tenth task, is built in pairs of identical copies in a fresh database: bulk copies of the
rows of a small process made through the real API. Then, each in one transaction and
committed, as a request would:

- Procession: the functions the HTTP routes call (`processes.service.get_process` with
  `for_update`, then `audit.service.archive` / `restore` / `purge`, which run the engine in
  `db/lifecycle.py` and write the audit entry and webhook events), through its own async
  engine and session (`db/session.Database`); the rendering of the answer is left out;
- the floor, on the other copy of the pair: the statements a hand-written cascade would run
  through the plain driver (sqlite3 or psycopg): fetch the process, one `UPDATE` per table
  level (archive), by batch id (restore), `DELETE`s of the children, then the parent
  (purge; row counts from the deletes themselves), and the same audit row and webhook
  endpoint read. The floor's tables are checked against the engine's cascade graph first,
  and the two must report the same rows, so the floor never does less work.

Timed: archive, restore, archive again, purge; then archive and purge at N/100 and N/10
tasks (comments in proportion) next to the N run, as milliseconds per 1,000 child rows, so
that growth is visible. Each figure is the median over three pairs, the two sides taking
turns to go first. Before each timing SQLite's write-ahead log is checkpointed, so an
operation pays for writing back its own pages only.
Prints the tables; `run()` returns them as a dict (bench/__main__.py puts it into
bench/results/latest.json).

    .venv/bin/python -m bench.lifecycle [--tasks N --comments M] [--quick]
        [--database-url postgresql://...] [--json results.json]

With `--database-url`, a throwaway database is created on that PostgreSQL server (the role
needs CREATEDB) and dropped afterwards; the default is a new SQLite file in a temp directory.
"""

import argparse
import asyncio
import json
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb
from sqlalchemy import Connection, Integer, Table, create_engine, func, select
from sqlalchemy.engine import URL, make_url
from starlette.testclient import TestClient

from bench.seed import poster
from procession.audit import service as audit_service
from procession.audit.models import AuditEvent
from procession.auth import service as auth_service
from procession.auth.models import Role
from procession.auth.service import Principal
from procession.config import Settings
from procession.db import lifecycle, migrate
from procession.db.base import Base, new_id
from procession.db.engine import SQLITE_PRAGMAS, sqlite_path
from procession.db.session import Database
from procession.db.statistics import ROUND as STATISTICS_ROUND
from procession.db.types import utcnow
from procession.main import create_app
from procession.orgs import service as org_service
from procession.processes import service as process_service
from procession.processes.models import Process

TARGET = 1.5  # Procession's time over the floor's, at most
STEPS = 5  # steps of the prototype template: tasks cycle through them
LINK_EVERY = 10  # every tenth task has a tag link and a folder filing
CHUNK = 5_000  # rows per executemany while copying
REPEATS = 3  # pairs of copies measured at each size: the median is reported

# The floor's cascade, written out by hand: (parent table, child table, foreign key), in the
# order the statements run. `check_floor_graph` compares them with what the engine walks, so
# a new child table makes this benchmark fail rather than measure a floor that skips it.
# Comments are not among the archive's edges: they are hidden with their task
# (`lifecycle: inherit`), so neither side writes them before the purge.
ARCHIVE_EDGES = (  # archive: parents stamped before children; restore: by batch id
    ("processes", "tasks", "process_id"),
    ("processes", "assets", "process_id"),
    ("tasks", "assets", "task_id"),
)
TASK_CHILDREN = ("comments", "task_fields", "task_owners", "taggings", "folder_objects", "assets")
PROCESS_CHILDREN = ("assets", "automation_rule_firings", "folder_objects", "taggings", "tasks")
PURGE_EDGES = (  # purge: grandchildren, then children; the process last
    *(("tasks", child, "task_id") for child in TASK_CHILDREN),
    *(("processes", child, "process_id") for child in PROCESS_CHILDREN),
)


def check_floor_graph() -> None:
    """Refuse to run when the engine's cascade graph differs from the floor's statements."""
    archive: set[tuple[str, str, str]] = set()
    for model in lifecycle.subtree(Process):
        for child_model, key in lifecycle.cascade_children(model):
            archive.add((model.__tablename__, child_model.__tablename__, key.name))
    purge: set[tuple[str, str, str]] = set()
    pending = [table("processes")]
    while pending:
        parent = pending.pop()
        for child_table, key in lifecycle.cascade_tables(parent):
            purge.add((parent.name, child_table.name, key.name))
            pending.append(child_table)
    for name, engine, edges in (("archive", archive, ARCHIVE_EDGES), ("purge", purge, PURGE_EDGES)):
        floor = set(edges)
        if engine != floor:
            raise RuntimeError(
                f"the {name} cascade changed: the engine walks {sorted(engine - floor)} that the"
                f" floor does not, and the floor {sorted(floor - engine)} that the engine does"
                " not; update bench/lifecycle.py"
            )


# --- the database -----------------------------------------------------------------------


def pg_params(url: URL) -> dict[str, Any]:
    """psycopg connection parameters of a SQLAlchemy PostgreSQL URL."""
    params: dict[str, Any] = {
        "host": url.host,
        "port": url.port,
        "user": url.username,
        "password": url.password,
        "dbname": url.database,
    }
    params.update({key: str(value) for key, value in url.query.items()})
    return {key: value for key, value in params.items() if value is not None}


@contextmanager
def throwaway_database(database_url: str | None) -> Iterator[tuple[Settings, Path]]:
    """Settings for a new, empty, migrated database (SQLite file in a temp directory, or a
    new database on the PostgreSQL server of `database_url`), removed afterwards; and a
    scratch directory (uploaded files would go there)."""
    workdir = Path(tempfile.mkdtemp(prefix="procession-lifecycle-"))
    server: URL | None = None
    name = f"procession_lifecycle_{new_id()[:12]}"
    try:
        if database_url is None:
            url = f"sqlite:///{workdir / 'lifecycle.db'}"
        else:
            server = make_url(Settings(database_url=database_url, _env_file=None).database_url)
            with psycopg.connect(**pg_params(server), autocommit=True) as admin:
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            url = server.set(database=name).render_as_string(hide_password=False)
        settings = Settings(
            database_url=url,
            background_jobs=False,
            log_level="warning",
            files_dir=workdir / "files",
            _env_file=None,
        )
        migrate.upgrade(settings)
        yield settings, workdir
    finally:
        if server is not None:
            with psycopg.connect(**pg_params(server), autocommit=True) as admin:
                drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                admin.execute(drop.format(sql.Identifier(name)))
        shutil.rmtree(workdir, ignore_errors=True)


# --- the data ---------------------------------------------------------------------------


async def make_admin(settings: Settings) -> tuple[str, int, str]:
    """An organization and its admin, through the services: (org id, user id, API token)."""
    database = Database(settings)
    try:
        async with database.transaction() as session:
            org = await org_service.create_organization(session, name="Lifecycle bench")
            admin = await org_service.add_user(
                session,
                org_id=org.id,
                email="lifecycle-bench@example.com",
                first_name="Bench",
                last_name="Admin",
                role=Role.ADMIN,
            )
            token = await auth_service.issue_token(session, user=admin, name="bench")
            return org.id, admin.id, token
    finally:
        await database.dispose()


def make_prototype(settings: Settings, org_id: str, admin_id: int, token: str) -> str:
    """A small process made through the API: a template of `STEPS` steps, each assigned to
    the admin with a text form field, launched with a tag and filed in a folder; its first
    task tagged, filed and commented. Returns the process id."""
    with TestClient(create_app(settings)) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        base = f"/api/organizations/{org_id}"
        post = poster(client, org_id)

        template = post("/checklists", {"title": "Lifecycle bench"})["id"]
        for n in range(1, STEPS + 1):
            step = post(
                f"/checklists/{template}/steps", {"title": f"Step {n}", "assignees": [admin_id]}
            )
            post(
                f"/checklists/{template}/steps/{step['id']}/captures",
                {"field_type": "text", "label": f"Notes {n}", "required": False},
            )
        tag = post("/tags", {"title": "bench"})["id"]
        folder = post("/folders", {"name": "Bench runs", "folder_type": "run"})["id"]
        run = post("/runs", {"checklist_id": template, "name": "Prototype", "tags": [tag]})["id"]
        tasks = client.get(f"{base}/runs/{run}/tasks", params={"per_page": STEPS})
        first = tasks.json()["data"][0]["id"]
        post("/checklists/tags", {"tag_id": tag, "subject_type": "Task", "subject_id": first})
        for subject, kind in ((run, "Run"), (first, "Task")):
            body = {"folder_id": folder, "subject_id": subject, "subject_type": kind}
            post("/folders/add-object", body)
        post(f"/tasks/{first}/comment", {"content": "Laptop ordered, arrives on Monday"})
        return str(run)


def table(name: str) -> Table:
    return Base.metadata.tables[name]


def rows_of(db: Connection, name: str, **where: str) -> list[dict[str, Any]]:
    """Rows of table `name` matching `where`, as dicts; integer keys left to the database."""
    t = table(name)
    found = db.execute(select(t).where(*(t.c[k] == v for k, v in where.items())))
    rows = [dict(row._mapping) for row in found]
    if isinstance(t.c.id.type, Integer):
        for row in rows:
            del row["id"]
    return rows


@dataclass
class Prototype:
    """The rows of the process made through the API, to copy."""

    process: dict[str, Any]
    tasks: list[dict[str, Any]]  # by position
    task_rows: dict[str, list[tuple[str, dict[str, Any]]]]  # task id -> (table, row) per task
    linked: list[tuple[str, dict[str, Any]]]  # (table, row): links of the first task
    process_links: list[tuple[str, dict[str, Any]]]  # (table, row) linked to the process
    comment: dict[str, Any]

    @classmethod
    def read(cls, db: Connection, process_id: str) -> "Prototype":
        tasks = sorted(rows_of(db, "tasks", process_id=process_id), key=lambda r: r["position"])
        per_task = {
            t["id"]: [
                (n, r)
                for n in ("task_fields", "task_owners")
                for r in rows_of(db, n, task_id=t["id"])
            ]
            for t in tasks
        }
        first = tasks[0]["id"]
        linked = [
            (n, r) for n in ("taggings", "folder_objects") for r in rows_of(db, n, task_id=first)
        ]
        process_links = [
            (n, r)
            for n in ("taggings", "folder_objects")
            for r in rows_of(db, n, process_id=process_id)
        ]
        (comment,) = rows_of(db, "comments", task_id=first)
        (process,) = rows_of(db, "processes", id=process_id)
        assert all(len(rows) == 2 for rows in per_task.values()), per_task
        assert len(linked) == 2, linked
        assert len(process_links) == 2, process_links
        return cls(process, tasks, per_task, linked, process_links, comment)


@dataclass
class Copies:
    """Inserts copies of the prototype with bulk inserts; counts the rows it wrote."""

    db: Connection
    prototype: Prototype
    rows: Counter[str] = field(default_factory=Counter)

    def insert(self, name: str, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.db.execute(table(name).insert(), rows)
            self.rows[name] += len(rows)

    def next_number(self, name: str) -> int:
        org_id = self.prototype.process["org_id"]
        t = table(name)
        found = self.db.execute(select(func.max(t.c.increment_id)).where(t.c.org_id == org_id))
        return int(found.scalar_one() or 0) + 1

    def process(self, tasks: int, comments: int, label: str) -> str:
        """One copy of the process, named `label`, with `tasks` tasks and `comments` comments
        (dealt out over the tasks in turn). Returns its id."""
        proto = self.prototype
        process_id = new_id()
        self.insert(
            "processes",
            [
                {
                    **proto.process,
                    "id": process_id,
                    "name": label,
                    "increment_id": self.next_number("processes"),
                    "task_count": tasks,
                }
            ],
        )
        for name, row in proto.process_links:
            self.insert(name, [{**row, "process_id": process_id}])
        first_number = self.next_number("tasks")
        task_ids = [new_id() for _ in range(tasks)]
        for start in range(0, tasks, CHUNK):
            batch: dict[str, list[dict[str, Any]]] = {"tasks": []}
            for position in range(start, min(start + CHUNK, tasks)):
                model = proto.tasks[position % len(proto.tasks)]
                task_id = task_ids[position]
                batch["tasks"].append(
                    {
                        **model,
                        "id": task_id,
                        "process_id": process_id,
                        "position": position + 1,
                        "increment_id": first_number + position,
                    }
                )
                extra = proto.task_rows[model["id"]]
                if position % LINK_EVERY == 0:
                    extra = extra + proto.linked
                for name, row in extra:
                    copied = {**row, "task_id": task_id}
                    if "id" in row:  # a hex id; integer ones were left out
                        copied["id"] = new_id()
                    batch.setdefault(name, []).append(copied)
            for name, rows in batch.items():
                self.insert(name, rows)
        for start in range(0, comments, CHUNK):
            self.insert(
                "comments",
                [
                    {**proto.comment, "id": new_id(), "task_id": task_ids[n % tasks]}
                    for n in range(start, min(start + CHUNK, comments))
                ],
            )
        return process_id


# --- the two sides ----------------------------------------------------------------------


def elapsed_ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


class Procession:
    """The engine as the routes call it: fetch the process for update, then the audit
    service's operation, in one transaction of Procession's own `Database`, committed."""

    def __init__(self, settings: Settings, org_id: str, admin_id: int) -> None:
        self.runner = asyncio.Runner()
        self.database = Database(settings)
        self.caller = self.runner.run(self._principal(org_id, admin_id))

    async def _principal(self, org_id: str, admin_id: int) -> Principal:
        async with self.database.transaction(writes=False) as session:
            return await auth_service.principal_for_user(session, admin_id, org_id)

    def archive(self, process_id: str) -> tuple[float, dict[str, int]]:
        return self.runner.run(self._timed("archive", process_id))

    def restore(self, process_id: str) -> tuple[float, dict[str, int]]:
        return self.runner.run(self._timed("restore", process_id))

    def purge(self, process_id: str) -> tuple[float, dict[str, int]]:
        return self.runner.run(self._timed("purge", process_id))

    async def _timed(self, action: str, process_id: str) -> tuple[float, dict[str, int]]:
        """Milliseconds from BEGIN to COMMIT, and the rows the engine reported per table."""
        caller, counts = self.caller, None
        started = time.perf_counter()
        async with self.database.transaction() as session:
            process = await process_service.get_process(
                session, caller, process_id, for_update=True
            )
            if action == "archive":
                await audit_service.archive(session, caller, process)
            elif action == "restore":
                await audit_service.restore(session, caller, process)
            else:
                counts = await audit_service.purge(session, caller, process)
        took = elapsed_ms(started)
        if counts is None:  # archive and restore report their counts in the audit entry
            async with self.database.transaction(writes=False) as session:
                recorded = select(AuditEvent.counts).where(
                    AuditEvent.object_id == process_id, AuditEvent.action == action
                )
                counts = (await session.execute(recorded.order_by(AuditEvent.id.desc()))).scalar()
        return took, dict(counts or {})

    def close(self) -> None:
        self.runner.run(self.database.dispose())
        self.runner.close()


class Floor:
    """A hand-written cascade: plain set-based SQL through the driver itself (sqlite3 with
    the pragmas Procession's connections use, or psycopg), one transaction per operation."""

    def __init__(self, settings: Settings) -> None:
        self.lite: sqlite3.Connection | None = None
        self.pg: psycopg.Connection[Any] | None = None
        if settings.is_sqlite:
            path = sqlite_path(settings.database_url)
            assert path is not None, "a file, not an in-memory database"
            self.lite = sqlite3.connect(path, isolation_level=None)
            for pragma in SQLITE_PRAGMAS:
                self.lite.execute(f"PRAGMA {pragma}")
        else:
            params = pg_params(make_url(settings.database_url))
            self.pg = psycopg.connect(**params, autocommit=True)

    def execute(self, statement: str, *params: Any) -> sqlite3.Cursor | psycopg.Cursor[Any]:
        if self.lite is not None:
            return self.lite.execute(statement, params)
        assert self.pg is not None
        return self.pg.execute(statement.replace("?", "%s"), params)

    def run(self, statement: str, *params: Any) -> int:
        """Run one statement; the number of rows it changed."""
        return self.execute(statement, *params).rowcount

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.execute("BEGIN IMMEDIATE" if self.lite else "BEGIN")  # as Procession's writers
        try:
            yield
        except BaseException:
            self.execute("ROLLBACK")
            raise
        self.execute("COMMIT")

    def checkpoint(self) -> None:
        """Empty SQLite's write-ahead log between timings, so that each operation pays for
        writing back its own pages only (a no-op on PostgreSQL)."""
        if self.lite is not None:
            self.lite.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def settle(self) -> None:
        """After a bulk load: the planner statistics a running server has, PostgreSQL's as
        autovacuum gathers them, SQLite's as Procession's statistics job does."""
        if self.pg is not None:
            self.pg.execute("ANALYZE")
        if self.lite is not None:
            for statement, params in STATISTICS_ROUND:
                self.lite.execute(statement.text, params)

    def timestamp(self, moment: datetime) -> Any:
        """As the engine stores it: naive UTC, as text on SQLite."""
        naive = moment.astimezone(UTC).replace(tzinfo=None)
        return naive.strftime("%Y-%m-%d %H:%M:%S.%f") if self.lite else naive

    def fetch(self, org_id: str, process_id: str) -> dict[str, Any]:
        """The process row, locked on PostgreSQL (SQLite's BEGIN IMMEDIATE already is)."""
        lock = "" if self.lite else " FOR UPDATE"
        cursor = self.execute(
            f"SELECT * FROM processes WHERE org_id = ? AND id = ?{lock}", org_id, process_id
        )
        row = cursor.fetchone()
        assert row is not None, process_id
        assert cursor.description is not None
        return dict(zip([column[0] for column in cursor.description], row, strict=True))

    def record(
        self, process: dict[str, Any], actor_id: int, action: str, counts: dict[str, int]
    ) -> None:
        """The audit entry, and the read of the endpoints a webhook event would go to."""
        self.run(
            "INSERT INTO audit_events (org_id, actor_id, action, object_type, object_id,"
            " object_name, counts, created_at) VALUES (?, ?, ?, 'process', ?, ?, ?, ?)",
            process["org_id"],
            actor_id,
            action,
            process["id"],
            process["name"],
            json.dumps(counts) if self.lite else Jsonb(counts),
            self.timestamp(utcnow()),
        )
        endpoints = "SELECT id, event_types FROM webhook_endpoints WHERE org_id = ? AND is_active"
        self.execute(endpoints, process["org_id"]).fetchall()

    def archive(self, org_id: str, process_id: str, actor_id: int) -> dict[str, int]:
        counts: Counter[str] = Counter()
        with self.transaction():
            process = self.fetch(org_id, process_id)
            if process["archived_at"] is not None:
                return {}
            batch = new_id()
            stamp = (self.timestamp(utcnow()), actor_id, batch)
            archive = "UPDATE {} SET archived_at = ?, archived_by_id = ?, archive_batch_id = ?"
            live = "archived_at IS NULL"
            counts["processes"] = self.run(
                f"{archive.format('processes')} WHERE id = ? AND {live}", *stamp, process_id
            )
            for parent, child, key in ARCHIVE_EDGES:
                if parent == "processes":
                    where, value = f"{key} = ?", process_id
                else:
                    where = f"{key} IN (SELECT id FROM {parent} WHERE archive_batch_id = ?)"
                    value = batch
                counts[child] += self.run(
                    f"{archive.format(child)} WHERE {where} AND {live}", *stamp, value
                )
            self.record(process, actor_id, "archive", +counts)
        return +counts

    def restore(self, org_id: str, process_id: str, actor_id: int) -> dict[str, int]:
        counts: Counter[str] = Counter()
        with self.transaction():
            process = self.fetch(org_id, process_id)
            batch = process["archive_batch_id"]
            if process["archived_at"] is None or batch is None:
                return {}
            tables = dict.fromkeys(["processes", *(child for _, child, _ in ARCHIVE_EDGES)])
            for name in tables:
                counts[name] = self.run(
                    f"UPDATE {name} SET archived_at = NULL, archived_by_id = NULL,"
                    " archive_batch_id = NULL WHERE archive_batch_id = ?",
                    batch,
                )
            self.record(process, actor_id, "restore", +counts)
        return +counts

    def purge(self, org_id: str, process_id: str, actor_id: int) -> dict[str, int]:
        counts: Counter[str] = Counter()
        with self.transaction():
            process = self.fetch(org_id, process_id)
            assert process["archived_at"] is not None, "archived first"
            assert process["legal_hold_at"] is None, "not on hold"
            of_tasks = "IN (SELECT id FROM tasks WHERE process_id = ?)"
            files = f"SELECT org_id, id FROM assets WHERE process_id = ? OR task_id {of_tasks}"
            self.execute(files, process_id, process_id).fetchall()  # their bytes go too
            for parent, child, key in PURGE_EDGES:
                where = f"{key} = ?" if parent == "processes" else f"{key} {of_tasks}"
                counts[child] += self.run(f"DELETE FROM {child} WHERE {where}", process_id)
            counts["processes"] = self.run("DELETE FROM processes WHERE id = ?", process_id)
            self.record(process, actor_id, "purge", +counts)
        return +counts

    def close(self) -> None:
        if self.lite is not None:
            self.lite.close()
        if self.pg is not None:
            self.pg.close()


# --- the measurements -------------------------------------------------------------------


@dataclass
class Timing:
    operation: str
    counts: dict[str, int]  # rows per table, as both sides reported them
    procession_ms: float
    floor_ms: float

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    @property
    def ratio(self) -> float:
        return self.procession_ms / self.floor_ms

    def as_dict(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "rows": self.rows,
            "counts": self.counts,
            "procession_ms": round(self.procession_ms, 1),
            "floor_ms": round(self.floor_ms, 1),
            "ratio": round(self.ratio, 2),
        }


@dataclass
class Bench:
    """One database: the prototype, the two sides, and pairs of identical copies."""

    settings: Settings
    org_id: str
    admin_id: int
    prototype_id: str
    procession: Procession
    floor: Floor

    def build(
        self, tasks: int, comments: int, label: str, pairs: int = 1
    ) -> tuple[list[tuple[str, str]], dict[str, int]]:
        """`pairs` pairs of identical processes, (Procession's, the floor's); rows in each."""
        engine = create_engine(self.settings.database_url)
        try:
            with engine.begin() as db:
                copies = Copies(db, Prototype.read(db, self.prototype_id))
                made = [
                    (
                        copies.process(tasks, comments, f"{label} (Procession)"),
                        copies.process(tasks, comments, f"{label} (floor)"),
                    )
                    for _ in range(pairs)
                ]
        finally:
            engine.dispose()
        self.floor.settle()
        return made, {name: n // (2 * pairs) for name, n in copies.rows.items()}

    def measure(self, operation: str, mine: str, theirs: str, floor_first: bool) -> Timing:
        """`operation` on Procession's copy and on the floor's; each side must report the
        same rows per table."""
        action = operation.split()[0]

        def on_floor() -> tuple[float, dict[str, int]]:
            self.floor.checkpoint()
            started = time.perf_counter()
            counts = getattr(self.floor, action)(self.org_id, theirs, self.admin_id)
            return elapsed_ms(started), counts

        def on_procession() -> tuple[float, dict[str, int]]:
            self.floor.checkpoint()
            result: tuple[float, dict[str, int]] = getattr(self.procession, action)(mine)
            return result

        if floor_first:
            (floor_ms, floor_counts), (procession_ms, counts) = on_floor(), on_procession()
        else:
            (procession_ms, counts), (floor_ms, floor_counts) = on_procession(), on_floor()
        if counts != floor_counts:
            raise RuntimeError(
                f"{operation}: Procession touched {counts}, the floor {floor_counts}"
            )
        return Timing(operation, counts, procession_ms, floor_ms)

    def median(self, operation: str, pairs: list[tuple[str, str]]) -> Timing:
        """`operation` on every pair, the two sides taking turns to go first; the median time
        of each side."""
        timings = [
            self.measure(operation, mine, theirs, floor_first=n % 2 == 1)
            for n, (mine, theirs) in enumerate(pairs)
        ]
        return Timing(
            operation,
            timings[0].counts,
            statistics.median(t.procession_ms for t in timings),
            statistics.median(t.floor_ms for t in timings),
        )


def sizes(tasks: int, comments: int) -> list[tuple[int, int]]:
    """N/100, N/10 and N tasks, comments in proportion (fewer sizes for a tiny N)."""
    found = {(max(1, tasks // d), comments // d) for d in (100, 10, 1)}
    return sorted(found)


def per_thousand(ms: float, rows: int) -> float:
    """Milliseconds per 1,000 child rows (every row but the process itself)."""
    return ms / max(1, rows - 1) * 1000


def run(database_url: str | None, tasks: int, comments: int) -> dict[str, Any]:
    """Build, measure, print the tables; the results as a dict (see the module docstring)."""
    if tasks < 1 or comments < 0:
        raise ValueError("at least one task, and no negative number of comments")
    check_floor_graph()
    with throwaway_database(database_url) as (settings, _):
        org_id, admin_id, token = asyncio.run(make_admin(settings))
        prototype_id = make_prototype(settings, org_id, admin_id, token)
        procession, floor = Procession(settings, org_id, admin_id), Floor(settings)
        bench = Bench(settings, org_id, admin_id, prototype_id, procession, floor)
        try:
            # Warm up both sides (connections, statement caches) on a small pair, untimed.
            pairs, _ = bench.build(STEPS, STEPS, "Warm-up")
            for operation in ("archive", "restore", "archive", "purge"):
                bench.median(operation, pairs)
            started = time.perf_counter()
            pairs, rows = bench.build(tasks, comments, "Large", REPEATS)
            build_seconds = time.perf_counter() - started
            timings = [
                bench.median(operation, pairs)
                for operation in ("archive", "restore", "archive again", "purge")
            ]
            growth = []
            for size_tasks, size_comments in sizes(tasks, comments):
                if (size_tasks, size_comments) == (tasks, comments):
                    archive, purge = timings[0], timings[-1]
                else:
                    pairs, _ = bench.build(size_tasks, size_comments, "Growth", REPEATS)
                    archive, purge = bench.median("archive", pairs), bench.median("purge", pairs)
                growth.append(growth_row(size_tasks, size_comments, archive, purge))
        finally:
            procession.close()
            floor.close()
    result = {
        "database": "sqlite" if settings.is_sqlite else "postgresql",
        "driver": settings.async_database_url.split(":", 1)[0],
        "tasks": tasks,
        "comments": comments,
        "rows_per_copy": rows,
        "build_seconds": round(build_seconds, 1),
        "pairs_per_size": REPEATS,
        "target_ratio": TARGET,
        "operations": [timing.as_dict() for timing in timings],
        "growth": growth,
    }
    print_report(result)
    return result


def growth_row(tasks: int, comments: int, archive: Timing, purge: Timing) -> dict[str, Any]:
    return {
        "tasks": tasks,
        "comments": comments,
        "archive_rows": archive.rows,
        "purge_rows": purge.rows,
        "procession_archive_ms": round(archive.procession_ms, 1),
        "floor_archive_ms": round(archive.floor_ms, 1),
        "procession_purge_ms": round(purge.procession_ms, 1),
        "floor_purge_ms": round(purge.floor_ms, 1),
        "ms_per_1000_child_rows": {
            "procession_archive": round(per_thousand(archive.procession_ms, archive.rows), 3),
            "floor_archive": round(per_thousand(archive.floor_ms, archive.rows), 3),
            "procession_purge": round(per_thousand(purge.procession_ms, purge.rows), 3),
            "floor_purge": round(per_thousand(purge.floor_ms, purge.rows), 3),
        },
    }


def print_report(result: dict[str, Any]) -> None:
    rows = ", ".join(f"{n:,} {name}" for name, n in result["rows_per_copy"].items())
    print(
        f"Lifecycle at the database level, {result['driver']}: one process of"
        f" {result['tasks']:,} tasks and {result['comments']:,} comments"
    )
    print(f"(each copy: {rows}; {REPEATS} pairs built in {result['build_seconds']} s; medians)")
    print(f"{'operation':16}{'rows touched':>14}{'procession ms':>15}{'floor ms':>10}{'ratio':>7}")
    for op in result["operations"]:
        over = "  over target" if op["ratio"] > TARGET else ""
        print(
            f"{op['operation']:16}{op['rows']:>14,}{op['procession_ms']:>15.1f}"
            f"{op['floor_ms']:>10.1f}{op['ratio']:>7.2f}{over}"
        )
    print(f"target: ratio <= {TARGET}")
    print("\ngrowth: ms per 1,000 child rows, Procession / floor")
    print(f"{'tasks':>8}{'comments':>10}{'archive rows':>14}{'archive':>20}", end="")
    print(f"{'purge rows':>14}{'purge':>20}")
    for size in result["growth"]:
        per = size["ms_per_1000_child_rows"]
        archive = f"{per['procession_archive']:.2f} / {per['floor_archive']:.2f}"
        purge = f"{per['procession_purge']:.2f} / {per['floor_purge']:.2f}"
        print(
            f"{size['tasks']:>8,}{size['comments']:>10,}{size['archive_rows']:>14,}{archive:>20}"
            f"{size['purge_rows']:>14,}{purge:>20}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="1,000 tasks, 10,000 comments")
    parser.add_argument("--database-url", help="a PostgreSQL server (default: a SQLite file)")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    tasks, comments = (1_000, 10_000) if args.quick else (args.tasks, args.comments)
    result = run(args.database_url, tasks, comments)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
