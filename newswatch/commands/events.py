"""`newswatch match`, `newswatch eval` and `newswatch watchlist check|explain`: the event matcher
from the command line."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from extractors.events import Event, Watchlist, WatchlistError, detect_events, load_watchlist
from extractors.events.evaluate import Report, evaluate, read_labelled
from extractors.events.explain import SentenceExplanation, explain
from newswatch.commands.output import console, event_kind, print_json, print_table

DateOption = Annotated[
    str | None,
    typer.Option("--date", help="Date for people's offices (YYYY-MM-DD; default today)."),
]
WatchlistOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--watchlist", help="Watchlist file or directory to use instead of the shipped one."
    ),
]


def _day(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise typer.BadParameter(f"not a date: {value!r} (use YYYY-MM-DD)") from error


def _watchlist(paths: list[Path] | None) -> Watchlist:
    try:
        return load_watchlist(paths or None)
    except WatchlistError as error:
        for problem in error.problems:
            typer.echo(str(problem), err=True)
        raise typer.Exit(1) from error


def _read(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    try:
        return Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise typer.BadParameter(f"cannot read {source}: {error}") from error


def _actors(event: Event) -> str:
    return ", ".join(
        f"{a.id}{f' [{a.country}]' if a.country else ''} ({a.role})" for a in event.actors
    )


def _match_lines(text: str, source: str, watchlist: Watchlist, on: dt.date | None) -> int:
    """The --jsonl contract: one `{"id", "events"}` line per input line; returns the bad line count."""
    bad = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            item_id, item_text = item["id"], item["text"]
            if not isinstance(item_text, str):
                raise TypeError("'text' is not a string")
        except (ValueError, KeyError, TypeError) as error:
            typer.echo(
                f'{source}:{number}: expected {{"id": ..., "text": ...}} ({error})', err=True
            )
            bad += 1
            continue
        events = [e.to_json() for e in detect_events(item_text, watchlist, on=on)]
        print(json.dumps({"id": item_id, "events": events}, ensure_ascii=False))
    return bad


def match(
    source: Annotated[str, typer.Argument(help="Text file, or - for standard input.")] = "-",
    as_json: Annotated[bool, typer.Option("--json", help='Print {"events": [...]}.')] = False,
    jsonl: Annotated[
        bool,
        typer.Option("--jsonl", help='Read {"id", "text"} lines, write {"id", "events"} lines.'),
    ] = False,
    date: DateOption = None,
    watchlist: WatchlistOption = None,
) -> None:
    """Find events in a text: who did what to whom, how sure, and the evidence sentence."""
    on, loaded, text = _day(date), _watchlist(watchlist), _read(source)
    if jsonl:
        if _match_lines(text, source, loaded, on):
            raise typer.Exit(1)
        return
    events = detect_events(text, loaded, on=on)
    if as_json:
        print_json({"events": [e.to_json() for e in events]})
        return
    print_table(
        f"{len(events)} events",
        ["type", "modality", "confidence", "actors", "evidence"],
        (
            [
                event_kind(e.type, e.mark),
                e.modality + (", background" if e.background else ""),
                f"{e.confidence:.2f}",
                _actors(e),
                e.evidence,
            ]
            for e in events
        ),
    )


def _print_report(report: Report) -> None:
    def row(name: str, p: float, r: float, f1: float, tp: int, fp: int, fn: int) -> list[object]:
        return [name, f"{p:.3f}", f"{r:.3f}", f"{f1:.3f}", tp, fp, fn]

    scores = [(t, s) for t, s in report.types.items()] + [("overall", report.overall)]
    print_table(
        "Events (sentence + type)",
        ["type", "precision", "recall", "F1", "tp", "fp", "fn"],
        (row(n, s.precision, s.recall, s.f1, s.tp, s.fp, s.fn) for n, s in scores),
    )
    actors = [("actors", report.actors), ("actors with roles", report.actor_roles)]
    print_table(
        "Actors (sentence + type + actor)",
        ["measure", "precision", "recall", "F1", "tp", "fp", "fn"],
        (row(n, s.precision, s.recall, s.f1, s.tp, s.fp, s.fn) for n, s in actors),
    )
    console.print(f"Macro F1 (mean over types): {report.macro_f1:.3f}")
    if report.modality_total:
        share = report.modality_right / report.modality_total
        console.print(
            f"Modality right on {report.modality_right} of {report.modality_total} "
            f"correct events ({share:.3f})"
        )


def eval_command(
    labelled: Annotated[Path, typer.Argument(help="Labelled sentences (JSON Lines).")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable scores.")] = False,
    errors: Annotated[
        bool, typer.Option("--errors", help="Also list every sentence that differs.")
    ] = False,
    date: DateOption = None,
    watchlist: WatchlistOption = None,
) -> None:
    """Precision, recall and F1 of the matcher per event type and overall, and for actors."""
    try:
        sentences = read_labelled(labelled)
    except (OSError, ValueError) as error:
        raise typer.BadParameter(str(error)) from error
    report = evaluate(sentences, _watchlist(watchlist), on=_day(date))
    if as_json:
        data = report.to_json()
        if errors:
            data["mismatches"] = report.mismatches
        print_json(data)
        return
    _print_report(report)
    for mismatch in report.mismatches if errors else []:
        console.print(f"\n[bold]{mismatch.id}[/bold] {mismatch.text}", highlight=False, markup=True)
        for line in mismatch.missing:
            console.print(f"  missed: {line}", highlight=False, markup=False)
        for line in mismatch.extra:
            console.print(f"  extra:  {line}", highlight=False, markup=False)


def check(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Watchlist files or directories (default: the shipped one)."),
    ] = None,
) -> None:
    """Validate watchlist files: every problem is printed as FILE:LINE: reason (exit code 1)."""
    loaded = _watchlist(paths)
    people = sum(1 for a in loaded.actors.values() if a.kind == "person")
    typer.echo(
        f"watchlist {loaded.version} is valid: {len(loaded.actors)} actors ({people} people), "
        f"{len(loaded.aliases)} aliases, {len(loaded.patterns)} patterns in {len(loaded.files)} files"
    )


def _print_explanation(found: SentenceExplanation) -> None:
    console.print(f"[bold]sentence[/bold]   {found.text}", highlight=False)
    console.print(f"[bold]normalised[/bold] {found.normalised}", highlight=False)
    print_table(
        "Actor hits",
        ["alias", "actor", "acts for", "span", "introduced by"],
        (
            [a.text, a.actor_id, a.acts_as, f"{a.span[0]}-{a.span[1]}", a.governor or "-"]
            for a in found.actors
        ),
    )
    rows = []
    for view in found.triggers:
        roles, cues = "-", "-"
        if view.candidate:
            roles = "; ".join(
                f"{role}: {', '.join(m.acts_as for m in mentions) or '-'}"
                for role, mentions in view.candidate.roles
            )
            cues = ", ".join(f"{c.phrase} ({c.modality})" for c in view.candidate.cues) or "-"
        rows.append([view.pattern_id, view.event_type, view.words, roles, cues, view.outcome])
    print_table(
        "Triggers", ["pattern", "event type", "words", "roles", "modality cues", "outcome"], rows
    )


def explain_command(
    sentence: Annotated[str, typer.Argument(help="The sentence (or short text) to explain.")],
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose", "-v", help="Also list triggers that started but never completed."
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help='Print {"sentences": [...]}.')] = False,
    date: DateOption = None,
    watchlist: WatchlistOption = None,
) -> None:
    """Show every actor hit, trigger and modality cue of a sentence, and why each event fired or not."""
    found = explain(sentence, _watchlist(watchlist), on=_day(date), verbose=verbose)
    if as_json:
        print_json({"sentences": [item.to_json() for item in found]})
        return
    for item in found:
        _print_explanation(item)


def register(app: typer.Typer) -> None:
    """Add `match`, `eval` and the `watchlist` commands to the application."""
    app.command("match")(match)
    app.command("eval")(eval_command)
    watchlist_app = typer.Typer(
        help="Check the watchlist and explain what it matches.", no_args_is_help=True
    )
    watchlist_app.command("check")(check)
    watchlist_app.command("explain")(explain_command)
    app.add_typer(watchlist_app, name="watchlist")
