"""The API: every feature router, mounted under `/api` and at the root by `main.py`."""

from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute

from procession.api.prefix import PREFIX
from procession.api.schemas import ErrorBody
from procession.audit.router import router as audit_router
from procession.automations.router import router as automations_router
from procession.bulk.router import router as bulk_router
from procession.comments.router import issues_router
from procession.comments.router import router as comments_router
from procession.files.router import router as files_router
from procession.folders.router import router as folders_router
from procession.groups.router import router as groups_router
from procession.guests.router import router as guests_router
from procession.orgs.router import global_router as identity_router
from procession.orgs.router import router as organizations_router
from procession.processes.router import router as processes_router
from procession.retention.router import router as retention_router
from procession.search.router import router as search_router
from procession.tags.router import router as tags_router
from procession.tasks.router import router as tasks_router
from procession.templates.router import router as templates_router
from procession.webhooks.router import router as webhooks_router

# Every operation may answer these, all in Tallyfy's error shape (documented so clients and
# schema-driven tests know them).
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in {
        400: "Malformed body, or a bad Idempotency-Key",
        401: "Missing or unknown token",
        403: "The caller's role may not do this",
        404: "No such object in this organization",
        409: "A request with this Idempotency-Key is still running",
        413: "Body over the size limit",
        422: "Invalid input, or a state that forbids the operation",
        429: "Rate limit reached (see Retry-After)",
        503: "Database busy (see Retry-After)",
    }.items()
}


# Literal segments before their parametrised siblings (Tallyfy rule R4): the tag routes
# hold `/checklists/tags`, which must win over `/checklists/{id}`.
FEATURES = (
    identity_router,
    tags_router,
    templates_router,
    automations_router,
    processes_router,
    tasks_router,
    comments_router,
    groups_router,
    folders_router,
    issues_router,
    files_router,
    audit_router,
    retention_router,
    search_router,
    bulk_router,
    webhooks_router,
    guests_router,
    organizations_router,
)


def build_api_router() -> APIRouter:
    api = APIRouter(responses=ERRORS)
    for feature in FEATURES:
        api.include_router(feature)
    return api


def api_routes() -> Iterator[tuple[str, APIRoute]]:
    """Every API route with its full path template, in the order they are matched."""
    for feature in FEATURES:
        for route in feature.routes:
            assert isinstance(route, APIRoute)
            yield PREFIX + route.path, route
