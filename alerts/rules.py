"""Which incidents alert which subscription, and whether a change to an incident is a first alert,
an update, or nothing to tell."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from alerts.incidents import Incident, changes
from alerts.subscriptions import Match, Subscription


@dataclass(frozen=True)
class Alert:
    """One incident to tell one subscription about; `reason` is None for the first alert."""

    subscription: Subscription
    incident: Incident
    reason: str | None


def matches(match: Match, incident: Incident) -> bool:
    """Whether `incident`, as it stands, is what `match` asks for."""
    if match.event_types and incident.event_type not in match.event_types:
        return False
    if incident.mark is not None and incident.mark not in match.marks:
        return False
    if incident.modality not in match.modalities or incident.confidence < match.min_confidence:
        return False
    if not match.actors and not match.pairs:
        return True
    involved = incident.actor_ids
    return bool(match.actors & involved) or any(pair <= involved for pair in match.pairs)


def alerts_for(
    subscriptions: Iterable[Subscription], before: Incident | None, after: Incident
) -> list[Alert]:
    """The alerts that an incident going from `before` (None: new) to `after` sends.

    A subscription that did not match before and does now gets a first alert, even for an old
    incident (a denial confirmed, a rumour that became a fact); one that matched before gets an
    update only for a change that matters. Digest-only subscriptions get no alerts.
    """
    change = changes(before, after)
    found: list[Alert] = []
    for subscription in subscriptions:
        if subscription.delivery == "digest" or not matches(subscription.match, after):
            continue
        if before is None or not matches(subscription.match, before):
            found.append(Alert(subscription, after, None))
        elif change.matters:
            found.append(Alert(subscription, after, change.reason))
    return found
