"""Search: which kinds were asked for, one ranked and paginated query per kind, and the
set-based reads that complete a page (owners, step counts, tags)."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import SQLColumnExpression, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from procession.auth.service import Principal
from procession.db.repository import (
    AnySelect,
    PageRequest,
    PageResult,
    Visibility,
    count,
    with_visibility,
)
from procession.errors import RuleViolation
from procession.processes.models import Process
from procession.search import filters
from procession.search.backend import backend_for
from procession.search.schemas import (
    BlueprintHit,
    CaptureHit,
    Hit,
    ProcessHit,
    StepHit,
    TaskHit,
)
from procession.tags.repository import TagRepository
from procession.tags.schemas import TaggingRead
from procession.tasks.models import Task, TaskStatus
from procession.tasks.repository import TaskRepository
from procession.templates.models import Capture, Step, Template

# The `on` tokens Tallyfy knows; `blueprint` and `template` are the same kind.
KINDS = {
    "blueprint": "template",
    "template": "template",
    "process": "process",
    "task": "task",
    "snippet": "snippet",
    "capture": "capture",
    "step": "step",
}
MAX_QUERY = 200
TASK_STATUSES = ("active", "completed", "all")

FILTER_FIELDS: dict[str, filters.Fields] = {
    "template": {
        "starter": Template.created_by_id,
        "date": Template.created_at,
        "title": Template.title,
        "description": Template.summary,
    },
    "process": {
        "starter": Process.started_by_id,
        "date": Process.created_at,
        "title": Process.name,
        "description": Process.summary,
    },
    "task": {"starter": Task.starter_id, "title": Task.title},
}


@dataclass(frozen=True)
class SearchRequest:
    text: str
    page: PageRequest
    include_archived: bool = False
    task_status: str | None = None
    with_tags: bool = False
    filter: dict[str, Any] | None = None

    @property
    def visibility(self) -> Visibility:
        return Visibility.ALL if self.include_archived else Visibility.LIVE


def parse_tokens(on: str) -> list[str]:
    """The requested `on` tokens in order, without repeats; 422 for an unknown one."""
    tokens = list(dict.fromkeys(t.strip() for t in on.split(",") if t.strip()))
    unknown = [t for t in tokens if t not in KINDS]
    if not tokens or unknown:
        allowed = ", ".join(KINDS)
        raise RuleViolation("on", f"on must be a comma list of: {allowed}.")
    return tokens


def check_request(text: str | None, task_status: str | None) -> str:
    """The search text, stripped; 422 when it is missing, blank or too long."""
    cleaned = (text or "").strip()
    if not cleaned:
        raise RuleViolation("search", "The search text is required.")
    if "\x00" in cleaned:
        raise RuleViolation("search", "The search text may not contain NUL characters.")
    if len(cleaned) > MAX_QUERY:
        raise RuleViolation("search", f"The search text may be at most {MAX_QUERY} characters.")
    if task_status is not None and task_status not in TASK_STATUSES:
        raise RuleViolation("status", f"status must be one of: {', '.join(TASK_STATUSES)}.")
    return cleaned


async def search(
    session: AsyncSession, caller: Principal, tokens: list[str], request: SearchRequest
) -> dict[str, tuple[PageResult[Any], list[Hit]]]:
    """One page of hits per requested token, keyed by the token as sent. Archived objects
    are left out unless `include_archived`; only the caller's organization is searched."""
    by_kind: dict[str, tuple[PageResult[Any], list[Hit]]] = {}
    for token in tokens:
        kind = KINDS[token]
        if kind not in by_kind:
            by_kind[kind] = await SEARCHES[kind](session, caller, request)
    return {token: by_kind[KINDS[token]] for token in tokens}


def ranked(
    session: AsyncSession,
    stmt: AnySelect,
    text_column: InstrumentedAttribute[str],
    tie_breakers: Sequence[SQLColumnExpression[Any]],
    request: SearchRequest,
) -> AnySelect:
    """`stmt` narrowed to matches, best first: an exact (case-insensitive) match, then the
    index's rank, then `tie_breakers`."""
    backend = backend_for(session.get_bind().dialect.name)
    matched = backend.match(stmt, text_column, request.text)
    exact = case((func.lower(text_column) == request.text.lower(), 0), else_=1)
    return matched.stmt.order_by(exact, *matched.order, *tie_breakers)


async def paginate(
    session: AsyncSession, stmt: AnySelect, page: PageRequest, *, rows: bool = False
) -> PageResult[Any]:
    """One page of `stmt` and the number of rows it selects, counted by a window function in
    the same statement (matching and ranking run once, not twice); a separate count only for
    a page past the end. Items are the first entity, or with `rows` the row's entities."""
    windowed = stmt.add_columns(func.count().over()).limit(page.per_page).offset(page.offset)
    found = (await session.execute(windowed)).all()
    items = [tuple(row[:-1]) if rows else row[0] for row in found]
    if found:
        return PageResult(items, int(found[0][-1]), page)
    return PageResult(items, 0 if page.page == 1 else await count(session, stmt), page)


def filtered(stmt: AnySelect, kind: str, request: SearchRequest) -> AnySelect:
    if request.filter is None:
        return stmt
    return stmt.where(filters.to_clause(request.filter, FILTER_FIELDS.get(kind, {}), kind))


