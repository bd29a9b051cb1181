"""The API: every feature router, mounted under `/api` and at the root by `main.py`."""

from fastapi import APIRouter

from procession.audit.router import router as audit_router
from procession.comments.router import router as comments_router
from procession.orgs.router import global_router as identity_router
from procession.orgs.router import router as organizations_router
from procession.processes.router import router as processes_router
from procession.tags.router import router as tags_router
from procession.tasks.router import router as tasks_router
from procession.templates.router import router as templates_router


def build_api_router() -> APIRouter:
    api = APIRouter()
    # Literal segments before their parametrised siblings (Tallyfy rule R4): the tag routes
    # hold `/checklists/tags`, which must win over `/checklists/{id}`.
    for feature in (
        identity_router,
        tags_router,
        templates_router,
        processes_router,
        tasks_router,
        comments_router,
        audit_router,
        organizations_router,
    ):
        api.include_router(feature)
    return api
