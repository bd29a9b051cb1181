"""Wire shapes of processes (Tallyfy "runs")."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from procession.api.schemas import Data, Included, Timestamp, WireModel
from procession.processes.models import Process
from procession.tags.schemas import TaggingRead
from procession.tasks.schemas import OwnersInput, TaskOverride, TaskRead
from procession.templates.schemas import TemplateRead


class Input(BaseModel):
    model_config = ConfigDict(extra="ignore")


def prerun_object(value: Any) -> Any:
    """Kick-off values are one object keyed by kick-off field id; `[]` means none."""
    if value == []:
        return {}
    if isinstance(value, list):
        raise ValueError("prerun must be an object keyed by kick-off field id, not a list")
    return value


def roles_object(value: Any) -> Any:
    """Role assignments are one object keyed by role id; `[]` means none."""
    if value == []:
        return {}
    if isinstance(value, list):
        raise ValueError("roles must be an object keyed by role id, not a list")
    return value


class ProcessLaunch(Input):
    checklist_id: str = Field(min_length=1, max_length=64)
    name: str | None = Field(None, min_length=1, max_length=550)
    summary: str | None = None
    owner_id: int | None = None
    starred: bool = False
    is_public: bool = False
    prerun: dict[str, Any] = {}
    tasks: dict[str, TaskOverride] = {}
    tags: list[str] = []
    parent_id: str | None = None
    assign_someone_else: bool = False
    publicly_hidden_fields: list[str] = []
    users: list[int] = []
    groups: list[str] = []
    roles: dict[str, OwnersInput] = {}

    _prerun_shape = field_validator("prerun", mode="before")(prerun_object)
    _roles_shape = field_validator("roles", mode="before")(roles_object)

    def settings(self) -> dict[str, Any]:
        """What the process keeps of the launch choices (`Process.settings`)."""
        return self.model_dump(
            include={"assign_someone_else", "publicly_hidden_fields", "users", "groups"}
        )


class ProcessUpdate(Input):
    name: str | None = Field(None, min_length=1, max_length=550)
    summary: str | None = None
    owner_id: int | None = None
    starred: bool | None = None
    is_public: bool | None = None
    prerun: dict[str, Any] | None = None
    publicly_hidden_fields: list[str] | None = None
    users: list[int] | None = None
    groups: list[str] | None = None

    _prerun_shape = field_validator("prerun", mode="before")(prerun_object)

    @field_validator("name", "starred", "is_public", "publicly_hidden_fields", "users", "groups")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may not be null")
        return value


class Progress(BaseModel):
    complete: int
    total: int
    percent: float

    @classmethod
    def of(cls, complete: int, total: int) -> "Progress":
        percent = round(100 * complete / total, 2) if total else 0.0
        return cls(complete=complete, total=total, percent=percent)


class RunRead(WireModel):
    id: str
    increment_id: int
    checklist_id: str | None
    checklist_title: str
    name: str
    summary: str | None
    type: str
    status: str
    progress: Progress
    whole_progress: Progress
    started_by: int | None
    owner_id: int | None
    collaborators: list[int]
    starred: bool
    is_public: bool
    prerun: dict[str, Any]
    prerun_length: int
    prerun_status: str
    prerun_completed_at: Timestamp | None
    prerun_completed_by: int | None
    has_open_issue: bool
    due_date: Timestamp | None = None
    due_date_passed: bool = False
    due_soon: bool = False
    late_tasks: int = 0
    parent_id: str | None
    assign_someone_else: bool
    publicly_hidden_fields: list[str]
    users: list[int]
    groups: list[str]
    created_at: Timestamp
    started_at: Timestamp
    last_updated: Timestamp
    completed_at: Timestamp | None
    archived_at: Timestamp | None
    tasks: Included[Data[list[TaskRead]]] = None
    tags: Included[Data[list[TaggingRead]]] = None
    checklist: Included[Data[TemplateRead | None]] = None
    form_fields_values: Included[dict[str, Any]] = None

    @classmethod
    def of(cls, process: Process, **includes: Any) -> "RunRead":
        """The run as Tallyfy shows it: `status` reads "archived" while it is archived."""
        progress = Progress.of(process.completed_task_count, process.task_count)
        owners = [process.owner_id] if process.owner_id is not None else []
        members: list[int] = process.settings.get("users", [])
        owners += [user_id for user_id in members if user_id not in owners]
        return cls(
            id=process.id,
            increment_id=process.increment_id,
            checklist_id=process.template_id,
            checklist_title=process.template_title,
            name=process.name,
            summary=process.summary,
            type=process.kind,
            status="archived" if process.is_archived else process.status,
            progress=progress,
            whole_progress=progress,
            started_by=process.started_by_id,
            owner_id=process.owner_id,
            collaborators=owners,
            starred=process.is_starred,
            is_public=process.is_public,
            prerun=process.prerun,
            prerun_length=process.prerun_length,
            prerun_status="complete" if process.prerun_completed_at else "pending",
            prerun_completed_at=process.prerun_completed_at,
            prerun_completed_by=process.prerun_completed_by_id,
            has_open_issue=process.status == "problem",
            parent_id=process.parent_id,
            assign_someone_else=process.settings.get("assign_someone_else", False),
            publicly_hidden_fields=process.settings.get("publicly_hidden_fields", []),
            users=members,
            groups=process.settings.get("groups", []),
            created_at=process.created_at,
            started_at=process.created_at,
            last_updated=process.updated_at,
            completed_at=process.completed_at,
            archived_at=process.archived_at,
            **includes,
        )
