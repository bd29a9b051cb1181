"""`procession files sweep`: remove stored files that no record names any more."""

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import select

from procession.config import get_settings
from procession.db.session import Database
from procession.files import storage
from procession.files.models import Asset

app = typer.Typer(help="Uploaded files.")


@app.command("sweep")
def sweep(
    min_age_minutes: Annotated[
        float, typer.Option(help="Leave files younger than this (uploads in flight)")
    ] = 60,
) -> None:
    """Delete stored files without an asset record (normally none: deletes and purges remove
    the bytes after their commit; a crash in between leaves a file behind)."""

    async def main() -> list[Path]:
        settings = get_settings()
        database = Database(settings)
        try:
            async with database.transaction(writes=False) as session:
                known = {
                    (org, id_) for org, id_ in await session.execute(select(Asset.org_id, Asset.id))
                }
        finally:
            await database.dispose()
        return storage.sweep(settings.files_dir, known, min_age_seconds=min_age_minutes * 60)

    removed = asyncio.run(main())
    for path in removed:
        typer.echo(f"removed {path}")
    typer.echo(f"{len(removed)} file(s) without a record removed")
