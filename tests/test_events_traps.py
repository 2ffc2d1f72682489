"""The traps a new user meets first: sentences that recall earlier or standing facts, requests, a
story whose body tells its headline otherwise, phone calls, withdrawals, company deals and state
companies. Each is written here in wording of our own; type, actors, modality, background and
mark are asserted."""

from __future__ import annotations

import datetime as dt

import pytest

from extractors.events import Event, detect_events, load_watchlist

DAY = dt.date(2026, 11, 25)

# (type, mark, modality, background, {(actor or whom it acts for, role)})
Fact = tuple[str, str | None, str, bool, frozenset[tuple[str, str]]]


def facts(text: str) -> set[Fact]:
    return {_fact(e) for e in detect_events(text, load_watchlist(), on=DAY)}


def _fact(e: Event) -> Fact:
    actors = frozenset((a.country or a.id, a.role) for a in e.actors)
    return (e.type, e.mark, e.modality, e.background, actors)


def fact(kind: str, modality: str = "asserted", *, mark: str | None = None, bg: bool = False,
         **roles: str) -> Fact:  # fmt: skip
    pairs = frozenset((actor, role) for role, ids in roles.items() for actor in ids.split())
    return (kind, mark, modality, bg, pairs)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Georgia has hosted Chinese trade delegations since 2019.",
            fact("official_visit", bg=True, source="CHN", target="GEO"),
            id="since an earlier year",
        ),
        pytest.param(
            "Hungary dropped the group from its terror list in 2023 and has hosted Iranian "
            "ministers since then.",
            fact("official_visit", bg=True, source="IRN", target="HUN"),
            id="since then",
        ),
        pytest.param(
            "The United Kingdom still lists Hezbollah as a terrorist organisation.",
            fact("sanctions", bg=True, source="GBR", target="HEZBOLLAH"),
            id="still lists",
        ),
        pytest.param(
            "Talks covered energy prices and the Turkish troops still stationed in Qatar.",
            fact("troop_deployment", bg=True, source="TUR", target="QAT"),
            id="still stationed",
        ),
        pytest.param(
            "Canada and Japan have imposed several rounds of sanctions on Belarusian officials.",
            fact("sanctions", bg=True, source="CAN JPN", target="BLR"),
            id="several rounds",
        ),
        pytest.param(
            "Belarus, which sent engineers to Mali and signed a mining pact there, said on Monday "
            "it would open an embassy in Bamako.",
            fact("troop_deployment", bg=True, source="BLR", target="MLI"),
            id="relative clause on the subject",
        ),
        pytest.param(
            "Norway imposed sanctions on three firms that supply engines for Iranian drones.",
            fact("arms_transfer", bg=True, source="NOR", target="IRN"),
            id="relative clause on an object",
        ),
    ],
)
def test_recalled_facts_are_background(text: str, expected: Fact) -> None:
    assert expected in facts(text)


def test_the_act_of_a_sentence_with_a_relative_clause_stays_news() -> None:
    text = "Norway imposed sanctions on three firms that supply engines for Iranian drones."
    assert fact("sanctions", source="NOR") in facts(text)


def test_a_relative_clause_after_the_news_is_news_too() -> None:
    # ", which recalled its ambassador" tells what followed, in the lede.
    text = (
        "Chile formally recognised a Palestinian state on Monday, a step that drew an angry "
        "response from Israel, which recalled its ambassador from Santiago."
    )
    assert fact("diplomatic_protest", source="ISR", target="CHL") in facts(text)


def test_a_year_that_dates_another_phrase_leaves_the_event_news() -> None:
    assert facts("Poland sent 300 more troops to Lithuania on Monday, its ally since 2004.") == {
        fact("troop_deployment", source="POL", target="LTU")
    }


def test_the_year_of_the_text_itself_is_not_background() -> None:
    assert facts("Poland sent 300 more troops to Lithuania in November 2026.") == {
        fact("troop_deployment", source="POL", target="LTU")
    }


@pytest.mark.parametrize(
    "text",
    [
        "President Volodymyr Zelenskyy urged allies to speed up deliveries of air defence systems "
        "to Ukraine.",
        "Lithuania called for new sanctions on Belarus over the migrant crossings.",
        "Kenya called on Ethiopia to pull its troops back from the border.",
    ],
)
def test_a_request_is_no_event(text: str) -> None:
    assert facts(text) == set()


def test_a_request_does_not_reach_into_a_relative_clause() -> None:
    text = (
        "Canada called on Beijing to free two Canadian businessmen who have been held by Chinese "
        "security officers for a year."
    )
    found = {(kind, bg) for kind, _, _, bg, _ in facts(text)}
    assert found == {("arrest_detention", True)}


