"""Headlines and ledes, written for these tests: one test per construction of headline grammar (type,
actors and modality asserted), outlet furniture and datelines, the wording that the seed article
uses for its events (in our own words), and the distractors that headline wording brings."""

from __future__ import annotations

import pytest

from extractors.events import detect_events, load_watchlist
from tests.support.events import DAY, event, found


def test_present_simple_reports_a_past_event() -> None:
    assert found("Russia sends troops to Belarus") == {
        event("troop_deployment", "asserted", source="RUS", target="BLR")
    }


def test_to_plus_verb_is_the_future() -> None:
    assert found("Iran to summon French envoy over detained citizens") >= {
        event("diplomatic_protest", "future", source="IRN", target="FRA")
    }
    assert found("Germany to station brigade in Lithuania") == {
        event("troop_deployment", "future", source="DEU", target="LTU")
    }


def test_dropped_auxiliary_passive() -> None:
    assert found("Two Estonian citizens detained in Pskov by Russian FSB") == {
        event("arrest_detention", "asserted", source="RUS", target="EST")
    }
    assert found("Iranian envoy summoned over executions") == {
        event("diplomatic_protest", "asserted", target="IRN")
    }


def test_dropped_and_between_two_subjects() -> None:
    assert found("Ukraine, US sign minerals deal after weeks of talks") == {
        event("agreement_signed", "asserted", party="UKR USA")
    }


@pytest.mark.parametrize(
    ("headline", "modality"),
    [
        ("Ukraine says Russia struck Kyiv power plant", "hedged"),
        ("Russia struck Kyiv power plant, Ukraine says", "hedged"),
        ("Russia struck Kyiv power plant, officials say", "hedged"),
        ("Russia says it struck Kyiv power plant", "asserted"),
        ("Russia claims strike on Kyiv power plant", "asserted"),
    ],
)
def test_attribution_hedges_unless_the_speaker_acts(headline: str, modality: str) -> None:
    assert found(headline) == {event("military_strike", modality, source="RUS", target="UKR")}


def test_attribution_by_the_source_s_own_people_and_media() -> None:
    assert found("Armenia to quit CSTO, Pashinyan says") == {
        event("alliance_membership", "future", source="ARM", organisation="CSTO")
    }
    assert found("Iran suspends cooperation with IAEA, state media says") == {
        event("relations_downgrade", "asserted", source="IRN", target="IAEA")
    }


@pytest.mark.parametrize(
    "headline",
    [
        "Live: Russia sends troops to Belarus",
        "Analysis: Russia sends troops to Belarus",
        "Russia sends troops to Belarus - Reuters",
        "Russia sends troops to Belarus | DW",
        "Exclusive: Russia sends troops to Belarus \u2014 France 24",
    ],
)
def test_outlet_labels_and_credits_are_furniture(headline: str) -> None:
    found_events = detect_events(headline, load_watchlist(), on=DAY)
    assert [(e.type, e.modality) for e in found_events] == [("troop_deployment", "asserted")]
    assert found_events[0].evidence == "Russia sends troops to Belarus"


def test_quoted_we_is_the_speaker() -> None:
    assert found("'We do not recognise Maduro as president,' says Argentina's Milei") == {
        event("diplomatic_recognition", "negated", source="ARG", target="VEN")
    }


def test_quoted_headline_keeps_the_quote_s_modality() -> None:
    assert found('"Belgium will not recognise the junta in Niger," says PM') == {
        event("diplomatic_recognition", "negated", source="BEL", target="NER")
    }


@pytest.mark.parametrize(
    "headline",
    [
        "Will Turkey send troops to Libya?",
        "Is Turkey about to send troops to Libya?",
        "Explainer: Why did Turkey send troops to Libya?",
    ],
)
def test_questions_are_not_asserted(headline: str) -> None:
    assert found(headline) == {event("troop_deployment", "hedged", source="TUR", target="LBY")}


def test_lede_dateline_is_no_actor() -> None:
    lede = (
        "MOSCOW, Dec 2 (Reuters) - Russia's foreign ministry summoned the Estonian ambassador "
        "on Monday over the detention of a Russian journalist in Tallinn, officials said."
    )
    assert event("diplomatic_protest", "asserted", source="RUS", target="EST") in found(lede)
    assert (
        found("BRUSSELS \u2014 Hungary blocked a new package of EU sanctions on Monday.") == set()
    )


