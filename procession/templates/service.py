"""Templates: create and edit templates, their steps, form fields and kick-off fields."""

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from procession.auth.service import Principal
from procession.db.lifecycle import ensure_live
from procession.db.repository import (
    AnySelect,
    PageRequest,
    PageResult,
    Visibility,
    paginate,
    with_visibility,
)
from procession.db.types import utcnow
from procession.errors import InvalidState, RuleViolation
from procession.folders import service as folder_service
from procession.folders.repository import FolderRepository, filed_in
from procession.orgs import service as org_service
from procession.tags.repository import TagRepository
from procession.tags.schemas import TaggingRead
from procession.templates.models import Capture, FieldMixin, PrerunField, Step, Template
from procession.templates.repository import TemplateRepository
from procession.templates.schemas import (
    EXTRA_FIELD_KEYS,
    STEP_EXTRA_KEYS,
    TEMPLATE_SETTING_KEYS,
    Column,
    FieldCreate,
    FieldUpdate,
    Option,
    PrerunFieldInput,
    StepCreate,
    StepRead,
    StepUpdate,
    TemplateCreate,
    TemplateRead,
    TemplateUpdate,
)

ARCHIVED_MESSAGE = "Cannot change an archived template; restore it first."
# `folder_id` is not kept in the settings: the template's folder is a `FolderObject` row.
STORED_SETTING_KEYS = TEMPLATE_SETTING_KEYS - {"folder_id"}

# ---------------------------------------------------------------- reading


def select_templates(
    session: AsyncSession,
    caller: Principal,
    *,
    visibility: Visibility,
    query: str | None = None,
    starred: bool | None = None,
    folder_ids: list[str] | None = None,
) -> AnySelect:
    """The select of the organization's templates, most recently updated first; `query`
    matches the title, `folder_ids` keeps those filed in any of these folders."""
    stmt: AnySelect = with_visibility(
        TemplateRepository(session, caller.org_id).base(), Template, visibility
    )
    if query:
        stmt = stmt.where(func.lower(Template.title).contains(query.lower(), autoescape=True))
    if starred is not None:
        stmt = stmt.where(Template.is_starred.is_(starred))
    if folder_ids:
        stmt = stmt.where(Template.id.in_(filed_in("Checklist", folder_ids)))
    return stmt.order_by(Template.updated_at.desc(), Template.id)


async def list_templates(
    session: AsyncSession,
    caller: Principal,
    *,
    page: PageRequest,
    visibility: Visibility,
    query: str | None = None,
    starred: bool | None = None,
    folder_ids: list[str] | None = None,
) -> PageResult[Template]:
    """One page of `select_templates`."""
    stmt = select_templates(
        session, caller, visibility=visibility, query=query, starred=starred, folder_ids=folder_ids
    )
    return await paginate(session, stmt, page)


async def get_template(
    session: AsyncSession, caller: Principal, template_id: str, *, for_update: bool = False
) -> Template:
    """A template of the caller's organization, archived or not; `NotFound` otherwise."""
    return await TemplateRepository(session, caller.org_id).get_or_raise(
        template_id, for_update=for_update
    )


async def describe_templates(
    session: AsyncSession, caller: Principal, templates: list[Template], includes: frozenset[str]
) -> list[TemplateRead]:
    """Wire views of `templates` with the `?with=` includes (`steps`, `tags`), in a fixed
    number of queries whatever the number of templates."""
    repo = TemplateRepository(session, caller.org_id)
    ids = [t.id for t in templates]
    prerun = await repo.prerun_of(ids)
    counts = await repo.counts(ids)
    folders = await FolderRepository(session, caller.org_id).template_folders(ids)
    steps: dict[str, list[StepRead]] = {}
    if "steps" in includes:
        by_template = await repo.steps_of_many(ids)
        views = await describe_steps(repo, [s for found in by_template.values() for s in found])
        for view in views:
            steps.setdefault(view.checklist_id, []).append(view)
    tags: dict[str, list[TaggingRead]] = {}
    if "tags" in includes:
        for tagging, tag in await TagRepository(session, caller.org_id).taggings_for(
            "Checklist", ids
        ):
            tags.setdefault(tagging.subject[1], []).append(TaggingRead.of(tagging, tag))
    return [
        TemplateRead.of(
            t,
            prerun=prerun[t.id],
            steps_count=counts[t.id][0],
            started_processes=counts[t.id][1],
            steps=steps.get(t.id, []) if "steps" in includes else None,
            tags=tags.get(t.id, []) if "tags" in includes else None,
        ).model_copy(update={"folder_id": folders.get(t.id)})
        for t in templates
    ]


