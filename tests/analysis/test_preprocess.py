"""Tokens, stems, surface forms and non-answers: the parts labels and sizes depend on."""

from __future__ import annotations

import pytest

from analysis.preprocess import Stemmer, build_stop_list, is_non_answer, normalise, prepare, words


def test_normalise_unifies_case_apostrophes_and_links() -> None:
    assert normalise("The  Council’s   BUSES http://example.org/x") == "the council's buses"
    assert normalise("Ｆｉｘ the roads") == "fix the roads"


@pytest.mark.parametrize(
    "text", ["N/A", "n/a", "No.", "none", "Don't know", "don’t know", "Agree!", "", " - "]
)
def test_non_answers(text: str) -> None:
    assert is_non_answer(normalise(text))


def test_substantive_short_answers_are_not_non_answers() -> None:
    assert not is_non_answer(normalise("No buses after 6pm"))


def test_words_drop_contractions_and_keep_clauses_apart() -> None:
    clauses = words("We don't have buses. Street lighting, the council's job")
    assert [[t for t in clause if t] for clause in clauses] == [
        ["We", "have", "buses"],  # "don't" dropped, the gap kept
        ["Street", "lighting"],
        ["the", "council", "job"],  # possessive 's dropped
    ]
    assert clauses[0] == ["We", "", "have", "buses"]


def test_stemmer_merges_plurals_snowball_leaves_apart() -> None:
    stem = Stemmer()
    assert stem("buses") == stem("bus")
    assert stem("children") == stem("child")
    assert stem("lighting") == stem("lights")


def test_stop_list_includes_question_words_and_their_forms() -> None:
    stemmer = Stemmer()
    stops = build_stop_list(stemmer, "How could bus services improve?", ["Council"])
    assert stops.is_stop("services", stemmer("services"))
    assert stops.is_stop("service", stemmer("service"))
    assert stops.is_stop("council", stemmer("council"))
    assert stops.is_stop("thinking", stemmer("thinking"))  # consultation filler, any form
    assert not stops.is_stop("potholes", stemmer("potholes"))
    assert not stops.is_stop("fire", stemmer("fire"))  # scikit-learn's list, given back


def test_prepare_deduplicates_and_keeps_surface_forms() -> None:
    corpus = prepare(
        [
            ("1", "Buses are late. GP appointments are hard to get"),
            ("2", "buses are late, gp appointments are hard to get!"),
            ("3", "N/A"),
            ("4", "More bus services and street lights"),
            ("5", "Better street lighting"),
        ]
    )
    assert corpus.answer_doc == (0, 0, -1, 1, 2)  # 1 and 2 differ only in case and commas
    assert corpus.doc_counts == (2, 1, 1)
    assert corpus.n_substantive == 4
    again = prepare([("1", "Buses are late"), ("2", "BUSES ARE LATE!"), ("3", "buses, are late")])
    assert again.answer_doc == (0, 0, 0)
    assert again.doc_counts == (3,)
    stem = Stemmer()
    assert corpus.surfaces.display(stem("bus")) in {"buses", "bus"}
    assert corpus.surfaces.display(f"{stem('gp')} {stem('appointments')}") == "GP appointments"
    assert corpus.surfaces.display(f"{stem('street')} {stem('lights')}") in {
        "street lights",
        "street lighting",
    }


def test_shouted_answers_do_not_capitalise_labels() -> None:
    corpus = prepare([("1", "FIX THE POTHOLES ON OUR ROAD"), ("2", "potholes everywhere")])
    assert corpus.surfaces.display(Stemmer()("potholes")) == "potholes"


def test_identical_answers_share_one_document() -> None:
    corpus = prepare(
        [("a", "Fix the potholes"), ("b", "fix the POTHOLES"), ("c", "Fix the potholes")]
    )
    assert corpus.answer_doc == (0, 0, 0)
    assert corpus.doc_counts == (3,)
    assert corpus.doc_first == (0,)


def test_words_joined_by_one_small_word_keep_their_wording_but_make_no_feature() -> None:
    corpus = prepare(
        [
            ("1", "The cost of living is the worry"),
            ("2", "Cost of Living, plain and simple"),
            ("3", "cost of the living room heating"),  # two small words between: no join
            ("4", "Living costs, and the cost of energy"),
        ]
    )
    features = {feature for doc in corpus.doc_features for feature in doc}
    stem = Stemmer()
    # "living costs" is a feature; "cost of living" joins its words but makes none
    assert f"{stem('living')} {stem('cost')}" in features
    assert f"{stem('cost')} {stem('living')}" not in features
    assert corpus.surfaces.joined_phrase(stem("cost"), stem("living")) == "cost of living"
    assert corpus.surfaces.joined_phrase(stem("living"), stem("cost")) == "cost of living"
    # "cost of energy" was written once, under the two-answer floor
    assert corpus.surfaces.joined_phrase(stem("cost"), stem("energy")) is None


def test_a_join_few_people_wrote_does_not_name_the_pair() -> None:
    answers = [(str(i), f"jobs in the town, job number {i}") for i in range(10)]
    answers += [("a", "jobs for young folk"), ("b", "more jobs for young folk")]
    places = ["Drumlee", "Kirkhallie", "Auchenbrae", "Lochandrie", "Glenfarroch", "Annick"]
    answers += [(place, f"young folk need a place in {place}") for place in places]
    corpus = prepare(answers)
    stem = Stemmer()
    # 2 answers joined them: under BRIDGE_SHARE of the rarer word's 8 uses
    assert corpus.surfaces.joined_phrase(stem("jobs"), stem("young")) is None


def test_a_word_nearly_always_followed_by_people_is_labelled_with_it() -> None:
    corpus = prepare(
        [
            ("1", "Young people have nothing to do"),
            ("2", "young people leaving for the city"),
            ("3", "When I was young the pits were open"),
            ("4", "Older people on their own"),
            ("5", "older houses are cold"),
            ("6", "older buses break down"),
        ]
    )
    stem = Stemmer()
    assert corpus.surfaces.label_word(stem("young")) == "young people"  # 2 of 3 uses
    assert corpus.surfaces.label_word(stem("older")) == "older"  # 1 of 3 uses
    assert corpus.surfaces.label_word(stem("houses")) == "houses"
