"""Tags: create, read, update, and attach them to templates, processes, tasks and steps."""

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
from procession.errors import NotFound, RuleViolation
from procession.processes.models import Process
from procession.tags.models import SUBJECT_COLUMNS, Tag, Tagging
from procession.tags.repository import TagRepository, subject_column
from procession.tags.schemas import TagCreate, TaggingCreate, TagUpdate
from procession.tasks.models import Task
from procession.templates.models import Step, Template


def select_tags(
    session: AsyncSession,
    caller: Principal,
    *,
    visibility: Visibility,
    query: str | None = None,
    sort: str | None = None,
    include_auto_generated: bool = False,
    auto_generated: bool | None = None,
) -> AnySelect:
    """The select of the organization's tags, by title. Auto-generated tags are left out
    unless asked for, as in Tallyfy (the SDK sends `all=true` to see them)."""
    stmt: AnySelect = with_visibility(TagRepository(session, caller.org_id).base(), Tag, visibility)
    if query:
        stmt = stmt.where(func.lower(Tag.title).contains(query.lower(), autoescape=True))
    if auto_generated is not None:
        stmt = stmt.where(Tag.is_auto_generated.is_(auto_generated))
    elif not include_auto_generated:
        stmt = stmt.where(Tag.is_auto_generated.is_(False))
    order = Tag.title.desc() if sort == "-title" else Tag.title.asc()
    return stmt.order_by(order, Tag.id)


async def list_tags(
    session: AsyncSession,
    caller: Principal,
    *,
    page: PageRequest,
    visibility: Visibility,
    query: str | None = None,
    sort: str | None = None,
    include_auto_generated: bool = False,
    auto_generated: bool | None = None,
) -> PageResult[Tag]:
    """One page of `select_tags`."""
    stmt = select_tags(
        session,
        caller,
        visibility=visibility,
        query=query,
        sort=sort,
        include_auto_generated=include_auto_generated,
        auto_generated=auto_generated,
    )
    return await paginate(session, stmt, page)


async def get_tag(
    session: AsyncSession, caller: Principal, tag_id: str, *, for_update: bool = False
) -> Tag:
    return await TagRepository(session, caller.org_id).get_or_raise(tag_id, for_update=for_update)


async def ensure_title_free(session: AsyncSession, caller: Principal, tag: Tag) -> None:
    """Before restoring `tag`: 422 if a live tag has taken its title since it was archived."""
    if tag.is_archived and await TagRepository(session, caller.org_id).title_taken(
        tag.title, except_id=tag.id
    ):
        raise RuleViolation("title", "A live tag now has this title; rename that one first.")


async def create_tag(session: AsyncSession, caller: Principal, data: TagCreate) -> Tag:
    """Create a tag. 403 for light members; 422 when a live tag already has the title."""
    caller.require_editor("create tags")
    repo = TagRepository(session, caller.org_id)
    if await repo.title_taken(data.title):
        raise RuleViolation("title", "A tag with this title already exists.")
    tag = repo.add(
        Tag(
            org_id=caller.org_id,
            title=data.title,
            color=data.color,
            tag_type=data.type,
            is_auto_generated=data.auto_generated,
        )
    )
    await session.flush()
    return tag


async def update_tag(session: AsyncSession, caller: Principal, tag_id: str, data: TagUpdate) -> Tag:
    """Change a tag's title or color. 422 for an archived tag or a title already in use."""
    repo = TagRepository(session, caller.org_id)
    tag = await repo.get_or_raise(tag_id)
    caller.require_editor("update tags")
    ensure_live(tag, "Cannot update an archived tag.")
    changes = data.model_dump(exclude_unset=True)
    if "title" in changes and await repo.title_taken(changes["title"], except_id=tag.id):
        raise RuleViolation("title", "A tag with this title already exists.")
    for key, value in changes.items():
        setattr(tag, key, value)
    await session.flush()
    return tag


SUBJECT_MODELS: dict[str, Any] = {"Checklist": Template, "Run": Process, "Task": Task}


async def ensure_taggable_subject(
    session: AsyncSession, org_id: str, subject_type: str, subject_id: str
) -> None:
    """422 "Subject not found" unless the subject is live and in this organization."""
    if subject_type == "Step":
        stmt: Any = (
            select(Template.archived_at)
            .join(Step, Step.template_id == Template.id)
            .where(Step.id == subject_id, Template.org_id == org_id)
        )
    else:
        model = SUBJECT_MODELS[subject_type]
        stmt = select(model.archived_at).where(model.id == subject_id, model.org_id == org_id)
    found = (await session.execute(stmt)).one_or_none()
    if found is None or found[0] is not None:
        raise RuleViolation("subject_id", "Subject not found")


async def tag_subject(
    session: AsyncSession, caller: Principal, data: TaggingCreate
) -> tuple[Tagging, Tag]:
    """Attach a live tag to a live subject; answers the existing link if already attached."""
    caller.require_editor("tag objects")
    repo = TagRepository(session, caller.org_id)
    tag = await repo.get(data.tag_id)
    if tag is None or tag.is_archived:
        raise RuleViolation("tag_id", "Tag not found")
    await ensure_taggable_subject(session, caller.org_id, data.subject_type, data.subject_id)
    column = subject_column(data.subject_type)
    existing = (
        await session.scalars(
            select(Tagging).where(Tagging.tag_id == tag.id, column == data.subject_id)
        )
    ).first()
    if existing is not None:
        return existing, tag
    tagging = Tagging(tag_id=tag.id, **{SUBJECT_COLUMNS[data.subject_type]: data.subject_id})
    session.add(tagging)
    await session.flush()
    return tagging, tag


async def untag(session: AsyncSession, caller: Principal, tagging_id: int) -> tuple[Tagging, Tag]:
    """Remove one tag link (by its integer id) and answer what it was."""
    found = await TagRepository(session, caller.org_id).get_tagging(tagging_id)
    if found is None:
        raise NotFound("Tag association")
    caller.require_editor("untag objects")
    # An archived subject is read-only (LC9): its links must come back whole on restore.
    await ensure_taggable_subject(session, caller.org_id, *found[0].subject)
    await session.delete(found[0])
    await session.flush()
    return found


async def tag_new_subject(
    session: AsyncSession, org_id: str, subject_type: str, subject_id: str, tag_ids: list[str]
) -> None:
    """Attach tags to a subject being created (e.g. at launch); 422 on any unknown tag."""
    unique_ids = list(dict.fromkeys(tag_ids))
    if not unique_ids:
        return
    known = await TagRepository(session, org_id).live_ids(unique_ids)
    missing = [tag_id for tag_id in unique_ids if tag_id not in known]
    if missing:
        raise RuleViolation("tags", f"Unknown tag: {missing[0]}")
    column = SUBJECT_COLUMNS[subject_type]
    session.add_all(Tagging(tag_id=tag_id, **{column: subject_id}) for tag_id in unique_ids)
    await session.flush()
