"""Theme labels: de-duplicated with maximal marginal relevance, never saying a word twice."""

from __future__ import annotations

import numpy as np

from analysis.labels import describe_themes, key_terms
from analysis.preprocess import SurfaceForms


def _surfaces(shown: dict[str, str]) -> SurfaceForms:
    surfaces = SurfaceForms()
    surfaces.add_all(shown.items())
    return surfaces


def _weights(features: list[str], weights: dict[str, float]) -> np.ndarray:
    return np.array([weights.get(feature, 0.0) for feature in features])


def test_a_label_never_repeats_a_word() -> None:
    # A stemmer can leave "buses" apart from "bus"; the label must still not say it twice.
    features = ["bus", "buse", "fare", "late"]
    surfaces = _surfaces({"bus": "bus", "buse": "buses", "fare": "fares", "late": "late"})
    h = _weights(features, {"bus": 1.0, "buse": 0.9, "fare": 0.5, "late": 0.4})[None, :]

    (description,) = describe_themes(h, features, surfaces)

    assert description.label == "Bus and fares"


def test_a_second_theme_prefers_words_the_first_label_did_not_use() -> None:
    features = ["bus", "servic", "bus servic", "fare", "bus fare", "ticket", "price"]
    surfaces = _surfaces(
        {
            "bus": "bus",
            "servic": "services",
            "bus servic": "bus services",
            "fare": "fares",
            "bus fare": "bus fares",
            "ticket": "tickets",
            "price": "prices",
        }
    )
    first = {"bus": 1.0, "servic": 0.8, "bus servic": 0.9}
    second = {"bus": 1.0, "fare": 0.9, "bus fare": 0.8, "ticket": 0.7, "price": 0.3}
    h = np.vstack([_weights(features, first), _weights(features, second)])

    labels = [d.label for d in describe_themes(h, features, surfaces)]

    assert labels[0] == "Bus services"
    assert labels[1] == "Fares and tickets"


def test_no_two_themes_share_a_label_even_with_the_same_words() -> None:
    features = ["park", "play", "park play"]
    surfaces = _surfaces({"park": "park", "play": "play", "park play": "park play"})
    same = _weights(features, {"park": 1.0, "play": 0.9, "park play": 0.5})
    h = np.vstack([same, same, same])

    labels = [d.label.lower() for d in describe_themes(h, features, surfaces)]

    assert len(set(labels)) == 3


def test_a_weak_phrase_does_not_displace_a_strong_key_word() -> None:
    features = ["bus", "shelter", "bus shelter", "fare"]
    surfaces = _surfaces({f: f for f in features})
    strong = _weights(features, {"bus": 1.0, "fare": 0.6, "bus shelter": 0.5, "shelter": 0.3})
    close = _weights(features, {"bus": 1.0, "fare": 0.6, "bus shelter": 0.9, "shelter": 0.3})

    assert key_terms(strong, features, surfaces)[0] == "bus"
    assert key_terms(close, features, surfaces)[0] == "bus shelter"


def test_two_words_people_join_with_a_small_word_are_labelled_as_written() -> None:
    features = ["cost", "live", "energi", "bill"]
    surfaces = SurfaceForms()
    surfaces.add_all(
        [("cost", "cost")] * 5
        + [("live", "living")] * 4
        + [("energi", "energy"), ("bill", "bills")],
        [(("cost", "live"), "cost of living")] * 3,
    )
    h = np.array(
        [
            _weights(features, {"cost": 1.0, "live": 0.9, "energi": 0.3}),
            _weights(features, {"energi": 1.0, "bill": 0.8}),
        ]
    )

    first, second = describe_themes(h, features, surfaces)

    assert first.label == "Cost of living"
    assert second.label == "Energy and bills"  # never joined in writing: joined with "and"


def test_a_word_people_nearly_always_follow_with_people_keeps_it_in_the_label() -> None:
    features = ["young", "drug"]
    surfaces = SurfaceForms()
    surfaces.add_all(
        [("young", "young")] * 4 + [("drug", "drugs")] * 3,
        followed=[("young", "young people")] * 3,
    )
    h = _weights(features, {"young": 1.0, "drug": 0.9})[None, :]

    (description,) = describe_themes(h, features, surfaces)

    assert description.label == "Young people and drugs"
    assert description.terms == ("young", "drugs")  # key terms stay single words


def test_a_joined_label_keeps_the_follower_of_its_last_word() -> None:
    features = ["child", "young"]
    surfaces = SurfaceForms()
    surfaces.add_all(
        [("child", "children")] * 3 + [("young", "young")] * 3,
        [(("child", "young"), "children and young")] * 3,
        [("young", "young people")] * 3,
    )
    h = _weights(features, {"child": 1.0, "young": 0.9})[None, :]

    (description,) = describe_themes(h, features, surfaces)

    assert description.label == "Children and young people"


def test_two_words_both_followed_by_people_say_it_once() -> None:
    features = ["young", "older"]
    surfaces = SurfaceForms()
    surfaces.add_all(
        [("young", "young")] * 3 + [("older", "older")] * 3,
        followed=[("young", "young people")] * 3 + [("older", "older people")] * 3,
    )
    h = _weights(features, {"young": 1.0, "older": 0.9})[None, :]

    (description,) = describe_themes(h, features, surfaces)

    assert description.label == "Young and older people"  # not rejected as saying "people" twice
