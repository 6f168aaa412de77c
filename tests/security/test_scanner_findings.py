"""What the DAST scan (bin/dast, docs/security.md) found, kept found: secrets compared with
hmac.compare_digest raised TypeError (a 500) when the visitor's value held non-ASCII text."""

from __future__ import annotations

import pytest

from engage.accounts import mfa
from engage.events import services as events
from surveys import drafts, services
from surveys.base import utcnow
from surveys.questions.base import Parsed
from tests import factories
from tests.engage.events_data import event
from tests.engage.test_participate import Respondent, form_for

ODD = "abc\u00bf'\"("  # what the scanner sent: ¿'"( after the real value


def test_a_survey_form_key_with_non_ascii_text_is_refused_not_a_crash(app, client, db, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)  # the form key is checked
    item = factories.consultation()
    person = Respondent(client, item)
    person.start()
    response = person.post(1, {**form_for(item), "form_key": ODD})
    assert response.status_code == 400
    assert "Your session had expired" in response.get_data(as_text=True)


@pytest.mark.parametrize("token", ["1-" + ODD, "\u0661-abc", "99999999999999999999999-abc"])
def test_a_booking_link_with_odd_characters_is_not_found(app, client, db, token):
    event()
    assert client.get(f"/events/booking/{token}").status_code == 404
    with app.app_context():
        assert events.signup_by_token(db, token) is None
        assert events.signup_by_feedback_token(db, token) is None


def test_a_one_time_code_in_other_digits_is_wrong_not_a_crash():
    assert mfa.code_matches(factories.TOTP_SECRET, "\u0661\u0662\u0663\u0664\u0665\u0666") is None
    assert mfa.code_matches(factories.TOTP_SECRET, "12345\u00bf") is None


def test_findings_count_matrix_and_ranking_answers_instead_of_failing(client, auth, db):
    """The scan's signed-in pass found /findings/<scorecard> a 500: a matrix or ranking answer is
    a dict, which the choice counts could not count."""
    item = factories.consultation(questions=False)
    matrix = services.add_question(
        db,
        item,
        type="matrix",
        title="How good is each service?",
        options=["Good", "Poor"],
        settings={"rows": [{"value": "r1", "label": "Buses"}, {"value": "r2", "label": "Parks"}]},
    )
    ranking = services.add_question(
        db, item, type="ranking", title="Put these in order", options=["Buses", "Parks"]
    )
    good, poor = (o["value"] for o in matrix.options)
    buses, parks = (o["value"] for o in ranking.options)
    for rows, order in (
        ({"r1": good, "r2": good}, {buses: 1, parks: 2}),
        ({"r1": poor}, {parks: 1, buses: 2}),
    ):
        services.submit_response(
            db,
            item,
            {matrix.id: Parsed(value=rows), ranking.id: Parsed(value=order)},
            token=drafts.new_token(),
            now=utcnow(),
        )
    assert services.choice_counts(db, matrix) == [("Good", 1), ("Poor", 1)]
    assert services.choice_counts(db, ranking) == [("Buses", 1), ("Parks", 1)]
    auth.login(factories.user("jog"))
    assert client.get(f"/findings/{item.id}").status_code == 200
