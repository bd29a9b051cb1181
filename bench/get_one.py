"""GET one process: Procession against the floor (bench/floor.py), both served by uvicorn
with one worker, driven by wrk over loopback at the same concurrency. Prints requests per
second and the ratio.

    make bench-get        # or: .venv/bin/python -m bench.get_one [--seconds 10]
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2 as httpx

from procession.config import Settings
from procession.db import migrate
from tests.live import free_port

CONCURRENCY = 32


def serve(app: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "uvicorn", app, "--port", str(port), "--log-level", "warning"]
    if app.endswith("create_app"):
        command.append("--factory")
    server = subprocess.Popen(command, env={**os.environ, **env})
    for _ in range(100):
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return server
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"{app} did not start")


def wrk(url: str, token: str, seconds: int) -> float:
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{CONCURRENCY}",
            f"-d{seconds}s",
            "-H",
            f"Authorization: Bearer {token}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Non-2xx" in out:
        raise RuntimeError(out)
    found = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert found, out
    return float(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    workdir = Path(tempfile.mkdtemp())
    db = workdir / "bench.db"
    url = f"sqlite:///{db}"
    migrate.upgrade(Settings(database_url=url, _env_file=None))
    env = {"DATABASE_URL": url, "PROCESSION_DEMO_ENV_FILE": str(workdir / "demo.env")}
    demo = subprocess.run(
        [sys.executable, "-m", "procession.cli", "demo"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    org = re.search(r"PROCESSION_ORG=(\w+)", demo).group(1)  # type: ignore[union-attr]
    token = re.search(r"PROCESSION_TOKEN=(\S+)", demo).group(1)  # type: ignore[union-attr]
    app_port, floor_port = free_port(), free_port()
    servers = [serve("procession.main:create_app", app_port, env)]
    servers.append(serve("bench.floor:app", floor_port, {"BENCH_DB": str(db)}))
    try:
        api = httpx.Client(
            base_url=f"http://127.0.0.1:{app_port}/api/organizations/{org}",
            headers={"Authorization": f"Bearer {token}"},
        )
        template = api.post("/checklists", json={"title": "Bench"}).json()["data"]["id"]
        for n in range(5):
            api.post(f"/checklists/{template}/steps", json={"title": f"Step {n}"})
        run = api.post("/runs", json={"checklist_id": template}).json()["data"]["id"]
        path = f"/api/organizations/{org}/runs/{run}"
        wrk(f"http://127.0.0.1:{app_port}{path}", token, 2)  # warm up
        procession = wrk(f"http://127.0.0.1:{app_port}{path}", token, args.seconds)
        floor = wrk(f"http://127.0.0.1:{floor_port}{path}", token, args.seconds)
    finally:
        for server in servers:
            server.terminate()
        shutil.rmtree(workdir)
    print(f"GET one process, SQLite, 1 worker, wrk -c{CONCURRENCY}, {args.seconds}s each")
    print(f"{'':12}{'req/s':>10}")
    print(f"{'floor':12}{floor:>10.0f}")
    print(f"{'procession':12}{procession:>10.0f}")
    print(f"ratio procession/floor: {procession / floor:.2f} (target 0.25)")


if __name__ == "__main__":
    main()
