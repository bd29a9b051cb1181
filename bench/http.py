"""Core operations over HTTP: Procession served by uvicorn as a user would run it, against
the floor (bench/floor.py) replaying the very same SQL, both driven by wrk over loopback at
the same concurrency.

Each operation is first sent once through the app in-process with its SQL recorded (the
floor's script). Then Procession, the floor and the ceiling (the floor's replay behind
FastAPI: what the framework alone leaves of the floor) are served at once, with 1 and then 2
uvicorn workers, and wrk drives each operation on each of them in turn. Archive, restore and
purge of a 100-task process happen once per process, so they are sent one after another and
timed for latency only (their floor is the raw set-based SQL in bench/lifecycle.py).
"""

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from statistics import quantiles
from typing import Any

import httpx2 as httpx
from sqlalchemy import Connection, event
from starlette.testclient import TestClient

from bench.floor import connect, generated_ids, insert_rows
from bench.seed import Seeded
from procession.config import Settings
from procession.db.engine import begin_statement
from procession.main import create_app
from tests.live import free_port

CONCURRENCY = 16
# The server as a user runs it, but with the per-organization rate limit out of reach (its
# bookkeeping still runs on every request): one organization sends all of the load here.
SERVER_ENV = {"PROCESSION_LOG_LEVEL": "warning", "PROCESSION_RATE_LIMIT": "100000000/minute"}

