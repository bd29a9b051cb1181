"""Bulk operations on the wire: what to act on (ids or a list filter), per-item results and
job progress."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, model_validator

from procession.api.schemas import Timestamp, WireModel
from procession.bulk.models import BulkJob, BulkJobItem

Action = Literal["archive", "restore", "delete"]
ObjectType = Literal["process", "template", "task", "tag"]
Outcome = Literal["done", "not_found", "refused"]
PLURALS = {"process": "processes", "template": "templates", "task": "tasks", "tag": "tags"}
MAX_ITEMS = 50_000
"""The most objects one bulk operation may select (ids sent, or matched by a filter)."""


def split_commas(value: Any) -> Any:
    """`owners` as the list endpoints take it (`"1,2"`) or as a JSON list (`[1, 2]`)."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


UserIds = Annotated[list[int], BeforeValidator(split_commas)]


class FilterModel(BaseModel):
    """A list endpoint's query parameters, by the same names; unknown keys are refused."""

    model_config = ConfigDict(extra="forbid")


class ProcessFilter(FilterModel):
    """`GET /runs`'s filters. `status` takes active, problem, complete or starred."""

    status: str | None = None
    checklist_id: str | None = None
    blueprint_id: str | None = None
    owners: UserIds = []
    tag: str | None = None
    q: str | None = None
    starred: bool | None = None


class TemplateFilter(FilterModel):
    """`GET /checklists`'s filters."""

    q: str | None = None
    starred: bool | None = None


class TaskFilter(FilterModel):
    """`GET /tasks`'s filters. Only one-off tasks are selected: a process's tasks are
    archived and deleted with their process."""

    status: str | None = None
    owners: UserIds = []
    q: str | None = None


class TagFilter(FilterModel):
    """`GET /tags`'s filters (`all` includes auto-generated tags)."""

    q: str | None = None
    all: bool = False
    auto_generated: bool | None = None


class BulkSelection(BaseModel):
    """Exactly one of `ids` and `filter`. A filter selects among live objects for an
    archive and among archived ones for a restore or a permanent delete."""

    model_config = ConfigDict(extra="forbid")

    ids: list[Annotated[str, Field(min_length=1, max_length=64)]] | None = Field(
        None, min_length=1, max_length=MAX_ITEMS
    )
    dry_run: bool = False

    @model_validator(mode="after")
    def _ids_or_filter(self) -> "BulkSelection":
        if (self.ids is None) == (getattr(self, "filter", None) is None):
            raise ValueError("send exactly one of ids and filter")
        return self

    def selection(self) -> dict[str, Any]:
        """What the job remembers of the request: `{"ids": [...]}` or `{"filter": {...}}`."""
        chosen = getattr(self, "filter", None)
        if chosen is None:
            return {"ids": self.ids}
        return {"filter": chosen.model_dump(exclude_defaults=True)}


class ProcessSelection(BulkSelection):
    type: Literal["process"]
    filter: ProcessFilter | None = None


class TemplateSelection(BulkSelection):
    type: Literal["template"]
    filter: TemplateFilter | None = None


class TaskSelection(BulkSelection):
    type: Literal["task"]
    filter: TaskFilter | None = None


class TagSelection(BulkSelection):
    type: Literal["tag"]
    filter: TagFilter | None = None


AnySelection = ProcessSelection | TemplateSelection | TaskSelection | TagSelection
BulkRequest = Annotated[AnySelection, Field(discriminator="type")]
"""`{"type", "ids" | "filter", "dry_run"}`: what a bulk operation acts on."""


def bulk_request(
    object_type: str, *, ids: list[str] | None, filter: dict[str, str] | None, dry_run: bool
) -> AnySelection:
    """The request that the CLI's options or an admin form describe, validated as the API
    validates a body (pydantic's `ValidationError` otherwise)."""
    body: dict[str, Any] = {"type": object_type, "dry_run": dry_run}
    if ids is not None:
        body["ids"] = ids
    if filter is not None:
        body["filter"] = filter
    return TypeAdapter(BulkRequest).validate_python(body)


class ItemResult(WireModel):
    """One object's outcome. `reason` and `code` say why it was refused (the error the single
    operation would have answered); `counts` are the rows a permanent delete removes."""

    id: str
    outcome: Outcome
    reason: str | None = None
    code: str | None = None
    counts: dict[str, int] | None = None

    @classmethod
    def of(cls, item: BulkJobItem) -> "ItemResult":
        assert item.outcome is not None, "only handled items have a result"
        return cls(
            id=item.object_id,
            outcome=item.outcome,
            reason=item.reason,
            code=item.code,
            counts=item.counts,
        )


class BulkResult(WireModel):
    """A bulk operation carried out in the request (200). With `dry_run`, `done` means
    "would be done" and nothing was written."""

    action: Action
    type: ObjectType
    dry_run: bool
    total: int
    done: int
    not_found: int
    refused: int
    results: list[ItemResult]


class BulkJobRead(WireModel):
    """A bulk operation run as a background job (202 when created): its progress, and
    `links` to itself and to its per-item results."""

    id: str
    action: Action
    type: ObjectType
    dry_run: bool
    status: Literal["queued", "running", "done", "failed"]
    selection: dict[str, Any]
    total: int
    processed: int
    done: int
    not_found: int
    refused: int
    error: str | None
    created_by: int | None
    created_at: Timestamp
    started_at: Timestamp | None
    finished_at: Timestamp | None
    links: dict[str, str]

    @classmethod
    def of(cls, job: BulkJob, links: dict[str, str]) -> "BulkJobRead":
        return cls(
            id=job.id,
            action=job.action,
            type=job.object_type,
            dry_run=job.dry_run,
            status=job.status,
            selection=job.selection,
            total=job.total,
            processed=job.processed,
            done=job.done,
            not_found=job.not_found,
            refused=job.refused,
            error=job.error,
            created_by=job.created_by_id,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
            links=links,
        )
