"""Signing in and out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from storage.users import check_password
from web.render import reading, render
from web.security import SESSION_USER, check_csrf, safe_next, sign_in

router = APIRouter()


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/incidents", status_code=303)


@router.get("/signin")
def signin_form(request: Request, next: str = "/incidents") -> HTMLResponse:
    return render(request, "signin.html.j2", {"next": safe_next(next), "error": None})


@router.post("/signin")
def signin(
    request: Request,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/incidents",
) -> Response:
    check_csrf(request, csrf)
    limiter = request.app.state.limiter
    client = f"address:{request.client.host if request.client else '-'}"
    keys = (f"user:{username.lower()}", client)
    if limiter.blocked(*keys):
        context = {"next": safe_next(next), "error": "Too many failed sign-ins: wait 15 minutes."}
        return render(request, "signin.html.j2", context, status_code=429)
    with reading(request) as conn:
        user = check_password(conn, username, password)
    if user is None:
        limiter.failed(*keys)
        context = {"next": safe_next(next), "error": "Wrong user name or password."}
        return render(request, "signin.html.j2", context, status_code=401)
    sign_in(request, user)
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/signout")
def signout(request: Request, csrf: Annotated[str, Form()] = "") -> RedirectResponse:
    check_csrf(request, csrf)
    request.session.pop(SESSION_USER, None)
    return RedirectResponse("/signin", status_code=303)
