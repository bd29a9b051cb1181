"""Work that runs beside the requests: webhook delivery, bulk jobs, scheduled retention and
SQLite's statistics and checkpoints.

Each job is an `async def job(database, settings) -> int` that does one round of work in its
own transactions and returns how much it did. `run_until_stopped` calls a job in a loop, sooner
when the last round found work, and logs (never raises) what a round fails with, so one bad
round cannot stop the loop. The server runs the loop in its lifespan when
`PROCESSION_BACKGROUND_JOBS` is on; `procession worker` runs it on its own. Several copies
(workers, servers) may run at once: every job claims its rows so none is done twice.
"""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import structlog

from procession.config import Settings
from procession.db.session import Database

Job = Callable[[Database, Settings], Awaitable[int]]

# What `Running.stop` waits on top of the longest round a job declares: a round's own
# bookkeeping (recording a delivery, committing a chunk) after its slow part.
STOP_MARGIN_SECONDS = 5.0

log = structlog.get_logger("procession.background")


@dataclass(frozen=True)
class Periodic:
    """A job, how long to wait after a round that found nothing to do, and how long a round
    of it may take (a webhook's timeout, a bulk job's turn): shutdown waits that long for a
    round in progress before cancelling it."""

    name: str
    job: Job
    idle_seconds: float
    round_seconds: float = 0.0


async def run_until_stopped(
    periodic: Periodic, database: Database, settings: Settings, stopping: asyncio.Event
) -> None:
    """Rounds of one job until `stopping` is set; a wait between rounds ends at once then."""
    while not stopping.is_set():
        try:
            worked = await periodic.job(database, settings)
        except Exception:
            log.exception("background job failed", job=periodic.name)
            worked = 0
        if worked:
            await asyncio.sleep(0)
            continue
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), periodic.idle_seconds)


@dataclass(frozen=True)
class Running:
    """The loops `start` began, and how long `stop` waits for their rounds in progress."""

    tasks: list["asyncio.Task[None]"]
    stopping: asyncio.Event
    grace_seconds: float

    async def stop(self) -> None:
        """End every loop after its round in progress, cancelling a round only past the grace
        period. A round cancelled inside a transaction can leave its connection checked out
        of the pool (garbage-collected later, still open), and loses what it had done."""
        self.stopping.set()
        if not self.tasks:
            return
        _, late = await asyncio.wait(self.tasks, timeout=self.grace_seconds)
        for task in late:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


def start(jobs: Sequence[Periodic], database: Database, settings: Settings) -> Running:
    """Start every job's loop on the running event loop; `stop()` what it returns, which
    waits for a round in progress as long as the longest `round_seconds` plus
    `STOP_MARGIN_SECONDS`."""
    stopping = asyncio.Event()
    tasks = [
        asyncio.create_task(
            run_until_stopped(periodic, database, settings, stopping), name=periodic.name
        )
        for periodic in jobs
    ]
    longest_round = max((periodic.round_seconds for periodic in jobs), default=0.0)
    return Running(tasks, stopping, longest_round + STOP_MARGIN_SECONDS)
