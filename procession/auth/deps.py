"""Request dependencies that authenticate the caller (bearer token)."""

from typing import Annotated

from fastapi import Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from procession.api.deps import DbSession
from procession.auth import service as auth_service
from procession.auth.models import User
from procession.auth.service import Principal
from procession.errors import Unauthenticated

bearer = HTTPBearer(auto_error=False, description="An API token from `procession create-token`")


async def bearer_token(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> str:
    """The token from `Authorization: Bearer <token>`, checked before any database work."""
    if credentials is None or not credentials.credentials:
        raise Unauthenticated()
    if request.app.state.settings.require_client_header and not request.headers.get(
        "x-tallyfy-client"
    ):
        raise Unauthenticated("The X-Tallyfy-Client header is required.")
    return credentials.credentials


async def current_principal(
    org: str,
    token: Annotated[str, Depends(bearer_token)],
    session: DbSession,
    request: Request,
    response: Response,
) -> Principal:
    """The caller in organization `org`; each call spends one request of its rate limit."""
    principal = await auth_service.principal_for_token(session, token, org)
    spend_rate_limit(request, response, principal.org_id)
    return principal


def spend_rate_limit(request: Request, response: Response, org_id: str) -> None:
    """Count one request against the organization's budget (429 when it is spent)."""
    budget = request.app.state.rate_limiter.check(org_id)
    if budget is not None:
        response.headers["X-RateLimit-Limit"] = str(budget[0])
        response.headers["X-RateLimit-Remaining"] = str(budget[1])


async def current_user(token: Annotated[str, Depends(bearer_token)], session: DbSession) -> User:
    return await auth_service.user_for_token(session, token)


Caller = Annotated[Principal, Depends(current_principal)]
"""The authenticated member of the organization named by the `{org}` path segment."""

CurrentUser = Annotated[User, Depends(current_user)]
"""The authenticated user, for the routes outside any organization (`/me/organizations`)."""
