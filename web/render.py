"""Pages as Jinja2 templates with autoescaping on: every value from a feed, an article or a form is
text, never markup. The few marks the UI adds (highlighted evidence, search hits) are built from
escaped pieces here."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from sqlalchemy import Connection, Engine

from alerts.message import AlertActor, alert_actors
from alerts.render import actors_line, event_label, safe_link, when
from extractors.events import Watchlist
from flows.watchlist import choose_watchlist
from storage.incidents import Incident
from storage.search import HIT_END, HIT_START
from storage.users import User, get_user
from web.security import csrf_token, signed_in

TEMPLATES = Path(__file__).parent / "templates"
_WATCHLIST_TTL_S = 60.0


def _marked(text: str, spans: Sequence[tuple[int, int, str]]) -> Markup:
    """`text` with each (start, end, kind) span in a <mark class="kind">, everything escaped."""
    parts: list[str] = []
    at = 0
    for start, end, kind in spans:
        parts.append(escape(text[at:start]))
        parts.append(Markup('<mark class="{}">{}</mark>').format(kind, text[start:end]))
        at = end
    parts.append(escape(text[at:]))
    return Markup("").join(parts)


def _hits(snippet: str) -> Markup:
    """A search snippet with its matches (between HIT_START and HIT_END) marked."""
    escaped = str(escape(snippet))
    return Markup(escaped.replace(HIT_START, '<mark class="hit">').replace(HIT_END, "</mark>"))


def _date(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def _named_actors(incident: Incident) -> list[AlertActor]:
    """The incident's actors as the list names them: a person or body with the state they acted
    for ("Sergey Lavrov (RUS)")."""
    return [
        AlertActor(a.id, f"{a.name} ({a.id})" if a.via else a.name, a.role) for a in incident.actors
    ]


ENVIRONMENT = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["j2", "html"], default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
ENVIRONMENT.filters.update(
    when=lambda value: when(value) if value else "-",
    date=_date,
    event_label=event_label,
    marked=_marked,
    hits=_hits,
    safe_link=safe_link,
    actor_names=lambda incident: actors_line(_named_actors(incident), names=True),
    actor_ids=lambda incident: actors_line(alert_actors(incident), short=True),
)


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    *,
    user: User | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    page = ENVIRONMENT.get_template(template).render(
        {**context, "user": user, "csrf": csrf_token(request), "path": request.url.path}
    )
    return HTMLResponse(page, status_code=status_code)


def problem_page(
    request: Request, message: str, status_code: int, *, user: User | None = None
) -> HTMLResponse:
    """The page that says why something cannot be done."""
    return render(
        request, "error.html.j2", {"message": message}, user=user, status_code=status_code
    )


def engine_of(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


@contextmanager
def reading(request: Request) -> Iterator[Connection]:
    with engine_of(request).connect() as conn:
        yield conn


def current_user(request: Request) -> User:
    """The signed-in user (a FastAPI dependency); anyone else is sent to sign in."""

    def load(user_id: int) -> User | None:
        with reading(request) as conn:
            return get_user(conn, user_id)

    return signed_in(request, load)


def watchlist_in_force(request: Request) -> Watchlist:
    """The watchlist ingest uses now: the configured one when it loads, else the last good one
    (kept for a minute, so that pages do not load it each time)."""
    state = request.app.state
    cached: tuple[float, Watchlist] | None = getattr(state, "watchlist", None)
    if cached is None or time.monotonic() - cached[0] > _WATCHLIST_TTL_S:
        path = state.config.watchlist_path
        chosen = choose_watchlist(engine_of(request), path, now=datetime.now(UTC))
        cached = (time.monotonic(), chosen.watchlist)
        state.watchlist = cached
    return cached[1]
