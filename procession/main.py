"""The ASGI application factory."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from procession import __version__
from procession.admin.app import create_admin_app
from procession.api.body_guard import BodyGuard
from procession.api.dispatch import RouteIndex
from procession.api.errors import install_error_handlers
from procession.api.prefix import PREFIX, ApiPrefix
from procession.api.rate_limit import OrgRateLimiter
from procession.api.router import api_routes, build_api_router
from procession.bulk import runner as bulk_runner
from procession.config import Settings, get_settings
from procession.db import checkpoint, lifecycle, statistics
from procession.db.migrate import head_revision
from procession.db.session import Database
from procession.files.upload import is_upload
from procession.idempotency.middleware import Idempotency
from procession.ops import background, heap
from procession.ops.logs import RequestLog, configure_logging
from procession.ops.metrics import install_metrics
from procession.ops.router import router as ops_router
from procession.retention import service as retention_service
from procession.webhooks import delivery as webhook_delivery


def background_jobs(settings: Settings) -> list[background.Periodic]:
    """What runs beside the requests (see `ops/background.py`); `procession worker` runs the
    same list."""
    jobs: list[background.Periodic] = []
    jobs.append(
        background.Periodic(
            "bulk", bulk_runner.work, settings.poll_seconds, bulk_runner.TURN_SECONDS
        )
    )
    jobs.append(
        background.Periodic(
            "webhooks",
            webhook_delivery.work,
            settings.poll_seconds,
            settings.webhook_timeout_seconds,  # deliveries are sent concurrently
        )
    )
    if settings.is_sqlite:
        jobs.append(
            background.Periodic("statistics", statistics.gather, statistics.REFRESH_SECONDS)
        )
        jobs.append(
            background.Periodic("checkpoint", checkpoint.checkpoint, checkpoint.INTERVAL_SECONDS)
        )
    if settings.retention_interval_minutes > 0:
        jobs.append(
            background.Periodic(
                "retention",
                retention_service.scheduled_run,
                settings.retention_interval_minutes * 60,
            )
        )
    return jobs


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app. The database engine is created at start-up and disposed at shutdown.

    Every route is served under `/api/...` (Tallyfy's documented URLs) and, through
    `ApiPrefix`, at the root (the official SDK's base URL). The admin pages are at `/admin/`.
    """
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    lifecycle.check_graph()

    admin = create_admin_app(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        database = app.state.database = admin.state.database = Database(settings)
        app.state.migration_head = head_revision(settings)
        jobs = background.start(
            background_jobs(settings) if settings.background_jobs else [], database, settings
        )
        heap.freeze_startup_heap()
        try:
            yield
        finally:
            await jobs.stop()
            await database.dispose()

    app = FastAPI(
        title="Procession",
        version=__version__,
        summary="A self-hostable workflow server that speaks the Tallyfy REST API.",
        lifespan=lifespan,
        redirect_slashes=False,
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.rate_limiter = OrgRateLimiter(settings.rate_limit)
    install_error_handlers(app)
    app.include_router(build_api_router(), prefix=PREFIX)
    app.include_router(ops_router)
    metrics = install_metrics(app)
    app.add_api_route("/admin", lambda: RedirectResponse("/admin/"), include_in_schema=False)
    app.mount("/admin", admin)
    # The routes are all added: from here the index matches API requests (api/dispatch.py).
    app.router.middleware_stack = RouteIndex(app.router, api_routes())
    app.add_middleware(Idempotency)
    # Uploads bring their own, larger limit, enforced as they stream (files/upload.py).
    app.add_middleware(BodyGuard, max_bytes=settings.max_body_bytes, exempt=is_upload)
    app.add_middleware(ApiPrefix)
    app.add_middleware(RequestLog, on_finish=metrics.observe)
    return app
