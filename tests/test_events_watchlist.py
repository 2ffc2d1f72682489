"""Watchlist files are validated with file:line: reason for every problem, and versioned by content."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.errors import ExtractorError
from extractors.events import WatchlistError, check_watchlist, load_watchlist
from extractors.events.scan import scan

FIXTURES = Path(__file__).parent / "fixtures" / "watchlist"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def reasons(paths: list[Path]) -> list[str]:
    return [f"{Path(p.file).name}:{p.line}: {p.reason}" for p in check_watchlist(paths)]


def test_the_shipped_watchlist_is_valid() -> None:
    assert check_watchlist() == []
    watchlist = load_watchlist()
    assert {"RUS", "PRK", "CSTO", "TALIBAN"} <= watchlist.actors.keys()
    assert len(watchlist.version) == 12


def test_actor_problems_name_file_and_line(tmp_path: Path) -> None:
    states = write(
        tmp_path,
        "states.yaml",
        "actors:\n"
        "  - id: RUS\n    kind: state\n    name: Russia\n"
        "  - id: RUS\n    kind: state\n    name: Russia again\n"
        "  - id: GEO\n    kind: country\n    name: Georgia\n    aliases: [Russia]\n"
        "  - kind: state\n    name: Nameless\n"
        "  - id: ARM\n    kind: state\n    name: [Armenia]\n",
    )
    people = write(
        tmp_path,
        "people.yaml",
        "actors:\n"
        "  - id: P_X\n    kind: person\n    name: X\n"
        "    roles:\n      - {for: NOWHERE, title: President, start: 2020-13-01, end: null}\n",
    )
    first = tmp_path / "states.yaml"
    assert reasons([states, people]) == [
        "people.yaml:6: bad date for 'start': '2020-13-01' (expected YYYY-MM-DD)",
        "people.yaml:6: unknown actor 'NOWHERE' in role 'for'",
        f"states.yaml:5: duplicate actor id 'RUS' (first at {first}:2)",
        "states.yaml:9: unknown actor kind 'country' (body, company, group, organisation, person, state)",
        f"states.yaml:11: duplicate alias 'Russia': also RUS at {first}:2",
        "states.yaml:12: missing required field 'id'",
        "states.yaml:16: 'name' must be a string",
    ]


def test_pattern_problems_name_file_and_line(tmp_path: Path) -> None:
    patterns = write(
        tmp_path,
        "patterns.yaml",
        "patterns:\n"
        "  - id: p1\n    type: troop_invasion\n    triggers: [send]\n    roles: {source: subject}\n"
        "  - id: p2\n    type: sanctions\n    triggers: ['impose ... ...']\n    roles: {victim: object}\n"
        "  - id: p3\n    type: sanctions\n    triggers: [impose]\n    roles: {source: 'nearby'}\n"
        "  - id: p3\n    type: sanctions\n    triggers: ['@nothing']\n    roles: {source: subject}\n"
        "  - type: sanctions\n    window: many\n",
    )
    assert reasons([patterns]) == [
        "patterns.yaml:3: unknown event type 'troop_invasion'",
        "patterns.yaml:8: bad trigger 'impose ... ...': '...' must stand between two words",
        "patterns.yaml:9: unknown role 'victim' for sanctions",
        "patterns.yaml:13: bad slots for role 'source': unknown slot 'nearby' "
        "(one of after, before, inside, object, possessor, subject)",
        "patterns.yaml:16: bad trigger '@nothing': unknown word class '@nothing'",
        "patterns.yaml:18: missing required field 'id'",
        "patterns.yaml:18: missing required field 'triggers'",
        "patterns.yaml:18: 'roles' must be a mapping of role: slots",
        "patterns.yaml:19: 'window' must be a number",
    ]


def test_broken_yaml_and_unknown_files_are_reported(tmp_path: Path) -> None:
    broken = write(tmp_path, "broken.yaml", "actors:\n  - id: RUS\n   kind: [state\n")
    other = write(tmp_path, "other.yaml", "feeds: []\n")
    assert reasons([broken, other, tmp_path / "missing.yaml"]) == [
        "broken.yaml:3: invalid YAML: did not find expected '-' indicator",
        "missing.yaml:1: no such file or directory",
        "other.yaml:1: not a watchlist file: expected 'actors:', 'patterns:', 'modality:' or "
        "'not_actors:'",
    ]


def test_not_actor_phrases_are_validated_with_file_and_line(tmp_path: Path) -> None:
    states = write(tmp_path, "states.yaml", "actors:\n  - {id: FRA, kind: state, name: France}\n")
    not_actors = write(
        tmp_path, "not_actors.yaml", "not_actors:\n  - Air France\n  - air france\n  - France\n"
    )
    assert reasons([states, not_actors]) == [
        "not_actors.yaml:3: duplicate not-actor phrase 'air france' (first at line 2)",
        f"not_actors.yaml:4: not-actor phrase 'France' is an alias of FRA at {states}:2",
    ]


def test_shipped_not_actor_phrases_hide_the_alias_inside_them() -> None:
    watchlist = load_watchlist()
    assert any(p.text == "USA Today" for p in watchlist.not_actors)
    found = scan(
        "USA Today and Air France in Latin America; France and the USA.", watchlist.automaton
    )
    assert [a.alias.actor_id for a in found.actors] == ["FRA", "USA"]


def test_loading_a_bad_watchlist_raises_with_every_problem(tmp_path: Path) -> None:
    bad = write(tmp_path, "patterns.yaml", "patterns:\n  - id: p\n    type: nope\n")
    with pytest.raises(WatchlistError) as raised:
        load_watchlist([bad])
    assert isinstance(raised.value, ExtractorError)
    assert "patterns.yaml:3: unknown event type 'nope'" in str(raised.value)
    assert len(raised.value.problems) == 2


def test_a_partial_watchlist_is_completed_with_the_shipped_files_and_versioned(
    tmp_path: Path,
) -> None:
    small = load_watchlist([FIXTURES])
    assert "CIV" in small.actors and "AZE" not in small.actors
    assert small.patterns == load_watchlist().patterns
    changed = tmp_path / "actors.yaml"
    changed.write_text(
        (FIXTURES / "actors.yaml").read_text() + "  - {id: XKX, kind: state, name: Kosovo}\n"
    )
    assert load_watchlist([changed]).version != small.version
