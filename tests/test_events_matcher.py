"""The matcher on sentences written for these tests: modality, role assignment, several events per
sentence, other meanings of trigger words, and the seed article's events in our own words."""

from __future__ import annotations

import datetime as dt

import pytest

from extractors.events import Event, detect_events, load_watchlist

DAY = dt.date(2025, 7, 1)


def events(text: str) -> list[Event]:
    return detect_events(text, load_watchlist(), on=DAY)


def summary(text: str) -> list[tuple[str, str, list[tuple[str, str]]]]:
    return [
        (e.type, e.modality, [(a.country or a.id, a.role) for a in e.actors]) for e in events(text)
    ]


def only(text: str) -> Event:
    found = events(text)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "modality"),
    [
        ("Pyongyang sent 2,000 more soldiers to Russia last month.", "asserted"),
        ("Pyongyang did not send soldiers to Russia, its envoy insisted.", "negated"),
        ("Pyongyang refused to send soldiers to Russia.", "negated"),
        ("Pyongyang denied sending soldiers to Russia.", "negated"),
        ("Pyongyang has no plans to send soldiers to Russia.", "negated"),
        ("Neither Pyongyang nor Minsk has sent soldiers to Russia.", "negated"),
        ("Pyongyang reportedly sent soldiers to Russia.", "hedged"),
        ("Pyongyang allegedly sent soldiers to Russia.", "hedged"),
        ("Pyongyang could send soldiers to Russia within weeks.", "hedged"),
        ("Pyongyang may send soldiers to Russia.", "hedged"),
        ("Pyongyang sent soldiers to Russia, Kyiv claimed.", "hedged"),
        ("Pyongyang plans to send soldiers to Russia.", "future"),
        ("Pyongyang is preparing to send soldiers to Russia.", "future"),
        ("Pyongyang will send soldiers to Russia.", "future"),
        ("Pyongyang is expected to send soldiers to Russia.", "future"),
        # Negation wins over a plan, a hedge wins over a plan.
        ("Pyongyang will not send soldiers to Russia.", "negated"),
        ("Pyongyang is reportedly preparing to send soldiers to Russia.", "hedged"),
        # A cue in another clause does not count.
        ("Seoul did not comment, but Pyongyang sent soldiers to Russia.", "asserted"),
    ],
)
def test_modality(text: str, modality: str) -> None:
    event = only(text)
    assert (event.type, event.modality) == ("troop_deployment", modality)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Who sent troops to whom, however the sentence is built.
        (
            "Pyongyang dispatched thousands of troops to Russia.",
            [("PRK", "source"), ("RUS", "target")],
        ),
        (
            "Russia welcomed thousands of North Korean troops deployed to help it.",
            [("PRK", "source")],
        ),
        (
            "Thousands of troops were sent to Russia by North Korea.",
            [("PRK", "source"), ("RUS", "target")],
        ),
        (
            "The deployment of North Korean troops to Russia began in October.",
            [("PRK", "source"), ("RUS", "target")],
        ),
        (
            "North Korea's troop deployment to Russia alarmed Seoul.",
            [("PRK", "source"), ("RUS", "target")],
        ),
    ],
)
def test_roles_of_a_troop_deployment(text: str, expected: list[tuple[str, str]]) -> None:
    assert summary(text) == [("troop_deployment", "asserted", expected)]


def test_passive_voice_swaps_the_roles() -> None:
    assert summary("The Taliban government was recognised by Moscow on Thursday.") == [
        ("diplomatic_recognition", "asserted", [("RUS", "source"), ("TALIBAN", "target")])
    ]


def test_listed_actors_share_a_role() -> None:
    assert summary("Finland, Sweden and Norway signed a defence pact with Britain.") == [
        (
            "agreement_signed",
            "asserted",
            [("FIN", "party"), ("SWE", "party"), ("NOR", "party"), ("GBR", "party")],
        )
    ]


def test_people_and_bodies_carry_the_state_they_act_for() -> None:
    event = only("Sergey Lavrov travelled to Pyongyang for talks on Monday.")
    assert event.to_json()["actors"] == [
        {"id": "P_SERGEY_LAVROV", "name": "Sergey Lavrov", "role": "source", "country": "RUS"},
        {"id": "PRK", "name": "North Korea", "role": "target"},
    ]


def test_the_evidence_is_the_sentence_and_its_span() -> None:
    text = "Markets were calm. Baku summoned the Russian ambassador on Tuesday. Rain fell."
    event = only(text)
    assert event.evidence == "Baku summoned the Russian ambassador on Tuesday."
    assert text[event.span[0] : event.span[1]] == event.evidence
    assert event.to_json()["span"] == [19, 67]


