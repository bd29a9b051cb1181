"""Template (checklist) routes: templates, steps, captures."""

import json
from typing import Annotated, Any, TypeVar
from urllib.parse import parse_qsl

from fastapi import APIRouter, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from procession.api.deps import Archived, DbSession, Page, With
from procession.api.schemas import Data, Listing
from procession.audit import service as audit_service
from procession.audit.router import purge_response
from procession.audit.schemas import PurgePreview
from procession.auth.deps import Caller
from procession.templates import service as template_service
from procession.templates.schemas import (
    CaptureMove,
    CaptureRead,
    CaptureReorder,
    FieldCreate,
    FieldUpdate,
    FormFieldsRead,
    StepClone,
    StepCreate,
    StepRead,
    StepReorder,
    StepUpdate,
    TemplateArchived,
    TemplateClone,
    TemplateCreate,
    TemplateRead,
    TemplateUpdate,
)

router = APIRouter(prefix="/organizations/{org}/checklists", tags=["templates"])


M = TypeVar("M", bound=BaseModel)


async def form_or_json(request: Request, model: type[M]) -> M:
    """A body sent form-encoded (as the SDK sends template copies) or as JSON, or none.
    400 for malformed JSON; 422, in the usual shape, for what the model refuses."""
    raw = await request.body()
    content_type = request.headers.get("content-type", "")
    values: Any = {}
    if raw and "json" in content_type:
        try:
            values = json.loads(raw)
        except (ValueError, RecursionError):
            raise RequestValidationError([{"type": "json_invalid", "loc": ("body",)}]) from None
    elif raw:
        try:
            values = dict(parse_qsl(raw.decode(), keep_blank_values=True))
        except UnicodeDecodeError:
            values = None
    if not isinstance(values, dict) or any("\x00" in str(v) for v in values.values()):
        problem = {"type": "model_type", "loc": ("body",), "msg": "Expected an object of fields"}
        raise RequestValidationError([problem])
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]
        ) from None


def body_doc(model: type[BaseModel], *, required: bool) -> dict[str, Any]:
    """OpenAPI text for a route that parses its body itself (form-encoded or JSON)."""
    schema = model.model_json_schema()
    return {
        "requestBody": {
            "required": required,
            "content": {
                "application/x-www-form-urlencoded": {"schema": schema},
                "application/json": {"schema": schema},
            },
        }
    }


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


@router.post(
    "/{template_id}/clone", status_code=201, openapi_extra=body_doc(TemplateClone, required=True)
)
async def clone_template(
    template_id: str, caller: Caller, session: DbSession, request: Request
) -> Data[TemplateRead]:
    """Copy a template into this organization (`tenant`: the organization it is copied from;
    form-encoded or JSON). The copy is a new live template."""
    body = await form_or_json(request, TemplateClone)
    template = await template_service.clone_template(session, caller, template_id, body)
    return await one(session, caller, template.id, frozenset())


@router.get("/{template_id}/form-fields")
async def get_form_fields(
    template_id: str, caller: Caller, session: DbSession
) -> Data[FormFieldsRead]:
    """The template's kick-off fields (`ko_form_fields`) and its steps' form fields."""
    return Data(data=await template_service.form_fields(session, caller, template_id))


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
    """Append a step; `tags` (tag ids), when sent, are attached to it and listed in the
    answer."""
    step = await template_service.add_step(session, caller, template_id, body)
    tags = bool(body.tags)
    return Data(
        data=await template_service.get_step(session, caller, template_id, step.id, tags=tags)
    )


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


@router.post(
    "/{template_id}/steps/{step_id}/clone",
    status_code=201,
    openapi_extra=body_doc(StepClone, required=False),
)
async def clone_step(
    template_id: str, step_id: str, caller: Caller, session: DbSession, request: Request
) -> Data[StepRead]:
    """Copy a step with its form fields into the place right after it (optional `title`)."""
    body = await form_or_json(request, StepClone)
    copy = await template_service.clone_step(session, caller, template_id, step_id, body)
    return Data(data=await template_service.get_step(session, caller, template_id, copy.id))


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


@router.put("/{template_id}/steps/{step_id}/captures")
async def reorder_captures(
    template_id: str, step_id: str, body: CaptureReorder, caller: Caller, session: DbSession
) -> Data[list[CaptureRead]]:
    """Move one form field to `position` among the step's fields; answers them in order."""
    captures = await template_service.reorder_capture(session, caller, template_id, step_id, body)
    return Data(data=[CaptureRead.of(c) for c in captures])


@router.put("/{template_id}/steps/{step_id}/captures/{capture_id}/move-out")
async def move_capture(
    template_id: str,
    step_id: str,
    capture_id: str,
    body: CaptureMove,
    caller: Caller,
    session: DbSession,
) -> Data[CaptureRead]:
    """Move a form field to another step of the template; `step_id` of the answer is it."""
    capture = await template_service.move_capture(
        session, caller, template_id, step_id, capture_id, body
    )
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