async def search_templates(
    session: AsyncSession, caller: Principal, request: SearchRequest
) -> tuple[PageResult[Any], list[Hit]]:
    stmt = select(Template).where(Template.org_id == caller.org_id)
    stmt = filtered(with_visibility(stmt, Template, request.visibility), "template", request)
    order = [Template.created_at.desc(), Template.id]
    result = await paginate(
        session, ranked(session, stmt, Template.title, order, request), page=request.page
    )
    templates: list[Template] = result.items
    counts = await steps_counts(session, [t.id for t in templates])
    hits: list[Hit] = [BlueprintHit.of(t, counts.get(t.id, 0)) for t in templates]
    return result, await tagged(session, caller, request, "Checklist", hits)


async def search_processes(
    session: AsyncSession, caller: Principal, request: SearchRequest
) -> tuple[PageResult[Any], list[Hit]]:
    stmt = select(Process).where(Process.org_id == caller.org_id)
    stmt = filtered(with_visibility(stmt, Process, request.visibility), "process", request)
    order = [Process.created_at.desc(), Process.id]
    result = await paginate(
        session, ranked(session, stmt, Process.name, order, request), request.page
    )
    hits: list[Hit] = [ProcessHit.of(p) for p in result.items]
    return result, await tagged(session, caller, request, "Run", hits)


async def search_tasks(
    session: AsyncSession, caller: Principal, request: SearchRequest
) -> tuple[PageResult[Any], list[Hit]]:
    stmt = select(Task).where(Task.org_id == caller.org_id)
    stmt = filtered(with_visibility(stmt, Task, request.visibility), "task", request)
    if request.task_status == "active":
        stmt = stmt.where(Task.status != TaskStatus.COMPLETED)
    elif request.task_status == "completed":
        stmt = stmt.where(Task.status == TaskStatus.COMPLETED)
    order = [Task.created_at.desc(), Task.id]
    result = await paginate(
        session, ranked(session, stmt, Task.title, order, request), request.page
    )
    tasks: list[Task] = result.items
    owners = await TaskRepository(session, caller.org_id).owners_of([t.id for t in tasks])
    hits: list[Hit] = [TaskHit.of(t, owners[t.id]) for t in tasks]
    return result, await tagged(session, caller, request, "Task", hits)


async def search_steps(
    session: AsyncSession, caller: Principal, request: SearchRequest
) -> tuple[PageResult[Any], list[Hit]]:
    """Steps of the organization's templates (live templates unless `include_archived`)."""
    stmt = select(Step, Template).join(Template, Template.id == Step.template_id)
    stmt = stmt.where(Template.org_id == caller.org_id)
    stmt = filtered(with_visibility(stmt, Template, request.visibility), "step", request)
    order = [Template.created_at.desc(), Step.position, Step.id]
    ranked_stmt = ranked(session, stmt, Step.title, order, request)
    result = await paginate(session, ranked_stmt, request.page, rows=True)
    hits: list[Hit] = [StepHit.of(step, template) for step, template in result.items]
    return result, await tagged(session, caller, request, "Step", hits)


async def search_captures(
    session: AsyncSession, caller: Principal, request: SearchRequest
) -> tuple[PageResult[Any], list[Hit]]:
    """Form fields (captures) of the steps of the organization's templates, by label."""
    stmt = (
        select(Capture, Template)
        .join(Step, Step.id == Capture.step_id)
        .join(Template, Template.id == Step.template_id)
        .where(Template.org_id == caller.org_id)
    )
    stmt = filtered(with_visibility(stmt, Template, request.visibility), "capture", request)
    order = [Template.created_at.desc(), Capture.position, Capture.id]
    ranked_stmt = ranked(session, stmt, Capture.label, order, request)
    result = await paginate(session, ranked_stmt, request.page, rows=True)
    return result, [CaptureHit.of(capture, template) for capture, template in result.items]


async def search_snippets(
    session: AsyncSession, caller: Principal, request: SearchRequest
) -> tuple[PageResult[Any], list[Hit]]:
    """Procession has no snippets (Tallyfy's text templates): always an empty block."""
    filtered(select(Template), "snippet", request)  # an unknown filter field is still a 422
    return PageResult([], 0, request.page), []


SEARCHES = {
    "template": search_templates,
    "process": search_processes,
    "task": search_tasks,
    "step": search_steps,
    "capture": search_captures,
    "snippet": search_snippets,
}


async def steps_counts(session: AsyncSession, template_ids: list[str]) -> dict[str, int]:
    if not template_ids:
        return {}
    stmt = (
        select(Step.template_id, func.count())
        .where(Step.template_id.in_(template_ids))
        .group_by(Step.template_id)
    )
    return {template_id: int(n) for template_id, n in (await session.execute(stmt)).all()}


async def tagged(
    session: AsyncSession, caller: Principal, request: SearchRequest, subject: str, hits: list[Hit]
) -> list[Hit]:
    """With `tags=true`, each hit carries its tags (live tags only), read in one query."""
    if not request.with_tags:
        return hits
    by_subject: dict[str, list[Any]] = defaultdict(list)
    repository = TagRepository(session, caller.org_id)
    for tagging, tag in await repository.taggings_for(subject, [h.id for h in hits]):
        by_subject[tagging.subject[1]].append((tagging, tag))
    for hit in hits:
        hit.tags = [TaggingRead.of(tagging, tag) for tagging, tag in by_subject[hit.id]]
    return hits
