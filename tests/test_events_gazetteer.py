"""Actor hits: normalised text, whole words, longest match, exact-case aliases, people's offices."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from extractors.events.normalize import normalise
from extractors.events.scan import scan
from extractors.events.sentences import split_sentences
from extractors.events.watchlist import Watchlist, load_watchlist

FIXTURES = Path(__file__).parent / "fixtures" / "watchlist"


@pytest.fixture(scope="module")
def small() -> Watchlist:
    return load_watchlist([FIXTURES])


def hits(text: str, watchlist: Watchlist) -> list[tuple[str, str]]:
    return [
        (text[h.start : h.end], h.alias.actor_id) for h in scan(text, watchlist.automaton).actors
    ]


def test_normalising_keeps_every_offset() -> None:
    text = "Russia’s “Kremlin”—Erdoğan, Côte d'Ivoire, İstanbul and Кремль"
    normalised = normalise(text)
    assert len(normalised) == len(text)
    assert normalised.split() == [
        "russia",
        "s",
        "kremlin",
        "erdogan",
        "cote",
        "d",
        "ivoire",
        "istanbul",
        "and",
        "кремль",
    ]


def test_curly_quotes_diacritics_and_case_do_not_hide_an_alias(small: Watchlist) -> None:
    text = "COTE D’IVOIRE and the kremlin"
    assert hits(text, small) == [("COTE D’IVOIRE", "CIV"), ("kremlin", "RUS")]


def test_only_whole_words_match(small: Watchlist) -> None:
    assert hits("Russianness and Moscowite are not actors", small) == []


def test_longest_alias_wins(small: Watchlist) -> None:
    assert hits("North Korean and South Korean officers", small) == [
        ("North Korean", "PRK"),
        ("South Korean", "KOR"),
    ]


def test_possessive_is_not_part_of_the_name(small: Watchlist) -> None:
    assert hits("Russia's envoy met Pyongyang’s", small) == [
        ("Russia", "RUS"),
        ("Pyongyang", "PRK"),
    ]


def test_case_sensitive_alias_needs_its_exact_case(small: Watchlist) -> None:
    assert hits("US officials told us", small) == [("US", "USA")]


def test_person_acts_for_the_state_of_the_office_held_on_the_day(small: Watchlist) -> None:
    person = small.actors["P_ANNA_EXAMPLE"]
    assert person.acts_for(dt.date(2020, 6, 1)) == "PRK"
    assert person.acts_for(dt.date(2024, 6, 1)) == "RUS"
    # Before any office: the latest office.
    assert person.acts_for(dt.date(2010, 1, 1)) == "RUS"
    assert small.actors["RUS_POLICE"].acts_for(dt.date(2024, 1, 1)) == "RUS"
    assert small.actors["RUS"].acts_for(dt.date(2024, 1, 1)) is None


@pytest.mark.parametrize(
    ("person", "day", "acts_for"),
    [
        ("P_NICOLAS_MADURO", dt.date(2024, 7, 29), "VEN"),
        ("P_ROBERT_PREVOST", dt.date(2025, 11, 1), "VAT"),
        ("P_JORGE_BERGOGLIO", dt.date(2020, 1, 1), "VAT"),
    ],
)
def test_shipped_leaders_act_for_their_state(person: str, day: dt.date, acts_for: str) -> None:
    assert load_watchlist().actors[person].acts_for(day) == acts_for


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("Mr. Lee arrived. He left.", ["Mr. Lee arrived.", "He left."]),
        (
            "Troops of the U.S. Army left. The base closed.",
            ["Troops of the U.S. Army left.", "The base closed."],
        ),
        ("Sanctions hit the U.S. The dollar fell.", ["Sanctions hit the U.S.", "The dollar fell."]),
        ('He said: "We will come." Then he left.', ['He said: "We will come."', "Then he left."]),
        ('"Will they come?" he asked. No.', ['"Will they come?" he asked.', "No."]),
        ("J. K. Smith wrote on Jan. 5 about it!", ["J. K. Smith wrote on Jan. 5 about it!"]),
        ("A headline\nThe first paragraph.", ["A headline", "The first paragraph."]),
    ],
)
def test_sentences_survive_abbreviations_and_quotes(text: str, sentences: list[str]) -> None:
    assert [text[s:e] for s, e in split_sentences(text)] == sentences
