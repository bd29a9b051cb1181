"""Shared request dependencies: the session, pagination, `?with=` and archived filters."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession

from procession.db.repository import PageRequest, Visibility

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_PER_PAGE = 100


async def request_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request, committed after the handler returns and before the
    response is sent (function scope), rolled back if anything raised. A GET only reads
    (`Database.transaction(writes=False)`)."""
    database = request.app.state.database
    async with database.transaction(writes=request.method not in READ_METHODS) as session:
        yield session


DbSession = Annotated[AsyncSession, Depends(request_session, scope="function")]


def page_params(default_per_page: int) -> object:
    """A dependency reading `page` and `per_page`; `per_page` is clamped to 1..100."""

    async def dependency(
        page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
        per_page: Annotated[int, Query()] = default_per_page,
    ) -> PageRequest:
        return PageRequest(page=page, per_page=min(max(per_page, 1), MAX_PER_PAGE))

    return Depends(dependency)


Page = Annotated[PageRequest, page_params(10)]
MemberPage = Annotated[PageRequest, page_params(100)]


async def with_tokens(
    with_: Annotated[
        str | None, Query(alias="with", description="Comma-separated includes")
    ] = None,
) -> frozenset[str]:
    """The `?with=a,b` includes. Unknown tokens are ignored, as Tallyfy clients expect."""
    return frozenset(t.strip() for t in (with_ or "").split(",") if t.strip())


With = Annotated[frozenset[str], Depends(with_tokens)]


async def archived_visibility(
    archived: Annotated[
        str | None,
        Query(description="`only` lists archived items, `true` lists live and archived ones"),
    ] = None,
) -> Visibility:
    if archived == "only":
        return Visibility.ARCHIVED
    if archived in ("true", "1", "all"):
        return Visibility.ALL
    return Visibility.LIVE


Archived = Annotated[Visibility, Depends(archived_visibility)]
