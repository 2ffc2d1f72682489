"""Full-text search over articles and evidence sentences, with filters, paged."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from extractors.events.model import EVENT_TYPES
from storage import feeds as feed_store
from storage.search import Results, SearchFilters, has_words, search_articles, search_evidence
from web.incidents_pages import SignedIn, day
from web.render import reading, render

router = APIRouter()
PAGE_SIZE = 20
SCOPES = ("articles", "evidence")


@router.get("/search")
def search_page(
    request: Request,
    user: SignedIn,
    q: str = "",
    scope: str = "articles",
    feed: str = "",
    since: str = "",
    until: str = "",
    actor: str = "",
    type: str = "",
    page: int = 1,
) -> HTMLResponse:
    scope = scope if scope in SCOPES else "articles"
    filters = SearchFilters(
        feed_id=int(feed) if feed.isdigit() else None,
        since=day(since),
        until=day(until, end=True),
        actor=actor.strip().upper() or None,
        event_type=type if type in EVENT_TYPES else None,
    )
    page = max(1, page)
    search = search_articles if scope == "articles" else search_evidence
    with reading(request) as conn:
        feeds = feed_store.list_feeds(conn)
        results = (
            search(conn, q, filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
            if has_words(q)
            else Results((), 0)
        )
    context = {
        "q": q,
        "scope": scope,
        "scopes": SCOPES,
        "results": results,
        "page": page,
        "pages": max(1, -(-results.total // PAGE_SIZE)),
        "feeds": feeds,
        "filters": {
            "feed": feed,
            "since": since,
            "until": until,
            "actor": filters.actor or "",
            "type": filters.event_type or "",
        },
        "event_types": EVENT_TYPES,
    }
    return render(request, "search.html.j2", context, user=user)
