"""Work that runs beside the requests: webhook delivery, bulk jobs, scheduled retention and
SQLite's statistics and checkpoints.

Each job is an `async def job(database, settings) -> int` that does one round of work in its
own transactions and returns how much it did. `run_jobs` calls every job in a loop, sooner
when the last round found work, and logs (never raises) what a round fails with, so one bad
round cannot stop the loop. The server runs the loop in its lifespan when
`PROCESSION_BACKGROUND_JOBS` is on; `procession worker` runs it on its own. Several copies
(workers, servers) may run at once: every job claims its rows so none is done twice.
"""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import structlog

from procession.config import Settings
from procession.db.session import Database

Job = Callable[[Database, Settings], Awaitable[int]]

log = structlog.get_logger("procession.background")


@dataclass(frozen=True)
class Periodic:
    """A job and how long to wait after a round that found nothing to do."""

    name: str
    job: Job
    idle_seconds: float


async def run_forever(periodic: Periodic, database: Database, settings: Settings) -> None:
    while True:
        try:
            worked = await periodic.job(database, settings)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("background job failed", job=periodic.name)
            worked = 0
        await asyncio.sleep(0 if worked else periodic.idle_seconds)


def start(
    jobs: Sequence[Periodic], database: Database, settings: Settings
) -> list["asyncio.Task[None]"]:
    """Start every job's loop on the running event loop; cancel the tasks to stop them."""
    return [
        asyncio.create_task(run_forever(periodic, database, settings), name=periodic.name)
        for periodic in jobs
    ]


async def stop(tasks: list["asyncio.Task[None]"]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
