"""The floor Procession is measured against: a bare Starlette app (no FastAPI, no ORM, no
validation) that runs the very same SQL for an operation with the standard library's sqlite3.

"The same SQL" is taken literally: bench/http.py records the statements and parameters
Procession sends for one request of each operation, and this app replays them for every
request naming that operation (the `X-Bench-Op` header the load generator sends). Ids the
recorded request created (a launched process, its tasks, a new comment) are swapped for
fresh ones, made as Procession makes them, on every replay, so inserts insert new rows as
Procession's do. The answer is the rows the statements read, as JSON.

Serve with: BENCH_DB=path BENCH_SCRIPT=recording.json uvicorn bench.floor:app

`ceiling` is the same replay behind FastAPI instead of bare Starlette: an `async def` route
with a path and a header parameter, no ORM, no session, no validation of its own. It is the
most the decided stack (FastAPI, `async def`) can serve of these operations before any of
Procession's own layers, so Procession's ratio to the floor splits into what the framework
takes and what is left to Procession's code (its ratio to the ceiling).

Serve with: BENCH_DB=path BENCH_SCRIPT=recording.json uvicorn bench.floor:ceiling
"""

import json
import os
import re
import sqlite3
from typing import Any

from fastapi import FastAPI, Header
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from procession.db.base import new_id
from procession.db.engine import SQLITE_PRAGMAS

HEX_ID = re.compile(r"^[0-9a-f]{32}$")


def connect(path: str) -> sqlite3.Connection:
    """Autocommit mode: the recording holds Procession's own BEGIN; COMMIT is added here.
    The pragmas are Procession's, `synchronous=NORMAL` included: with SQLite's default the
    floor would sync the log at every commit (about 0.2 ms here), which Procession does not."""
    db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    for pragma in SQLITE_PRAGMAS:
        db.execute(f"PRAGMA {pragma}")
    return db


def fresh(value: Any, ids: dict[str, str]) -> Any:
    """`value` with every id the recorded request created replaced by this request's own."""
    if isinstance(value, str) and value in ids:
        return ids[value]
    return value


def replay(db: sqlite3.Connection, script: dict[str, Any]) -> list[list[Any]]:
    ids = {old: new_id() for old in script["generated"]}
    rows: list[list[Any]] = []
    try:
        for statement, parameters in script["statements"]:
            cursor = db.execute(statement, [fresh(p, ids) for p in parameters])
            if cursor.description:
                rows.extend(list(row) for row in cursor.fetchall())
        if db.in_transaction:
            db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    return rows


def insert_rows(db: sqlite3.Connection, script: dict[str, Any]) -> None:
    """Only the rows the recorded request inserted, as a raw `executemany` per statement,
    in one transaction: the floor of a launch."""
    ids = {old: new_id() for old in script["generated"]}
    groups: dict[str, list[list[Any]]] = {}
    for statement, parameters in script["statements"]:
        if statement.lstrip().upper().startswith("INSERT"):
            groups.setdefault(statement, []).append([fresh(p, ids) for p in parameters])
    db.execute("BEGIN IMMEDIATE")
    for statement, rows in groups.items():
        db.executemany(statement, rows)
    db.execute("COMMIT")


METHODS = ["GET", "POST", "PUT", "DELETE"]


class Replayer:
    """The recording and one connection: answers an operation by replaying its statements."""

    def __init__(self) -> None:
        self.db = connect(os.environ["BENCH_DB"])
        with open(os.environ["BENCH_SCRIPT"]) as recording:
            self.scripts: dict[str, Any] = json.load(recording)

    def answer(self, operation: str) -> Response:
        """The rows of `operation`'s statements as JSON, with the recorded status."""
        script = self.scripts.get(operation)
        if script is None:
            return Response(b'{"error":true}', 404, media_type="application/json")
        rows = replay(self.db, script)
        body = json.dumps({"data": rows}, default=str).encode()
        return Response(body, script["status"], media_type="application/json")


def build() -> Starlette:
    replayer = Replayer()

    async def serve(request: Request) -> Response:
        await request.body()
        return replayer.answer(request.headers.get("x-bench-op", ""))

    return Starlette(routes=[Route("/{path:path}", serve, methods=METHODS)])


def build_ceiling() -> FastAPI:
    replayer = Replayer()
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.api_route("/{path:path}", methods=METHODS)
    async def serve(request: Request, path: str, x_bench_op: str = Header("")) -> Response:
        await request.body()
        return replayer.answer(x_bench_op)

    return app


def generated_ids(statements: list[tuple[str, list[Any]]]) -> list[str]:
    """Ids that first appear as a parameter of an INSERT: the rows the request created."""
    seen: set[str] = set()
    created: list[str] = []
    for statement, parameters in statements:
        inserting = statement.lstrip().upper().startswith("INSERT")
        for value in parameters:
            if isinstance(value, str) and HEX_ID.match(value) and value not in seen:
                seen.add(value)
                if inserting:
                    created.append(value)
    return created


app = build() if "BENCH_SCRIPT" in os.environ else Starlette()
ceiling = build_ceiling() if "BENCH_SCRIPT" in os.environ else FastAPI()