def test_one_sentence_can_hold_several_events() -> None:
    found = summary(
        "Baku called off two planned Russian ministerial visits and summoned the Russian ambassador."
    )
    assert found == [
        ("relations_downgrade", "asserted", [("AZE", "source"), ("RUS", "target")]),
        ("diplomatic_protest", "asserted", [("AZE", "source"), ("RUS", "target")]),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Belgrade-made shells were shipped to Kyiv through a third country.",
            ("arms_transfer", "asserted", [("SRB", "source"), ("UKR", "target")]),
        ),
        (
            "Lisbon has equipped Kyiv with more than 30 armoured vehicles since spring.",
            ("arms_transfer", "asserted", [("PRT", "source"), ("UKR", "target")]),
        ),
        (
            "Moscow has provided Tehran with attack helicopters and is expected to deliver more.",
            ("arms_transfer", "asserted", [("RUS", "source"), ("IRN", "target")]),
        ),
        (
            "The Kremlin extended recognition to Niger's military government on Friday.",
            ("diplomatic_recognition", "asserted", [("RUS", "source"), ("NER", "target")]),
        ),
        (
            "Indonesia established diplomatic relations with Armenia in 1992.",
            ("diplomatic_recognition", "asserted", [("IDN", "source"), ("ARM", "target")]),
        ),
        (
            "Egypt's president welcomed the Turkish leader to Cairo on Monday.",
            ("official_visit", "asserted", [("TUR", "source"), ("EGY", "target")]),
        ),
        (
            "A visit by Japan's prime minister to Canberra is being prepared, officials said.",
            ("official_visit", "future", [("JPN", "source"), ("AUS", "target")]),
        ),
        (
            "Trade was discussed during the Japanese prime minister's visit to London.",
            ("official_visit", "asserted", [("JPN", "source"), ("GBR", "target")]),
        ),
        (
            "Armenian forces opened fire on Azerbaijani positions overnight, Baku said.",
            ("military_strike", "asserted", [("ARM", "source"), ("AZE", "target")]),
        ),
        (
            "Canada added 14 Iranian officials and two companies to its sanctions list.",
            ("sanctions", "asserted", [("CAN", "source"), ("IRN", "target")]),
        ),
        (
            "Turkey dispatched an infantry battalion to the NATO-led mission in Kosovo.",
            ("troop_deployment", "asserted", [("TUR", "source"), ("XKX", "target")]),
        ),
        (
            "Kenya's first contingent of police officers arrived in Haiti on Tuesday.",
            ("troop_deployment", "asserted", [("KEN", "source"), ("HTI", "target")]),
        ),
        (
            "Pope Leo will visit Turkey on his first trip abroad.",
            ("official_visit", "future", [("VAT", "source"), ("TUR", "target")]),
        ),
    ],
)
def test_broader_wording_is_understood(
    text: str, expected: tuple[str, str, list[tuple[str, str]]]
) -> None:
    assert expected in summary(text)


def test_troops_that_arrive_are_a_deployment_not_a_visit() -> None:
    assert [e.type for e in events("Kenyan police officers arrived in Haiti on Tuesday.")] == [
        "troop_deployment"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "USA Today said Air France would resume its flights to Latin America.",
        "Shares of Turkish Airlines and Qatar Airways rose on Monday.",
        "The bank deployed a new mobile app for customers in Russia.",
        "The Kyiv clinic was recognised for excellence in cancer care.",
        "The league imposed sanctions on a Russian player for doping.",
        "Dock workers in Turkey began a strike over pay on Monday.",
        "She summoned the courage to speak about the Russian ballet she loved.",
        "A powerful earthquake struck eastern Turkey on Monday.",
        "Japan beat Iran 2-1 after their striker hit the post twice.",
    ],
)
def test_other_meanings_of_trigger_words_and_non_actor_names_do_not_fire(text: str) -> None:
    assert events(text) == []


def test_seed_article_events_in_our_own_words() -> None:
    assert summary(
        "Pyongyang has shipped thousands of soldiers to Russia to fight in the Kursk region."
    ) == [("troop_deployment", "asserted", [("PRK", "source"), ("RUS", "target")])]
    assert summary(
        "Moscow officially recognised the Taliban as Afghanistan's government this week."
    ) == [("diplomatic_recognition", "asserted", [("RUS", "source"), ("TALIBAN", "target")])]
    assert summary(
        "Armenia froze its participation in the CSTO, the Moscow-led security bloc."
    ) == [("alliance_membership", "asserted", [("ARM", "source"), ("CSTO", "organisation")])]
    assert summary(
        "Azerbaijan's foreign ministry summoned Russia's ambassador to lodge a complaint."
    ) == [("diplomatic_protest", "asserted", [("AZE", "source"), ("RUS", "target")])]
    no_recognition = events(
        "Neither the United States nor the European Union has formally recognised the Taliban government."
    )
    assert [(e.type, e.modality) for e in no_recognition] == [("diplomatic_recognition", "negated")]
