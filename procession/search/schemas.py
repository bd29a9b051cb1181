"""Search hits as Tallyfy's `SearchResult` (API reference 4.16): `title` on blueprints, tasks,
steps and captures, `name` on processes, always strings (the SDK lowercases them)."""

from typing import Any

from pydantic import Field

from procession.api.schemas import Included, Timestamp, WireModel
from procession.processes.models import Process
from procession.tags.schemas import TaggingRead
from procession.tasks.models import Task
from procession.tasks.schemas import STATUS_LABELS, OwnersRead
from procession.templates.models import Capture, Step, Template


def lifecycle_status(archived: bool, status: str) -> str:
    return "archived" if archived else status


class Hit(WireModel):
    id: str
    tags: Included[list[TaggingRead]] = None


class BlueprintHit(Hit):
    increment_id: int
    title: str
    summary: str | None
    status: str
    type: str
    steps_count: int
    icon: str | None
    is_public: bool
    is_featured: bool
    organization_id: str
    folders: list[dict[str, Any]] = Field(default_factory=list)
    created_at: Timestamp
    last_updated: Timestamp
    archived_at: Timestamp | None

    @classmethod
    def of(cls, template: Template, steps_count: int) -> "BlueprintHit":
        return cls(
            id=template.id,
            increment_id=template.increment_id,
            title=template.title,
            summary=template.summary,
            status=lifecycle_status(template.is_archived, "active"),
            type=template.kind,
            steps_count=steps_count,
            icon=template.settings.get("icon"),
            is_public=template.is_public,
            is_featured=bool(template.settings.get("is_featured", False)),
            organization_id=template.org_id,
            created_at=template.created_at,
            last_updated=template.updated_at,
            archived_at=template.archived_at,
        )


class ProcessHit(Hit):
    increment_id: int
    name: str
    status: str
    type: str
    checklist_id: str | None
    checklist_title: str
    due_date_passed: bool = False
    due_soon: bool = False
    created_at: Timestamp
    last_updated: Timestamp
    archived_at: Timestamp | None

    @classmethod
    def of(cls, process: Process) -> "ProcessHit":
        return cls(
            id=process.id,
            increment_id=process.increment_id,
            name=process.name,
            status=lifecycle_status(process.is_archived, process.status),
            type=process.kind,
            checklist_id=process.template_id,
            checklist_title=process.template_title,
            created_at=process.created_at,
            last_updated=process.updated_at,
            archived_at=process.archived_at,
        )


class TaskHit(Hit):
    increment_id: int
    title: str
    status: str
    status_label: str
    type: str
    run_id: str | None
    checklist_id: str | None
    position: int
    deadline: Timestamp | None
    created_at: Timestamp
    archived_at: Timestamp | None
    starter_id: int | None
    is_oneoff_task: bool
    owners: OwnersRead

    @classmethod
    def of(cls, task: Task, owners: OwnersRead) -> "TaskHit":
        return cls(
            id=task.id,
            increment_id=task.increment_id,
            title=task.title,
            status=task.status,
            status_label=STATUS_LABELS.get(task.status, task.status),
            type=task.task_type,
            run_id=task.process_id,
            checklist_id=task.template_id,
            position=task.position,
            deadline=task.deadline,
            created_at=task.created_at,
            archived_at=task.archived_at,
            starter_id=task.starter_id,
            is_oneoff_task=task.process_id is None,
            owners=owners,
        )


class StepHit(Hit):
    title: str
    checklist_id: str
    checklist_title: str
    position: int
    type: str

    @classmethod
    def of(cls, step: Step, template: Template) -> "StepHit":
        return cls(
            id=step.id,
            title=step.title,
            checklist_id=template.id,
            checklist_title=template.title,
            position=step.position,
            type=step.step_type,
        )


class CaptureHit(Hit):
    title: str
    label: str
    field_type: str
    step_id: str
    checklist_id: str

    @classmethod
    def of(cls, capture: Capture, template: Template) -> "CaptureHit":
        return cls(
            id=capture.id,
            title=capture.label,
            label=capture.label,
            field_type=capture.field_type,
            step_id=capture.step_id,
            checklist_id=template.id,
        )


class SnippetHit(Hit):
    """Procession has no snippets; the type exists for the schema of an empty block."""

    title: str
    content: str


SearchHit = BlueprintHit | ProcessHit | TaskHit | StepHit | CaptureHit | SnippetHit
