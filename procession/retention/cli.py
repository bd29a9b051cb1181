"""`procession retention run`: apply retention policies from cron or a systemd timer."""

import asyncio
from typing import Annotated

import typer

from procession.config import get_settings
from procession.db.session import Database
from procession.retention import service as retention_service
from procession.retention.service import RetentionReport

app = typer.Typer(help="Retention: auto-archive and auto-purge, per organization policy.")


@app.command("run")
def run(
    dry_run: Annotated[bool, typer.Option(help="Report what would happen; change nothing")] = False,
    org: Annotated[str | None, typer.Option(help="Only this organization")] = None,
) -> None:
    """Apply every organization's retention policy now and print what it did."""

    async def main() -> list[RetentionReport]:
        database = Database(get_settings())
        try:
            return await retention_service.run_all(database, dry_run=dry_run, org_id=org)
        finally:
            await database.dispose()

    reports = asyncio.run(main())
    for report in reports:
        typer.echo(f"{report.summary()} ({report.org_id})")
    if not reports:
        typer.echo("no organization has a retention policy")
