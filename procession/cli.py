"""The `procession` command line."""

import asyncio
import secrets
import signal
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from procession.auth import service as auth_service
from procession.auth.models import Role, User
from procession.auth.passwords import verify_password
from procession.bulk import cli as bulk_cli
from procession.config import Settings, get_settings
from procession.db import migrate as migrations
from procession.db.session import Database, unit_of_work
from procession.db.types import utcnow
from procession.errors import AppError
from procession.files import cli as files_cli
from procession.main import background_jobs
from procession.ops import background
from procession.orgs import service as org_service
from procession.orgs.models import Organization
from procession.retention import cli as retention_cli

app = typer.Typer(
    help="Procession: a workflow server that speaks the Tallyfy REST API.",
    pretty_exceptions_enable=False,
)
app.add_typer(retention_cli.app, name="retention")
app.add_typer(bulk_cli.app, name="bulk")
app.add_typer(files_cli.app, name="files")
T = TypeVar("T")

DEMO_ORG_NAME = "Demo Organization"
DEMO_ADMIN_EMAIL = "admin@example.com"


def run_in_transaction(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in one committed transaction against the configured database."""

    async def main() -> T:
        async with unit_of_work(get_settings()) as session:
            return await work(session)

    return asyncio.run(main())


@app.command()
def migrate(revision: str = "head") -> None:
    """Apply database migrations (creates the SQLite file on first use)."""
    migrations.upgrade(get_settings(), revision)
    typer.echo(f"database at revision {revision}")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Default: HOST setting")] = None,
    port: Annotated[int | None, typer.Option(help="Default: PORT setting")] = None,
    workers: int = 1,
) -> None:
    """Serve the API with uvicorn."""
    from procession.ops.serving import serve as serve_app

    settings = get_settings()
    serve_app(
        "procession.main:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level=settings.log_level,
        access_log=False,  # procession.ops.logs writes one structured line per request
    )


@app.command()
def worker() -> None:
    """Run the background jobs (webhook delivery, bulk jobs, scheduled retention) without
    serving requests; pair it with PROCESSION_BACKGROUND_JOBS=false on the servers. SIGTERM
    or Ctrl-C stops it after the rounds in progress (see `ops/background.py`)."""

    async def main() -> None:
        settings = get_settings()
        database = Database(settings)
        jobs = background.start(background_jobs(settings), database, settings)
        stop_requested = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop_requested.set)
        names = ", ".join(task.get_name() for task in jobs.tasks)
        typer.echo(f"running {names}; SIGTERM or Ctrl-C stops", err=True)
        try:
            await stop_requested.wait()
        finally:
            await jobs.stop()
            await database.dispose()

    asyncio.run(main())


@app.command("create-org")
def create_org(name: str) -> None:
    """Create an organization and print its id."""

    async def work(session: AsyncSession) -> str:
        return (await org_service.create_organization(session, name=name)).id

    typer.echo(run_in_transaction(work))


@app.command("create-user")
def create_user(
    org: Annotated[str, typer.Option(help="Organization id")],
    email: Annotated[str, typer.Option()],
    role: Annotated[Role, typer.Option()] = Role.STANDARD,
    first_name: str = "",
    last_name: str = "",
    password: Annotated[
        str | None, typer.Option(help="For the admin pages (or use set-password later)")
    ] = None,
) -> None:
    """Add a member to an organization (creating the user) and print the user id."""

    async def work(session: AsyncSession) -> int:
        await org_service.get_organization(session, org)
        user = await org_service.add_user(
            session, org_id=org, email=email, first_name=first_name, last_name=last_name, role=role
        )
        if password is not None:
            await auth_service.set_password(session, user, password)
        return user.id

    typer.echo(run_in_transaction(work))


async def user_by_email(session: AsyncSession, email: str) -> User:
    user = (await session.scalars(select(User).where(User.email == email))).one_or_none()
    if user is None:
        raise typer.BadParameter(f"no user with email {email}")
    return user


@app.command("set-password")
def set_password(
    email: Annotated[str, typer.Option(help="The user's email")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
) -> None:
    """Set the password a user signs in to the admin pages with (asked for when not given)."""

    async def work(session: AsyncSession) -> None:
        await auth_service.set_password(session, await user_by_email(session, email), password)

    run_in_transaction(work)
    typer.echo(f"password set for {email}")


@app.command("create-token")
def create_token(
    email: Annotated[str, typer.Option(help="The user's email")],
    name: str = "cli",
    expires_in_days: Annotated[
        int | None, typer.Option(min=1, help="Stop working after this many days")
    ] = None,
) -> None:
    """Create an API token for a user and print it. It is stored only as a hash: keep it."""
    expires_at = utcnow() + timedelta(days=expires_in_days) if expires_in_days else None

    async def work(session: AsyncSession) -> str:
        user = await user_by_email(session, email)
        return await auth_service.issue_token(session, user=user, name=name, expires_at=expires_at)

    typer.echo(run_in_transaction(work))


@app.command("revoke-token")
def revoke_token(
    token: Annotated[str | None, typer.Option(help="The token to revoke")] = None,
    email: Annotated[str | None, typer.Option(help="Revoke every token of this user")] = None,
) -> None:
    """Revoke API tokens at once: one by its value, or all of a user's."""
    if (token is None) == (email is None):
        raise typer.BadParameter("give exactly one of --token and --email")

    async def work(session: AsyncSession) -> int:
        user = await user_by_email(session, email) if email else None
        return await auth_service.revoke_tokens(session, token=token, user=user)

    typer.echo(f"{run_in_transaction(work)} token(s) revoked")


def read_env_file(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {key.strip(): value.strip() for key, value in pairs}


async def demo_token(session: AsyncSession, saved: dict[str, str]) -> tuple[str, str] | None:
    """The saved organization and token, if they still name an admin in this database."""
    org_id, token = saved.get("PROCESSION_ORG", ""), saved.get("PROCESSION_TOKEN", "")
    if org_id and token:
        try:
            if (await auth_service.principal_for_token(session, token, org_id)).is_admin:
                return org_id, token
        except AppError:  # a stale file just means: make new credentials
            pass
    return None


async def ensure_demo(session: AsyncSession, settings: Settings) -> dict[str, str]:
    """The demo organization, its admin's API token and admin-page password: reused when
    `demo.env` still matches the database, created otherwise."""
    saved = read_env_file(settings.demo_env_file)
    found = await demo_token(session, saved)
    if found is None:
        org = (
            await session.scalars(select(Organization).where(Organization.name == DEMO_ORG_NAME))
        ).first() or await org_service.create_organization(session, name=DEMO_ORG_NAME)
        admin = await org_service.add_user(
            session,
            org_id=org.id,
            email=DEMO_ADMIN_EMAIL,
            first_name="Demo",
            last_name="Admin",
            role=Role.ADMIN,
        )
        found = org.id, await auth_service.issue_token(session, user=admin, name="demo")
    admin = await user_by_email(session, DEMO_ADMIN_EMAIL)
    password = saved.get("PROCESSION_ADMIN_PASSWORD", "")
    if not verify_password(admin.password_hash, password):
        password = secrets.token_urlsafe(12)
        await auth_service.set_password(session, admin, password)
    return {
        "PROCESSION_ORG": found[0],
        "PROCESSION_TOKEN": found[1],
        "PROCESSION_ADMIN_EMAIL": DEMO_ADMIN_EMAIL,
        "PROCESSION_ADMIN_PASSWORD": password,
    }


@app.command()
def demo() -> None:
    """Make sure a demo organization with an admin exists; print and save its credentials."""
    settings = get_settings()
    credentials = run_in_transaction(lambda session: ensure_demo(session, settings))
    lines = "".join(f"{key}={value}\n" for key, value in credentials.items())
    settings.demo_env_file.parent.mkdir(parents=True, exist_ok=True)
    settings.demo_env_file.write_text(lines)
    settings.demo_env_file.chmod(0o600)
    typer.echo(lines, nl=False)
    typer.echo(f"(saved in {settings.demo_env_file})")
    typer.echo(f"Admin pages: http://{settings.host}:{settings.port}/admin/")


if __name__ == "__main__":
    app()
