"""Test fixtures: a real database per test (copied from one migrated at session start),
the real app through its ASGI test client, and organizations with members of every role."""

import asyncio
import os
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from procession.auth import service as auth_service
from procession.auth.models import Role
from procession.config import Settings, get_settings
from procession.db.session import unit_of_work
from procession.main import create_app
from procession.orgs import service as org_service
from tests.databases import DatabaseFactory

T = TypeVar("T")


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> DatabaseFactory:
    """Migrations run once per session (so every run exercises them); each test gets a copy.
    On SQLite by default; on PostgreSQL when TEST_DATABASE_URL names a server (`make test-pg`)."""
    return DatabaseFactory(
        tmp_path_factory.mktemp("databases"), os.environ.get("TEST_DATABASE_URL")
    )


@pytest.fixture
def settings(request: pytest.FixtureRequest, databases: DatabaseFactory) -> Iterator[Settings]:
    """A fresh database. Under `@pytest.mark.without_background_jobs` the app runs none: the
    test decides when jobs run, or counts statements that their polling would join."""
    fresh = databases.fresh()
    if request.node.get_closest_marker("without_background_jobs"):
        fresh = fresh.model_copy(update={"background_jobs": False})
    yield fresh
    databases.drop(fresh)


@dataclass(frozen=True)
class Member:
    user_id: int
    email: str
    token: str


@dataclass(frozen=True)
class OrgFixture:
    id: str
    admin: Member
    standard: Member
    light: Member


async def seed_org(settings: Settings, name: str) -> OrgFixture:
    """An organization with an admin, a standard and a light member, each with a token."""
    async with unit_of_work(settings) as session:
        org = await org_service.create_organization(session, name=name)
        members = {}
        for role in Role:
            email = f"{role.value}@{name.lower()}.example.com"
            user = await org_service.add_user(
                session, org_id=org.id, email=email, first_name=role.value.title(), role=role
            )
            token = await auth_service.issue_token(session, user=user)
            members[role] = Member(user.id, email, token)
        return OrgFixture(org.id, members[Role.ADMIN], members[Role.STANDARD], members[Role.LIGHT])


class Api:
    """Calls one organization's API as one member: `api.get("/runs")` requests
    `/api/organizations/{org}/runs` with that member's bearer token."""

    def __init__(self, client: TestClient, org_id: str, token: str | None) -> None:
        self.client = client
        self.org_id = org_id
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def url(self, path: str) -> str:
        return f"/api/organizations/{self.org_id}{path}"

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.request(method, self.url(path), headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, json=json, **kwargs)

    def put(self, path: str, json: Any = None, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", path, json=json, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", path, **kwargs)

    def as_(self, member: Member) -> "Api":
        return Api(self.client, self.org_id, member.token)


@dataclass(frozen=True)
class World:
    """Two organizations: `org` (where tests act) and `other` (the outsider's)."""

    client: TestClient
    settings: Settings
    org: OrgFixture
    other: OrgFixture

    @property
    def admin(self) -> Api:
        return Api(self.client, self.org.id, self.org.admin.token)

    @property
    def standard(self) -> Api:
        return Api(self.client, self.org.id, self.org.standard.token)

    @property
    def light(self) -> Api:
        return Api(self.client, self.org.id, self.org.light.token)

    @property
    def outsider(self) -> Api:
        """The other organization's admin, addressing *this* organization's URLs."""
        return Api(self.client, self.org.id, self.other.admin.token)

    @property
    def anonymous(self) -> Api:
        return Api(self.client, self.org.id, None)

    @property
    def other_admin(self) -> Api:
        """The other organization's admin in their own organization."""
        return Api(self.client, self.other.id, self.other.admin.token)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def run_async(work: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run(work)` in a thread of its own, so it also works while the test's thread
    has a running event loop (Playwright's sync API keeps one)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, work).result()


@pytest.fixture
def world(client: TestClient, settings: Settings) -> World:
    org = run_async(seed_org(settings, "Acme"))
    other = run_async(seed_org(settings, "Globex"))
    return World(client, settings, org, other)


@pytest.fixture
def runner(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """A runner for `procession ...` commands against the test's database and files (a purge
    removes stored bytes). `get_settings` caches the settings for the process, so they are
    read afresh before and after: a command must not find the database of a test that ran
    earlier."""
    monkeypatch.setenv("DATABASE_URL", world.settings.database_url)
    monkeypatch.setenv("PROCESSION_FILES_DIR", str(world.settings.files_dir))
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


@pytest.fixture
def api(world: World) -> Api:
    """The admin of the test organization."""
    return world.admin
