"""Templates: create and edit templates, their steps, form fields and kick-off fields."""

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from procession.auth.service import Principal
from procession.automations.models import AutomationRule
from procession.automations.repository import RuleRepository
from procession.automations.schemas import RuleRead
from procession.db.base import new_id
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
from procession.errors import InvalidState, NotFound, RuleViolation
from procession.folders import service as folder_service
from procession.folders.repository import FolderRepository, filed_in
from procession.orgs import service as org_service
from procession.tags import service as tag_service
from procession.tags.models import Tagging
from procession.tags.repository import TagRepository
from procession.tags.schemas import TaggingRead
from procession.templates.models import Capture, FieldMixin, PrerunField, Step, Template
from procession.templates.repository import TemplateRepository
from procession.templates.schemas import (
    EXTRA_FIELD_KEYS,
    STEP_EXTRA_KEYS,
    TEMPLATE_SETTING_KEYS,
    CaptureMove,
    CaptureRead,
    CaptureReorder,
    Column,
    FieldCreate,
    FieldUpdate,
    FormFieldsRead,
    Option,
    PrerunFieldInput,
    PrerunFieldRead,
    StepClone,
    StepCreate,
    StepRead,
    StepUpdate,
    TemplateClone,
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
    rules = await RuleRepository(session).rules_of(ids)
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
            automated_actions=[RuleRead.of(r).model_dump(mode="json") for r in rules[t.id]],
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
    session: AsyncSession, caller: Principal, template_id: str, step_id: str, *, tags: bool = False
) -> StepRead:
    """A step with its form fields; with `tags`, its tag links too."""
    repo = TemplateRepository(session, caller.org_id)
    await repo.get_or_raise(template_id)
    view = (await describe_steps(repo, [await repo.get_step(template_id, step_id)]))[0]
    if tags:
        links = await TagRepository(session, caller.org_id).taggings_for("Step", [step_id])
        view.tags = [TaggingRead.of(tagging, tag) for tagging, tag in links]
    return view


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


