"""Fuzz a live Procession with Schemathesis (`make fuzz`; a bounded slice runs in the tests).

Migrates the database named by `--database-url` (a new SQLite file by default), creates an
organization whose admin the fuzzer authenticates as, seeds one object of every kind so
generated requests reach real rows (their ids are fixed path parameters, see
`schemathesis.toml`), serves the app with uvicorn, runs every Schemathesis phase with every
check, and prints how many requests the server answered (from its own /metrics) and how
many of them were 5xx. Exits 1 when a check failed or a request got a 5xx.
"""

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2 as httpx

HERE = Path(__file__).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def procession(env: dict[str, str], *args: str) -> str:
    command = [sys.executable, "-m", "procession.cli", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout


def seed(api: httpx.Client) -> dict[str, str]:
    """One live object of every kind; their ids, as the fuzzer's path parameters."""

    def data(method: str, path: str, body: object = None) -> dict[str, object]:
        response = api.request(method, path, json=body)
        response.raise_for_status()
        return response.json()["data"]  # type: ignore[no-any-return]

    template = data("POST", "/checklists", {"title": "Fuzzed"})
    step = data("POST", f"/checklists/{template['id']}/steps", {"title": "Step"})
    capture = data(
        "POST",
        f"/checklists/{template['id']}/steps/{step['id']}/captures",
        {"field_type": "text", "label": "Note", "required": False},
    )
    run = data("POST", "/runs", {"checklist_id": template["id"]})
    task = data("GET", f"/runs/{run['id']}/tasks")[0]  # type: ignore[index]
    comment = data("POST", f"/tasks/{task['id']}/comment", {"content": "hello"})
    tag = data("POST", "/tags", {"title": "fuzz"})
    tagging = data(
        "POST",
        "/checklists/tags",
        {"tag_id": tag["id"], "subject_type": "Run", "subject_id": run["id"]},
    )
    me = data("GET", "/me")
    ids = {
        "TEMPLATE_ID": template["id"],
        "STEP_ID": step["id"],
        "CAPTURE_ID": capture["id"],
        "PROCESS_ID": run["id"],
        "TASK_ID": task["id"],
        "COMMENT_ID": comment["id"],
        "TAG_ID": tag["id"],
        "TAGGING_ID": tagging["id"],
        "USER_ID": me["id"],
    }
    return {key: str(value) for key, value in ids.items()}


def answered(base: str) -> tuple[int, int]:
    """(requests, of which 5xx) the server counted, from its Prometheus metrics."""
    metrics = httpx.get(f"{base}/metrics").text
    counts = [
        (re.search(r'status="(\w+)"', labels).group(1), float(value))  # type: ignore[union-attr]
        for labels, value in re.findall(r"^http_requests_total\{(.*)\} (\S+)$", metrics, re.M)
    ]
    return int(sum(v for _, v in counts)), int(sum(v for s, v in counts if s.startswith("5")))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--max-examples", type=int, default=100)
    parser.add_argument("--phases", default="examples,coverage,fuzzing,stateful")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--rounds", type=int, default=1, help="runs, each with the next seed")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="procession-fuzz-"))
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url or f"sqlite:///{workdir / 'fuzz.db'}",
        "PROCESSION_DEMO_ENV_FILE": str(workdir / "demo.env"),
        "PROCESSION_LOG_LEVEL": "warning",
        "PROCESSION_RATE_LIMIT": "",  # the fuzzer is one client sending as fast as it can
    }
    procession(env, "migrate")
    procession(env, "demo")
    env |= dict(
        line.split("=", 1) for line in (workdir / "demo.env").read_text().splitlines() if line
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "procession.cli", "serve", "--port", str(port)], env=env
    )
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        api = httpx.Client(
            base_url=f"{base}/api/organizations/{env['PROCESSION_ORG']}",
            headers={"Authorization": f"Bearer {env['PROCESSION_TOKEN']}"},
        )
        env |= seed(api)
        status = 0
        for round_seed in range(args.seed, args.seed + args.rounds):
            command = [
                sys.executable, "-m", "schemathesis.cli",
                "--config-file", str(HERE / "schemathesis.toml"),
                "run", f"{base}/api/openapi.json",
                "--max-examples", str(args.max_examples),
                "--phases", args.phases,
                "--seed", str(round_seed),
                "--no-color",
            ]  # fmt: skip
            done = subprocess.run(command, env=env, capture_output=True, text=True)
            print(done.stdout, done.stderr, sep="\n")
            # A failed check fails the run. A crash inside Schemathesis itself (its "Errors"
            # section, e.g. a SystemError from CPython's AST) is reported but is not a finding.
            if "\nFailures:" in done.stdout:
                status = 1
            elif done.returncode != 0:
                print(f"[fuzz] seed {round_seed}: Schemathesis reported errors of its own")
        total, errors = answered(base)
        print(f"\n[fuzz] {total} requests answered, {errors} with a 5xx status")
        return status if errors == 0 else 1
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
