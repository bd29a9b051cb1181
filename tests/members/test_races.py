"""Two admins demoting or disabling each other at the same moment, through a live server (one
async worker serves both requests at once, each in its own transaction): one may win, never
both, and nothing answers 5xx."""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx2 as httpx
import pytest

from tests.conftest import Member, OrgFixture, run_async, seed_org
from tests.databases import DatabaseFactory
from tests.live import live_client, live_server

ROUNDS = 6


@pytest.fixture(scope="module")
def server(databases: DatabaseFactory) -> Iterator[tuple[str, OrgFixture]]:
    settings = databases.fresh()
    org = run_async(seed_org(settings, "Rivals"))
    with live_server(settings) as base:
        yield base, org
    databases.drop(settings)


def client(base: str, org: OrgFixture, member: Member) -> httpx.Client:
    return live_client(
        f"{base}/api/organizations/{org.id}",
        headers={"Authorization": f"Bearer {member.token}"},
        timeout=60,
    )


def active_admins(http: httpx.Client) -> set[int]:
    users = http.get("/users").json()["data"]
    return {u["id"] for u in users if u["role"] == "admin" and u["status"] == "active"}


@pytest.mark.parametrize("how", ["demote", "disable"])
def test_two_admins_removing_each_other_leave_one_admin(
    server: tuple[str, OrgFixture], how: str
) -> None:
    """A serial order lets the first call win and refuses the second (401: disabled, 403: no
    longer an admin, or 422: the last active admin), so exactly one call succeeds."""
    base, org = server
    with client(base, org, org.admin) as first, client(base, org, org.standard) as second:
        race(first, second, org.admin.user_id, org.standard.user_id, how)


def race(first: httpx.Client, second: httpx.Client, a: int, b: int, how: str) -> None:
    admins = {a: first, b: second}
    assert first.put(f"/users/{b}/role", json={"role": "admin"}).status_code == 200

    def remove(http: httpx.Client, target: int) -> int:
        if how == "demote":
            return http.put(f"/users/{target}/role", json={"role": "light"}).status_code
        return http.delete(f"/users/{target}/disable").status_code

    for _ in range(ROUNDS):
        with ThreadPoolExecutor(2) as pool:
            statuses = list(pool.map(remove, [first, second], [b, a]))
        assert statuses.count(200) == 1, statuses
        assert {s for s in statuses if s != 200} <= {401, 403, 422}, statuses
        winner, loser = (a, b) if statuses[0] == 200 else (b, a)
        assert active_admins(admins[winner]) == {winner}
        # Both active admins again for the next round.
        assert admins[winner].put(f"/users/{loser}/enable").status_code == 200
        body = {"role": "admin"}
        assert admins[winner].put(f"/users/{loser}/role", json=body).status_code == 200
        assert active_admins(first) == {a, b}
