"""The `procession` command line, run as a user runs it (subprocesses on a real file)."""

import os
import re
import signal
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from procession.config import Settings
from procession.main import create_app
from tests.conftest import World


def procession(tmp_path: Path, *args: str, stdin: str | None = None, **env: str) -> str:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "PROCESSION_DEMO_ENV_FILE": str(tmp_path / "demo.env"),
        **env,
    }
    command = [sys.executable, "-m", "procession.cli", *args]
    done = subprocess.run(command, env=env, input=stdin, capture_output=True, text=True, check=True)
    return done.stdout


def admin_pages_sign_in(tmp_path: Path, email: str, password: str) -> int:
    """The status of the page a sign-in with `email` and `password` lands on."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'cli.db'}", _env_file=None)
    with TestClient(create_app(settings)) as client:
        form = client.get("/admin/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert token is not None
        data = {"email": email, "password": password, "csrf_token": token.group(1)}
        return client.post("/admin/login", data=data).status_code


def test_demo_creates_credentials_once_and_reuses_them(tmp_path: Path) -> None:
    procession(tmp_path, "migrate")
    first = procession(tmp_path, "demo")
    second = procession(tmp_path, "demo")
    saved = dict(line.split("=", 1) for line in (tmp_path / "demo.env").read_text().splitlines())
    assert f"PROCESSION_TOKEN={saved['PROCESSION_TOKEN']}" in first
    assert first.splitlines()[:4] == second.splitlines()[:4]  # the password is kept too
    assert f"PROCESSION_ADMIN_PASSWORD={saved['PROCESSION_ADMIN_PASSWORD']}" in first
    assert (tmp_path / "demo.env").stat().st_mode & 0o077 == 0  # secrets: owner only
    password = saved["PROCESSION_ADMIN_PASSWORD"]
    assert admin_pages_sign_in(tmp_path, "admin@example.com", password) == 200
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


def test_passwords_set_from_the_command_line_sign_in(tmp_path: Path) -> None:
    procession(tmp_path, "migrate")
    org_id = procession(tmp_path, "create-org", "Initech").strip()
    email = "peter@initech.example"
    procession(
        tmp_path, "create-user", "--org", org_id, "--email", email, "--password", "tps-reports"
    )
    assert admin_pages_sign_in(tmp_path, email, "tps-reports") == 200
    # set-password asks twice without echoing when no --password is given.
    procession(tmp_path, "set-password", "--email", email, stdin="new-secret-1\nnew-secret-1\n")
    assert admin_pages_sign_in(tmp_path, email, "tps-reports") == 401
    assert admin_pages_sign_in(tmp_path, email, "new-secret-1") == 200


def test_production_refuses_the_built_in_secret_key(tmp_path: Path) -> None:
    with pytest.raises(subprocess.CalledProcessError) as refused:
        procession(tmp_path, "migrate", PROCESSION_ENVIRONMENT="production")
    assert "PROCESSION_SECRET_KEY must be set" in refused.value.stderr
    procession(
        tmp_path, "migrate", PROCESSION_ENVIRONMENT="production", PROCESSION_SECRET_KEY="x" * 40
    )


def test_tokens_can_expire_and_be_revoked(tmp_path: Path) -> None:
    procession(tmp_path, "migrate")
    org_id = procession(tmp_path, "create-org", "Initech").strip()
    email = "bill@initech.example"
    procession(tmp_path, "create-user", "--org", org_id, "--email", email)
    first = procession(tmp_path, "create-token", "--email", email).strip()
    second = procession(tmp_path, "create-token", "--email", email, "--expires-in-days", "30")
    third = procession(tmp_path, "create-token", "--email", email).strip()

    def status(token: str) -> int:
        settings = Settings(database_url=f"sqlite:///{tmp_path / 'cli.db'}", _env_file=None)
        with TestClient(create_app(settings)) as client:
            headers = {"Authorization": f"Bearer {token}"}
            return client.get(f"/organizations/{org_id}/me", headers=headers).status_code

    assert [status(t) for t in (first, second.strip(), third)] == [200, 200, 200]
    assert procession(tmp_path, "revoke-token", "--token", first).strip() == "1 token(s) revoked"
    assert [status(t) for t in (first, second.strip(), third)] == [401, 200, 200]
    assert procession(tmp_path, "revoke-token", "--email", email).strip() == "2 token(s) revoked"
    assert [status(t) for t in (second.strip(), third)] == [401, 401]


def test_an_expired_token_authenticates_nobody(world: World) -> None:
    from procession.auth import service as auth_service
    from procession.auth.models import User
    from procession.db.session import unit_of_work
    from procession.db.types import utcnow
    from tests.conftest import run_async

    async def expired_token() -> str:
        async with unit_of_work(world.settings) as session:
            user = await session.get(User, world.org.admin.user_id)
            assert user is not None
            past = utcnow() - timedelta(seconds=1)
            return await auth_service.issue_token(session, user=user, expires_at=past)

    token = run_async(expired_token())
    response = world.client.get(
        f"/organizations/{world.org.id}/me", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 401


def test_the_worker_stops_on_sigterm_and_exits_cleanly(settings: Settings) -> None:
    """A process manager stops the worker with SIGTERM: it ends its rounds and exits 0, in
    place of dying mid-round (exit -15)."""
    env = {**os.environ, "DATABASE_URL": settings.database_url}
    command = [sys.executable, "-m", "procession.cli", "worker"]
    worker = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    watchdog = threading.Timer(60, worker.kill)  # the test fails rather than hangs
    watchdog.start()
    try:
        assert worker.stderr is not None
        started = worker.stderr.readline()
        assert "running bulk, webhooks" in started, started + worker.stderr.read()
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0, worker.stderr.read()
    finally:
        watchdog.cancel()
        worker.kill()
        worker.communicate()
