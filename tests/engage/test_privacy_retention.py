"""Retention schedules: a consultation's responses are anonymised (or deleted) once its period
after closing has passed, event sign-ups lose their personal details 6 months after the event,
each change is audited with counts, and running the job again changes nothing.

Runs on the configured database (PostgreSQL in CI) and on SQLite otherwise."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from engage.audit.models import AuditEvent
from engage.events.models import EventSignup
from engage.mail import OutboxEmail, queue_email
from engage.panel.models import PanelInvitation
from engage.privacy import retention
from surveys import drafts
from surveys.base import utcnow
from surveys.models import Answer, Draft, EqualitiesAnswers, Response
from tests import factories
from tests.engage.privacy_data import DEFAULTS, consultation, respond, signed_up
from worker import tasks

PERSONAL = (
    "My name is Fiona Mackay, I live at 12 High Street KA1 1AA: email fiona@example.org "
    "or call 07700 900982"
)


def audit_rows(db, action):
    db.expire_all()
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def answers_of(db, response):
    db.expire_all()
    return {
        a.question_id: a
        for a in db.scalars(select(Answer).where(Answer.response_id == response.id))
    }


def test_due_responses_are_anonymised_once_and_the_counts_stand(db):
    due = consultation(closed_days_ago=800)
    recent = consultation(closed_days_ago=10)
    choice, _many, free, contact = due.questions
    response = respond(due, text=PERSONAL, email="fiona@example.org")
    untouched = respond(recent, text=PERSONAL, email="fiona@example.org")
    old_token = response.submission_token
    drafts.save(
        db, due, None, token=drafts.new_token(), values={"q1": ["x"]}, path=[], now=utcnow()
    )
    member = _panel_link(db, due, response)

    outcome = retention.apply_due(db, now=utcnow(), defaults=DEFAULTS)

    assert outcome["retention_anonymised"] == 1
    assert outcome["retention_deleted"] == 0
    after = answers_of(db, response)
    assert contact.id not in after  # the email address answer is gone
    assert after[choice.id].value == "o1"  # counted answers stand
    masked = after[free.id].text
    for detail in ("Mackay", "12 High", "KA1 1AA", "fiona@example.org", "07700"):
        assert detail not in masked
    assert after[free.id].value == masked
    db.refresh(response)
    assert response.submission_token != old_token
    eq = db.scalar(select(EqualitiesAnswers).where(EqualitiesAnswers.response_id == response.id))
    assert (eq.age_band, eq.sex, eq.carer, eq.locality) == ("25-34", "female", "none", "North")
    assert (eq.trans, eq.disability, eq.ethnicity, eq.sexual_orientation, eq.religion) == (
        None,
    ) * 5
    assert (
        db.scalar(select(func.count()).select_from(Draft).where(Draft.consultation_id == due.id))
        == 0
    )
    assert db.get(PanelInvitation, member).response_id is None
    assert db.scalar(select(func.count()).where(Response.consultation_id == due.id)) == 1
    # The consultation not yet due keeps everything.
    kept = answers_of(db, untouched)
    assert kept[recent.questions[2].id].text == PERSONAL
    assert kept[recent.questions[3].id].value == "fiona@example.org"
    (row,) = audit_rows(db, "retention.anonymised")
    assert (row.target_type, row.target_id, row.actor_id) == ("consultation", str(due.id), None)
    assert row.detail["responses_kept"] == 1
    assert row.detail["contact_answers_deleted"] == 1
    assert row.detail["free_text_answers_masked"] == 1
    assert row.detail["equalities_answers_reduced"] == 1
    assert row.detail["drafts_deleted"] == 1
    policy = retention.policy(db, due, DEFAULTS)
    assert policy.applied_action == "anonymise"
    assert policy.applied_at is not None

    # Idempotent: a second run finds nothing due and writes nothing.
    again = retention.apply_due(db, now=utcnow() + timedelta(minutes=1), defaults=DEFAULTS)
    assert again["retention_anonymised"] == again["retention_deleted"] == 0
    assert len(audit_rows(db, "retention.anonymised")) == 1
    assert answers_of(db, response)[free.id].text == masked


def _panel_link(db, item, response) -> int:
    from engage.panel.models import PanelExercise
    from tests.engage.test_panel import member

    person = member(db, name="Fiona Mackay", email="fiona@example.org")
    exercise = PanelExercise(consultation_id=item.id, title="Panel")
    db.add(exercise)
    db.flush()
    invitation = PanelInvitation(
        exercise_id=exercise.id, member_id=person.id, token_hash="1" * 64, response_id=response.id
    )
    db.add(invitation)
    db.flush()
    return invitation.id


def test_an_officers_schedule_to_delete_comes_due_sooner(db):
    item = consultation(closed_days_ago=200)
    respond(item, text="Buses", email="a@example.org")
    respond(item, text="Parks")
    assert retention.apply_due(db, now=utcnow(), defaults=DEFAULTS)["retention_deleted"] == 0
    officer = factories.user("officer", organisation_=item.organisation)
    retention.set_schedule(db, item, days=183, action="delete", actor=officer)
    policy = retention.policy(db, item, DEFAULTS)
    assert policy.due_at == item.closes_at + timedelta(days=183)
    assert not policy.is_default

    outcome = retention.apply_due(db, now=utcnow(), defaults=DEFAULTS)

    assert outcome["retention_deleted"] == 1
    assert db.scalar(select(func.count()).where(Response.consultation_id == item.id)) == 0
    assert db.scalar(select(func.count()).where(EqualitiesAnswers.consultation_id == item.id)) == 0
    (row,) = audit_rows(db, "retention.deleted")
    assert row.detail["responses_deleted"] == 2
    assert retention.apply_due(db, now=utcnow(), defaults=DEFAULTS)["retention_deleted"] == 0
    assert len(audit_rows(db, "retention.deleted")) == 1


def test_an_open_consultation_is_never_due(db):
    item = consultation(closed_days_ago=None)
    respond(item, text=PERSONAL, email="fiona@example.org")
    far = utcnow() + timedelta(days=3000)
    outcome = retention.apply_due(db, now=far, defaults=DEFAULTS)
    assert outcome["retention_anonymised"] == outcome["retention_deleted"] == 0


def test_event_sign_ups_lose_personal_details_six_months_after_the_event(db):
    old = signed_up(
        "Fiona Mackay", ended_days_ago=200, attended=True, organisation_name="Kirk Trust"
    )
    absent = signed_up("Sam Jones", ended_days_ago=200)
    absent.event_id = old.event_id
    recent = signed_up("Ali Resident", ended_days_ago=20)
    db.flush()

    outcome = retention.apply_due(db, now=utcnow(), defaults=DEFAULTS)

    assert outcome["retention_events"] == 1
    db.expire_all()
    for signup in (db.get(EventSignup, old.id), db.get(EventSignup, absent.id)):
        assert (signup.name, signup.email, signup.phone) == ("", "", "")
        assert (signup.needs, signup.needs_detail, signup.check_in_code) == ([], "", "")
        assert signup.status == "confirmed"
    kept = db.get(EventSignup, old.id)
    assert kept.attended_at is not None
    assert kept.organisation_name == "Kirk Trust"
    assert db.get(EventSignup, recent.id).name == "Ali Resident"
    (row,) = audit_rows(db, "retention.event_signups")
    assert row.target_id == str(old.event_id)
    assert row.detail == {"sign_ups_cleared": 2, "attended": 1}
    assert retention.apply_due(db, now=utcnow(), defaults=DEFAULTS)["retention_events"] == 0
    assert len(audit_rows(db, "retention.event_signups")) == 1


def test_sent_emails_are_deleted_after_90_days(db):
    old = queue_email(db, to="", subject="Your place at the forum, Fiona", body="Hello Fiona")
    old.sent_at = utcnow() - timedelta(days=91)
    new = queue_email(db, to="", subject="Your place", body="Hello")
    new.sent_at = utcnow() - timedelta(days=5)
    waiting = queue_email(db, to="sam@example.org", subject="Waiting", body="Hello")
    db.flush()
    assert retention.apply_due(db, now=utcnow(), defaults=DEFAULTS)["retention_emails"] == 1
    left = set(db.scalars(select(OutboxEmail.id)))
    assert old.id not in left
    assert {new.id, waiting.id} <= left


def test_the_workers_tick_applies_due_schedules(app, db, monkeypatch):
    from types import SimpleNamespace

    item = consultation(closed_days_ago=800)
    response = respond(item, text=PERSONAL, email="fiona@example.org")
    monkeypatch.setitem(
        app.extensions, "celery", SimpleNamespace(send_task=lambda *a, **k: SimpleNamespace(id="x"))
    )
    with app.app_context():
        outcome = tasks.tick.run()
    assert outcome["retention_anonymised"] == 1
    assert item.questions[3].id not in answers_of(db, response)
    with app.app_context():
        assert tasks.tick.run()["retention_anonymised"] == 0


# The officer's page ------------------------------------------------------------------------------


def test_an_officer_sees_and_sets_when_responses_are_removed(client, auth, db):
    item = consultation(closed_days_ago=10)
    officer = factories.user("officer", organisation_=item.organisation)
    auth.login(officer)
    detail = client.get(f"/manage/{item.id}").get_data(as_text=True)
    assert "Keeping responses" in detail
    assert "Anonymise the responses on" in detail
    assert "(the partnership’s default)" in detail
    page = client.get(f"/manage/{item.id}/retention").get_data(as_text=True)
    assert "What anonymising does" in page
    assert "2 years after the consultation closes" in page
    wrong = client.post(f"/manage/{item.id}/retention", data={"days": "365"})
    assert wrong.status_code == 400
    text = wrong.get_data(as_text=True)
    assert text.split("</title>")[0].count("Error:") == 1
    assert "Select what should happen to the responses" in text
    assert 'value="365" checked' in text  # the choice made is kept
    done = client.post(f"/manage/{item.id}/retention", data={"days": "365", "action": "delete"})
    assert done.status_code == 303
    policy = retention.policy(db, item, DEFAULTS)
    assert (policy.days, policy.action) == (365, "delete")
    (row,) = audit_rows(db, "retention.schedule_set")
    assert row.detail == {"days": 365, "then": "delete"}
    detail = client.get(f"/manage/{item.id}").get_data(as_text=True)
    assert "Delete the responses on" in detail


def test_another_partners_officer_cannot_change_the_schedule(client, auth, db):
    item = consultation(closed_days_ago=10)
    auth.login(factories.user("officer"))
    response = client.post(f"/manage/{item.id}/retention", data={"days": "183", "action": "delete"})
    assert response.status_code == 403
    assert retention.schedule_of(db, item) is None


def test_findings_still_open_after_the_responses_are_anonymised_or_deleted(client, auth, db):
    from tests.engage.curation_data import analysed

    anonymised, deleted = analysed(db), analysed(db)
    for data in (anonymised, deleted):
        data.consultation.closes_at = utcnow() - timedelta(days=800)
    retention.set_schedule(db, deleted.consultation, days=365, action="delete", actor=None)
    outcome = retention.apply_due(db, now=utcnow(), defaults=DEFAULTS)
    assert (outcome["retention_anonymised"], outcome["retention_deleted"]) == (1, 1)
    auth.login(factories.user("jog"))
    for data in (anonymised, deleted):
        page = client.get(f"/findings/{data.consultation.id}")
        assert page.status_code == 200
    assert "Buses" in client.get(f"/findings/{anonymised.consultation.id}").get_data(as_text=True)
