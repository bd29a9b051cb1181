"""The floor Procession is measured against: a bare Starlette app (no FastAPI, no ORM) that
runs the same SQL for an operation with the standard library's sqlite3.

Serve with: BENCH_DB=path uvicorn bench.floor:app
"""

import hashlib
import json
import os
import sqlite3

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

db = sqlite3.connect(os.environ.get("BENCH_DB", "var/procession.db"), check_same_thread=False)
db.row_factory = sqlite3.Row

PRINCIPAL = """
SELECT users.id, memberships.role, memberships.status FROM users
JOIN api_tokens ON api_tokens.user_id = users.id
LEFT OUTER JOIN memberships ON memberships.user_id = users.id AND memberships.org_id = ?
WHERE api_tokens.token_hash = ?"""
PROCESS = "SELECT * FROM processes WHERE processes.org_id = ? AND processes.id = ?"


def error(status: int) -> Response:
    return Response(b'{"error":true}', status, media_type="application/json")


async def get_run(request: Request) -> Response:
    org, run = request.path_params["org"], request.path_params["run"]
    token = request.headers.get("authorization", "").removeprefix("Bearer ")
    principal = db.execute(PRINCIPAL, (org, hashlib.sha256(token.encode()).hexdigest())).fetchone()
    if principal is None:
        return error(401)
    row = db.execute(PROCESS, (org, run)).fetchone()
    if row is None:
        return error(404)
    body = json.dumps({"data": dict(row)}, default=str).encode()
    return Response(body, media_type="application/json")


app = Starlette(routes=[Route("/api/organizations/{org}/runs/{run}", get_run)])
