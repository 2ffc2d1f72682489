"""Matcher throughput in MB/s, end to end (sentence split + actors + triggers + roles + modality), with
the shipped gazetteer and with one grown to 10,000 aliases; a regex alternation over the same aliases,
timed on a small sample, shows why the matcher uses Aho-Corasick."""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from extractors.events import Watchlist, detect_events, load_watchlist
from extractors.events.gazetteer import Actor, Alias
from extractors.events.normalize import normalise_phrase
from extractors.events.scan import build_automaton

GROWN_SIZE = 10_000
REGEX_SAMPLE_BYTES = 20_000
_SYLLABLES = [
    "ka",
    "ri",
    "to",
    "mo",
    "na",
    "se",
    "lu",
    "vi",
    "dra",
    "gon",
    "bel",
    "tar",
    "mis",
    "qua",
    "zer",
    "pol",
    "fen",
    "ul",
    "or",
    "ash",
    "vek",
    "im",
]


def grow(watchlist: Watchlist, size: int = GROWN_SIZE, seed: int = 7) -> Watchlist:
    """The watchlist with synthetic people added until it holds `size` aliases."""
    rng = random.Random(seed)
    actors = dict(watchlist.actors)
    aliases = list(watchlist.aliases)
    keys = {alias.key for alias in aliases}
    while len(aliases) < size:
        name = " ".join(
            "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
            for _ in range(rng.randint(1, 3))
        )
        key = normalise_phrase(name)
        if key in keys:
            continue
        keys.add(key)
        actor_id = f"P_SYNTHETIC_{len(aliases)}"
        actors[actor_id] = Actor(actor_id, "person", name, country="RUS")
        aliases.append(Alias(key, name, actor_id, "name", False, "synthetic", 0))
    automaton = build_automaton(aliases, watchlist.patterns, watchlist.not_actors)
    return replace(watchlist, actors=actors, aliases=tuple(aliases), automaton=automaton)


def _seconds(work: Callable[[], object], at_least: float = 1.0) -> float:
    """Best time of repeated runs, repeating until `at_least` seconds were spent."""
    best, spent = float("inf"), 0.0
    while spent < at_least or best == float("inf"):
        started = time.perf_counter()
        work()
        elapsed = time.perf_counter() - started
        best, spent = min(best, elapsed), spent + elapsed
    return best


def _regex(watchlist: Watchlist) -> re.Pattern[str]:
    longest_first = sorted({a.text for a in watchlist.aliases}, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(map(re.escape, longest_first)) + r")\b", re.IGNORECASE)


def _row(
    name: str,
    method: str,
    watchlist: Watchlist,
    megabytes: float,
    seconds: float,
    events: int | str,
) -> dict[str, object]:
    return {
        "gazetteer": name,
        "aliases": len(watchlist.aliases),
        "method": method,
        "MB": round(megabytes, 3),
        "seconds": round(seconds, 3),
        "MB/s": round(megabytes / seconds, 2) if seconds else float("inf"),
        "events": events,
    }


def _end_to_end(
    name: str, watchlist: Watchlist, texts: Sequence[str], megabytes: float, at_least: float
) -> dict[str, object]:
    events = sum(len(detect_events(text, watchlist)) for text in texts)

    def work() -> None:
        for text in texts:
            detect_events(text, watchlist)

    seconds = _seconds(work, at_least)
    return _row(name, "Aho-Corasick, end to end", watchlist, megabytes, seconds, events)


def _regex_actors(name: str, watchlist: Watchlist, sample: str) -> dict[str, object]:
    pattern = _regex(watchlist)
    seconds = _seconds(lambda: pattern.findall(sample), at_least=0.0)
    megabytes = len(sample.encode()) / 1e6
    return _row(name, "regex alternation, actors only", watchlist, megabytes, seconds, "-")


def run(texts: Sequence[str], *, at_least: float = 3.0) -> list[dict[str, object]]:
    """One row per gazetteer and method: MB/s of `detect_events` over `texts` (extracted article
    text), the best of runs repeated for `at_least` seconds (a shared machine's noise only ever
    slows a run down), then a regex alternation doing the actor matching alone on a small
    sample."""
    gazetteers = [("shipped", load_watchlist())]
    gazetteers.append((f"grown to {GROWN_SIZE:,}", grow(gazetteers[0][1])))
    megabytes = sum(len(text.encode()) for text in texts) / 1e6
    sample = "\n\n".join(texts).encode()[:REGEX_SAMPLE_BYTES].decode(errors="ignore")
    rows = [
        _end_to_end(name, watchlist, texts, megabytes, at_least) for name, watchlist in gazetteers
    ]
    return rows + [_regex_actors(name, watchlist, sample) for name, watchlist in gazetteers]
