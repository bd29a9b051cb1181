"""Retention: archive processes that have been complete for long enough, and permanently
delete what has sat in the archive for long enough, for organizations whose admins turned
it on. Everything goes through the audit service (`procession.audit.service`), so the
permission-free system actor still leaves an audit entry (a tombstone for each purge),
fires the same webhooks and respects legal holds.

A dry run does the real run inside a savepoint and rolls it back: what it reports is, by
construction, exactly what the real run then does.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from procession.audit import service as audit_service
from procession.auth.models import Role
from procession.auth.service import Principal, SystemActor
from procession.config import Settings
from procession.db.session import Database
from procession.db.types import utcnow
from procession.orgs.models import Organization
from procession.processes import service as process_service
from procession.processes.models import Process
from procession.retention import hold
from procession.retention.models import RetentionPolicy
from procession.retention.schemas import RetentionPolicyWrite
from procession.tags.models import Tag
from procession.tasks.models import Task
from procession.templates import service as template_service
from procession.templates.models import Template

# Purged in this order. Tasks here are one-off tasks: a process's tasks go with it.
PURGED_KINDS: dict[str, type[Any]] = {
    "process": Process,
    "template": Template,
    "task": Task,
    "tag": Tag,
}


@dataclass
class RetentionReport:
    """What one run did (or, for a dry run, would do) in one organization."""

    org_id: str
    org_name: str
    dry_run: bool
    archived: dict[str, int] = field(default_factory=dict)
    """Objects archived, per kind."""
    purged: dict[str, int] = field(default_factory=dict)
    """Objects permanently deleted, per kind."""
    rows_deleted: dict[str, int] = field(default_factory=dict)
    """Rows deleted with them, per table."""
    kept_on_hold: dict[str, int] = field(default_factory=dict)
    """Objects old enough to purge, kept because of a legal hold."""

    @property
    def changed(self) -> int:
        return sum(self.archived.values()) + sum(self.purged.values())

    def summary(self) -> str:
        """One line a person reads: what was (or would be) archived and deleted."""

        def listed(values: dict[str, int]) -> str:
            return ", ".join(f"{n} {kind}" for kind, n in sorted(values.items())) or "nothing"

        verb = "would" if self.dry_run else "did"
        line = (
            f"{self.org_name}: {verb} archive {listed(self.archived)}; "
            f"{verb} permanently delete {listed(self.purged)}"
        )
        if self.rows_deleted:
            line += f" ({listed(self.rows_deleted)} rows)"
        if self.kept_on_hold:
            line += f"; kept on legal hold: {listed(self.kept_on_hold)}"
        return line + "."


async def get_policy(session: AsyncSession, org_id: str) -> RetentionPolicy:
    """The organization's policy; both windows off when it never set one."""
    policy = await session.get(RetentionPolicy, org_id)
    return policy or RetentionPolicy(org_id=org_id)


async def read_policy(session: AsyncSession, caller: Principal) -> RetentionPolicy:
    caller.require(Role.ADMIN, action="read the retention policy")
    return await get_policy(session, caller.org_id)


async def set_policy(
    session: AsyncSession, caller: Principal, data: RetentionPolicyWrite
) -> RetentionPolicy:
    """Replace the policy (admins only). A window left out or null is off."""
    caller.require(Role.ADMIN, action="change the retention policy")
    policy = await session.get(RetentionPolicy, caller.org_id)
    if policy is None:
        policy = RetentionPolicy(org_id=caller.org_id)
        session.add(policy)
    policy.archive_completed_after_days = data.archive_completed_after_days
    policy.purge_archived_after_days = data.purge_archived_after_days
    policy.updated_by_id = caller.user_id
    await session.flush()
    return policy


def due_to_archive(org_id: str, days: int, now: datetime) -> Any:
    """Live processes complete for at least `days` days."""
    return select(Process).where(
        Process.org_id == org_id,
        Process.archived_at.is_(None),
        Process.status == "complete",
        Process.completed_at < now - timedelta(days=days),
    )


def due_to_purge(kind: str, org_id: str, days: int, now: datetime) -> Any:
    """Objects of `kind` archived at least `days` days ago (held ones included: the purge
    refuses them, and the report counts them as kept)."""
    model = PURGED_KINDS[kind]
    stmt = select(model).where(
        model.org_id == org_id,
        model.archived_at < now - timedelta(days=days),
    )
    if model is Task:  # only one-off tasks are archived on their own
        stmt = stmt.where(Task.process_id.is_(None))
    return stmt.order_by(model.archived_at, model.id)


