"""Wire shapes of tasks: process tasks and one-off tasks."""

from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, EmailStr, Field, field_validator

from procession.api.schemas import Data, Included, Timestamp, WireDateTime, WireModel
from procession.comments.schemas import CommentRead
from procession.tags.schemas import TaggingRead
from procession.tasks.models import Task, TaskField
from procession.templates.schemas import CaptureRead, StepRead

TaskType = Literal["task", "approval", "expiring", "email", "expiring_email"]
TaskStatusInput = Literal["not-started", "in-progress", "active", "completed", "complete"]
STATUS_LABELS = {
    "not-started": "Not started",
    "in-progress": "In progress",
    "completed": "Completed",
}


class Input(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class OwnersInput(Input):
    users: list[int] = []
    guests: list[EmailStr] = []
    groups: list[str] = []

    @property
    def is_empty(self) -> bool:
        return not (self.users or self.guests or self.groups)


class TaskExtras(Input):
    """Task settings that are stored and returned."""

    everyone_must_complete: bool = False
    can_complete_only_assignees: bool = False
    prevent_guest_comment: bool = False
    is_soft_start_date: bool = False
    allow_guest_owners: bool = False
    webhook: str | None = Field(None, max_length=2000)
    top_secret: bool = False


TASK_EXTRA_KEYS: set[str] = set(TaskExtras.model_fields)


class TaskOverride(Input):
    """Per-step choices at launch (`tasks` in the launch body, keyed by step id)."""

    deadline: WireDateTime | None = None
    owners: OwnersInput | None = None
    max_assignable: int | None = Field(None, ge=0)
    position: int | None = Field(None, ge=1)


class OneOffTaskCreate(TaskExtras):
    title: str = Field(min_length=1, max_length=600, validation_alias=AliasChoices("title", "name"))
    summary: str | None = Field(None, validation_alias=AliasChoices("summary", "description"))
    task_type: TaskType = "task"
    owners: OwnersInput
    deadline: WireDateTime
    started_at: WireDateTime | None = None
    max_assignable: int = Field(1, ge=0)
    tags: list[str] = []

    @field_validator("owners")
    @classmethod
    def _someone_owns_it(cls, owners: OwnersInput) -> OwnersInput:
        if owners.is_empty:
            raise ValueError("a one-off task needs at least one user, guest or group")
        return owners


class TaskUpdate(TaskExtras):
    title: str | None = Field(
        None, min_length=1, max_length=600, validation_alias=AliasChoices("title", "name")
    )
    summary: str | None = Field(None, validation_alias=AliasChoices("summary", "description"))
    task_type: TaskType | None = None
    taskdata: dict[str, Any] | None = None
    owners: OwnersInput | None = None
    deadline: WireDateTime | None = None
    started_at: WireDateTime | None = None
    max_assignable: int | None = Field(None, ge=0)
    status: TaskStatusInput | None = None
    position: int | None = Field(None, ge=1)
    is_approved: bool | None = None

    @field_validator("title", "task_type", "owners", "status", "position")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may not be null")
        return value


class TaskCompletion(Input):
    task_id: str = Field(min_length=1, max_length=64)
    is_approved: bool | None = None
    override_user: int | None = None


class OwnersRead(BaseModel):
    # Factories, not `= []`: pydantic deep-copies a mutable default for every instance, and
    # every task on the wire has its owners (3.7 -> 1.1 us each).
    users: list[int] = Field(default_factory=list)
    guests: list[str] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)
    taskUrls: list[str] = Field(default_factory=list)


class TaskFieldRead(CaptureRead):
    """A task's form field: the capture definition copied at launch, with its answer."""

    value: Any = None

    @classmethod
    def of_field(cls, field: TaskField, step_id: str | None) -> "TaskFieldRead":
        """Addressed by its capture id, as Tallyfy's `taskdata` keys are."""
        values = cls.field_values(field)
        return cls(**values, id=field.capture_id, step_id=step_id or "", value=field.value)


class TaskRead(WireModel, TaskExtras):
    id: str
    increment_id: int
    title: str
    original_title: str
    summary: str | None
    run_id: str | None
    checklist_id: str | None
    step_id: str | None
    linked_step_id: str | None = None
    alias: str | None
    taskdata: dict[str, Any]
    owners: OwnersRead
    status: str
    status_label: str
    task_type: str
    is_approved: bool | None
    position: int
    blueprint_position: int
    max_assignable: int
    started_at: Timestamp | None
    deadline: Timestamp | None
    completed_at: Timestamp | None
    created_at: Timestamp
    last_updated: Timestamp
    archived_at: Timestamp | None
    starter_id: int | None
    completer_id: int | None
    is_oneoff_task: bool
    is_completable: bool
    problem: bool
    run_status: str | None
    threads_count: int
    threads: Included[Data[list[CommentRead]]] = None
    step: Included[Data[StepRead | None]] = None
    run: Included[Data[dict[str, Any]]] = None
    form_fields: Included[Data[list[TaskFieldRead]]] = None
    tags: Included[Data[list[TaggingRead]]] = None

    @classmethod
    def base_values(cls, task: Task) -> dict[str, Any]:
        """Every field that comes from the task row alone."""
        return {
            **task.settings,
            "id": task.id,
            "increment_id": task.increment_id,
            "title": task.title,
            "original_title": task.original_title,
            "summary": task.summary,
            "run_id": task.process_id,
            "checklist_id": task.template_id,
            "step_id": task.step_id,
            "alias": task.alias,
            "status": task.status,
            "status_label": STATUS_LABELS.get(task.status, task.status),
            "task_type": task.task_type,
            "is_approved": task.is_approved,
            "position": task.position,
            "blueprint_position": task.position,
            "max_assignable": task.max_assignable,
            "started_at": task.started_at,
            "deadline": task.deadline,
            "completed_at": task.completed_at,
            "created_at": task.created_at,
            "last_updated": task.updated_at,
            "archived_at": task.archived_at,
            "starter_id": task.starter_id,
            "completer_id": task.completer_id,
            "is_oneoff_task": task.process_id is None,
        }


class TaskCompleted(BaseModel):
    """The answer to completing or reopening a process task."""

    data: TaskRead
    tasks_changed_by_rules: dict[str, Any] = {}
