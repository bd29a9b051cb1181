"""Templates: list and search, create, add steps and form fields, launch a process."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from procession.admin.web import (
    Member,
    PageOf,
    answers_from,
    flash,
    redirect,
    render,
)
from procession.api.deps import DbSession
from procession.audit import service as audit_service
from procession.db.repository import Visibility
from procession.processes import service as process_service
from procession.processes.schemas import ProcessLaunch
from procession.templates import service as template_service
from procession.templates.schemas import Deadline, FieldCreate, StepCreate, TemplateCreate

router = APIRouter(prefix="/templates")

# The field types a browser form can answer with a plain input (others are shown, not edited).
FORM_FIELD_TYPES = ("text", "textarea", "email", "url", "number", "date")
STEP_TYPES = ("task", "approval", "expiring")
Label = Annotated[str, Form(min_length=1, max_length=600)]


@router.get("", response_class=HTMLResponse)
async def templates(
    request: Request, member: Member, session: DbSession, page: PageOf, q: str = ""
) -> HTMLResponse:
    result = await template_service.list_templates(
        session, member, page=page, visibility=Visibility.LIVE, query=q.strip() or None
    )
    views = await template_service.describe_templates(session, member, result.items, frozenset())
    return render(request, "templates.html", {"result": result, "templates": views, "q": q})


@router.get("/{template_id}", response_class=HTMLResponse)
async def template(
    request: Request, template_id: str, member: Member, session: DbSession
) -> HTMLResponse:
    found = await template_service.get_template(session, member, template_id)
    (view,) = await template_service.describe_templates(
        session, member, [found], frozenset({"steps"})
    )
    context = {
        "template": view,
        "subject": found,
        "field_types": FORM_FIELD_TYPES,
        "step_types": STEP_TYPES,
    }
    return render(request, "template.html", context)


@router.post("")
async def create_template(
    request: Request,
    member: Member,
    session: DbSession,
    title: Annotated[str, Form(min_length=1, max_length=250)],
    summary: Annotated[str, Form(max_length=2000)] = "",
) -> RedirectResponse:
    data = TemplateCreate(title=title.strip(), summary=summary.strip() or None)
    created = await template_service.create_template(session, member, data)
    flash(request, f"Template “{created.title}” created. Add its steps below.")
    return redirect(request, "template", template_id=created.id)


@router.post("/{template_id}/steps")
async def add_step(
    request: Request,
    template_id: str,
    member: Member,
    session: DbSession,
    title: Label,
    step_type: Annotated[str, Form()] = "task",
    summary: Annotated[str, Form(max_length=10_000)] = "",
    deadline_days: Annotated[int | None, Form(ge=0, le=3650)] = None,
) -> RedirectResponse:
    data = StepCreate.model_validate(
        {
            "title": title.strip(),
            "step_type": step_type,
            "summary": summary.strip() or None,
            "deadline": Deadline(value=deadline_days) if deadline_days is not None else None,
        }
    )
    step = await template_service.add_step(session, member, template_id, data)
    flash(request, f"Step “{step.title}” added.")
    return redirect(request, "template", template_id=template_id)


async def field_form(
    label: Label,
    field_type: Annotated[str, Form()] = "text",
    required: Annotated[bool, Form()] = False,
) -> FieldCreate:
    """The "add a field" form of a step or of the kick-off form, as a new field."""
    return FieldCreate.model_validate(
        {"label": label.strip(), "field_type": field_type, "required": required}
    )


NewField = Annotated[FieldCreate, Depends(field_form)]


@router.post("/{template_id}/steps/{step_id}/fields")
async def add_field(
    request: Request,
    template_id: str,
    step_id: str,
    member: Member,
    session: DbSession,
    field: NewField,
) -> RedirectResponse:
    await template_service.add_capture(session, member, template_id, step_id, field)
    flash(request, f"Form field “{field.label}” added.")
    return redirect(request, "template", template_id=template_id)


@router.post("/{template_id}/kickoff")
async def add_kickoff_field(
    request: Request, template_id: str, member: Member, session: DbSession, field: NewField
) -> RedirectResponse:
    await template_service.add_kickoff_field(session, member, template_id, field)
    flash(request, f"Kick-off field “{field.label}” added.")
    return redirect(request, "template", template_id=template_id)


@router.post("/{template_id}/launch")
async def launch(
    request: Request,
    template_id: str,
    member: Member,
    session: DbSession,
    name: Annotated[str, Form(max_length=550)] = "",
) -> RedirectResponse:
    data = ProcessLaunch(
        checklist_id=template_id,
        name=name.strip() or None,
        prerun=await answers_from(request, "prerun."),
    )
    process = await process_service.launch_process(session, member, data)
    flash(request, f"Process “{process.name}” launched.")
    return redirect(request, "process", process_id=process.id)


@router.post("/{template_id}/archive")
async def archive_template(
    request: Request, template_id: str, member: Member, session: DbSession
) -> RedirectResponse:
    found = await template_service.get_template(session, member, template_id, for_update=True)
    await audit_service.archive(session, member, found)
    flash(request, f"Template “{found.title}” archived. It can be restored from the Archive.")
    return redirect(request, "templates")
