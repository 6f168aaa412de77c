"""The equalities block: its questions, reading answers, and suppressing small groups."""

from __future__ import annotations

from surveys import equalities


def test_every_question_offers_prefer_not_to_say():
    for question in equalities.questions(["Drumlee"]):
        assert question.options[-1] == {"value": "prefer_not", "label": "Prefer not to say"}
        assert not question.required


def test_localities_are_asked_only_when_the_partnership_has_them():
    assert "locality" not in [q.key for q in equalities.questions([])]
    asked = equalities.questions(["Drumlee", "Kirkhallie"])[-1]
    assert [o["label"] for o in asked.options] == ["Drumlee", "Kirkhallie", "Prefer not to say"]


def test_parse_keeps_offered_codes_and_refuses_others():
    block = equalities.questions([])
    values, errors = equalities.parse(block, {"eq-age_band": ["16-24"], "eq-sex": ["unknown"]})
    assert values == {"age_band": "16-24"}
    assert [e.field_id for e in errors] == ["eq-sex"]


def test_small_groups_are_suppressed_with_a_second_cell_when_one_could_be_derived():
    assert equalities.suppress([40, 12, 3, 0]) == [40, None, None, 0]
    assert equalities.suppress([40, 12, 3, 5]) == [40, 12, None, None]
    assert equalities.suppress([40, 12, 10, 0]) == [40, 12, 10, 0]
