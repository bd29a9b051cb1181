"""What every admin page shares: the signed-in caller, CSRF, flash messages, rendering and
redirects. Pages are thin: they parse a form, call a service, and render or redirect."""

import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from procession.api.deps import DbSession
from procession.auth import service as auth_service
from procession.auth.models import User
from procession.auth.service import Principal
from procession.db.repository import PageRequest
from procession.errors import AppError, PermissionDenied, Unauthenticated

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
PER_PAGE = 20


@dataclass(frozen=True)
class Viewer:
    """Who the page is shown to, copied out of the ORM at sign-in check so an error page can
    still be rendered after the request's transaction rolled back."""

    name: str
    role: str
    is_admin: bool


class SignInRequired(Unauthenticated):
    """No (valid) session: the error handler sends the browser to the sign-in page."""


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use; every form posts it back."""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return str(token)


async def check_csrf(request: Request) -> None:
    """Refuse (403) a POST whose form does not carry this session's CSRF token."""
    if request.method != "POST":
        return
    sent = (await request.form()).get("csrf_token") or request.headers.get("x-csrf-token")
    expected = request.session.get("csrf")
    if not expected or not isinstance(sent, str) or not secrets.compare_digest(sent, expected):
        raise PermissionDenied("This form has expired. Go back, reload the page and try again.")


async def signed_in(request: Request, session: DbSession) -> Principal:
    """The signed-in member, checked against the database on every request, so a disabled
    member or a removed membership signs out at once."""
    user_id, org_id = request.session.get("user_id"), request.session.get("org_id")
    if not isinstance(user_id, int) or not isinstance(org_id, str):
        raise SignInRequired()
    try:
        principal = await auth_service.principal_for_user(session, user_id, org_id)
    except AppError as error:
        request.session.clear()
        raise SignInRequired() from error
    user = await session.get_one(User, principal.user_id)
    request.state.viewer = Viewer(user.full_name or user.email, principal.role, principal.is_admin)
    return principal


Member = Annotated[Principal, Depends(signed_in)]
"""The signed-in member of the organization the session is in."""


async def page_number(page: int = 1) -> PageRequest:
    return PageRequest(page=min(max(page, 1), 1_000_000), per_page=PER_PAGE)


PageOf = Annotated[PageRequest, Depends(page_number)]


def flash(request: Request, message: str, level: str = "success") -> None:
    """A message shown once, on the next page rendered (post/redirect/get)."""
    request.session.setdefault("flash", []).append([level, message])


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    """Render `template` with the signed-in member, the pending flash messages and a CSRF
    token available to it."""
    base = {
        "member": getattr(request.state, "viewer", None),
        "csrf_token": csrf_token(request),
        "messages": request.session.pop("flash", []),
    }
    return templates.TemplateResponse(request, template, base | (context or {}), status_code=status)


def redirect(request: Request, route: str, **path: Any) -> RedirectResponse:
    """303 See Other to the named admin route (a POST never renders a page itself)."""
    return RedirectResponse(request.url_for(route, **path), status_code=303)


def redirect_back(request: Request, fallback: str = "home") -> RedirectResponse:
    """303 to the page the form was on when the browser says which (same site only)."""
    referer = request.headers.get("referer", "")
    if referer.startswith(str(request.base_url)):
        return RedirectResponse(referer, status_code=303)
    return redirect(request, fallback)


async def answers_from(request: Request, prefix: str) -> dict[str, str]:
    """Form inputs named `<prefix><field id>`, as answers keyed by field id. Blank inputs
    are left out, so an empty box never overwrites an answer with an empty string."""
    form = await request.form()
    return {
        key.removeprefix(prefix): value.strip()
        for key, value in form.multi_items()
        if key.startswith(prefix) and isinstance(value, str) and value.strip()
    }


def when(moment: datetime | None) -> str:
    """How the pages show a time: UTC, to the minute."""
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "—"


templates.env.filters["when"] = when
