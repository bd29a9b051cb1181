"""The `procession` command line, run as a user runs it (subprocesses on a real file)."""

import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from procession.config import Settings
from procession.main import create_app


def procession(tmp_path: Path, *args: str) -> str:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "PROCESSION_DEMO_ENV_FILE": str(tmp_path / "demo.env"),
    }
    command = [sys.executable, "-m", "procession.cli", *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return done.stdout


def test_demo_creates_credentials_once_and_reuses_them(tmp_path: Path) -> None:
    procession(tmp_path, "migrate")
    first = procession(tmp_path, "demo")
    second = procession(tmp_path, "demo")
    saved = dict(line.split("=", 1) for line in (tmp_path / "demo.env").read_text().splitlines())
    assert f"PROCESSION_TOKEN={saved['PROCESSION_TOKEN']}" in first
    assert first.splitlines()[:2] == second.splitlines()[:2]
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'cli.db'}", _env_file=None)
    with TestClient(create_app(settings)) as client:
        me = client.get(
            f"/api/organizations/{saved['PROCESSION_ORG']}/me",
            headers={"Authorization": f"Bearer {saved['PROCESSION_TOKEN']}"},
        )
    assert me.status_code == 200
    assert me.json()["data"]["role"] == "admin"


def test_create_org_user_and_token_give_a_working_member(tmp_path: Path) -> None:
    procession(tmp_path, "migrate")
    org_id = procession(tmp_path, "create-org", "Initech").strip()
    user_id = procession(
        tmp_path,
        "create-user",
        "--org",
        org_id,
        "--email",
        "light@initech.example",
        "--role",
        "light",
    ).strip()
    token = procession(tmp_path, "create-token", "--email", "light@initech.example").strip()
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'cli.db'}", _env_file=None)
    with TestClient(create_app(settings)) as client:
        me = client.get(
            f"/organizations/{org_id}/me", headers={"Authorization": f"Bearer {token}"}
        ).json()["data"]
    assert (me["id"], me["role"]) == (int(user_id), "light")
