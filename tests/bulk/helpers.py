"""Builders shared by the bulk tests."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient

from procession.main import create_app
from tests.conftest import Api, World
from tests.factories import launch, make_template, ok


def runs(api: Api, *names: str) -> list[str]:
    """Launch one process per name (from one template); their ids."""
    template = make_template(api, steps=2)
    return [launch(api, template["id"], name=name)["id"] for name in names]


def archived_runs(api: Api, *names: str) -> list[str]:
    ids = runs(api, *names)
    for run_id in ids:
        ok(api.delete(f"/runs/{run_id}"))
    return ids


def bulk(api: Api, action: str, status: int = 200, **body: Any) -> dict[str, Any]:
    """POST /bulk/{action}; the `data` of the answer after checking its status."""
    data: dict[str, Any] = ok(api.post(f"/bulk/{action}", body), status)["data"]
    return data


def outcomes(result: dict[str, Any]) -> dict[str, tuple[str, str | None]]:
    """id -> (outcome, code) of a bulk answer's results."""
    return {item["id"]: (item["outcome"], item["code"]) for item in result["results"]}


def audit_ids(api: Api, action: str) -> list[str]:
    """Object ids of the organization's audit events for `action` (admin's view)."""
    events = ok(api.get(f"/audit-events?action={action}&per_page=100"))["data"]
    return sorted(event["object_id"] for event in events)


@contextmanager
def job_world(world: World, sync_limit: int) -> Iterator[World]:
    """`world` served by an app whose bulk limit is `sync_limit` (and, like every app of
    these tests, runs no background jobs: the test decides when a job's chunks run)."""
    settings = world.settings.model_copy(update={"bulk_sync_limit": sync_limit})
    with TestClient(create_app(settings)) as client:
        yield World(client, settings, world.org, world.other)
