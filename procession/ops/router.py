"""`/healthz` (the process is up), `/readyz` (the database answers and is migrated to the
schema this code expects). Outside `/api` and unauthenticated, for load balancers."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    database = request.app.state.database
    expected = request.app.state.migration_head
    try:
        async with database.transaction(writes=False) as session:
            current = (
                await session.execute(text("SELECT version_num FROM alembic_version"))
            ).scalar()
    except SQLAlchemyError as error:
        body = {"status": "unavailable", "database": type(error).__name__}
        return JSONResponse(body, status_code=503, headers={"Retry-After": "5"})
    if current != expected:
        body = {"status": "migrate", "schema": current, "expected": expected}
        return JSONResponse(body, status_code=503, headers={"Retry-After": "30"})
    return JSONResponse({"status": "ready", "schema": current})
