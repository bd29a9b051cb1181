"""Template, step and form-field statements."""

from typing import Any, NamedTuple

from sqlalchemy import bindparam, func, select, update

from procession.db.repository import Repository
from procession.errors import NotFound
from procession.processes.models import Process
from procession.templates.models import Capture, PrerunField, Step, Template


class StepPlan(NamedTuple):
    """What a launch copies from a step into its task."""

    id: str
    position: int
    title: str
    summary: str | None
    step_type: str
    alias: str | None
    assignees: list[int]
    guests: list[str]
    groups: list[str]
    deadline: dict[str, Any] | None
    settings: dict[str, Any]


class CapturePlan(NamedTuple):
    """What a launch copies from a step's form field into its task's."""

    id: str
    step_id: str
    field_type: str
    label: str
    guidance: str | None
    position: int
    required: bool
    options: list[dict[str, Any]]
    columns: list[dict[str, Any]]
    settings: dict[str, Any]


# A launch reads its template as plain rows, by statements built once: loading 100 steps and
# their fields as ORM objects took longer than inserting the launch's 300 rows.
STEP_PLANS = (
    select(*(getattr(Step, name) for name in StepPlan._fields))
    .where(Step.template_id == bindparam("template_id"))
    .order_by(Step.position)
)
CAPTURE_PLANS = (
    select(*(getattr(Capture, name) for name in CapturePlan._fields))
    .join(Step, Step.id == Capture.step_id)
    .where(Step.template_id == bindparam("template_id"))
    .order_by(Capture.position, Capture.created_at)
)


class TemplateRepository(Repository[Template]):
    model = Template
    resource = "Template"

    async def steps_of(self, template_id: str) -> list[Step]:
        return (await self.steps_of_many([template_id]))[template_id]

    async def steps_of_many(self, template_ids: list[str]) -> dict[str, list[Step]]:
        """Steps of these templates, each template's in position order, in one query."""
        found: dict[str, list[Step]] = {template_id: [] for template_id in template_ids}
        if template_ids:
            stmt = (
                select(Step)
                .where(Step.template_id.in_(template_ids))
                .order_by(Step.template_id, Step.position)
            )
            for step in (await self.session.scalars(stmt)).all():
                found[step.template_id].append(step)
        return found

    async def launch_plan(
        self, template_id: str
    ) -> tuple[list[StepPlan], dict[str, list[CapturePlan]]]:
        """A template's steps in position order, and each step's form fields in order."""
        params = {"template_id": template_id}
        steps = [StepPlan._make(row) for row in await self.session.execute(STEP_PLANS, params)]
        captures: dict[str, list[CapturePlan]] = {step.id: [] for step in steps}
        for row in await self.session.execute(CAPTURE_PLANS, params):
            capture = CapturePlan._make(row)
            captures[capture.step_id].append(capture)
        return steps, captures

    async def captures_of(self, step_ids: list[str]) -> dict[str, list[Capture]]:
        """Captures of these steps, each step's in position order."""
        found: dict[str, list[Capture]] = {step_id: [] for step_id in step_ids}
        if step_ids:
            stmt = (
                select(Capture)
                .where(Capture.step_id.in_(step_ids))
                .order_by(Capture.position, Capture.created_at)
            )
            for capture in (await self.session.scalars(stmt)).all():
                found[capture.step_id].append(capture)
        return found

    async def prerun_of(self, template_ids: list[str]) -> dict[str, list[PrerunField]]:
        found: dict[str, list[PrerunField]] = {template_id: [] for template_id in template_ids}
        if template_ids:
            stmt = (
                select(PrerunField)
                .where(PrerunField.template_id.in_(template_ids))
                .order_by(PrerunField.position, PrerunField.created_at)
            )
            for field in (await self.session.scalars(stmt)).all():
                found[field.template_id].append(field)
        return found

    async def counts(self, template_ids: list[str]) -> dict[str, tuple[int, int]]:
        """(steps, processes launched) per template, in two grouped queries."""
        result = dict.fromkeys(template_ids, (0, 0))
        if not template_ids:
            return result
        steps = await self.session.execute(
            select(Step.template_id, func.count())
            .where(Step.template_id.in_(template_ids))
            .group_by(Step.template_id)
        )
        for template_id, n in steps.all():
            result[template_id] = (n, 0)
        launched = await self.session.execute(
            select(Process.template_id, func.count())
            .where(Process.org_id == self.org_id, Process.template_id.in_(template_ids))
            .group_by(Process.template_id)
        )
        for launched_from, n in launched.all():
            if launched_from is not None:
                result[launched_from] = (result[launched_from][0], n)
        return result

    async def get_step(self, template_id: str, step_id: str) -> Step:
        step = await self.session.get(Step, step_id)
        if step is None or step.template_id != template_id:
            raise NotFound("Step")
        return step

    async def get_capture(self, step_id: str, capture_id: str) -> Capture:
        capture = await self.session.get(Capture, capture_id)
        if capture is None or capture.step_id != step_id:
            raise NotFound("Capture")
        return capture

    async def next_step_position(self, template_id: str) -> int:
        stmt = select(func.coalesce(func.max(Step.position), 0) + 1).where(
            Step.template_id == template_id
        )
        return int((await self.session.execute(stmt)).scalar_one())

    async def next_capture_position(self, step_id: str) -> int:
        stmt = select(func.coalesce(func.max(Capture.position), 0) + 1).where(
            Capture.step_id == step_id
        )
        return int((await self.session.execute(stmt)).scalar_one())

    async def shift_steps(
        self, template_id: str, *, start: int, end: int | None = None, by: int
    ) -> None:
        """Move every step with position in [start, end] (no end: to the last step) by `by`
        places, in one statement."""
        in_range = Step.position >= start if end is None else Step.position.between(start, end)
        await self.session.execute(
            update(Step)
            .where(Step.template_id == template_id, in_range)
            .values(position=Step.position + by)
        )
