"""Wire shapes of templates (checklists), steps, captures and kick-off (prerun) fields."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from procession.api.schemas import Included, Timestamp, WireModel
from procession.tags.schemas import TaggingRead
from procession.templates.models import Capture, FieldMixin, PrerunField, Step, Template

TemplateKind = Literal["procedure", "form", "document"]
FieldType = Literal[
    "text",
    "textarea",
    "dropdown",
    "multiselect",
    "checkbox",
    "radio",
    "date",
    "file",
    "table",
    "email",
    "url",
    "number",
    "assignees",
]
StepType = Literal["task", "approval", "expiring", "email", "expiring_email"]
Title = Annotated[str, Field(min_length=1, max_length=250)]
StepTitle = Annotated[str, Field(min_length=1, max_length=600)]


class Input(BaseModel):
    """Base of request bodies: unknown and read-only keys are ignored, as Tallyfy clients echo
    whole objects they read back into writes."""

    model_config = ConfigDict(extra="ignore")


def reject_null(value: Any) -> Any:
    if value is None:
        raise ValueError("may not be null")
    return value


class Option(BaseModel):
    id: int | None = None
    text: str = Field(max_length=600)
    value: Any = None
    selected: bool | None = None


class Column(BaseModel):
    id: int | None = None
    label: str = Field(max_length=600)


# ---------------------------------------------------------------- form fields


class FieldExtras(Input):
    """Form-field settings that are stored and returned but drive no server behaviour."""

    alias: str | None = None
    default_value: Any = None
    default_value_enabled: bool = False
    collect_time: bool = False
    use_wysiwyg_editor: bool = False
    field_validation: list[str] = []
    prefix: str | None = None
    suffix: str | None = None
    settings: dict[str, Any] = {}


EXTRA_FIELD_KEYS: set[str] = set(FieldExtras.model_fields)


class FieldCreate(FieldExtras):
    field_type: FieldType
    label: StepTitle
    guidance: str | None = None
    position: int | None = Field(None, ge=1)
    required: bool = True
    options: list[Option] = []
    columns: list[Column] = []


class FieldUpdate(FieldExtras):
    field_type: FieldType | None = None
    label: StepTitle | None = None
    guidance: str | None = None
    position: int | None = Field(None, ge=1)
    required: bool | None = None
    options: list[Option] | None = None
    columns: list[Column] | None = None

    _not_null = field_validator("field_type", "label", "required", "options", "columns")(
        reject_null
    )


class PrerunFieldInput(FieldUpdate):
    """A kick-off field in a template's `prerun` array: with `id` it updates that field,
    without it creates one; fields left out of the array are removed."""

    id: str | None = None


class FieldRead(WireModel, FieldExtras):
    id: str
    field_type: str
    label: str
    guidance: str | None
    position: int
    required: bool
    options: list[dict[str, Any]]
    columns: list[dict[str, Any]]
    created_at: Timestamp | None = None
    last_updated: Timestamp | None = None
    archived_at: Timestamp | None = None

    @classmethod
    def field_values(cls, field: FieldMixin) -> dict[str, Any]:
        return {
            **field.settings,
            "field_type": field.field_type,
            "label": field.label,
            "guidance": field.guidance,
            "position": field.position,
            "required": field.required,
            "options": field.options,
            "columns": field.columns,
        }


class CaptureRead(FieldRead):
    step_id: str

    @classmethod
    def of(cls, capture: Capture) -> "CaptureRead":
        return cls(
            **cls.field_values(capture),
            id=capture.id,
            step_id=capture.step_id,
            created_at=capture.created_at,
            last_updated=capture.updated_at,
        )


class PrerunFieldRead(FieldRead):
    checklist_id: str

    @classmethod
    def of(cls, field: PrerunField) -> "PrerunFieldRead":
        return cls(
            **cls.field_values(field),
            id=field.id,
            checklist_id=field.template_id,
            created_at=field.created_at,
            last_updated=field.updated_at,
        )


# ---------------------------------------------------------------- steps


class Deadline(BaseModel):
    value: int = Field(ge=0)
    unit: Literal["minutes", "hours", "days", "weeks", "months"] = "days"
    option: Literal["from", "prior_to"] = "from"
    step: str = "start_run"


class StartDate(BaseModel):
    value: int = Field(ge=0)
    unit: Literal["minutes", "hours", "days", "weeks", "months"] = "days"


class StepExtras(Input):
    """Step settings that are stored and returned."""

    max_assignable: int = Field(1, ge=0)
    webhook: str | None = None
    bp_to_launch: dict[str, Any] | None = None
    allow_guest_owners: bool = False
    skip_start_process: bool = False
    can_complete_only_assignees: bool = False
    everyone_must_complete: bool = False
    prevent_guest_comment: bool = False
    is_soft_start_date: bool = False
    role_changes_every_time: bool = False
    assign_run_starter: bool = True
    top_secret: bool = False
    send_chromeless: bool = False
    roles: list[str] = []


STEP_EXTRA_KEYS: set[str] = set(StepExtras.model_fields)


class StepCreate(StepExtras):
    title: StepTitle
    summary: str | None = None
    step_type: StepType = "task"
    alias: str | None = Field(None, max_length=64)
    assignees: list[int] = []
    guests: list[str] = []
    groups: list[str] = []
    tags: list[Annotated[str, Field(max_length=32)]] = Field([], max_length=100)
    deadline: Deadline | None = None
    start_date: StartDate | None = None


class StepUpdate(StepExtras):
    title: StepTitle | None = None
    summary: str | None = None
    step_type: StepType | None = None
    alias: str | None = Field(None, max_length=64)
    assignees: list[int] | None = None
    guests: list[str] | None = None
    groups: list[str] | None = None
    deadline: Deadline | None = None
    start_date: StartDate | None = None

    _not_null = field_validator("title", "step_type", "assignees", "guests", "groups")(reject_null)


class StepReorder(Input):
    position: int = Field(ge=1)


class StepClone(Input):
    """The optional body of a step copy (the SDK sends none)."""

    title: StepTitle | None = None


class CaptureMove(Input):
    """Move a form field to another step of the same template."""

    target_step_id: str = Field(min_length=1, max_length=32)
    position: int = Field(1, ge=1)


class CaptureReorder(Input):
    """Move one form field to a place among its step's fields (1-based)."""

    capture_id: str = Field(min_length=1, max_length=32)
    position: int = Field(ge=1)


