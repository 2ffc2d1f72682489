"""Event detection: actor gazetteer, event patterns, modality and the matcher."""

from extractors.events.matcher import detect_events
from extractors.events.model import Event, EventActor
from extractors.events.watchlist import Watchlist, WatchlistError, check_watchlist, load_watchlist

__all__ = [
    "Event",
    "EventActor",
    "Watchlist",
    "WatchlistError",
    "check_watchlist",
    "detect_events",
    "load_watchlist",
]
