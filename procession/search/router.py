"""`GET /search`: one block of hits per requested `on` token."""

from typing import Annotated

from fastapi import APIRouter, Query, Request

from procession.api.deps import DbSession, Page
from procession.api.schemas import Listing
from procession.auth.deps import Caller
from procession.search import filters
from procession.search import service as search_service
from procession.search.schemas import SearchHit

router = APIRouter(prefix="/organizations/{org}", tags=["search"])


@router.get("/search")
async def search(
    caller: Caller,
    session: DbSession,
    page: Page,
    request: Request,
    search: Annotated[str | None, Query(description="The text to find (required)")] = None,
    on: Annotated[
        str | None,
        Query(
            description="Comma list of blueprint|template, process, task, snippet, capture, step"
        ),
    ] = None,
    with_trashed: Annotated[bool, Query(alias="withTrashed")] = False,
    tags: Annotated[bool, Query(description="Add each hit's tags")] = False,
    status: Annotated[str | None, Query(description="Tasks: active, completed or all")] = None,
) -> dict[str, Listing[SearchHit]]:
    """Full-text search, ranked best first. The answer is keyed by each `on` token exactly
    as sent; `filter[...]` keys take Tallyfy's structured filter grammar."""
    text = search_service.check_request(search, status)
    tokens = search_service.parse_tokens(on or "")
    query = search_service.SearchRequest(
        text=text,
        page=page,
        include_archived=with_trashed,
        task_status=status,
        with_tags=tags,
        filter=filters.parse(list(request.query_params.multi_items())),
    )
    results = await search_service.search(session, caller, tokens, query)
    return {
        token: Listing.of(result, hits, request.url)  # type: ignore[arg-type]
        for token, (result, hits) in results.items()
    }
