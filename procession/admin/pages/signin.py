"""Sign in with email and password; sign out."""

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from procession.admin.web import flash, redirect, render
from procession.api.deps import DbSession
from procession.auth import service as auth_service
from procession.auth.models import User
from procession.errors import Unauthenticated

router = APIRouter()


def safe_next(request: Request, target: str | None) -> str | None:
    """Only a path inside the admin pages may be returned to after signing in."""
    root = request.scope.get("root_path", "")
    if target and target.startswith(root + "/") and not target.startswith("//"):
        return target
    return None


@router.get("/login", response_class=HTMLResponse)
async def signin_form(request: Request, next: str | None = None) -> HTMLResponse:
    return render(request, "signin.html", {"next": safe_next(request, next)})


@router.post("/login")
async def signin(
    request: Request,
    session: DbSession,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str | None, Form()] = None,
) -> Response:
    try:
        principal = await auth_service.sign_in(session, email, password)
    except Unauthenticated as error:
        context = {"error": error.message, "email": email, "next": safe_next(request, next)}
        return render(request, "signin.html", context, status=401)
    # A new session on sign-in, so a session fixed before it is worth nothing after.
    request.session.clear()
    request.session.update(
        user_id=principal.user_id, org_id=principal.org_id, csrf=secrets.token_urlsafe(32)
    )
    user = await session.get_one(User, principal.user_id)  # sign_in loaded it: no SQL
    flash(request, f"Signed in as {user.full_name or user.email}.")
    target = safe_next(request, next)
    return RedirectResponse(target, status_code=303) if target else redirect(request, "home")


@router.post("/logout")
async def signout(request: Request) -> RedirectResponse:
    request.session.clear()
    flash(request, "Signed out.")
    return redirect(request, "signin_form")
