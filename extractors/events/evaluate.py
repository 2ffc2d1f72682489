"""Accuracy of the matcher on labelled sentences: precision, recall and F1 per event type, modality
accuracy on the events found rightly, and actor scores with and without roles."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path

from extractors.events.matcher import detect_events
from extractors.events.model import EVENT_TYPES, Event
from extractors.events.watchlist import Watchlist

ActorRole = tuple[str, str]


@dataclass(frozen=True)
class LabelledEvent:
    type: str
    modality: str
    actors: tuple[ActorRole, ...]


@dataclass(frozen=True)
class LabelledSentence:
    id: str
    text: str
    events: tuple[LabelledEvent, ...]


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, gold: AbstractSet[object], found: AbstractSet[object]) -> None:
        self.tp += len(gold & found)
        self.fp += len(found - gold)
        self.fn += len(gold - found)

    def to_json(self) -> dict[str, object]:
        rates = {"precision": self.precision, "recall": self.recall, "f1": self.f1}
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn} | {
            k: round(v, 4) for k, v in rates.items()
        }


@dataclass(frozen=True)
class Mismatch:
    """A sentence where found and labelled events differ, as `type/modality: actor>role` lines."""

    id: str
    text: str
    missing: tuple[str, ...]
    extra: tuple[str, ...]


@dataclass
class Report:
    types: dict[str, Score] = field(default_factory=lambda: {t: Score() for t in EVENT_TYPES})
    overall: Score = field(default_factory=Score)
    modality_right: int = 0
    modality_total: int = 0
    actors: Score = field(default_factory=Score)
    actor_roles: Score = field(default_factory=Score)
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def macro_f1(self) -> float:
        """The mean of the per-type F1 over the types that were labelled or found."""
        seen = [s.f1 for s in self.types.values() if s.tp + s.fp + s.fn]
        return sum(seen) / len(seen) if seen else 1.0

    def to_json(self) -> dict[str, object]:
        share = self.modality_right / self.modality_total if self.modality_total else None
        return {
            "types": {t: s.to_json() for t, s in self.types.items()},
            "overall": self.overall.to_json(),
            "macro_f1": round(self.macro_f1, 4),
            "modality_accuracy": None if share is None else round(share, 4),
            "actors": self.actors.to_json(),
            "actor_roles": self.actor_roles.to_json(),
        }


def _labelled_event(data: dict[str, object]) -> LabelledEvent:
    actors = data.get("actors", [])
    if not isinstance(actors, list):
        raise TypeError("'actors' is not a list")
    pairs = tuple((str(a["id"]), str(a["role"])) for a in actors)
    return LabelledEvent(str(data["type"]), str(data["modality"]), pairs)


def read_labelled(path: Path) -> list[LabelledSentence]:
    """Read labelled JSON Lines ({"id", "text", "events"} per line); ValueError names a bad line."""
    found: list[LabelledSentence] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            events = tuple(_labelled_event(event) for event in data["events"])
            found.append(LabelledSentence(str(data["id"]), str(data["text"]), events))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{number}: not a labelled sentence ({exc})") from exc
    return found


def _actors(event: Event) -> tuple[ActorRole, ...]:
    """People and bodies count as whom they act for, as in the labels."""
    return tuple((actor.country or actor.id, actor.role) for actor in event.actors)


def _describe(event_type: str, modality: str, actors: Sequence[ActorRole]) -> str:
    return f"{event_type}/{modality}: " + ", ".join(f"{a}>{r}" for a, r in sorted(actors))


def _score_modality(
    report: Report, labels: Sequence[LabelledEvent], events: Sequence[Event]
) -> None:
    """For each type both found and labelled: is the surest found event's modality a labelled one?"""
    for event_type in {e.type for e in events} & {label.type for label in labels}:
        best = max((e for e in events if e.type == event_type), key=lambda e: e.confidence)
        report.modality_total += 1
        report.modality_right += best.modality in {
            x.modality for x in labels if x.type == event_type
        }


def _score_sentence(report: Report, sentence: LabelledSentence, events: Sequence[Event]) -> None:
    gold_types = {label.type for label in sentence.events}
    found_types = {event.type for event in events}
    for event_type in (gold_types | found_types) & report.types.keys():
        report.types[event_type].add(gold_types & {event_type}, found_types & {event_type})
    report.overall.add(gold_types, found_types)
    _score_modality(report, sentence.events, events)
    gold_roles = {(x.type, a, r) for x in sentence.events for a, r in x.actors}
    found_roles = {(e.type, a, r) for e in events for a, r in _actors(e)}
    report.actor_roles.add(gold_roles, found_roles)
    report.actors.add({g[:2] for g in gold_roles}, {f[:2] for f in found_roles})
    gold = {_describe(x.type, x.modality, x.actors) for x in sentence.events}
    found = {_describe(e.type, e.modality, _actors(e)) for e in events}
    if gold != found:
        missing, extra = tuple(sorted(gold - found)), tuple(sorted(found - gold))
        report.mismatches.append(Mismatch(sentence.id, sentence.text, missing, extra))


def evaluate(
    sentences: Sequence[LabelledSentence], watchlist: Watchlist, *, on: dt.date | None = None
) -> Report:
    """Run the matcher on every labelled sentence and score it. An event is right when its sentence
    and type match a label; people and bodies are compared by whom they act for."""
    report = Report()
    for sentence in sentences:
        _score_sentence(report, sentence, detect_events(sentence.text, watchlist, on=on))
    return report
