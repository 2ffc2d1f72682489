"""Digest periods: an ISO week, or a run of days, in a subscription's time zone; and the period
just before, which a digest compares against."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_WEEK_RE = re.compile(r"(\d{4})-W(\d{1,2})")
WEEK = timedelta(days=7)


class PeriodError(ValueError):
    """A week or date range that names no period."""


@dataclass(frozen=True)
class Period:
    """The local days `first_day` to `last_day`, both included, in `timezone`. `iso_week` is set
    when the period is exactly one ISO week."""

    first_day: date
    last_day: date
    timezone: str
    iso_week: str | None = None

    @property
    def key(self) -> str:
        """ "2026-W47", or "2026-11-16..2026-11-25": one digest per subscription and key."""
        return self.iso_week or f"{self.first_day.isoformat()}..{self.last_day.isoformat()}"

    @property
    def start(self) -> datetime:
        """The first moment of the period, in UTC."""
        return _midnight(self.first_day, self.timezone)

    @property
    def end(self) -> datetime:
        """The first moment after the period, in UTC."""
        return _midnight(self.last_day + timedelta(days=1), self.timezone)

    @property
    def days(self) -> tuple[date, ...]:
        count = (self.last_day - self.first_day).days + 1
        return tuple(self.first_day + timedelta(days=n) for n in range(count))

    @property
    def label(self) -> str:
        """ "Week 47 of 2026 (16–22 Nov 2026)" or "28 Nov – 3 Dec 2026"."""
        span = _span(self.first_day, self.last_day)
        if self.iso_week is None:
            return span
        year, week, _ = self.first_day.isocalendar()
        return f"Week {week} of {year} ({span})"

    def previous(self) -> Period:
        """The period of the same length just before this one (the previous ISO week for a week)."""
        length = self.last_day - self.first_day + timedelta(days=1)
        first = self.first_day - length
        if self.iso_week is not None:
            return week_period(_week_key(first), self.timezone)
        return Period(first, self.first_day - timedelta(days=1), self.timezone)


def _midnight(day: date, timezone: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def _span(first: date, last: date) -> str:
    end = f"{last.day} {last.strftime('%b %Y')}"
    if (first.year, first.month) == (last.year, last.month):
        return end if first == last else f"{first.day}–{end}"
    start = first.strftime("%b") if first.year == last.year else first.strftime("%b %Y")
    return f"{first.day} {start} – {end}"


def _week_key(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_period(key: str, timezone: str = "UTC") -> Period:
    """The ISO week `key` ("2026-W48") in `timezone`; raises PeriodError for a week that does not
    exist."""
    found = _WEEK_RE.fullmatch(key.strip())
    if found is None:
        raise PeriodError(f"bad week {key!r}: write it like 2026-W48")
    try:
        monday = date.fromisocalendar(int(found[1]), int(found[2]), 1)
    except ValueError:
        raise PeriodError(f"bad week {key!r}: {found[1]} has no week {int(found[2])}") from None
    return Period(monday, monday + timedelta(days=6), timezone, _week_key(monday))


def day_period(first_day: date, last_day: date, timezone: str = "UTC") -> Period:
    """The days `first_day` to `last_day`, both included; a range that is exactly one ISO week is
    that week."""
    if last_day < first_day:
        raise PeriodError(f"the period ends ({last_day}) before it starts ({first_day})")
    if first_day.isoweekday() == 1 and last_day - first_day == timedelta(days=6):
        return week_period(_week_key(first_day), timezone)
    return Period(first_day, last_day, timezone)


def last_full_week(now: datetime, timezone: str = "UTC") -> Period:
    """The last ISO week that has ended at `now` in `timezone`: the week a scheduled run reports."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    return week_period(_week_key(today - WEEK), timezone)