async def describe_steps(repo: TemplateRepository, steps: list[Step]) -> list[StepRead]:
    captures = await repo.captures_of([s.id for s in steps])
    return [StepRead.of(step, captures[step.id]) for step in steps]


async def list_steps(
    session: AsyncSession, caller: Principal, template_id: str, page: PageRequest
) -> tuple[PageResult[Step], list[StepRead]]:
    repo = TemplateRepository(session, caller.org_id)
    await repo.get_or_raise(template_id)
    stmt = select(Step).where(Step.template_id == template_id).order_by(Step.position)
    result = await paginate(session, stmt, page)
    return result, await describe_steps(repo, result.items)


async def get_step(
    session: AsyncSession, caller: Principal, template_id: str, step_id: str
) -> StepRead:
    repo = TemplateRepository(session, caller.org_id)
    await repo.get_or_raise(template_id)
    return (await describe_steps(repo, [await repo.get_step(template_id, step_id)]))[0]


# ---------------------------------------------------------------- templates


async def editable_template(
    session: AsyncSession,
    caller: Principal,
    template_id: str,
    action: str,
    *,
    step_id: str | None = None,
    capture_id: str | None = None,
) -> tuple[TemplateRepository, Template]:
    """The template, checked in Tallyfy's order: 404 (the template and the step and capture
    addressed under it), then 403 (light members), then 422 (archived)."""
    repo = TemplateRepository(session, caller.org_id)
    template = await repo.get_or_raise(template_id, for_update=True)
    if step_id is not None:
        await repo.get_step(template_id, step_id)
        if capture_id is not None:
            await repo.get_capture(step_id, capture_id)
    caller.require_editor(action)
    ensure_live(template, ARCHIVED_MESSAGE)
    return repo, template


async def ensure_members(session: AsyncSession, org_id: str, field: str, ids: list[int]) -> None:
    """422 on `field` unless every user id is a member of the organization."""
    known = await org_service.member_ids(session, org_id=org_id, user_ids=ids)
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise RuleViolation(field, f"User {unknown[0]} is not a member of this organization.")


async def create_template(
    session: AsyncSession, caller: Principal, data: TemplateCreate
) -> Template:
    """Create a template with its kick-off fields. 403 for light members; 422 for an owner or
    user who is not a member."""
    caller.require_editor("create templates")
    owner_id = data.owner_id or caller.user_id
    await ensure_members(session, caller.org_id, "owner_id", [owner_id])
    await ensure_members(session, caller.org_id, "users", data.users)
    repo = TemplateRepository(session, caller.org_id)
    template = repo.add(
        Template(
            org_id=caller.org_id,
            increment_id=await repo.next_increment_id(),
            title=data.title,
            summary=data.summary,
            kind=data.type,
            owner_id=owner_id,
            created_by_id=caller.user_id,
            is_starred=data.starred,
            is_public=data.is_public,
            settings=data.model_dump(include=STORED_SETTING_KEYS, exclude_unset=True),
        )
    )
    await session.flush()
    if data.folder_id is not None:
        await folder_service.file_template(session, caller.org_id, template.id, data.folder_id)
    await replace_prerun_fields(session, template, data.prerun, [])
    return template


async def update_template(
    session: AsyncSession, caller: Principal, template_id: str, data: TemplateUpdate
) -> Template:
    """Change what the body carries and nothing else. `prerun`, when sent, is the complete
    list of kick-off fields: entries with `id` are updated, others created, the rest removed."""
    repo, template = await editable_template(session, caller, template_id, "edit templates")
    changes = data.model_dump(exclude_unset=True)
    if "owner_id" in changes and changes["owner_id"] is not None:
        await ensure_members(session, caller.org_id, "owner_id", [changes["owner_id"]])
    if "users" in changes:
        await ensure_members(session, caller.org_id, "users", changes["users"])
    columns = {"title": "title", "summary": "summary", "type": "kind", "owner_id": "owner_id"}
    columns |= {"starred": "is_starred", "is_public": "is_public"}
    for key, column in columns.items():
        if key in changes:
            setattr(template, column, changes[key])
    if "folder_id" in changes:
        await folder_service.file_template(session, caller.org_id, template.id, data.folder_id)
    settings = {k: v for k, v in changes.items() if k in STORED_SETTING_KEYS}
    if settings:
        template.settings = {**template.settings, **settings}
    if data.prerun is not None:
        existing = (await repo.prerun_of([template.id]))[template.id]
        await replace_prerun_fields(session, template, data.prerun, existing)
    template.updated_at = utcnow()  # also when only kick-off fields changed
    await session.flush()
    return template


