"""Per-organization rate limits: 429 with `Retry-After` and Tallyfy's body, other
organizations unaffected, and the official SDK waits and retries."""

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tallyfy import TallyfySDK

from procession.api.rate_limit import OrgRateLimiter, RateLimited
from procession.main import create_app
from tests.conftest import Api, World
from tests.live import live_server


@pytest.fixture
def limited(world: World) -> Iterator[TestClient]:
    tight = world.settings.model_copy(update={"rate_limit": "3/minute;100/hour"})
    with TestClient(create_app(tight)) as client:
        yield client


def test_the_fourth_request_in_a_minute_is_429(world: World, limited: TestClient) -> None:
    ours = Api(limited, world.org.id, world.org.admin.token)
    anonymous = Api(limited, world.org.id, None)
    assert anonymous.get("/runs").status_code == 401  # not counted: nobody was authenticated
    answers = [ours.get("/runs") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["2", "1", "0"]
    assert answers[0].headers["X-RateLimit-Limit"] == "3"
    refused = Api(limited, world.org.id, world.org.standard.token).get("/runs")
    assert refused.status_code == 429  # the budget is the organization's, not the member's
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    body = refused.json()
    assert body["error"] is True
    assert body["code"] == "RATE_LIMIT_EXCEEDED"
    assert "Please try again later." in body["message"]
    theirs = Api(limited, world.other.id, world.other.admin.token)
    assert theirs.get("/runs").status_code == 200  # another organization is unaffected


def test_an_empty_setting_turns_it_off(world: World) -> None:
    off = world.settings.model_copy(update={"rate_limit": ""})
    with TestClient(create_app(off)) as client:
        api = Api(client, world.org.id, world.org.admin.token)
        answers = [api.get("/tags") for _ in range(20)]
    assert {a.status_code for a in answers} == {200}
    assert "X-RateLimit-Limit" not in answers[0].headers


def test_the_official_sdk_waits_out_a_429_and_succeeds(world: World) -> None:
    with live_server(world.settings, env={"PROCESSION_RATE_LIMIT": "2/2second"}) as base:
        sdk = TallyfySDK(api_key=world.org.admin.token, base_url=base, timeout=10, max_retries=3)
        try:
            started = time.monotonic()
            tags = [sdk.get_tags(world.org.id) for _ in range(5)]
            elapsed = time.monotonic() - started
        finally:
            sdk.close()
    assert len(tags) == 5  # every call succeeded
    assert elapsed >= 1.0  # because the SDK waited for Retry-After at least once


def test_the_window_moves_and_retry_after_is_when_a_request_fits_again() -> None:
    limiter = OrgRateLimiter("3/minute")
    assert [limiter.check("a", now=100.0 + i) for i in range(3)] == [(3, 2), (3, 1), (3, 0)]
    with pytest.raises(RateLimited) as refused:
        limiter.check("a", now=110.5)
    assert refused.value.retry_after == 50  # the request at 100 leaves the minute at 160
    with pytest.raises(RateLimited):
        limiter.check("a", now=159.9)
    assert limiter.check("a", now=160.0) == (3, 0)  # 101, 102 and 160 are in the minute
    assert limiter.check("b", now=180.0) == (3, 2)  # each organization has its own window
    assert limiter.check("a", now=400.0) == (3, 2)  # long idle: nothing is remembered


def test_organizations_quiet_for_the_longest_period_are_forgotten() -> None:
    limiter = OrgRateLimiter("2/second;5/minute")
    limiter.check("quiet", now=0.0)
    limiter.check("busy", now=0.0)
    assert {org for org, _ in limiter.windows} == {"quiet", "busy"}
    limiter.check("busy", now=59.0)  # within the minute: nobody is forgotten yet
    assert {org for org, _ in limiter.windows} == {"quiet", "busy"}
    limiter.check("busy", now=61.0)  # the minute after the first sweep: "quiet" is gone
    assert {org for org, _ in limiter.windows} == {"busy"}
    assert limiter.check("busy", now=61.5) == (2, 0)  # what "busy" spent is still counted
    assert limiter.check("quiet", now=62.0) == (2, 1)  # a returning organization starts afresh


def test_a_refusal_by_one_rule_spends_nothing_from_the_others() -> None:
    limiter = OrgRateLimiter("1/second;3/hour")
    assert limiter.check("a", now=0.0) == (1, 0)
    for _ in range(5):
        with pytest.raises(RateLimited):
            limiter.check("a", now=0.5)
    assert limiter.check("a", now=2.0) == (1, 0)  # the refused five were not counted
    assert limiter.check("a", now=4.0) == (1, 0)
    with pytest.raises(RateLimited) as refused:
        limiter.check("a", now=6.0)  # the hour's three are spent
    assert refused.value.retry_after > 3000
