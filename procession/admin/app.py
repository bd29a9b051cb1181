"""The admin pages: a server-rendered app mounted at `/admin` beside the API.

It has its own middleware (signed session cookie, security headers) and its own error pages,
so none of it sits on the API's request path. Pages call the same services as the API.
"""

from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from procession.admin.pages import (
    archive,
    audit,
    bulk,
    holds,
    home,
    processes,
    retention,
    signin,
    tags,
    tasks,
    templates,
    webhooks,
)
from procession.admin.web import SignInRequired, check_csrf, flash, redirect_back, render
from procession.api.errors import field_key
from procession.config import Settings
from procession.errors import AppError

SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        b"form-action 'self'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
]


class SecurityHeaders:
    """Adds the security headers above to every admin response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class SessionCookies:
    """Starlette's signed-cookie sessions, with the `Secure` flag whenever the request came
    over HTTPS (directly, or through a proxy uvicorn trusts)."""

    def __init__(self, app: ASGIApp, *, secret_key: str, max_age: int) -> None:
        options = {"secret_key": secret_key, "max_age": max_age, "same_site": "lax"}
        self.plain = SessionMiddleware(app, https_only=False, **options)  # type: ignore[arg-type]
        self.secure = SessionMiddleware(app, https_only=True, **options)  # type: ignore[arg-type]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        chosen = self.secure if scope.get("scheme") == "https" else self.plain
        await chosen(scope, receive, send)


def error_page(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    return render(request, "error.html", {"title": title, "message": message}, status=status)


async def app_error(request: Request, exc: Exception) -> Response:
    """Sign-in problems go to the sign-in page; a refused form goes back with the reason;
    anything else gets an error page with the right status."""
    assert isinstance(exc, AppError)
    if isinstance(exc, SignInRequired):
        target = request.url_for("signin_form").include_query_params(next=request.url.path)
        return RedirectResponse(target, status_code=303)
    if exc.status == 422 and request.method == "POST":
        for problems in (exc.errors or {"": [exc.message]}).values():
            for problem in problems:
                flash(request, problem, "error")
        return redirect_back(request)
    titles = {403: "Not allowed", 404: "Not found", 401: "Not signed in"}
    return error_page(request, exc.status, titles.get(exc.status, "Cannot do that"), exc.message)


async def invalid_form(request: Request, exc: Exception) -> Response:
    """A form (or query string) the page could not use: back to the form with the reasons."""
    assert isinstance(exc, RequestValidationError | ValidationError)
    problems = [f"{field_key(tuple(p['loc']))}: {p['msg']}" for p in exc.errors()]
    if request.method == "POST":
        for problem in problems:
            flash(request, problem, "error")
        return redirect_back(request)
    return error_page(request, 400, "Bad request", "; ".join(problems))


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        return error_page(request, 404, "Not found", "There is no such page.")
    return error_page(request, exc.status_code, "Cannot do that", str(exc.detail))


async def database_busy(request: Request, exc: Exception) -> Response:
    response = error_page(
        request, 503, "Busy", "The database is busy; nothing was changed. Try again shortly."
    )
    response.headers["Retry-After"] = "1"
    return response


def create_admin_app(settings: Settings) -> FastAPI:
    """The admin pages. The caller (`main.create_app`) mounts it and shares its database."""
    admin = FastAPI(
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        redirect_slashes=False,
        dependencies=[Depends(check_csrf)],  # every POST carries the session's token
    )
    admin.add_middleware(
        SessionCookies,
        secret_key=settings.secret_key.get_secret_value(),
        max_age=settings.session_max_age,
    )
    admin.add_middleware(SecurityHeaders)
    admin.add_exception_handler(AppError, app_error)
    admin.add_exception_handler(RequestValidationError, invalid_form)
    admin.add_exception_handler(ValidationError, invalid_form)
    admin.add_exception_handler(StarletteHTTPException, http_error)
    admin.add_exception_handler(OperationalError, database_busy)
    admin.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    for page in (
        signin,
        home,
        templates,
        processes,
        tasks,
        tags,
        archive,
        audit,
        bulk,
        retention,
        holds,
        webhooks,
    ):
        admin.include_router(page.router)
    return admin
