"""Drafting "You said" (engage.curation.we_asked): size order, true counts, honest claims."""

from __future__ import annotations

from engage.curation.we_asked import Said, draft_you_said

THEMES = [Said("Buses and getting about", 39), Said("Housing", 36), Said("GP appointments", 20)]


def test_the_largest_theme_leads_and_the_rest_follow_in_size_order():
    text = draft_you_said(THEMES, 179)
    assert text.startswith(
        "Buses and getting about came up more than anything else: 39 people of the 179 who "
        "wrote to us raised it."
    )
    assert text.endswith(
        "You also told us about housing (36 people) and GP appointments (20 people)."
    )


def test_no_theme_is_said_to_come_up_most_when_two_are_level():
    text = draft_you_said([Said("Buses", 30), Said("Housing", 30), Said("Parks", 3)], 60)
    assert "more than anything else" not in text
    assert text.startswith("Buses and Housing came up most often: 30 people of the 60 who")


def test_a_chosen_theme_that_is_not_the_largest_makes_no_claim():
    text = draft_you_said(THEMES, 179, shown={"Housing", "GP appointments"})
    assert "more than anything else" not in text
    assert "most often" not in text
    assert text.startswith("36 people of the 179 who wrote to us raised housing.")
    assert "Buses" not in text


def test_chosen_themes_only_and_the_lead_is_still_weighed_against_all():
    text = draft_you_said(THEMES, 179, shown={"Buses and getting about", "GP appointments"})
    assert "Buses and getting about came up more than anything else" in text
    assert "housing" not in text.lower()


def test_nothing_approved_gives_no_draft():
    assert draft_you_said([], 10) == ""
