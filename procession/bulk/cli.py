"""`procession bulk archive|restore|delete`: a bulk operation run in this process as a job,
with a progress bar, as a named member (their role applies and the audit trail names them).

    procession bulk archive --org ORG --as admin@example.com --type process \\
        --filter status=complete --filter tag=TAG_ID
    procession bulk delete --org ORG --as admin@example.com --type task --ids a,b,c --dry-run
"""

import asyncio
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from procession.auth import service as auth_service
from procession.auth.models import User
from procession.auth.service import Principal
from procession.bulk import runner
from procession.bulk import service as bulk_service
from procession.bulk.models import BulkJob
from procession.bulk.schemas import AnySelection, BulkResult, ItemResult, bulk_request
from procession.config import get_settings
from procession.db.repository import PageRequest
from procession.db.session import Database
from procession.db.types import utcnow
from procession.errors import AppError

app = typer.Typer(help="Archive, restore or permanently delete many objects at once.")
SHOWN = 20
"""How many objects that were not done the summary lists by name."""

Org = Annotated[str, typer.Option("--org", help="Organization id")]
Acting = Annotated[
    str,
    typer.Option("--as", help="Email of the member to act as (their role applies; audited)"),
]
Kind = Annotated[str, typer.Option("--type", help="process, template, task or tag")]
Filters = Annotated[
    list[str] | None,
    typer.Option(
        "--filter", help="KEY=VALUE, the list endpoint's query parameters; repeat for more"
    ),
]
Ids = Annotated[str | None, typer.Option("--ids", help="Comma-separated ids (instead of filters)")]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Report what would happen; change nothing")]


def request_body(
    kind: str, filters: list[str] | None, ids: str | None, dry_run: bool
) -> AnySelection:
    """The bulk request the options describe, validated as the API validates it."""
    pairs = [item.partition("=") for item in filters or []]
    if any(not sep for _, sep, _ in pairs):
        raise typer.BadParameter("--filter takes KEY=VALUE")
    if ids is None and not pairs:
        raise typer.BadParameter("give --filter or --ids")
    try:
        return bulk_request(
            kind,
            ids=[part.strip() for part in ids.split(",") if part.strip()] if ids else None,
            filter={key.strip(): value.strip() for key, _, value in pairs} if pairs else None,
            dry_run=dry_run,
        )
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in problem['loc'][1:]) or 'request'}: {problem['msg']}"
            for problem in error.errors()
        )
        raise typer.BadParameter(problems) from error


async def acting_member(session: AsyncSession, org_id: str, email: str) -> Principal:
    user_id = await session.scalar(
        select(User.id).where(func.lower(User.email) == email.strip().lower())
    )
    if user_id is None:
        raise typer.BadParameter(f"no user with email {email}")
    return await auth_service.principal_for_user(session, user_id, org_id)


async def not_done(database: Database, org_id: str, email: str, job_id: str) -> list[ItemResult]:
    """The first objects the job did not do, for the summary."""
    async with database.transaction(writes=False) as session:
        caller = await acting_member(session, org_id, email)
        results = []
        for outcome in ("refused", "not_found"):
            page = await bulk_service.list_items(
                session, caller, job_id, PageRequest(per_page=SHOWN), outcome=outcome
            )
            results += [ItemResult.of(item) for item in page.items]
        return results[:SHOWN]


def summary(action: str, kind: str, job: BulkJob | BulkResult, items: list[ItemResult]) -> str:
    would = "would be " if job.dry_run else ""
    lines = [
        f"{action} {kind}: {job.done} {would}done, {job.not_found} not found, "
        f"{job.refused} refused (of {job.total})"
    ]
    for item in items:
        reason = f": {item.reason} ({item.code})" if item.outcome == "refused" else ""
        lines.append(f"  {item.id} {item.outcome.replace('_', ' ')}{reason}")
    return "\n".join(lines)


def run(action: str, org: str, acting: str, body: AnySelection) -> None:
    console = Console()

    async def main() -> str:
        database = Database(get_settings())
        try:
            async with database.transaction() as session:
                caller = await acting_member(session, org, acting)
                started = await bulk_service.submit(
                    session,
                    caller,
                    action,
                    body,
                    sync_limit=0,  # always a job: it survives this process and shows progress
                    lease_until=utcnow() + runner.LEASE,
                )
            if isinstance(started, BulkResult):  # nothing was selected
                return summary(action, body.type, started, [])
            columns = (
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
            )
            with Progress(*columns, console=console) as bar:
                task = bar.add_task(f"{action} {body.type}", total=started.total)
                job = await runner.run_job(
                    database,
                    started.id,
                    on_progress=lambda job: bar.update(task, completed=job.processed),
                )
            assert job is not None, "nothing deletes a running job"
            items = await not_done(database, org, acting, job.id)
            return f"job {job.id} {job.status}\n" + summary(action, body.type, job, items)
        finally:
            await database.dispose()

    try:
        console.print(asyncio.run(main()), highlight=False, markup=False)
    except AppError as error:
        console.print(f"error: {error.message}", highlight=False, markup=False)
        raise typer.Exit(1) from error


def command(action: str, help_text: str) -> None:
    """Register `bulk <action>` with the shared options."""

    def handler(
        org: Org,
        acting: Acting,
        kind: Kind,
        filters: Filters = None,
        ids: Ids = None,
        dry_run: DryRun = False,
    ) -> None:
        run(action, org, acting, request_body(kind, filters, ids, dry_run))

    handler.__doc__ = help_text
    app.command(action)(handler)


command("archive", "Archive the objects (live ones, for a filter).")
command("restore", "Restore archived objects.")
command("delete", "Permanently delete archived objects (admins only).")
