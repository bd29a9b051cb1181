"""The official Tallyfy SDK against a live Procession server.

One `procession serve` process serves the whole session on a free loopback port, against a
fresh database (SQLite, or PostgreSQL under `make test-pg`) that is migrated and seeded with an
organization holding an admin, a standard and a light member. Tests share the server and the
organization, so each one builds its own templates, processes and tags and looks only at those.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from tallyfy import TallyfySDK

from tests.conftest import OrgFixture, run_async, seed_org
from tests.databases import DatabaseFactory
from tests.live import live_server as live


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    """`http://127.0.0.1:<port>`, without `/api` (the SDK's convention)."""
    org: OrgFixture


@pytest.fixture(scope="session")
def live_server(databases: DatabaseFactory) -> Iterator[LiveServer]:
    settings = databases.fresh()
    org = run_async(seed_org(settings, "Compat"))
    with live(settings) as base_url:
        yield LiveServer(base_url, org)
    databases.drop(settings)


def make_sdk(base_url: str, token: str) -> TallyfySDK:
    """No retries: a failing call fails at once instead of backing off."""
    return TallyfySDK(api_key=token, base_url=base_url, timeout=10, max_retries=0)


@pytest.fixture
def org_id(live_server: LiveServer) -> str:
    return live_server.org.id


@pytest.fixture
def sdk_for(live_server: LiveServer) -> Iterator[Callable[..., TallyfySDK]]:
    """Builds SDK clients for a token (and optionally another base URL); closes them after."""
    made: list[TallyfySDK] = []

    def build(token: str, base_url: str | None = None) -> TallyfySDK:
        client = make_sdk(base_url or live_server.base_url, token)
        made.append(client)
        return client

    yield build
    for client in made:
        client.close()


@pytest.fixture
def sdk(live_server: LiveServer, sdk_for: Callable[..., TallyfySDK]) -> TallyfySDK:
    """The admin's client, with the SDK's own base URL convention (no `/api`)."""
    return sdk_for(live_server.org.admin.token)


@pytest.fixture
def standard_sdk(live_server: LiveServer, sdk_for: Callable[..., TallyfySDK]) -> TallyfySDK:
    """The standard member's client (for "my tasks" and other non-admin views)."""
    return sdk_for(live_server.org.standard.token)


@dataclass
class Blueprint:
    """A template built through the SDK, with its steps in order."""

    id: str
    title: str
    steps: list[dict[str, Any]]


@pytest.fixture
def build_template(
    sdk: TallyfySDK, org_id: str, request: pytest.FixtureRequest
) -> Callable[..., Blueprint]:
    """Creates a template titled after the test, with `steps` steps "Step 1".."Step N"."""

    def build(steps: int = 2, title: str | None = None, **step_fields: Any) -> Blueprint:
        name = title or f"{request.node.name} template"
        template = sdk.create_template(org_id, name)
        assert template is not None
        made = [
            sdk.add_step_to_template(org_id, template.id, {"title": f"Step {n}", **step_fields})
            for n in range(1, steps + 1)
        ]
        return Blueprint(template.id, template.title, made)

    return build


# Which TallyfySDK methods passed: a method passes when every test marked with it passed.
sdk_outcomes: dict[str, list[bool]] = {}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Iterator[pytest.TestReport]:
    report: pytest.TestReport = yield
    if report.when == "call" or report.failed:
        for marker in item.iter_markers("sdk"):
            for method in marker.args:
                sdk_outcomes.setdefault(method, []).append(report.passed)
    return report


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not sdk_outcomes:
        return
    from tests.compat.test_sdk import sdk_methods

    methods = sdk_methods()
    passing = sorted(m for m in methods if sdk_outcomes.get(m) and all(sdk_outcomes[m]))
    failing = sorted(m for m in methods if sdk_outcomes.get(m) and not all(sdk_outcomes[m]))
    terminalreporter.write_sep("=", "TallyfySDK 3.1.0 against Procession")
    terminalreporter.write_line(f"{len(passing)} of {len(methods)} SDK methods pass")
    if failing:
        terminalreporter.write_line(f"failing: {', '.join(failing)}")
    not_run = sorted(set(methods) - set(sdk_outcomes))
    if not_run and len(not_run) < len(methods):
        terminalreporter.write_line(f"not run in this session: {', '.join(not_run)}")
