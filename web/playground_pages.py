"""The watchlist playground: `watchlist explain` as a page, and a shadow replay of a changed
watchlist over the stored articles of the last days, against the one in force."""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path, PurePath
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from alerts.replay import replay
from extractors.events import WatchlistError, load_watchlist
from extractors.events.explain import explain, highlights
from web.incidents_pages import SignedIn
from web.render import reading, render, watchlist_in_force
from web.security import check_csrf, require_writer

router = APIRouter()
MAX_DAYS = 30
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


@router.get("/playground")
def playground(request: Request, user: SignedIn) -> HTMLResponse:
    return render(request, "playground.html.j2", {"sentence": "", "days": 7}, user=user)


@router.post("/playground/explain")
def explain_page(
    request: Request,
    user: SignedIn,
    sentence: Annotated[str, Form()],
    csrf: Annotated[str, Form()] = "",
) -> HTMLResponse:
    check_csrf(request, csrf)
    text = sentence.strip()[:5000]
    watchlist = watchlist_in_force(request)
    today = date.today()
    context = {
        "sentence": text,
        "days": 7,
        "explained": explain(text, watchlist, on=today),
        "marks": highlights(text, watchlist, on=today),
    }
    return render(request, "playground.html.j2", context, user=user)


@router.post("/playground/replay")
async def replay_page(
    request: Request,
    user: SignedIn,
    csrf: Annotated[str, Form()] = "",
    days: Annotated[int, Form()] = 7,
    path: Annotated[str, Form()] = "",
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> HTMLResponse:
    check_csrf(request, csrf)
    uploads = []
    for upload in files or []:
        body = await upload.read(MAX_UPLOAD_BYTES + 1)
        if upload.filename and body:
            uploads.append((PurePath(upload.filename).name, body[:MAX_UPLOAD_BYTES]))
    if path.strip():
        require_writer(user)  # reading a file of the server is for writers
    return await run_in_threadpool(
        _replay, request, user, max(1, min(days, MAX_DAYS)), path, uploads
    )


def _replay(
    request: Request, user: SignedIn, days: int, path: str, uploads: list[tuple[str, bytes]]
) -> HTMLResponse:
    context: dict[str, object] = {"sentence": "", "days": days}
    with tempfile.TemporaryDirectory() as folder:
        for name, body in uploads:
            (Path(folder) / name).write_bytes(body)
        source = Path(path.strip()) if path.strip() else Path(folder)
        if not uploads and not path.strip():
            context["problems"] = ["Upload the changed watchlist files, or give their path."]
            return render(request, "playground.html.j2", context, user=user, status_code=400)
        if not source.exists():
            context["problems"] = [f"{source}: no such file or folder on the server"]
            return render(request, "playground.html.j2", context, user=user, status_code=400)
        try:
            changed = load_watchlist([source])
        except WatchlistError as error:
            # Uploaded files are named as uploaded, not by the folder they wait in.
            shown = [str(problem).replace(f"{folder}/", "") for problem in error.problems]
            context["problems"] = shown
            return render(request, "playground.html.j2", context, user=user, status_code=400)
    since = datetime.now(UTC) - timedelta(days=days)
    with reading(request) as conn:
        context["diff"] = replay(conn, watchlist_in_force(request), changed, since=since)
    return render(request, "playground.html.j2", context, user=user)
