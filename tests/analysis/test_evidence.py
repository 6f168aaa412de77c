"""Evidence measured again for themes people drew (analysis.evidence)."""

from __future__ import annotations

from analysis.evidence import describe_groups
from analysis.stats import wilson

ANSWERS = [
    (str(i), text)
    for i, text in enumerate(
        [
            "The buses to the hospital are too infrequent",
            "More buses to the hospital please",
            "The bus to the hospital only runs hourly",
            "Parks need more bins",
            "The park bins overflow every weekend",
            "Clean the parks and add more bins",
            "I love the new library",
            "The library opening hours are great",
            "no comment",
        ]
    )
]


def test_each_group_gets_its_own_words_range_tone_and_typical_answers():
    buses, parks, library = describe_groups(
        ANSWERS, [["0", "1", "2"], ["3", "4", "5"], ["6", "7", "8"]]
    )
    assert "hospital" in buses.terms
    assert "bins" in parks.terms
    assert "library" in library.terms
    assert not set(buses.terms) & set(parks.terms)
    assert (buses.low, buses.high) == wilson(3, len(ANSWERS))
    assert library.sentiment["label"] == "mostly positive"
    assert set(buses.typical) <= {"0", "1", "2"}
    assert "8" not in library.typical  # a non-answer is never quoted
    assert buses.typical


def test_a_merged_group_describes_both_halves_and_an_answer_may_be_in_two():
    (merged, parks) = describe_groups(ANSWERS, [["0", "1", "2", "3", "4"], ["3", "4", "5"]])
    assert {"hospital", "bins"} & set(merged.terms)
    assert (merged.low, merged.high) == wilson(5, len(ANSWERS))
    assert set(parks.typical) <= {"3", "4", "5"}


def test_answers_with_nothing_to_weigh_still_get_a_range_and_a_tone():
    same = [(str(i), "no") for i in range(5)]
    (only,) = describe_groups(same, [["0", "1"]])
    assert only.terms == ()
    assert only.typical == ()
    assert (only.low, only.high) == wilson(2, 5)
    assert only.sentiment["label"]
