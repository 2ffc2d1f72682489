"""The feeds: their health, and (for writers) adding one or importing an OPML file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from extractors.errors import ExtractorError
from extractors.opml import is_feed_url, parse_opml
from storage import feeds as feed_store
from web.incidents_pages import SignedIn
from web.render import engine_of, reading, render
from web.security import check_csrf, require_writer

router = APIRouter()
# A feed that gave no new entry for this long is listed as silent.
SILENT_AFTER = timedelta(days=3)
MAX_OPML_BYTES = 2 * 1024 * 1024


def _feeds_page(
    request: Request, user: SignedIn, message: str | None = None, status_code: int = 200
) -> HTMLResponse:
    with reading(request) as conn:
        feeds = feed_store.list_feeds(conn)
    now = datetime.now(UTC)
    silent = {
        f.id
        for f in feeds
        if f.last_success_at is not None
        and (f.last_new_entries_at or f.added_at) < now - SILENT_AFTER
    }
    context = {"feeds": feeds, "silent": silent, "message": message}
    return render(request, "feeds.html.j2", context, user=user, status_code=status_code)


@router.get("/feeds")
def feeds_page(request: Request, user: SignedIn) -> HTMLResponse:
    return _feeds_page(request, user)


@router.post("/feeds")
def add_feed(
    request: Request,
    user: SignedIn,
    url: Annotated[str, Form()],
    csrf: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
) -> HTMLResponse:
    check_csrf(request, csrf)
    require_writer(user)
    url = url.strip()
    if not is_feed_url(url):
        return _feeds_page(request, user, f"Not an http(s) URL: {url}", status_code=400)
    with engine_of(request).begin() as conn:
        record = feed_store.add_feed(conn, url, title.strip() or None, now=datetime.now(UTC))
    return _feeds_page(request, user, f"Added {url}" if record.created else f"Already known: {url}")


@router.post("/feeds/import")
async def import_opml(
    request: Request,
    user: SignedIn,
    opml: Annotated[UploadFile, File()],
    csrf: Annotated[str, Form()] = "",
) -> HTMLResponse:
    check_csrf(request, csrf)
    require_writer(user)
    body = await opml.read(MAX_OPML_BYTES + 1)
    if len(body) > MAX_OPML_BYTES:
        return _feeds_page(request, user, "The OPML file is larger than 2 MB.", status_code=400)
    return await run_in_threadpool(_import, request, user, body)


def _import(request: Request, user: SignedIn, body: bytes) -> HTMLResponse:
    try:
        listed = parse_opml(body)
    except ExtractorError as error:
        return _feeds_page(request, user, f"Not an OPML file: {error}", status_code=400)
    valid = [f for f in listed if is_feed_url(f.url)]
    with engine_of(request).begin() as conn:
        pairs = ((feed.url, feed.title) for feed in valid)
        added = feed_store.add_feeds(conn, pairs, now=datetime.now(UTC))
    message = (
        f"{added} feeds added, {len(valid) - added} already known, "
        f"{len(listed) - len(valid)} skipped (not http/https)"
    )
    return _feeds_page(request, user, message)
