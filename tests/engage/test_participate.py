from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from surveys.base import utcnow
from surveys.models import Answer, Response
from tests import factories


def form_for(item, *, choice="o1", many=("o1",), text="More buses to the hospital", token=None):
    q1, q2, q3 = item.questions
    data = {q1.field_name: choice, q2.field_name: list(many), q3.field_name: text}
    if token:
        data["submission_token"] = token
    return data


def stored(db, item) -> int:
    return db.scalar(select(func.count()).where(Response.consultation_id == item.id))


def test_hub_lists_open_consultations_only(client, db):
    shown = factories.consultation(title="Buses and bridges")
    factories.consultation(title="Secret draft", status="draft")
    page = client.get("/").get_data(as_text=True)
    assert shown.title in page
    assert "Secret draft" not in page
    assert client.get(f"/consultations/{shown.slug}").status_code == 200


def test_draft_consultation_is_not_public(client, db):
    draft = factories.consultation(status="draft")
    assert client.get(f"/consultations/{draft.slug}").status_code == 404
    assert client.get(f"/consultations/{draft.slug}/respond").status_code == 404


def test_resident_answers_without_an_account_and_sees_confirmation(client, db):
    item = factories.consultation()
    response = client.post(f"/consultations/{item.slug}/respond", data=form_for(item))
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Response sent" in page
    db.expire_all()
    saved = db.scalars(select(Response).where(Response.consultation_id == item.id)).one()
    values = {a.question_id: a.value for a in saved.answers}
    q1, q2, q3 = item.questions
    assert values == {q1.id: "o1", q2.id: ["o1"], q3.id: "More buses to the hospital"}
    assert db.scalar(select(Answer.text).where(Answer.question_id == q3.id)) == (
        "More buses to the hospital"
    )


def test_missing_and_wrong_answers_are_summarised_and_entries_kept(client, db):
    item = factories.consultation()
    q1, q2, q3 = item.questions
    data = form_for(item, choice="", many=("o1", "o2", "o3"), text="Keep the library open")
    response = client.post(f"/consultations/{item.slug}/respond", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "<title>Error:" in page
    assert "There is a problem" in page
    assert f'href="#{q1.field_name}"' in page
    assert "Question 1: Select an answer" in page
    assert "Question 2: Select no more than 2 answers" in page
    # What the person entered is still there.
    assert "Keep the library open" in page
    assert page.count("checked") == 3
    assert stored(db, item) == 0


def test_free_text_over_the_limit_is_refused_with_the_text_kept(client, db):
    item = factories.consultation()
    long = "word " * 200
    response = client.post(f"/consultations/{item.slug}/respond", data=form_for(item, text=long))
    assert response.status_code == 400
    assert "must be 500 characters or fewer" in response.get_data(as_text=True)
    assert "word word word" in response.get_data(as_text=True)


def test_a_second_submit_of_the_same_form_stores_one_response(client, db):
    item = factories.consultation()
    data = form_for(item, token="t" * 32)
    first = client.post(f"/consultations/{item.slug}/respond", data=data)
    second = client.post(f"/consultations/{item.slug}/respond", data=data)
    assert first.status_code == second.status_code == 303
    assert stored(db, item) == 1


def test_closed_consultation_refuses_responses(client, db):
    item = factories.consultation(closes_at=utcnow() - timedelta(minutes=1))
    response = client.post(f"/consultations/{item.slug}/respond", data=form_for(item))
    assert response.status_code == 410
    assert stored(db, item) == 0


def test_unknown_option_is_an_error_not_stored(client, db):
    item = factories.consultation()
    response = client.post(
        f"/consultations/{item.slug}/respond", data=form_for(item, choice="<script>")
    )
    assert response.status_code == 400
    assert "Select one of the options shown" in response.get_data(as_text=True)
