"""Turns every error into Tallyfy's JSON error shape. Routers never build error responses."""

import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from procession.api.dispatch import ALLOWED_METHODS
from procession.api.rate_limit import RateLimited
from procession.errors import AppError

log = logging.getLogger("procession")

HTTP_ERRORS = {
    400: ("Malformed request body: expected JSON in UTF-8", "BAD_REQUEST"),
    404: ("API endpoint not found", "ENDPOINT_NOT_FOUND"),
    405: ("Method not allowed", "METHOD_NOT_ALLOWED"),
    413: ("Request body too large", "PAYLOAD_TOO_LARGE"),
}


def error_response(
    status: int,
    message: str,
    code: str,
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"error": True, "message": message, "code": code}
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, headers=headers)


def field_key(loc: tuple[int | str, ...]) -> str:
    """Pydantic's error location as the request's own field path (`prerun.abc`, `title`)."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    return ".".join(parts) or "body"


async def app_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    headers = None
    if exc.status == 401:
        headers = {"WWW-Authenticate": "Bearer"}
    elif isinstance(exc, RateLimited):
        headers = {"Retry-After": str(exc.retry_after)}
    return error_response(exc.status, exc.message, exc.code, exc.errors, headers)


async def validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = exc.errors()
    if any(p.get("type") == "json_invalid" for p in problems):
        return error_response(400, "Malformed JSON body", "BAD_REQUEST")
    errors: dict[str, list[str]] = {}
    for problem in problems:
        errors.setdefault(field_key(tuple(problem["loc"])), []).append(problem["msg"])
    first_field, first_messages = next(iter(errors.items()))
    message = f"{first_field}: {first_messages[0]}"
    return error_response(422, message, "VALIDATION_ERROR", errors)


def allowed_methods(request: Request) -> str:
    """The methods served at this path: those of the first API route template matching it, as
    the route index found them (`api/dispatch.py`), or else the app's own routes'."""
    path = request.scope["path"]
    methods = request.scope.get(ALLOWED_METHODS) or {
        method
        for route in request.app.router.routes
        if isinstance(route, APIRoute) and route.path_regex.match(path)
        for method in route.methods or ()
    }
    return ", ".join(sorted(methods))


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    message, code = HTTP_ERRORS.get(exc.status_code, (str(exc.detail), "HTTP_ERROR"))
    headers = dict(exc.headers) if exc.headers else None
    if exc.status_code == 405:
        headers = {"Allow": allowed_methods(request)}
    return error_response(exc.status_code, message, code, headers=headers)


async def integrity_error(_request: Request, exc: Exception) -> JSONResponse:
    # Expected conflicts are checked by services; reaching here means a rule was missed.
    log.error("integrity error reached the handler", exc_info=exc)
    return error_response(409, "The change conflicts with existing data", "CONFLICT")


async def out_of_range(_request: Request, exc: Exception) -> JSONResponse:
    """A number too large for its column (or text the database cannot store) reached the
    database, which refused it; the transaction rolled back, so nothing was stored."""
    log.info("value refused by the database: %s", exc)
    problem = "A value is out of range for its field."
    return error_response(422, problem, "VALIDATION_ERROR", {"body": [problem]})


async def database_busy(_request: Request, exc: Exception) -> JSONResponse:
    """The database could not serve the request now (SQLite's "database is locked" after the
    busy timeout, PostgreSQL unreachable or cancelling on a lock timeout): nothing was
    changed, so the client may simply retry."""
    log.warning("database unavailable: %s", exc)
    return error_response(
        503,
        "The database is busy; retry shortly",
        "SERVICE_UNAVAILABLE",
        headers={"Retry-After": "1"},
    )


async def server_error(_request: Request, exc: Exception) -> JSONResponse:
    incident = uuid.uuid4().hex
    log.error("unhandled error, incident %s", incident, exc_info=exc)
    return error_response(500, f"Server error (incident {incident})", "SERVER_ERROR")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, app_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(IntegrityError, integrity_error)
    app.add_exception_handler(OperationalError, database_busy)
    app.add_exception_handler(DataError, out_of_range)
    app.add_exception_handler(OverflowError, out_of_range)
    app.add_exception_handler(Exception, server_error)