async def add_kickoff_field(
    session: AsyncSession, caller: Principal, template_id: str, data: FieldCreate
) -> Template:
    """Append a kick-off field to the template, keeping the ones it has."""
    repo = TemplateRepository(session, caller.org_id)
    existing = (await repo.prerun_of([template_id]))[template_id]
    keep = [PrerunFieldInput(id=field.id) for field in existing]
    added = PrerunFieldInput(**data.model_dump(exclude={"position"}), position=len(keep) + 1)
    update = TemplateUpdate(prerun=[*keep, added])
    return await update_template(session, caller, template_id, update)


async def replace_prerun_fields(
    session: AsyncSession,
    template: Template,
    wanted: list[PrerunFieldInput],
    existing: list[PrerunField],
) -> None:
    by_id = {field.id: field for field in existing}
    kept: set[str] = set()
    for position, item in enumerate(wanted, start=1):
        if item.id is not None:
            field = by_id.get(item.id)
            if field is None:
                raise RuleViolation(f"prerun.{position - 1}.id", "Unknown kick-off field.")
            kept.add(field.id)
            apply_field_changes(field, item)
            continue
        if item.label is None or item.field_type is None:
            raise RuleViolation(
                f"prerun.{position - 1}", "A new kick-off field needs a label and a field_type."
            )
        field = PrerunField(template_id=template.id, position=item.position or position)
        apply_field_changes(field, item, creating=True)
        session.add(field)
    for field in existing:
        if field.id not in kept:
            await session.delete(field)
    await session.flush()


# ---------------------------------------------------------------- form fields


def numbered_options(options: list[Option] | list[Column]) -> list[dict[str, Any]]:
    """Options (or table columns) as stored: every one gets a distinct integer id (1..n,
    keeping the ones sent)."""
    used = {o.id for o in options if o.id is not None}
    next_id = 1
    numbered = []
    for option in options:
        if option.id is None:
            while next_id in used:
                next_id += 1
            option = option.model_copy(update={"id": next_id})
            used.add(next_id)
        numbered.append(option.model_dump(exclude_none=True))
    return numbered


def apply_field_changes(
    field: FieldMixin, data: FieldCreate | FieldUpdate, *, creating: bool = False
) -> None:
    """Copy the sent attributes of a form-field body onto a capture or kick-off field."""
    changes = data.model_dump(exclude_unset=not creating, exclude={"id"})
    extras = {k: v for k, v in changes.items() if k in EXTRA_FIELD_KEYS}
    field.settings = {**(field.settings or {}), **extras}
    for key in ("field_type", "label", "guidance", "required"):
        if key in changes:
            setattr(field, key, changes[key])
    if changes.get("position") is not None:
        field.position = changes["position"]
    if data.options is not None:
        field.options = numbered_options(data.options)
    if data.columns is not None:
        field.columns = numbered_options(data.columns)


async def add_capture(
    session: AsyncSession, caller: Principal, template_id: str, step_id: str, data: FieldCreate
) -> Capture:
    repo, _ = await editable_template(
        session, caller, template_id, "edit templates", step_id=step_id
    )
    step = await repo.get_step(template_id, step_id)
    capture = Capture(
        step_id=step.id, position=data.position or await repo.next_capture_position(step.id)
    )
    apply_field_changes(capture, data, creating=True)
    session.add(capture)
    await session.flush()
    return capture