async def apply_policy(
    session: AsyncSession, policy: RetentionPolicy, report: RetentionReport, now: datetime
) -> None:
    """Carry out `policy` in the caller's transaction, adding what it did to `report`."""
    actor = SystemActor(policy.org_id)
    if policy.archive_completed_after_days:
        days = policy.archive_completed_after_days
        for process in await session.scalars(due_to_archive(policy.org_id, days, now)):
            await audit_service.archive(session, actor, process)
            report.archived["process"] = report.archived.get("process", 0) + 1
    if policy.purge_archived_after_days:
        days = policy.purge_archived_after_days
        for kind in PURGED_KINDS:
            for obj in (await session.scalars(due_to_purge(kind, policy.org_id, days, now))).all():
                if hold.is_held(obj):
                    report.kept_on_hold[kind] = report.kept_on_hold.get(kind, 0) + 1
                    continue
                counts = await audit_service.purge(session, actor, obj)
                report.purged[kind] = report.purged.get(kind, 0) + 1
                for table, rows in counts.items():
                    report.rows_deleted[table] = report.rows_deleted.get(table, 0) + rows


async def run_for_org(
    session: AsyncSession, policy: RetentionPolicy, org_name: str, *, dry_run: bool, now: datetime
) -> RetentionReport:
    """Apply `policy` now; with `dry_run`, inside a savepoint that is then rolled back."""
    report = RetentionReport(policy.org_id, org_name, dry_run)
    savepoint = await session.begin_nested()
    await apply_policy(session, policy, report, now)
    if dry_run:
        await savepoint.rollback()
    else:
        await savepoint.commit()
    return report


async def run_now(session: AsyncSession, caller: Principal, *, dry_run: bool) -> RetentionReport:
    """Apply the caller's organization's policy now (admins only)."""
    caller.require(Role.ADMIN, action="run retention")
    policy = await get_policy(session, caller.org_id)
    name = await session.scalar(select(Organization.name).where(Organization.id == caller.org_id))
    return await run_for_org(session, policy, name or "", dry_run=dry_run, now=utcnow())


async def run_all(
    database: Database, *, dry_run: bool, now: datetime | None = None, org_id: str | None = None
) -> list[RetentionReport]:
    """Apply every organization's policy (or one organization's), one transaction each.

    The policy row is locked first (`FOR UPDATE`; SQLite's write transaction does the same),
    so two runners never work on one organization at once; the second then finds nothing.
    """
    now = now or utcnow()
    async with database.transaction(writes=False) as session:
        stmt = select(RetentionPolicy.org_id).where(
            or_(
                RetentionPolicy.archive_completed_after_days.is_not(None),
                RetentionPolicy.purge_archived_after_days.is_not(None),
            )
        )
        if org_id:
            stmt = stmt.where(RetentionPolicy.org_id == org_id)
        org_ids = list(await session.scalars(stmt.order_by(RetentionPolicy.org_id)))
    reports = []
    for current in org_ids:
        async with database.transaction() as session:
            policy = await session.scalar(
                select(RetentionPolicy).where(RetentionPolicy.org_id == current).with_for_update()
            )
            if policy is None:  # the organization was deleted meanwhile
                continue
            name = await session.scalar(select(Organization.name).where(Organization.id == current))
            reports.append(await run_for_org(session, policy, name or "", dry_run=dry_run, now=now))
    return reports


async def scheduled_run(database: Database, settings: Settings) -> int:
    """The background job: one real run over every organization."""
    return sum(report.changed for report in await run_all(database, dry_run=False))


HoldKind = Literal["process", "template"]


async def holdable(
    session: AsyncSession, caller: Principal, kind: HoldKind, object_id: str
) -> Process | Template:
    """The process or template a legal hold is read, placed or lifted on (locked; 404 for
    another organization's)."""
    if kind == "process":
        return await process_service.get_process(session, caller, object_id, for_update=True)
    return await template_service.get_template(session, caller, object_id, for_update=True)


async def place_legal_hold(
    session: AsyncSession, caller: Principal, obj: Process | Template, reason: str | None
) -> None:
    """Put `obj` on legal hold (admins only); audited. Holding a held object changes nothing."""
    kind = audit_service.AUDITED[type(obj)][0]
    caller.require(Role.ADMIN, action=f"put this {kind} on legal hold")
    if hold.place_hold(obj, caller.user_id, reason):
        audit_service.record(session, caller, "hold", obj, {})
    await session.flush()


async def lift_legal_hold(
    session: AsyncSession, caller: Principal, obj: Process | Template
) -> None:
    """Lift the legal hold on `obj` (admins only); audited."""
    kind = audit_service.AUDITED[type(obj)][0]
    caller.require(Role.ADMIN, action=f"lift the legal hold on this {kind}")
    if hold.lift_hold(obj):
        audit_service.record(session, caller, "unhold", obj, {})
    await session.flush()
