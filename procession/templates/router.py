"""Template (checklist) routes: templates, steps, captures."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from procession.api.deps import Archived, DbSession, Page, With
from procession.api.schemas import Data, Listing
from procession.audit import service as audit_service
from procession.audit.router import purge_response
from procession.audit.schemas import PurgePreview
from procession.auth.deps import Caller
from procession.templates import service as template_service
from procession.templates.schemas import (
    CaptureRead,
    FieldCreate,
    FieldUpdate,
    StepCreate,
    StepRead,
    StepReorder,
    StepUpdate,
    TemplateArchived,
    TemplateCreate,
    TemplateRead,
    TemplateUpdate,
)

router = APIRouter(prefix="/organizations/{org}/checklists", tags=["templates"])


async def one(
    session: DbSession, caller: Caller, template_id: str, includes: frozenset[str]
) -> Data[TemplateRead]:
    template = await template_service.get_template(session, caller, template_id)
    views = await template_service.describe_templates(session, caller, [template], includes)
    return Data(data=views[0])


@router.get("")
async def list_templates(
    caller: Caller,
    session: DbSession,
    page: Page,
    visibility: Archived,
    includes: With,
    request: Request,
    q: Annotated[str | None, Query(description="Title contains (case-insensitive)")] = None,
    starred: bool | None = None,
    folder: Annotated[str | None, Query(description="Folder ids, comma-separated")] = None,
) -> Listing[TemplateRead]:
    result = await template_service.list_templates(
        session,
        caller,
        page=page,
        visibility=visibility,
        query=q,
        starred=starred,
        folder_ids=[f.strip() for f in folder.split(",") if f.strip()] if folder else None,
    )
    items = await template_service.describe_templates(session, caller, result.items, includes)
    return Listing.of(result, items, request.url)


@router.post("", status_code=201)
async def create_template(
    body: TemplateCreate, caller: Caller, session: DbSession
) -> Data[TemplateRead]:
    template = await template_service.create_template(session, caller, body)
    return await one(session, caller, template.id, frozenset())


@router.get("/{template_id}")
async def get_template(
    template_id: str, caller: Caller, session: DbSession, includes: With
) -> Data[TemplateRead]:
    """A template; `?with=steps,tags` adds its steps (with captures) and tag links."""
    return await one(session, caller, template_id, includes)


@router.put("/{template_id}")
async def update_template(
    template_id: str, body: TemplateUpdate, caller: Caller, session: DbSession
) -> Data[TemplateRead]:
    await template_service.update_template(session, caller, template_id, body)
    return await one(session, caller, template_id, frozenset())


@router.get("/{template_id}/steps")
async def list_steps(
    template_id: str, caller: Caller, session: DbSession, page: Page, request: Request
) -> Listing[StepRead]:
    result, steps = await template_service.list_steps(session, caller, template_id, page)
    return Listing.of(result, steps, request.url)


@router.post("/{template_id}/steps", status_code=201)
async def add_step(
    template_id: str, body: StepCreate, caller: Caller, session: DbSession
) -> Data[StepRead]:
    step = await template_service.add_step(session, caller, template_id, body)
    return Data(data=StepRead.of(step, []))


@router.get("/{template_id}/steps/{step_id}")
async def get_step(
    template_id: str, step_id: str, caller: Caller, session: DbSession
) -> Data[StepRead]:
    return Data(data=await template_service.get_step(session, caller, template_id, step_id))


@router.put("/{template_id}/steps/{step_id}")
async def update_step(
    template_id: str, step_id: str, body: StepUpdate, caller: Caller, session: DbSession
) -> Data[StepRead]:
    await template_service.update_step(session, caller, template_id, step_id, body)
    return Data(data=await template_service.get_step(session, caller, template_id, step_id))


@router.put("/{template_id}/steps/{step_id}/reorder")
async def reorder_step(
    template_id: str, step_id: str, body: StepReorder, caller: Caller, session: DbSession
) -> Data[StepRead]:
    await template_service.reorder_step(session, caller, template_id, step_id, body.position)
    return Data(data=await template_service.get_step(session, caller, template_id, step_id))


@router.delete("/{template_id}/steps/{step_id}")
async def delete_step(
    template_id: str, step_id: str, caller: Caller, session: DbSession
) -> Data[StepRead]:
    return Data(data=await template_service.delete_step(session, caller, template_id, step_id))


@router.post("/{template_id}/steps/{step_id}/captures", status_code=201)
async def add_capture(
    template_id: str, step_id: str, body: FieldCreate, caller: Caller, session: DbSession
) -> Data[CaptureRead]:
    capture = await template_service.add_capture(session, caller, template_id, step_id, body)
    return Data(data=CaptureRead.of(capture))


@router.put("/{template_id}/steps/{step_id}/captures/{capture_id}")
async def update_capture(
    template_id: str,
    step_id: str,
    capture_id: str,
    body: FieldUpdate,
    caller: Caller,
    session: DbSession,
) -> Data[CaptureRead]:
    capture = await template_service.update_capture(
        session, caller, template_id, step_id, capture_id, body
    )
    return Data(data=CaptureRead.of(capture))


@router.delete("/{template_id}/steps/{step_id}/captures/{capture_id}", status_code=204)
async def delete_capture(
    template_id: str, step_id: str, capture_id: str, caller: Caller, session: DbSession
) -> Response:
    await template_service.delete_capture(session, caller, template_id, step_id, capture_id)
    return Response(status_code=204)


@router.delete("/{template_id}")
async def archive_template(
    template_id: str, caller: Caller, session: DbSession
) -> TemplateArchived:
    """Archive a template: it leaves the library; processes launched from it keep running;
    new launches from it are refused until it is restored."""
    template = await template_service.get_template(session, caller, template_id, for_update=True)
    await audit_service.archive(session, caller, template)
    view = await one(session, caller, template_id, frozenset())
    return TemplateArchived(data=view.data, message="The template was archived.")


@router.put("/{template_id}/restore")
async def restore_template(
    template_id: str, caller: Caller, session: DbSession
) -> Data[TemplateRead]:
    template = await template_service.get_template(session, caller, template_id, for_update=True)
    await audit_service.restore(session, caller, template)
    return await one(session, caller, template_id, frozenset())


@router.delete(
    "/{template_id}/delete",
    response_model=None,
    responses={200: {"model": TemplateArchived | PurgePreview}},
)
async def purge_template(
    template_id: str, caller: Caller, session: DbSession, dry_run: bool = False
) -> Response:
    """Permanently delete an archived template with its steps, form fields and kick-off
    fields. Processes launched from it are kept. Admins only; 422 while not archived."""
    template = await template_service.get_template(session, caller, template_id, for_update=True)
    counts = await audit_service.purge(session, caller, template, dry_run=dry_run)
    gone = TemplateArchived(message="The template was permanently deleted.")
    done = JSONResponse(gone.model_dump(exclude={"data"}))
    return purge_response(counts, dry_run, done)