async def update_capture(
    session: AsyncSession,
    caller: Principal,
    template_id: str,
    step_id: str,
    capture_id: str,
    data: FieldUpdate,
) -> Capture:
    repo, _ = await editable_template(
        session, caller, template_id, "edit templates", step_id=step_id, capture_id=capture_id
    )
    await repo.get_step(template_id, step_id)
    capture = await repo.get_capture(step_id, capture_id)
    apply_field_changes(capture, data)
    await session.flush()
    return capture


async def delete_capture(
    session: AsyncSession, caller: Principal, template_id: str, step_id: str, capture_id: str
) -> None:
    """Remove a form field from a step. Processes already launched keep their copy."""
    repo, _ = await editable_template(
        session, caller, template_id, "edit templates", step_id=step_id, capture_id=capture_id
    )
    await repo.get_step(template_id, step_id)
    await session.delete(await repo.get_capture(step_id, capture_id))
    await session.flush()


# ---------------------------------------------------------------- steps


def step_settings(data: StepCreate | StepUpdate, *, creating: bool) -> dict[str, Any]:
    return data.model_dump(include=STEP_EXTRA_KEYS, exclude_unset=not creating)


async def add_step(
    session: AsyncSession, caller: Principal, template_id: str, data: StepCreate
) -> Step:
    """Append a step to the template (a sent `position` is ignored, as in Tallyfy)."""
    repo, template = await editable_template(session, caller, template_id, "edit templates")
    await ensure_members(session, caller.org_id, "assignees", data.assignees)
    step = Step(
        template_id=template.id,
        position=await repo.next_step_position(template.id),
        title=data.title,
        summary=data.summary,
        step_type=data.step_type,
        alias=data.alias,
        assignees=data.assignees,
        guests=data.guests,
        groups=data.groups,
        deadline=data.deadline.model_dump() if data.deadline else None,
        start_date=data.start_date.model_dump() if data.start_date else None,
        settings=step_settings(data, creating=True),
    )
    session.add(step)
    await session.flush()
    return step


async def update_step(
    session: AsyncSession, caller: Principal, template_id: str, step_id: str, data: StepUpdate
) -> Step:
    """Change what the body carries. Absent assignee buckets stay as they are."""
    repo, _ = await editable_template(
        session, caller, template_id, "edit templates", step_id=step_id
    )
    step = await repo.get_step(template_id, step_id)
    changes = data.model_dump(exclude_unset=True)
    if "assignees" in changes:
        await ensure_members(session, caller.org_id, "assignees", changes["assignees"])
    for key in ("title", "summary", "step_type", "alias", "assignees", "guests", "groups"):
        if key in changes:
            setattr(step, key, changes[key])
    for key in ("deadline", "start_date"):
        if key in changes:
            setattr(step, key, changes[key])
    step.settings = {**step.settings, **step_settings(data, creating=False)}
    await session.flush()
    return step


async def delete_step(
    session: AsyncSession, caller: Principal, template_id: str, step_id: str
) -> StepRead:
    """Remove a step and close the gap in positions. Launched processes are unaffected. 422
    while another step's deadline is anchored to it (reference C5)."""
    repo, _ = await editable_template(
        session, caller, template_id, "edit templates", step_id=step_id
    )
    step = await repo.get_step(template_id, step_id)
    siblings = await repo.steps_of(template_id)
    if any((s.deadline or {}).get("step") == step.id for s in siblings if s is not step):
        raise InvalidState(
            "Cannot delete this step because other steps have deadlines that depend on it.",
            code="STEP_IN_USE",
            field="step_id",
        )
    gone = (await describe_steps(repo, [step]))[0]
    await session.delete(step)
    await session.flush()
    await repo.shift_steps(template_id, start=step.position + 1, by=-1)
    return gone


async def reorder_step(
    session: AsyncSession, caller: Principal, template_id: str, step_id: str, position: int
) -> Step:
    """Move a step to `position` (1-based, clamped to the last place); siblings renumbered."""
    repo, _ = await editable_template(
        session, caller, template_id, "edit templates", step_id=step_id
    )
    step = await repo.get_step(template_id, step_id)
    last = await repo.next_step_position(template_id) - 1
    target = min(position, last)
    if target < step.position:
        await repo.shift_steps(template_id, start=target, end=step.position - 1, by=1)
    elif target > step.position:
        await repo.shift_steps(template_id, start=step.position + 1, end=target, by=-1)
    step.position = target
    await session.flush()
    return step
