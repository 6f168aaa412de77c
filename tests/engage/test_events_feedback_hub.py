"""An event's feedback survey is for the people who came: it is answered from their own links,
never listed or found on the consultation hub, and no one starts it without a link."""

from __future__ import annotations

from sqlalchemy import select

from engage.events import attendance, services
from surveys.base import utcnow
from surveys.drafts import Draft
from tests import factories
from tests.engage.events_data import details, event


def test_the_feedback_survey_is_not_on_the_hub_but_attendees_answer_it(client, db, app):
    officer = factories.user(role="officer")
    public = factories.consultation(officer.organisation, title="Harbour feedback plans")
    item = event(organisation=officer.organisation, title="Harbour forum")
    came = services.sign_up(db, item, details("Ann A"), now=utcnow())
    came.attended_at = utcnow()
    with app.test_request_context():
        survey = attendance.create_feedback_survey(db, item, officer_id=officer.id, now=utcnow())
        attendance.send_feedback(db, item, now=utcnow())
        link = f"/events/feedback/{services.feedback_token(came)}"
    assert survey.personal_links_only
    assert survey.status == "open"
    assert survey.title == "Feedback: Harbour forum"

    hub = client.get("/").get_data(as_text=True)
    assert public.title in hub  # an ordinary open consultation is listed ...
    assert survey.title not in hub  # ... the feedback survey is not
    found = client.get("/?q=feedback").get_data(as_text=True)
    assert public.title in found
    assert survey.title not in found
    assert survey.title not in client.get("/?q=Harbour+forum").get_data(as_text=True)
    partner = client.get(f"/?partner={officer.organisation.code}").get_data(as_text=True)
    assert survey.title not in partner

    # Its page says only those with a link answer; there is no way in without one.
    page = client.get(f"/consultations/{survey.slug}").get_data(as_text=True)
    assert "Only the people we sent a personal link to" in page
    assert f"/consultations/{survey.slug}/respond" not in page
    assert client.get(f"/consultations/{survey.slug}/respond").status_code == 404
    made_up = f"/consultations/{survey.slug}/respond/{'a' * 32}/1"
    assert client.get(made_up).status_code == 404
    assert client.post(made_up, data={}).status_code == 404
    assert db.scalars(select(Draft).where(Draft.consultation_id == survey.id)).all() == []

    # The attendee's own link opens it.
    opened = client.get(link)
    assert opened.status_code == 303
    first_page = client.get(opened.headers["Location"])
    assert first_page.status_code == 200
    assert "Overall, how useful was the event for you?" in first_page.get_data(as_text=True)