# The seed article's wording for its events, in our own words.


def test_troops_that_arrive_are_deployed_not_visiting() -> None:
    assert found("About 11,000 North Korean soldiers arrived in Russia last autumn.") == {
        event("troop_deployment", "asserted", source="PRK", target="RUS")
    }
    assert found("First North Korean troops arrive, Seoul says") == {
        event("troop_deployment", "hedged", source="PRK")
    }


def test_raid_as_a_gerund_and_a_noun() -> None:
    gerund = (
        "The quarrel escalated, with Azerbaijani police raiding the Baku offices of "
        "Sputnik Azerbaijan."
    )
    assert found(gerund) == {event("arrest_detention", "asserted", source="AZE", target="RUS")}
    assert found("Outrage after Taliban raid on UN compound in Kabul") == {
        event("arrest_detention", "asserted", source="TALIBAN", target="UN")
    }


def test_second_verb_shares_the_subject_and_the_host_signs() -> None:
    assert found("The German chancellor visited Kenya and signed a migration agreement.") == {
        event("official_visit", "asserted", source="DEU", target="KEN"),
        event("agreement_signed", "asserted", party="DEU KEN"),
    }


def test_in_a_country_meeting_its_leader_is_a_visit() -> None:
    sentence = "Armenian Prime Minister Pashinyan was in Turkey meeting with President Erdogan."
    assert found(sentence) == {event("official_visit", "asserted", source="ARM", target="TUR")}


def test_negation_split_across_clauses() -> None:
    assert found("Kosovo has been recognised by France and Germany but not by Serbia.") == {
        event("diplomatic_recognition", "asserted", source="FRA DEU", target="XKX"),
        event("diplomatic_recognition", "negated", source="SRB", target="XKX"),
    }
    assert found("Kazakhstan recognises Taliban government, but Tajikistan won't") == {
        event("diplomatic_recognition", "asserted", source="KAZ", target="TALIBAN"),
        event("diplomatic_recognition", "negated", source="TJK", target="TALIBAN"),
    }


def test_plan_in_a_participle_clause_stays_hedged() -> None:
    sentence = (
        "North Korea is reportedly getting ready to double its contingent, planning to send "
        "20,000 more soldiers to Russia."
    )
    assert found(sentence) == {event("troop_deployment", "hedged", source="PRK", target="RUS")}


def test_company_after_a_demonym_is_no_party_but_is_sanctioned() -> None:
    assert found("Aramco signs $10bn supply deal with Chinese state-owned refiner") == set()
    assert found("Chinese refiner hit by new US sanctions") == {
        event("sanctions", "asserted", source="USA", target="CHN")
    }


def test_its_embassy_belongs_to_the_subject() -> None:
    assert found("Poland closes its embassy in Minsk") == {
        event("relations_downgrade", "asserted", source="POL", target="BLR")
    }


@pytest.mark.parametrize(
    "headline",
    [
        "ICC issues arrest warrant for Myanmar junta chief",
        "Finnish unions stage two-day general strike",
        "Salah strikes late as Egypt beat Ghana",
        "BlackRock deploys $2bn into Indian infrastructure",
        "Storm Ciaran strikes France and Belgium",
        "Vienna Philharmonic cancels autumn tour of China",
        "Police visit home of missing Leeds teenager",
        "Ireland visit Cardiff in Six Nations opener",
        "Nauru, a Pacific island nation, hosts regional fisheries forum",
    ],
)
def test_distractors_do_not_fire(headline: str) -> None:
    assert found(headline) == set()


@pytest.mark.parametrize(
    "dateline",
    [
        "MOSCOW (Reuters) - ",
        "MOSCOW, Dec 2 (Reuters) - ",
        "MOSCOW, Russia (AP) \u2014 ",
        "MOSCOW \u2014 ",
        "Dec 2 (Reuters) - ",
        "(Reuters) - ",
    ],
)
def test_dateline_forms_are_cut_from_the_evidence(dateline: str) -> None:
    body = "Estonia expelled a Russian diplomat on Monday, its foreign ministry said."
    [found_event] = detect_events(dateline + body, load_watchlist(), on=DAY)
    assert found_event.evidence == body
    assert {(a.country or a.id, a.role) for a in found_event.actors} == {
        ("EST", "source"),
        ("RUS", "target"),
    }
