"""Long wire sentences, written for these tests: who acts in relative clauses, phrases of reason,
late passive agents and possessive pronouns, and the modality of conditions and refusals."""

from __future__ import annotations

from tests.support.events import event, found


def test_relative_clause_subject() -> None:
    lede = (
        "Norway recognised a Palestinian state on Tuesday, drawing an angry response from Israel, "
        "which recalled its ambassador to Oslo."
    )
    assert event("diplomatic_protest", "asserted", source="ISR", target="NOR") in found(lede)


def test_noun_in_a_phrase_of_reason_belongs_to_the_actor_before_it() -> None:
    lede = "Beijing imposed sanctions on nine U.S. defence firms over arms sales to Taiwan."
    assert found(lede) == {
        event("sanctions", "asserted", source="CHN", target="USA"),
        event("arms_transfer", "asserted", source="USA", target="TWN"),
    }


def test_late_passive_agent_and_the_people_of_an_actor() -> None:
    lede = (
        "MOSCOW (Reuters) - Two reporters working for an Azerbaijani news site were detained at "
        "their flat on Tuesday and taken away for questioning by officers of Russia's FSB."
    )
    assert found(lede) == {event("arrest_detention", "asserted", source="RUS", target="AZE")}


def test_its_after_the_verb_is_the_other_side() -> None:
    lede = "Thailand accused Cambodia on Monday of firing rockets into its territory."
    assert found(lede) == {event("military_strike", "hedged", source="KHM", target="THA")}


def test_membership_as_a_noun() -> None:
    assert found("The departure of Mali and Niger from ECOWAS took effect on Wednesday.") == {
        event("alliance_membership", "asserted", source="MLI NER", organisation="ECOWAS")
    }


def test_a_condition_hedges_a_plan() -> None:
    lede = "Britain would recognise a Palestinian state in September unless Israel agreed a truce."
    assert found(lede) == {event("diplomatic_recognition", "hedged", source="GBR", target="PSE")}


def test_a_refusal_negates() -> None:
    lede = "Nicosia maintains its refusal to recognise Kosovo, its foreign minister said."
    assert found(lede) == {event("diplomatic_recognition", "negated", source="CYP", target="XKX")}


def test_a_lesser_event_of_another_act_is_kept() -> None:
    lede = (
        "Germany, France and Italy summoned Iran's ambassadors on Tuesday, months after Berlin's "
        "expulsion of two Iranian diplomats."
    )
    assert found(lede) == {
        event("diplomatic_protest", "asserted", source="DEU FRA ITA", target="IRN"),
        event("diplomatic_protest", "asserted", source="DEU", target="IRN"),
    }


def test_others_who_did_the_same_before() -> None:
    lede = (
        "Slovenia's parliament voted on Tuesday to recognise Palestinian statehood, following a "
        "similar step by Spain, Ireland and Norway last week."
    )
    assert found(lede) == {
        event("diplomatic_recognition", "asserted", source="SVN", target="PSE"),
        event("diplomatic_recognition", "asserted", source="ESP IRL NOR", target="PSE"),
    }


def test_others_who_follow_suit() -> None:
    lede = (
        "France recognised the State of Palestine on Monday, with President Macron telling the "
        "assembly that Belgium and Luxembourg would follow suit."
    )
    assert found(lede) == {
        event("diplomatic_recognition", "asserted", source="FRA", target="PSE"),
        event("diplomatic_recognition", "future", source="BEL LUX", target="PSE"),
    }


def test_the_two_countries_are_the_last_two_named() -> None:
    lede = (
        "Israel recalled its ambassadors to Ireland and Norway over the two countries' decision "
        "to recognise a Palestinian state."
    )
    assert event("diplomatic_recognition", "asserted", source="IRL NOR", target="PSE") in found(
        lede
    )


def test_a_visit_named_by_its_visitor() -> None:
    lede = "Iran and Russia could sign a gas accord during President Pezeshkian's trip to Moscow."
    assert ("official_visit", frozenset({("IRN", "source"), ("RUS", "target")})) in {
        (kind, actors) for kind, _, actors in found(lede)
    }
