"""The bulk-job worker: claim a job, then handle its pending items in chunks.

Each chunk is one transaction that locks the job row, handles up to `CHUNK_SIZE` items
(each in its own savepoint) and writes their outcomes and the job's counters together, so
progress survives a crash and no item is handled twice, even by two workers. A worker
holds a job by its lease; a running job whose lease ran out (its worker died) is claimed
again and carries on from its first pending item. The background loop works on a job for a
turn at a time and then hands it back (its lease ended), so that its rounds stay short.

Items are handled as the member who created the job, with that member's role as it is
now; if they are no longer a member, every remaining item is refused.
"""

import time
from collections.abc import Callable
from datetime import timedelta

import structlog
from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from procession.auth import service as auth_service
from procession.auth.service import Principal
from procession.bulk import service as bulk_service
from procession.bulk.models import BulkJob, BulkJobItem
from procession.config import Settings
from procession.db.session import Database
from procession.db.types import utcnow
from procession.errors import AppError

CHUNK_SIZE = 100
LEASE = timedelta(minutes=2)
"""How long a worker holds a job without finishing a chunk before others may take it over."""
TURN_SECONDS = 5.0
"""How long a background round works on one job before handing it back to the queue, so that
a round stays short (shutdown waits for it) and a long job does not hold up the others."""
GONE = "The member who started this job is no longer an active member of the organization."

log = structlog.get_logger("procession.bulk")


def claimable() -> ColumnElement[bool]:
    """Queued jobs, and running jobs whose worker stopped renewing the lease."""
    return or_(
        BulkJob.status == "queued",
        and_(BulkJob.status == "running", BulkJob.lease_until <= utcnow()),
    )


async def claim(database: Database) -> str | None:
    """Take a claimable job and hold it for `LEASE`; its id, or None. Queued jobs come first,
    oldest first, then running ones by when their lease ended, so jobs take turns.

    A read comes first so an idle worker never takes SQLite's write lock. PostgreSQL skips
    rows another worker is claiming (`FOR UPDATE SKIP LOCKED`); SQLite's write transaction
    serializes claims."""
    async with database.transaction(writes=False) as session:
        if await session.scalar(select(BulkJob.id).where(claimable()).limit(1)) is None:
            return None
    async with database.transaction() as session:
        stmt = (
            select(BulkJob)
            .where(claimable())
            .order_by(BulkJob.lease_until.nulls_first(), BulkJob.created_at, BulkJob.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        job = (await session.scalars(stmt)).first()
        if job is None:
            return None
        now = utcnow()
        job.status, job.lease_until = "running", now + LEASE
        job.started_at = job.started_at or now
        return job.id


async def acting_as(session: AsyncSession, job: BulkJob) -> Principal | None:
    """The job's creator in its organization now, or None when they are no longer a member."""
    if job.created_by_id is None:
        return None
    try:
        return await auth_service.principal_for_user(session, job.created_by_id, job.org_id)
    except AppError:
        return None


async def run_chunk(
    database: Database, job_id: str, size: int = CHUNK_SIZE, *, hand_back: bool = False
) -> BulkJob | None:
    """Handle the next `size` pending items of a running job, in one transaction, and renew
    its lease (or, with `hand_back`, end it, so that any worker may claim the job again);
    the job is done when none is left. Returns the job as it then stands (None if it no
    longer exists); a job that is not running is returned untouched."""
    async with database.transaction() as session:
        stmt = (
            select(BulkJob)
            .where(BulkJob.id == job_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        job = (await session.scalars(stmt)).one_or_none()
        if job is None or job.status != "running":
            return job
        pending = (
            select(BulkJobItem)
            .where(BulkJobItem.job_id == job.id, BulkJobItem.outcome.is_(None))
            .order_by(BulkJobItem.position)
        )
        items = list(await session.scalars(pending.limit(size)))
        caller = await acting_as(session, job) if items else None
        if caller is None:
            for item in items:
                bulk_service.Outcome("refused", GONE, "NOT_A_MEMBER").record(item)
        else:
            await bulk_service.handle(
                session, caller, job.action, job.object_type, items, dry_run=job.dry_run
            )
        bulk_service.tally(job, items)
        now = utcnow()
        if len(items) < size or await session.scalar(pending.limit(1)) is None:
            job.status, job.finished_at, job.lease_until = "done", now, None
        else:
            job.lease_until = now if hand_back else now + LEASE
        await session.flush()
        return job


async def fail(database: Database, job_id: str, error: Exception) -> None:
    """Stop a job whose chunk raised something unexpected; what it did so far stays."""
    async with database.transaction() as session:
        job = await session.get(BulkJob, job_id, with_for_update=True)
        if job is not None:
            job.status, job.finished_at, job.lease_until = "failed", utcnow(), None
            job.error = f"{type(error).__name__}: {error}"[:500]


async def run_job(
    database: Database,
    job_id: str,
    *,
    size: int = CHUNK_SIZE,
    on_progress: Callable[[BulkJob], None] | None = None,
    for_seconds: float | None = None,
) -> BulkJob | None:
    """Run a job this worker holds chunk by chunk, calling `on_progress` after each, to the
    end, or with `for_seconds` until the first chunk begun after that long, which hands the
    job back (still running) to be claimed again. An unexpected error marks the job failed
    and is raised again; a database that is busy or unreachable does not: the chunk rolled
    back, and once the lease runs out a worker takes the job over from where it stopped."""
    deadline = None if for_seconds is None else time.monotonic() + for_seconds
    while True:
        hand_back = deadline is not None and time.monotonic() >= deadline
        try:
            job = await run_chunk(database, job_id, size, hand_back=hand_back)
        except OperationalError:
            raise
        except Exception as error:
            await fail(database, job_id, error)
            raise
        if job is not None and on_progress is not None:
            on_progress(job)
        if job is None or job.status != "running" or hand_back:
            return job


async def work(database: Database, settings: Settings) -> int:
    """The background job (`ops/background.py`): claim one job and run it for a turn of
    `TURN_SECONDS`; a job not done by then goes back to the queue, and the next round (at
    once, since this one worked) claims the next in turn (see `claim`). Returns how many
    jobs it worked on (0 or 1)."""
    job_id = await claim(database)
    if job_id is None:
        return 0
    job = await run_job(database, job_id, for_seconds=TURN_SECONDS)
    if job is not None and job.status != "running":
        log.info("bulk job finished", job=job.id, status=job.status, processed=job.processed)
    return 1
