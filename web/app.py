"""The web UI's application: configuration, the session and error handling, the page modules."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.base import RequestResponseEndpoint
from starlette.middleware.sessions import SessionMiddleware

from storage.db import make_engine
from web import feeds_pages, incidents_pages, playground_pages, search_pages, signin_pages
from web.render import problem_page
from web.security import Forbidden, SignInLimiter, SignInRequired

STATIC = Path(__file__).parent / "static"
SESSION_COOKIE = "newswatch_session"
SESSION_HOURS = 12


@dataclass(frozen=True)
class WebConfig:
    """`secure` marks the session cookie Secure (serve over TLS, directly or behind a proxy)."""

    database_url: str
    secret: str
    secure: bool = False
    watchlist_path: Path | None = None

    @staticmethod
    def random_secret() -> str:
        return secrets.token_urlsafe(48)


def create_app(config: WebConfig) -> FastAPI:
    app = FastAPI(title="newswatch", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.config = config
    app.state.engine = make_engine(config.database_url)
    app.state.limiter = SignInLimiter()
    app.add_middleware(
        SessionMiddleware,
        secret_key=config.secret,
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_HOURS * 3600,
        same_site="lax",
        https_only=config.secure,
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (signin_pages, incidents_pages, search_pages, feeds_pages, playground_pages):
        app.include_router(module.router)

    @app.exception_handler(SignInRequired)
    def to_sign_in(request: Request, error: SignInRequired) -> Response:
        return RedirectResponse(f"/signin?next={quote(error.next_path, safe='')}", status_code=303)

    @app.exception_handler(Forbidden)
    def forbidden(request: Request, error: Forbidden) -> HTMLResponse:
        return problem_page(request, str(error), 403)

    @app.middleware("http")
    async def headers(request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'; form-action 'self'"
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        return response

    return app
