"""When a delivery is due: instantly, at the next full hour, after a cooldown or the hourly cap,
and never inside the subscription's quiet hours (in its own time zone)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from alerts.subscriptions import QuietHours, Subscription

HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Slot:
    """When a new delivery is due; a `grouped` one takes in further alerts until it is sent."""

    due_at: datetime
    grouped: bool


def next_full_hour(moment: datetime, zone: ZoneInfo) -> datetime:
    local = moment.astimezone(zone)
    return (local.replace(minute=0, second=0, microsecond=0) + HOUR).astimezone(UTC)


def end_of_quiet_hours(moment: datetime, quiet: QuietHours, zone: ZoneInfo) -> datetime | None:
    """When the quiet hours around `moment` end, or None when `moment` is outside them."""
    local = moment.astimezone(zone)
    if not quiet.contains(local.time()):
        return None
    end = datetime.combine(local.date(), quiet.end, tzinfo=zone)
    if end <= local:
        end = datetime.combine(local.date() + timedelta(days=1), quiet.end, tzinfo=zone)
    return end.astimezone(UTC)


def plan_slot(subscription: Subscription, now: datetime, recent: Sequence[datetime]) -> Slot:
    """The slot of a new delivery for one channel of `subscription`.

    `recent` are the due times of that channel's deliveries in the last hour (and cooldown): within
    the cooldown of the last one, or with `max_per_hour` of them in the hour, the delivery waits and
    groups what comes meanwhile.
    """
    if subscription.delivery == "hourly":
        slot = Slot(next_full_hour(now, subscription.timezone), grouped=True)
    else:
        slot = Slot(now, grouped=False)
        if recent and max(recent) + subscription.cooldown > now:
            slot = Slot(max(slot.due_at, max(recent) + subscription.cooldown), grouped=True)
        in_hour = sorted(due for due in recent if due > now - HOUR)
        if len(in_hour) >= subscription.max_per_hour:
            # Due when the oldest of the hour's deliveries leaves the window.
            freed = in_hour[len(in_hour) - subscription.max_per_hour] + HOUR
            slot = Slot(max(slot.due_at, freed), grouped=True)
    if subscription.quiet_hours is not None:
        end = end_of_quiet_hours(slot.due_at, subscription.quiet_hours, subscription.timezone)
        if end is not None:
            slot = Slot(end, grouped=True)
    return slot
