"""Labels join two words only as the answers write them, or when the answers use them together
(issue 23, item 4: never two unrelated top words joined by "and")."""

from __future__ import annotations

import numpy as np

from analysis import phrases
from analysis.labels import describe_themes
from analysis.preprocess import Stemmer, SurfaceForms, build_stop_list

ANSWERS = [
    "A bus to the hospital on Sundays",
    "Buses to the hospital that match clinic times",
    "more buses, the last bus to the hospital is too early",
    "The health centre should open later instead",
    "Bike racks at the health centre",
    "physio in the village instead of the town",
    "taxi card for the hospital",
    "the bus is fine",
]


def written() -> phrases.Written:
    stemmer = Stemmer()
    return phrases.read(ANSWERS, build_stop_list(stemmer), stemmer)


def test_two_words_are_joined_as_the_answers_write_them() -> None:
    found = written()
    # All forms count together ("A bus to the hospital", "Buses to the hospital"); the label
    # is the commonest.
    assert found.phrase("bus", "hospit") == "bus to the hospital"
    assert found.phrase("centr", "instead") is None  # never written together


def test_words_the_answers_rarely_use_together_are_not_related() -> None:
    found = written()
    assert found.related("bus", "hospit")  # 3 of the 4 answers with "hospital" say "bus"
    assert not found.related("taxi", "bike")


def test_a_pair_of_unrelated_words_is_no_label_but_a_written_phrase_is() -> None:
    features = ["bus", "hospit", "centr", "instead", "bike"]
    surfaces = SurfaceForms()
    surfaces.add_all([(f, f) for f in features])
    h = np.array(
        [
            [1.0, 0.9, 0.0, 0.0, 0.0],  # bus + hospital: written together
            [0.0, 0.0, 1.0, 0.95, 0.2],  # centre + instead: used apart, and no phrase
        ]
    )
    before = [d.label for d in describe_themes(h, features, surfaces)]
    after = [d.label for d in describe_themes(h, features, surfaces, written())]
    assert before == ["Bus and hospit", "Centr and instead"]
    assert after[0] == "Bus to the hospital"
    assert " and " not in after[1]