class StepRead(WireModel, StepExtras):
    id: str
    checklist_id: str
    title: str
    alias: str | None
    summary: str | None
    step_type: str
    position: int
    assignees: list[int]
    guests: list[str]
    groups: list[str]
    captures: list[CaptureRead]
    deadline: dict[str, Any] | None
    start_date: dict[str, Any] | None
    created_at: Timestamp
    last_updated: Timestamp
    archived_at: Timestamp | None = None
    tags: Included[list[TaggingRead]] = None

    @classmethod
    def of(cls, step: Step, captures: list[Capture]) -> "StepRead":
        return cls(
            **step.settings,
            id=step.id,
            checklist_id=step.template_id,
            title=step.title,
            alias=step.alias,
            summary=step.summary,
            step_type=step.step_type,
            position=step.position,
            assignees=step.assignees,
            guests=step.guests,
            groups=step.groups,
            captures=[CaptureRead.of(c) for c in captures],
            deadline=step.deadline,
            start_date=step.start_date,
            created_at=step.created_at,
            last_updated=step.updated_at,
        )


# ---------------------------------------------------------------- templates


class TemplateSettings(Input):
    """Template settings that are stored and returned. Booleans are always emitted: the SDK
    takes an absent one for `true`."""

    guidance: str | None = None
    icon: str | None = Field(None, max_length=100)
    alias: str | None = Field(None, max_length=100)
    webhook: str | None = Field(None, max_length=2000)
    explanation_video: str | None = Field(None, max_length=2000)
    public_cover: str | None = None
    kickoff_title: str | None = Field(None, max_length=250)
    kickoff_description: str | None = None
    default_process_name_format: str | None = Field(None, max_length=550)
    default_folder: str | None = None
    folder_id: str | None = None
    is_featured: bool = False
    is_public_kickoff: bool = False
    dual_version_enabled: bool = False
    is_published_state: bool = True
    auto_naming: bool = False
    folderize_process: bool = False
    tag_process: bool = False
    allow_launcher_change_name: bool = True
    is_pinned: bool = False
    folder_changeable_by_launcher: bool = False
    can_add_oot: bool = True
    users: list[int] = []
    groups: list[str] = []