async def create_template(
    session: AsyncSession, caller: Principal, data: TemplateCreate
) -> Template:
    """Create a template with its kick-off fields. 403 for light members; 422 for an owner or
    user who is not a member."""
    caller.require_editor("create templates")
    owner_id = data.owner_id or caller.user_id
    await org_service.ensure_members(session, caller, "owner_id", [owner_id])
    await org_service.ensure_members(session, caller, "users", data.users)
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
        await org_service.ensure_members(session, caller, "owner_id", [changes["owner_id"]])
    if "users" in changes:
        await org_service.ensure_members(session, caller, "users", changes["users"])
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
    await org_service.ensure_members(session, caller, "assignees", data.assignees)
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
    await tag_service.tag_new_subject(session, caller.org_id, "Step", step.id, data.tags)
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
        await org_service.ensure_members(session, caller, "assignees", changes["assignees"])
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
    captures = {c.id for c in (await repo.captures_of([step.id]))[step.id]}
    if await RuleRepository(session).rules_naming_step(template_id, step.id, captures):
        raise InvalidState(
            "Cannot delete this step because there are rules dependent on it.",
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


# ---------------------------------------------------------------- copies and field moves


def copied_field_columns(field: FieldMixin) -> dict[str, Any]:
    """What a form field is, to build a copy of it (a capture or a kick-off field)."""
    return {
        "field_type": field.field_type,
        "label": field.label,
        "guidance": field.guidance,
        "position": field.position,
        "required": field.required,
        "options": list(field.options),
        "columns": list(field.columns),
        "settings": dict(field.settings),
    }


def copied_step(step: Step, **changes: Any) -> Step:
    return Step(
        **{
            "id": new_id(),
            "template_id": step.template_id,
            "position": step.position,
            "title": step.title,
            "summary": step.summary,
            "step_type": step.step_type,
            "alias": step.alias,
            "assignees": list(step.assignees),
            "guests": list(step.guests),
            "groups": list(step.groups),
            "deadline": step.deadline,
            "start_date": step.start_date,
            "settings": dict(step.settings),
            **changes,
        }
    )


async def copy_step_tags(session: AsyncSession, step_ids: dict[str, str]) -> None:
    """Give each new step (value) the tag links of the step it copies (key)."""
    if not step_ids:
        return
    links = await session.scalars(select(Tagging).where(Tagging.step_id.in_(list(step_ids))))
    session.add_all(
        Tagging(tag_id=link.tag_id, step_id=step_ids[link.step_id or ""]) for link in links.all()
    )


async def source_template(
    session: AsyncSession, caller: Principal, template_id: str, tenant: str
) -> Template:
    """The template to copy, in `tenant` (the caller's organization or another one the caller
    belongs to); `NotFound` for anything else, so other organizations stay invisible."""
    if tenant != caller.org_id and not await org_service.member_ids(
        session, org_id=tenant, user_ids=[caller.user_id]
    ):
        raise NotFound("Template")
    return await TemplateRepository(session, tenant).get_or_raise(template_id)


async def clone_template(
    session: AsyncSession, caller: Principal, template_id: str, data: TemplateClone
) -> Template:
    """Copy a template (archived or not) into the caller's organization as a new live template:
    its settings, kick-off fields, steps with their form fields, assignees and tag links, and
    its automation rules pointed at the copies. From another organization, only the people
    who are members here are kept, and tags (another organization's) are not copied."""
    source = await source_template(session, caller, template_id, data.tenant)
    caller.require_editor("create templates")
    same_org = source.org_id == caller.org_id
    source_repo = TemplateRepository(session, source.org_id)
    repo = TemplateRepository(session, caller.org_id)
    steps = await source_repo.steps_of(source.id)
    captures = await source_repo.captures_of([s.id for s in steps])
    prerun = (await source_repo.prerun_of([source.id]))[source.id]
    rules = (await RuleRepository(session).rules_of([source.id]))[source.id]
    members: set[int] = set()
    if not same_org:
        people = {u for s in steps for u in s.assignees}
        people |= {
            u for r in rules for a in r.actions for u in (a.get("assignees") or {}).get("users", [])
        }
        members = await org_service.member_ids(session, org_id=caller.org_id, user_ids=list(people))

    def kept(users: list[int]) -> list[int]:
        return list(users) if same_org else [u for u in users if u in members]

    settings = dict(source.settings)
    if not same_org:
        for key in ("users", "groups", "folder_id", "default_folder"):
            settings.pop(key, None)
    copy = repo.add(
        Template(
            id=new_id(),
            org_id=caller.org_id,
            increment_id=await repo.next_increment_id(),
            title=data.title or source.title,
            summary=source.summary,
            kind=source.kind,
            owner_id=caller.user_id,
            created_by_id=caller.user_id,
            is_public=source.is_public,
            settings=settings,
        )
    )
    ids: dict[str, str] = {}  # source id -> copy id, for steps, form fields and kick-off fields
    for field in prerun:
        ids[field.id] = new_id()
        session.add(
            PrerunField(id=ids[field.id], template_id=copy.id, **copied_field_columns(field))
        )
    new_steps = []
    for step in steps:
        ids[step.id] = new_id()
    for step in steps:
        deadline = dict(step.deadline) if step.deadline else None
        if deadline and deadline.get("step") in ids:
            deadline["step"] = ids[deadline["step"]]
        new_steps.append(
            copied_step(
                step,
                id=ids[step.id],
                template_id=copy.id,
                assignees=kept(step.assignees),
                groups=list(step.groups) if same_org else [],
                deadline=deadline,
            )
        )
    session.add_all(new_steps)
    await session.flush()
    for step in steps:
        for capture in captures[step.id]:
            ids[capture.id] = new_id()
            session.add(
                Capture(id=ids[capture.id], step_id=ids[step.id], **copied_field_columns(capture))
            )
    for rule in rules:
        session.add(copied_rule(rule, copy.id, ids, kept))
    if same_org:
        links = await session.scalars(select(Tagging).where(Tagging.template_id == source.id))
        session.add_all(Tagging(tag_id=link.tag_id, template_id=copy.id) for link in links.all())
        await copy_step_tags(session, {step.id: ids[step.id] for step in steps})
    await session.flush()
    return copy


def copied_rule(
    rule: AutomationRule,
    template_id: str,
    ids: dict[str, str],
    kept: Callable[[list[int]], list[int]],
) -> AutomationRule:
    """A copy of an automation rule for a copied template, every id it names mapped to the
    copy's (steps, form fields, kick-off fields) and every nested object given a new id."""

    def mapped(value: Any) -> Any:
        return ids.get(value, value) if isinstance(value, str) else value

    conditions = [
        {**c, "id": new_id(), "conditionable_id": mapped(c.get("conditionable_id"))}
        for c in rule.conditions
    ]
    actions = []
    for action in rule.actions:
        copied = {
            **action,
            "id": new_id(),
            "target_step_id": mapped(action.get("target_step_id")),
            "actionable_id": mapped(action.get("actionable_id")),
        }
        if action.get("assignees"):
            copied["assignees"] = {
                **action["assignees"],
                "users": kept(action["assignees"].get("users", [])),
            }
        actions.append(copied)
    return AutomationRule(
        template_id=template_id,
        alias=rule.alias,
        condition_logic=rule.condition_logic,
        conditions=conditions,
        actions=actions,
    )


async def clone_step(
    session: AsyncSession, caller: Principal, template_id: str, step_id: str, data: StepClone
) -> Step:
    """Copy a step, with its form fields and tag links, into the place right after it."""
    repo, _ = await editable_template(
        session, caller, template_id, "edit templates", step_id=step_id
    )
    step = await repo.get_step(template_id, step_id)
    captures = (await repo.captures_of([step.id]))[step.id]
    await repo.shift_steps(template_id, start=step.position + 1, by=1)
    copy = copied_step(step, position=step.position + 1, title=data.title or step.title)
    session.add(copy)
    await session.flush()
    session.add_all(
        Capture(step_id=copy.id, **copied_field_columns(capture)) for capture in captures
    )
    await copy_step_tags(session, {step.id: copy.id})
    await session.flush()
    return copy


async def form_fields(session: AsyncSession, caller: Principal, template_id: str) -> FormFieldsRead:
    """A template's kick-off fields and its steps' form fields (step order, then field order)."""
    repo = TemplateRepository(session, caller.org_id)
    template = await repo.get_or_raise(template_id)
    steps = await repo.steps_of(template.id)
    captures = await repo.captures_of([s.id for s in steps])
    prerun = (await repo.prerun_of([template.id]))[template.id]
    return FormFieldsRead(
        id=template.id,
        title=template.title,
        ko_form_fields=[PrerunFieldRead.of(f) for f in prerun],
        form_fields=[CaptureRead.of(c) for step in steps for c in captures[step.id]],
    )


def renumber(captures: list[Capture]) -> None:
    """Positions 1..n in list order (positions sent by clients may repeat or leave gaps)."""
    for position, capture in enumerate(captures, start=1):
        capture.position = position


def placed(captures: list[Capture], capture: Capture, position: int) -> list[Capture]:
    """`captures` without `capture`, then with it at `position` (1-based, clamped)."""
    rest = [c for c in captures if c.id != capture.id]
    index = min(position, len(rest) + 1) - 1
    return [*rest[:index], capture, *rest[index:]]


async def move_capture(
    session: AsyncSession,
    caller: Principal,
    template_id: str,
    step_id: str,
    capture_id: str,
    data: CaptureMove,
) -> Capture:
    """Move a form field to `position` on another step of the same template (422 for a step
    that is not one of its steps); both steps' fields are renumbered."""
    repo, _ = await editable_template(
        session, caller, template_id, "edit templates", step_id=step_id, capture_id=capture_id
    )
    capture = await repo.get_capture(step_id, capture_id)
    try:
        target = await repo.get_step(template_id, data.target_step_id)
    except NotFound:
        raise RuleViolation("target_step_id", "No step with this id in the template.") from None
    found = await repo.captures_of(list({step_id, target.id}))
    if target.id != step_id:
        renumber([c for c in found[step_id] if c.id != capture.id])
    capture.step_id = target.id
    renumber(placed(found[target.id], capture, data.position))
    await session.flush()
    return capture


async def reorder_capture(
    session: AsyncSession,
    caller: Principal,
    template_id: str,
    step_id: str,
    data: CaptureReorder,
) -> list[Capture]:
    """Move one form field to `position` among its step's fields; the others shift. Returns
    the step's fields in their new order."""
    repo, _ = await editable_template(
        session, caller, template_id, "edit templates", step_id=step_id
    )
    captures = (await repo.captures_of([step_id]))[step_id]
    capture = next((c for c in captures if c.id == data.capture_id), None)
    if capture is None:
        raise RuleViolation("capture_id", "No form field with this id on this step.")
    ordered = placed(captures, capture, data.position)
    renumber(ordered)
    await session.flush()
    return ordered