WRK_SCRIPT = """
local requests = {requests}
local i = {start}
request = function()
  i = i + 1
  local r = requests[(i - 1) % #requests + 1]
  return wrk.format(r[1], r[2], {{
    ["Authorization"] = "Bearer {token}",
    ["Content-Type"] = "application/json",
    ["X-Bench-Op"] = "{op}",
  }}, r[3])
end
done = function(summary, latency, requests)
  io.write(string.format(
    "RESULT %d %f %d %d %f %f %f\\n",
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""


@dataclass
class Operation:
    """One benchmarked request. `requests` are (method, path under the organization, JSON
    body or None), cycled through: a write that changes its target takes a fresh one."""

    name: str
    requests: list[tuple[str, str, dict[str, Any] | None]]
    kind: str = "read"  # read | write
    cursor: int = 0  # requests sent so far: the next run goes on from here

    @property
    def title(self) -> str:
        """The name without its share suffix (`complete a task#1` is `complete a task`)."""
        return self.name.partition("#")[0]


@dataclass
class Figures:
    throughput: float  # requests per second
    p50: float  # milliseconds
    p95: float
    p99: float
    requests: int = 0
    timeouts: int = 0  # requests not answered within wrk's --timeout


@dataclass
class Result:
    operation: str
    kind: str
    figures: dict[str, Figures] = field(default_factory=dict)  # "procession 1w", "floor 1w"...


WRK_TABLE_LIMIT = 14_000
"""Requests per wrk script at most: its LuaJIT loaded a table of 14,000 (5,000 ran out at
515 completions a second, over the warm-up and a 10-second run)."""


def operations(seeded: Seeded, slices: int) -> list[Operation]:
    """The operations; writes that use up their targets get `slices` disjoint shares of
    them, one per Procession run (a task completes once)."""
    runs = seeded.runs[:200]
    share = min(len(seeded.open_tasks) // slices, WRK_TABLE_LIMIT)
    return [
        Operation("get run", [("GET", f"/runs/{r}", None) for r in runs]),
        Operation("get run with its tasks", [("GET", f"/runs/{r}?with=tasks", None) for r in runs]),
        Operation("list runs, first page", [("GET", "/runs", None)]),
        Operation("list runs by status", [("GET", "/runs?status=active", None)]),
        Operation("list runs by tag", [("GET", f"/runs?tag={seeded.tag}", None)]),
        Operation("list tasks, first page", [("GET", "/tasks", None)]),
        Operation("search", [("GET", "/search?search=Onboarding%2012&on=process", None)]),
        Operation(
            "launch a 20-step process",
            [("POST", "/runs", {"checklist_id": seeded.template, "name": "Bench launch"})],
            "write",
        ),
        Operation(
            "add a comment",
            [
                ("POST", f"/tasks/{t}/comment", {"content": "Checked, all fine"})
                for _, t in seeded.open_tasks[:100]
            ],
            "write",
        ),
    ] + [
        Operation(
            f"complete a task#{n}",
            [
                ("POST", f"/runs/{r}/completed-tasks", {"task_id": t})
                for r, t in seeded.open_tasks[n * share : (n + 1) * share]
            ],
            "write",
        )
        for n in range(slices)
    ]


@contextmanager
def recording(client: TestClient) -> Iterator[list[tuple[str, list[Any]]]]:
    engine = client.app.state.database.engine.sync_engine  # type: ignore[attr-defined]
    statements: list[tuple[str, list[Any]]] = []

    def record(_c: Any, _cur: Any, statement: str, parameters: Any, _ctx: Any, many: bool) -> None:
        for one in parameters if many else [parameters]:
            statements.append((statement, list(one or ())))

    def record_begin(conn: Connection) -> None:
        # SQLite's BEGIN goes to the driver unseen by `before_cursor_execute` (db/engine.py).
        statements.append((begin_statement(conn), []))

    event.listen(engine, "before_cursor_execute", record)
    event.listen(engine, "begin", record_begin)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
        event.remove(engine, "begin", record_begin)


def record_scripts(seeded: Seeded, ops: list[Operation], path: Path) -> None:
    """Send each operation's last request once in-process and save its SQL for the floor.
    (The last: the load run cycles from the first, so a write's target is not used up.)"""
    settings = Settings(
        database_url=seeded.database_url,
        background_jobs=False,
        log_level="warning",
        _env_file=None,
    )
    scripts: dict[str, Any] = {}
    with TestClient(create_app(settings)) as client:
        client.headers["Authorization"] = f"Bearer {seeded.token}"
        for op in ops:
            method, target, body = op.requests[-1]
            with recording(client) as statements:
                answer = client.request(
                    method, f"/api/organizations/{seeded.org}{target}", json=body
                )
            assert answer.status_code < 300, (op.name, answer.text)
            scripts[op.name] = {
                "statements": statements,
                "generated": generated_ids(statements),
                "status": answer.status_code,
            }
    path.write_text(json.dumps(scripts, default=str))


PROCESSION = ["procession.main:create_app", "--factory"]
FLOOR = ["bench.floor:app"]
CEILING = ["bench.floor:ceiling"]


def serve(app: list[str], port: int, workers: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """Start `app` (PROCESSION or FLOOR) served as `procession serve` serves (bench/serve.py)
    and wait until it answers."""
    command = [sys.executable, "-m", "bench.serve", app[0], str(port), str(workers), *app[1:]]
    server = subprocess.Popen(command, env={**os.environ, **env})
    for _ in range(200):
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError(f"{app} did not start")


@contextmanager
def served(app: list[str], workers: int, env: dict[str, str]) -> Iterator[int]:
    port = free_port()
    server = serve(app, port, workers, env)
    try:
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string literal is a valid Lua string literal here


def wrk(port: int, seeded: Seeded, op: Operation, seconds: int, workdir: Path) -> Figures:
    base = f"/api/organizations/{seeded.org}"
    requests = ",".join(
        f"{{{lua_string(m)},{lua_string(base + p)},{lua_string(json.dumps(b)) if b else 'nil'}}}"
        for m, p, b in op.requests
    )
    script = workdir / "op.lua"
    script.write_text(
        WRK_SCRIPT.format(
            requests="{" + requests + "}", token=seeded.token, op=op.name, start=op.cursor
        )
    )
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{CONCURRENCY}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = re.search(r"RESULT (\d+) ([\d.]+) (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+)", out)
    assert found, out
    count, duration, errors, bad = int(found[1]), float(found[2]), int(found[3]), int(found[4])
    if bad:
        raise RuntimeError(f"{op.name}: {bad} answers were not 2xx\n{out}")
    # Requests still in flight when wrk stops were sent too: skip past them next time.
    op.cursor += count + CONCURRENCY
    latencies = (float(found[5]), float(found[6]), float(found[7]))
    return Figures(count / duration, *latencies, count, timeouts=errors)


def summarize(times: list[float]) -> Figures:
    """Figures of latencies (ms) measured one after another."""
    cuts = quantiles(times, n=100, method="inclusive")
    return Figures(1000 * len(times) / sum(times), cuts[49], cuts[94], cuts[98], len(times))


def one_by_one(port: int, seeded: Seeded, requests: list[tuple[str, str, Any]]) -> Figures:
    """Latency of requests sent one after another (for operations that use up their target)."""
    base = f"http://127.0.0.1:{port}/api/organizations/{seeded.org}"
    headers = {"Authorization": f"Bearer {seeded.token}"}
    times = []
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        for method, path, body in requests:
            started = time.perf_counter()
            answer = client.request(method, path, json=body)
            times.append((time.perf_counter() - started) * 1000)
            answer.raise_for_status()
    return summarize(times)


def raw_launches(seeded: Seeded, script: dict[str, Any], count: int) -> Figures:
    """The floor of a launch: its rows inserted by raw `executemany`, `count` times."""
    db = connect(seeded.database_url.removeprefix("sqlite:///"))
    times = []
    try:
        for _ in range(count):
            started = time.perf_counter()
            insert_rows(db, script)
            times.append((time.perf_counter() - started) * 1000)
    finally:
        db.close()
    return summarize(times)


LAUNCHES = 50  # 100-step launches timed one after another, and as many raw inserts
WARM_UP = 1
"""Seconds Procession is sent an operation before it is measured (wrk counts whole seconds)."""


def run(
    seeded: Seeded, workdir: Path, seconds: int, worker_counts: tuple[int, ...]
) -> list[Result]:
    """Every operation: wrk throughput and latency for those that repeat, then one at a
    time for those that use up their target and for the 100-step launch."""
    ops = operations(seeded, slices=len(worker_counts))
    big_launch = Operation(
        "launch a 100-step process",
        [("POST", "/runs", {"checklist_id": seeded.big_template, "name": "Plant audit"})],
        "write",
    )
    recording_file = workdir / "floor-script.json"
    record_scripts(seeded, [*ops, big_launch], recording_file)
    procession_env = {"DATABASE_URL": seeded.database_url, **SERVER_ENV}
    floor_env = {
        "BENCH_DB": seeded.database_url.removeprefix("sqlite:///"),
        "BENCH_SCRIPT": str(recording_file),
    }
    on_sqlite = seeded.database_url.startswith("sqlite")
    # The floor is sqlite3's: on PostgreSQL the comparison is with SQLite's run.
    baselines = [(FLOOR, "floor"), (CEILING, "ceiling")] if on_sqlite else []
    results = {op.title: Result(op.title, op.kind) for op in ops}
    for slot, workers in enumerate(worker_counts):
        mine = [op for op in ops if op.name.partition("#")[2] in ("", str(slot))]
        with ExitStack() as servers:
            # All served at once and each operation measured on each in turn, so that they
            # read the same data: the writes of one (launches, comments) would otherwise
            # make every list that the next one serves longer than the first one's.
            ports = [(servers.enter_context(served(PROCESSION, workers, procession_env)), "")]
            for app, name in baselines:
                ports.append((servers.enter_context(served(app, workers, floor_env)), name))
            for op in mine:
                for port, name in ports:
                    if not name:
                        wrk(port, seeded, op, WARM_UP, workdir)  # warm up (and fill caches)
                    figures = wrk(port, seeded, op, seconds, workdir)
                    results[op.title].figures[f"{name or 'procession'} {workers}w"] = figures
    with served(PROCESSION, 1, procession_env) as port:
        launch = Result(big_launch.name, "write")
        launch.figures["procession 1w"] = one_by_one(port, seeded, big_launch.requests * LAUNCHES)
        if on_sqlite:
            script = json.loads(recording_file.read_text())[big_launch.name]
            launch.figures["floor 1w"] = raw_launches(seeded, script, LAUNCHES)
        results[launch.operation] = launch
        # A page's own latency, without the queue 16 connections make in front of it.
        alone = Result("list runs, first page, one at a time", "read")
        alone.figures["procession 1w"] = one_by_one(port, seeded, [("GET", "/runs", None)] * 500)
        results[alone.operation] = alone
        heavy = seeded.heavy
        for name, requests in (
            ("archive a 100-task run", [("DELETE", f"/runs/{r}", None) for r in heavy]),
            ("restore it", [("PUT", f"/runs/{r}/activate", None) for r in heavy]),
            ("archive it again", [("DELETE", f"/runs/{r}", None) for r in heavy]),
            ("purge it", [("DELETE", f"/runs/{r}/delete", None) for r in heavy]),
        ):
            figures = one_by_one(port, seeded, requests)
            results[name] = Result(name, "lifecycle", {"procession 1w": figures})
    return list(results.values())