TEMPLATE_SETTING_KEYS: set[str] = set(TemplateSettings.model_fields)


class TemplateCreate(TemplateSettings):
    title: Title
    type: TemplateKind = "procedure"
    summary: str | None = Field(None, max_length=2000)
    owner_id: int | None = None
    starred: bool = False
    is_public: bool = False
    prerun: list[PrerunFieldInput] = []


class TemplateUpdate(TemplateSettings):
    title: Title | None = None
    type: TemplateKind | None = None
    summary: str | None = Field(None, max_length=2000)
    owner_id: int | None = None
    starred: bool | None = None
    is_public: bool | None = None
    prerun: list[PrerunFieldInput] | None = None

    _not_null = field_validator("title", "type", "starred", "is_public", "prerun")(reject_null)


class TemplateRead(WireModel, TemplateSettings):
    id: str
    increment_id: int
    title: str
    summary: str | None
    type: str
    owner_id: int | None
    created_by: int | None
    starred: bool
    is_public: bool
    status: str = "active"
    prerun: list[PrerunFieldRead]
    automated_actions: list[dict[str, Any]] = Field(default_factory=list)
    industry_tags: list[dict[str, Any]] = Field(default_factory=list)
    topic_tags: list[dict[str, Any]] = Field(default_factory=list)
    linked_tasks: list[dict[str, Any]] = Field(default_factory=list)
    steps_count: int
    started_processes: int
    created_at: Timestamp
    last_updated: Timestamp
    archived_at: Timestamp | None
    steps: Included[list[StepRead]] = None
    tags: Included[list[TaggingRead]] = None

    @classmethod
    def of(
        cls,
        template: Template,
        *,
        prerun: list[PrerunField],
        automated_actions: list[dict[str, Any]],
        steps_count: int,
        started_processes: int,
        steps: list[StepRead] | None = None,
        tags: list[TaggingRead] | None = None,
    ) -> "TemplateRead":
        return cls(
            **template.settings,
            id=template.id,
            increment_id=template.increment_id,
            title=template.title,
            summary=template.summary,
            type=template.kind,
            owner_id=template.owner_id,
            created_by=template.created_by_id,
            starred=template.is_starred,
            is_public=template.is_public,
            prerun=[PrerunFieldRead.of(f) for f in prerun],
            automated_actions=automated_actions,
            steps_count=steps_count,
            started_processes=started_processes,
            created_at=template.created_at,
            last_updated=template.updated_at,
            archived_at=template.archived_at,
            steps=steps,
            tags=tags,
        )


class TemplateClone(Input):
    """`POST /checklists/{id}/clone`: `tenant` is the organization the template is copied
    from (form-encoded by the SDK; JSON is accepted too)."""

    tenant: str = Field(min_length=1, max_length=32)
    title: Title | None = None


class FormFieldsRead(BaseModel):
    """A template's kick-off fields and every step's form fields, in step order."""

    id: str
    title: str
    ko_form_fields: list[PrerunFieldRead]
    form_fields: list[CaptureRead]


class TemplateArchived(BaseModel):
    """The answer to archiving (and, without `data`, permanently deleting) a template."""

    data: TemplateRead | None = None
    message: str
    deleted_references: list[dict[str, Any]] = []