def test_the_lead_tells_the_story_and_a_recap_below_it_is_background() -> None:
    story = (
        "Belarus reportedly readying more troops for Russia\n\n"
        "Belarus is reportedly preparing to send up to 2,000 more soldiers to Russia, Ukrainian "
        "intelligence said on Tuesday.\n"
        "Officials in Kyiv could not confirm the figure.\n"
        "Lithuanian intelligence said on Monday that several hundred Belarusian soldiers had "
        "arrived in Russia.\n"
    )
    found = detect_events(story, load_watchlist(), on=DAY)
    assert [(e.modality, e.background) for e in found] == [("hedged", False), ("asserted", True)]
    assert found[0].evidence.startswith("Belarus is reportedly preparing")


def test_a_body_that_agrees_with_the_lead_is_not_background() -> None:
    story = (
        "Poland sends troops to Lithuania\n\n"
        "Poland sent 300 troops to Lithuania on Monday.\n"
        "Officials said more would follow.\n"
        "Polish troops arrived in Lithuania by train on Monday evening.\n"
    )
    found = detect_events(story, load_watchlist(), on=DAY)
    assert {e.background for e in found} == {False}


@pytest.mark.parametrize(
    "text",
    [
        "French President Emmanuel Macron spoke by phone with Indian Prime Minister Narendra Modi "
        "on Monday.",
        "Macron held a phone call with Modi on Monday.",
        "Macron phoned his Indian counterpart on Monday.",
    ],
)
def test_a_phone_call_is_marked_not_a_visit(text: str) -> None:
    assert facts(text) == {fact("official_visit", mark="phone_call", source="FRA", target="IND")}


def test_a_meeting_is_a_visit() -> None:
    assert facts("Macron met Modi in New Delhi on Monday.") == {
        fact("official_visit", source="FRA", target="IND")
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Turkey pulled its last troops out of Qatar on Monday.",
            fact("troop_deployment", mark="withdrawal", source="TUR", target="QAT"),
        ),
        (
            "France withdrew its soldiers from Niger on Friday.",
            fact("troop_deployment", mark="withdrawal", source="FRA", target="NER"),
        ),
        (
            "France had withdrawn its troops from Mali in 2022.",
            fact("troop_deployment", mark="withdrawal", bg=True, source="FRA", target="MLI"),
        ),
    ],
)
def test_a_withdrawal_is_marked_not_a_deployment(text: str, expected: Fact) -> None:
    assert facts(text) == {expected}


def test_a_deployment_and_a_withdrawal_in_one_sentence_are_two_events() -> None:
    text = "France pulled its troops out of Mali on Monday, as Russia sent 200 soldiers to Mali."
    assert facts(text) == {
        fact("troop_deployment", mark="withdrawal", source="FRA", target="MLI"),
        fact("troop_deployment", source="RUS", target="MLI"),
    }


@pytest.mark.parametrize(
    "text",
    [
        "SOCAR signed a ten-year gas supply agreement with Bulgaria on Thursday.",
        "Rosatom signed a deal with Hungary's MVM to service the Paks plant.",
        "The airline signed a deal for 20 new jets from Airbus.",
    ],
)
def test_a_company_deal_is_no_state_agreement(text: str) -> None:
    assert facts(text) == set()


def test_a_state_company_stands_for_its_state() -> None:
    assert facts("Ukraine imposed sanctions on Gazprom on Friday.") == {
        fact("sanctions", source="UKR", target="RUS")
    }


def test_a_strike_on_a_capital_targets_its_state() -> None:
    assert facts("Russia's overnight strike on Kyiv killed nine people.") == {
        fact("military_strike", source="RUS", target="UKR")
    }


def test_brussels_in_politics_is_the_eu() -> None:
    assert facts("Brussels imposed new sanctions on Minsk on Monday.") == {
        fact("sanctions", source="EU", target="BLR")
    }


@pytest.mark.parametrize(
    "text",
    [
        "The EU is considering new sanctions on Belarus.",
        "Britain is weighing sanctions on Belarusian banks.",
        "Japan mulls sanctions on Iranian shipping firms",
    ],
)
def test_considering_is_hedged_not_planned(text: str) -> None:
    assert {modality for _, _, modality, _, _ in facts(text)} == {"hedged"}


def test_the_json_contract_carries_background_and_mark() -> None:
    (event,) = detect_events(
        "Turkey pulled its last troops out of Qatar in 2024.", load_watchlist(), on=DAY
    )
    data = event.to_json()
    assert data["background"] is True and data["mark"] == "withdrawal"
