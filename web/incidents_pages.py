"""Incidents: the filtered list, one incident with its evidence, sources, alerts and timeline, and
the analysts' feedback on it (with precision per type)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from extractors.events.explain import highlights
from extractors.events.model import EVENT_TYPES, MODALITIES
from storage import feedback as feedback_store
from storage import incidents as incident_store
from storage import outbox as outbox_store
from storage.events import events_by_id
from storage.users import User
from web.render import (
    current_user,
    engine_of,
    problem_page,
    reading,
    render,
    watchlist_in_force,
)
from web.security import check_csrf, require_writer

router = APIRouter()
PAGE_SIZE = 50
REVIEWS = ("unreviewed", "reviewed", "wrong")
VERDICT_LABELS = {
    "correct": "Correct",
    "wrong_type": "Wrong type",
    "wrong_actors": "Wrong actors",
    "not_event": "Not an event",
    "wrong_modality": "Wrong modality",
}
SignedIn = Annotated[User, Depends(current_user)]


def day(text: str | None, *, end: bool = False) -> datetime | None:
    """A "YYYY-MM-DD" filter as a UTC time (the end of the day with `end`); None when absent or
    not a date."""
    try:
        found = date.fromisoformat(text) if text else None
    except ValueError:
        return None
    if found is None:
        return None
    moment = datetime.combine(found, time.min, tzinfo=UTC)
    return moment + timedelta(days=1) if end else moment


def _choice(value: str | None, allowed: tuple[str, ...]) -> str | None:
    return value if value in allowed else None


@router.get("/incidents")
def incident_list(
    request: Request,
    user: SignedIn,
    type: str | None = None,
    actor: str | None = None,
    modality: str | None = None,
    since: str | None = None,
    until: str | None = None,
    subscription: str | None = None,
    review: str | None = None,
    page: int = 1,
) -> HTMLResponse:
    query = incident_store.IncidentQuery(
        event_type=_choice(type, EVENT_TYPES),
        actor_id=(actor or "").strip().upper() or None,
        modality=_choice(modality, MODALITIES),
        since=day(since),
        until=day(until, end=True),
        subscription=(subscription or "").strip() or None,
        review=_choice(review, REVIEWS),
    )
    page = max(1, page)
    with reading(request) as conn:
        found, total = incident_store.find_incidents(
            conn, query, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
        verdicts = feedback_store.reviews(conn, [i.id for i in found if i.id is not None])
    filters = {
        "type": query.event_type or "",
        "actor": query.actor_id or "",
        "modality": query.modality or "",
        "since": since or "",
        "until": until or "",
        "subscription": query.subscription or "",
        "review": query.review or "",
    }
    context = {
        "incidents": found,
        "verdicts": verdicts,
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "filters": filters,
        "event_types": EVENT_TYPES,
        "modalities": MODALITIES,
        "reviews": REVIEWS,
        "verdict_labels": VERDICT_LABELS,
    }
    return render(request, "incidents.html.j2", context, user=user)


@router.get("/incidents/{incident_id}")
def incident_page(request: Request, user: SignedIn, incident_id: int) -> HTMLResponse:
    with reading(request) as conn:
        incident = incident_store.get_incident(conn, incident_id)
        if incident is None:
            return problem_page(request, "No such incident.", 404, user=user)
        sources = incident_store.incident_sources(conn, [incident_id]).get(incident_id, [])
        deliveries = outbox_store.list_deliveries(conn, incident_id=incident_id)
        reports = events_by_id(conn, incident_store.incident_event_ids(conn, incident_id))
        said = feedback_store.list_feedback(conn, incident_id)
    published = {s.article_id: s.published_at for s in sources}
    on = incident.first_seen.date()
    evidence = highlights(incident.evidence, watchlist_in_force(request), on=on)
    context = {
        "incident": incident,
        "evidence_marks": evidence,
        "sources": sources,
        "deliveries": [d for d in deliveries if d.digest_id is None],
        "reports": sorted(
            reports, key=lambda e: (published.get(e.article_id) or e.detected_at, e.id)
        ),
        "published": published,
        "feedback": said,
        "verdict_labels": VERDICT_LABELS,
        "event_types": EVENT_TYPES,
        "modalities": MODALITIES,
    }
    return render(request, "incident.html.j2", context, user=user)


@router.post("/incidents/{incident_id}/feedback", response_model=None)
def give_feedback(
    request: Request,
    user: SignedIn,
    incident_id: int,
    verdict: Annotated[str, Form()],
    csrf: Annotated[str, Form()] = "",
    event_id: Annotated[str, Form()] = "",
    right_type: Annotated[str, Form()] = "",
    right_modality: Annotated[str, Form()] = "",
    right_actors: Annotated[str, Form()] = "",
    comment: Annotated[str, Form()] = "",
    hold: Annotated[str, Form()] = "",
) -> HTMLResponse | RedirectResponse:
    check_csrf(request, csrf)
    if hold:
        require_writer(user)
    problem = _feedback_problem(verdict, right_type, right_modality, right_actors)
    if problem:
        return problem_page(request, problem, 400, user=user)
    new = feedback_store.NewFeedback(
        incident_id=incident_id,
        verdict=verdict,
        username=user.username,
        event_id=int(event_id) if event_id.isdigit() else None,
        right_type=right_type or None,
        right_modality=right_modality or None,
        right_actors=right_actors.strip() or None,
        comment=comment.strip()[:2000],
    )
    with engine_of(request).begin() as conn:
        if incident_store.get_incident(conn, incident_id) is None:
            return problem_page(request, "No such incident.", 404, user=user)
        feedback_store.add_feedback(conn, new, now=datetime.now(UTC))
        if hold and verdict != "correct" and new.event_id is None:
            feedback_store.hold_alerts(conn, incident_id)
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)


def _feedback_problem(
    verdict: str, right_type: str, right_modality: str, right_actors: str
) -> str | None:
    if verdict not in feedback_store.VERDICTS:
        return f"Unknown verdict {verdict!r}."
    if right_type and right_type not in EVENT_TYPES:
        return f"Unknown event type {right_type!r}."
    if right_modality and right_modality not in MODALITIES:
        return f"Unknown modality {right_modality!r}."
    try:
        feedback_store.parse_actors(right_actors)
    except ValueError as error:
        return str(error)
    return None


@router.get("/feedback")
def feedback_page(request: Request, user: SignedIn) -> HTMLResponse:
    with reading(request) as conn:
        precision = feedback_store.precision_by_type(conn)
        recent = feedback_store.list_feedback(conn)[:100]
    context = {"precision": precision, "recent": recent, "verdict_labels": VERDICT_LABELS}
    return render(request, "feedback.html.j2", context, user=user)
