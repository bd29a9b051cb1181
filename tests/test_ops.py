"""Operations: liveness and readiness probes, Prometheus metrics, request ids, JSON logs
that carry no secrets."""

import json
import os
import subprocess
import sys

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient

from procession.config import Settings
from procession.db import migrate
from procession.main import background_jobs, create_app
from tests.conftest import World
from tests.databases import DatabaseFactory
from tests.live import free_port


def test_probes_and_metrics(world: World) -> None:
    client = world.client
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"
    world.admin.get("/runs")
    # The SDK's unprefixed path, a 405 and a 404 are named too, each once.
    client.get(f"/organizations/{world.org.id}/tags", headers=world.admin.headers)
    world.admin.request("PATCH", "/runs")
    client.get("/no/such/page")
    metrics = client.get("/metrics")
    assert metrics.status_code == 200
    counted = {
        line.split(" ")[0]
        for line in metrics.text.splitlines()
        if line.startswith("http_requests_total{")
    }
    assert counted == {
        'http_requests_total{handler="/api/organizations/{org}/runs",method="GET",status="2xx"}',
        'http_requests_total{handler="/api/organizations/{org}/tags",method="GET",status="2xx"}',
        'http_requests_total{handler="/api/organizations/{org}/runs",method="PATCH",status="4xx"}',
        'http_requests_total{handler="none",method="GET",status="4xx"}',
    }


def test_readiness_fails_until_the_database_is_migrated(databases: DatabaseFactory) -> None:
    empty = databases.empty()
    try:
        with TestClient(create_app(empty)) as client:
            assert client.get("/healthz").status_code == 200
            unready = client.get("/readyz")
            assert unready.status_code == 503
            assert "Retry-After" in unready.headers
            migrate.upgrade(empty)
            assert client.get("/readyz").status_code == 200
    finally:
        databases.drop(empty)


def test_every_response_has_a_request_id(world: World) -> None:
    mine = world.admin.get("/runs", headers={"X-Request-Id": "trace-42"})
    assert mine.headers["X-Request-Id"] == "trace-42"
    made = world.admin.get("/runs", headers={"X-Request-Id": "no spaces or\nnewlines"})
    assert len(made.headers["X-Request-Id"]) == 32
    assert world.client.get("/admin/login").headers["X-Request-Id"]


def test_logs_are_json_lines_without_tokens(world: World) -> None:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": world.settings.database_url}
    command = [sys.executable, "-m", "procession.cli", "serve", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.TransportError:
                subprocess.run(["sleep", "0.1"], check=True)
        token = world.org.admin.token
        url = f"{base}/api/organizations/{world.org.id}/runs?api_key={token}"
        answer = httpx.get(url, headers={"Authorization": f"Bearer {token}", "X-Request-Id": "r1"})
        assert answer.status_code == 200
    finally:
        server.terminate()
        _, logs = server.communicate(timeout=10)
    assert token not in logs
    lines = [json.loads(line) for line in logs.splitlines() if line.startswith("{")]
    request = next(line for line in lines if line.get("request_id") == "r1")
    assert request["event"] == "request"
    assert request["status"] == 200
    assert request["path"] == f"/api/organizations/{world.org.id}/runs"


@pytest.mark.parametrize("job", ["statistics", "checkpoint"])
def test_sqlites_housekeeping_jobs_run_on_sqlite_only(settings: Settings, job: str) -> None:
    """Planner statistics and WAL checkpoints are SQLite's; PostgreSQL does both itself."""
    names = [periodic.name for periodic in background_jobs(settings)]
    assert (job in names) is settings.is_sqlite
