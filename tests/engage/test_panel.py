"""The Residents' Panel through the web: joining, confirming, the member's own page, paper
forms and duplicates, exercises with single-use links, reminders, newsletters, unsubscribing,
bounces and privacy. Emails are read from the outbox."""

from __future__ import annotations

import itertools
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engage.audit.models import AuditEvent
from engage.mail import OutboxEmail
from engage.panel import exercises, jobs, privacy
from engage.panel.models import MemberStatus, PanelExercise, PanelInvitation, PanelMember
from engage.panel.services import Details, add_from_paper
from surveys.base import utcnow
from surveys.models import Channel, ConsultationStatus, Response
from tests import factories
from tests.engage.test_participate import Respondent

LOCALITIES = ["Craigmuir North", "Craigmuir South"]
COUNTER = itertools.count(1)


@pytest.fixture(autouse=True)
def localities(app, monkeypatch):
    monkeypatch.setitem(app.config, "LOCALITIES", LOCALITIES)


@pytest.fixture
def ctx(app):
    """An application context for calling services directly (emails need the app's settings)."""
    return app.app_context


def join_form(**overrides):
    form = {
        "name": "Sam Resident",
        "email": "sam@example.org",
        "postcode": "ka1 1aa",
        "contact_by": "email",
        "newsletters": "yes",
        "eq-age_band": "25-34",
        "eq-locality": "Craigmuir North",
        "eq-sex": "female",
        "consent": "yes",
    }
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


def emails_to(db, address):
    return db.scalars(
        select(OutboxEmail).where(OutboxEmail.to == address).order_by(OutboxEmail.id)
    ).all()


def link_in(email, pattern):
    match = re.search(rf"https?://[^\s]+{pattern}[^\s]*", email.body)
    assert match, email.body
    return "/" + match.group(0).split("://", 1)[1].split("/", 1)[1]


def member(db, **kw):
    details = Details(
        name=kw.get("name", f"Member {next(COUNTER)}"),
        email=kw.get("email", ""),
        contact_by="email" if kw.get("email") else "post",
        address="1 High Street",
        postcode=kw.get("postcode", "KA1 1AA"),
    )
    profile = kw.get("profile", {"age_band": "25-34", "locality": LOCALITIES[0]})
    return add_from_paper(
        db, details, profile, signed_on=utcnow(), now=utcnow(), term_years=3, officer_id=None
    )


def test_joining_needs_consent_and_keeps_what_was_typed(client, db):
    response = client.post("/panel/join", data=join_form(consent=None, **{"eq-locality": None}))
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Error:" in text.split("</title>")[0]
    assert "Tick the box to say you agree" in text
    assert "Answer: Which area do you live in?" in text
    assert 'value="Sam Resident"' in text
    assert db.scalar(select(func.count()).select_from(PanelMember)) == 0


def test_join_confirm_by_email_and_see_own_page(client, db):
    response = client.post("/panel/join", data=join_form(wave="spring"))
    assert response.status_code == 303
    person = db.scalars(select(PanelMember)).one()
    assert person.status == MemberStatus.PENDING
    assert person.email == "sam@example.org"
    assert person.postcode == "KA1 1AA"
    assert person.recruitment_wave == "spring"
    (email,) = emails_to(db, "sam@example.org")
    assert email.html
    assert "Confirm your email address" in email.html
    confirm = link_in(email, "/panel/confirm/")
    assert client.get(confirm).status_code == 200  # a page with a button: scanners confirm nothing
    assert person.status == MemberStatus.PENDING
    done = client.post(confirm)
    assert "You have joined the Residents" in done.get_data(as_text=True)
    db.refresh(person)
    assert person.status == MemberStatus.ACTIVE
    assert person.term_ends_at is not None
    assert client.post(confirm).status_code == 404  # single use
    page = client.get("/panel/me")
    assert "Your panel page" in page.get_data(as_text=True)


def test_a_second_sign_up_with_the_same_address_is_not_a_second_member(client, db):
    client.post("/panel/join", data=join_form())
    response = client.post("/panel/join", data=join_form(name="Sam Again", email="SAM@example.org"))
    assert response.status_code == 303  # the same answer: the form never says who is a member
    assert db.scalar(select(func.count()).select_from(PanelMember)) == 1
    subjects = [e.subject for e in emails_to(db, "sam@example.org")]
    assert subjects[-1] == "You are already on the Residents' Panel"


def test_sign_in_by_emailed_link_update_details_and_leave(client, db):
    person = member(db, email="jo@example.org", name="Jo Member")
    db.flush()
    assert client.get("/panel/me").status_code == 302
    client.post("/panel/sign-in", data={"email": "nobody@example.org"})
    assert emails_to(db, "nobody@example.org") == []
    client.post("/panel/sign-in", data={"email": "Jo@example.org"})
    (email,) = emails_to(db, "jo@example.org")
    link = link_in(email, "/panel/sign-in/")
    assert client.post(link).status_code == 303
    assert client.post(link).status_code == 404  # spent
    bad = client.post("/panel/me/details", data=join_form(name="Jo Member", email="not-an-email"))
    assert bad.status_code == 400
    assert "Enter an email address in the correct format" in bad.get_data(as_text=True)
    good = client.post(
        "/panel/me/details",
        data=join_form(name="Jo Member", email="jo@example.org", newsletters=None),
    )
    assert good.status_code == 303
    db.expire_all()
    assert person.newsletters is False
    assert person.profile["sex"] == "female"
    assert client.post("/panel/me/leave").status_code == 200
    db.expire_all()
    assert person.status == MemberStatus.LEFT
    assert person.left_at is not None
    assert client.get("/panel/me").status_code == 302  # signed out


def test_officer_adds_a_paper_member_and_duplicates_are_caught(client, db, auth):
    officer = factories.user("officer")
    auth.login(officer)
    form = join_form(email="", contact_by="post", address="2 Kirk Road", consent="yes")
    form.update({"signed-day": "3", "signed-month": "2", "signed-year": "2026"})
    assert client.post("/manage/panel/members/new", data=form).status_code == 303
    paper = db.scalars(select(PanelMember)).one()
    assert paper.status == MemberStatus.ACTIVE
    assert paper.joined_via == "paper"
    assert paper.added_by_id == officer.id
    again = client.post("/manage/panel/members/new", data={**form, "name": "sam resident"})
    assert again.status_code == 400
    text = again.get_data(as_text=True)
    assert "This person may already be on the panel" in text
    assert 'value="2 Kirk Road"' in text or "2 Kirk Road</textarea>" in text
    anyway = client.post("/manage/panel/members/new", data={**form, "not_duplicate": "yes"})
    assert anyway.status_code == 303
    assert db.scalar(select(func.count()).select_from(PanelMember)) == 2


def test_residents_cannot_reach_officer_pages(client, db, auth):
    assert client.get("/manage/panel/").status_code == 302
    auth.login(factories.user("jog"))
    assert client.get("/manage/panel/").status_code == 403


def make_exercise(db, consultation, **kw):
    return exercises.create(
        db,
        consultation,
        title=kw.get("title", "Town centre survey"),
        send_on=None,
        sample_size=kw.get("sample_size"),
        strata=kw.get("strata", []),
        reminder_days=kw.get("reminder_days", [7]),
        officer_id=None,
    )


def answer_through_link(client, db, link, consultation):
    opened = client.get(link)
    assert opened.status_code == 303, opened.get_data(as_text=True)
    respondent = Respondent(client, consultation)
    respondent.base = opened.headers["Location"].rsplit("/", 1)[0]
    q1, q2, q3 = consultation.questions
    respondent.post(1, {q1.field_name: "o1", q3.field_name: "More buses"})
    return respondent.submit()


def test_unique_link_answers_once_and_only_its_exercise(client, db, ctx):
    survey = factories.consultation()
    other = factories.consultation()
    one = member(db, email="ana@example.org")
    exercise = make_exercise(db, survey)
    second = make_exercise(db, other, title="Other")
    with ctx():
        assert exercises.send(db, exercise, now=utcnow()) == 1
        exercises.send(db, second, now=utcnow())
    email = emails_to(db, "ana@example.org")[0]
    assert "List-Unsubscribe" in email.headers
    link = link_in(email, f"/panel/exercises/{exercise.id}/answer/")
    token = link.rsplit("/", 1)[1]
    # The same token for another exercise is refused.
    assert client.get(f"/panel/exercises/{second.id}/answer/{token}").status_code == 404
    assert answer_through_link(client, db, link, survey).status_code == 303
    db.expire_all()
    invite = db.scalars(
        select(PanelInvitation).where(PanelInvitation.exercise_id == exercise.id)
    ).one()
    assert invite.member_id == one.id
    assert invite.responded_at is not None
    stored = db.get(Response, invite.response_id)
    assert stored.channel == Channel.PANEL
    assert stored.consultation_id == survey.id
    again = client.get(link)
    assert again.status_code == 410
    assert "You have already answered" in again.get_data(as_text=True)
    # Its survey draft's token is no use on another consultation either.
    q1 = other.questions[0]
    reused = client.post(
        f"/consultations/{other.slug}/respond/{invite.draft_token}/1", data={q1.field_name: "o1"}
    )
    assert reused.status_code in (302, 404)
    assert db.scalar(select(func.count()).where(Response.consultation_id == other.id)) == 0
    assert db.scalar(select(func.count()).where(Response.consultation_id == survey.id)) == 1


def test_reminders_go_to_non_responders_only_on_the_schedule(client, db, ctx):
    survey = factories.consultation()
    answered = member(db, email="a@example.org")
    waiting = member(db, email="b@example.org")
    by_post = member(db)
    exercise = make_exercise(db, survey, reminder_days=[7, 14])
    start = utcnow() - timedelta(days=8)
    with ctx():
        exercises.send(db, exercise, now=start)
    link = link_in(emails_to(db, "a@example.org")[0], "/answer/")
    answer_through_link(client, db, link, survey)
    db.expire_all()
    with ctx():
        outcome = jobs.tick(db, now=utcnow(), retention_days=365)
    assert outcome["panel_reminded"] == 1  # day 7 has passed, day 14 not yet
    assert [e.subject.startswith("Reminder") for e in emails_to(db, "b@example.org")] == [
        False,
        True,
    ]
    assert len(emails_to(db, "a@example.org")) == 1
    with ctx():
        assert jobs.tick(db, now=utcnow(), retention_days=365)["panel_reminded"] == 0
    rates = exercises.rates(exercise, [])
    assert (rates["overall"].invited, rates["overall"].answered) == (3, 1)
    assert answered.id
    assert waiting.id
    assert by_post.id


def test_the_exercise_page_shows_rates_and_sends_a_reminder(client, db, auth):
    auth.login(factories.user("officer"))
    survey = factories.consultation(title="Parks")
    for n in range(3):
        member(
            db,
            email=f"p{n}@example.org",
            profile={"age_band": "16-24", "locality": LOCALITIES[n % 2]},
        )
    form = {
        "consultation": str(survey.id),
        "audience": "sample",
        "size": "2",
        "strata": "locality",
        "reminders": "7",
    }
    created = client.post("/manage/panel/exercises/new", data=form)
    assert created.status_code == 303
    exercise = db.scalars(select(PanelExercise)).one()
    assert exercise.sample_size == 2
    assert exercise.strata == ["locality"]
    client.post(f"/manage/panel/exercises/{exercise.id}/send")
    db.expire_all()
    assert len(exercise.invitations) == 2
    assert {i.member.profile["locality"] for i in exercise.invitations} == set(LOCALITIES)
    page = client.get(f"/manage/panel/exercises/{exercise.id}").get_data(as_text=True)
    assert "0 of 2" in page
    assert "Craigmuir North" in page
    reminded = client.post(f"/manage/panel/exercises/{exercise.id}/remind", follow_redirects=True)
    assert "Reminders sent to 2 members" in reminded.get_data(as_text=True)
    bad = client.post("/manage/panel/exercises/new", data={**form, "size": "lots"})
    assert bad.status_code == 400
    assert "whole number like 200" in bad.get_data(as_text=True)


def test_balance_highlights_gaps_against_population(client, db, auth):
    from engage.population import services as population

    population.replace(db, "age_band", {"16-24": 500, "65-74": 500})
    for n in range(20):
        member(db, profile={"age_band": "65-74", "locality": LOCALITIES[0]}, name=f"Older {n}")
    auth.login(factories.user("officer"))
    page = client.get("/manage/panel/balance").get_data(as_text=True)
    gaps = page.split('id="gaps"')[1].split("</ul>")[0]
    assert "16 to 24" in gaps
    assert "10 to recruit" in gaps


def test_newsletter_preview_send_archive_and_unsubscribe(client, db, auth):
    auth.login(factories.user("officer"))
    reader = member(db, email="reader@example.org")
    quiet = member(db, email="quiet@example.org")
    quiet.newsletters = False
    db.flush()
    empty = client.post("/manage/panel/newsletters/new", data={"title": ""})
    assert empty.status_code == 400
    assert "Enter a title" in empty.get_data(as_text=True)
    saved = client.post(
        "/manage/panel/newsletters/new",
        data={
            "title": "Spring 2027",
            "intro": "Hello panel",
            "heading-1": "Buses",
            "body-1": "You said.",
        },
    )
    preview = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "It will go to 1 members" in preview
    assert "Buses" in preview
    newsletter_id = int(saved.headers["Location"].rsplit("/", 1)[1])
    client.post(f"/manage/panel/newsletters/{newsletter_id}/send")
    client.post(f"/manage/panel/newsletters/{newsletter_id}/send")  # twice: sent once
    (email,) = emails_to(db, "reader@example.org")
    assert emails_to(db, "quiet@example.org") == []
    assert "Spring 2027" in client.get("/panel/newsletters").get_data(as_text=True)
    unsubscribe = email.headers["List-Unsubscribe"].strip("<>").split("://", 1)[1].split("/", 1)[1]
    assert client.post("/" + unsubscribe).status_code == 200  # one-click, no cookie or form
    db.expire_all()
    assert reader.newsletters is False
    assert reader.unsubscribed_at is None


def test_bounced_addresses_are_not_emailed(client, db, auth, ctx):
    auth.login(factories.user("officer"))
    bounced = member(db, email="gone@example.org")
    response = client.post(
        "/manage/panel/bounces", data={"addresses": "<GONE@example.org>\nx@y.org"}
    )
    assert response.status_code == 303
    db.expire_all()
    assert bounced.bounced_at is not None
    assert not bounced.emailable
    exercise = make_exercise(db, factories.consultation())
    with ctx():
        exercises.send(db, exercise, now=utcnow())
    assert emails_to(db, "gone@example.org") == []


def test_subject_access_export_erasure_and_retention(client, db, auth, ctx):
    auth.login(factories.user("officer"))
    survey = factories.consultation()
    person = member(db, email="kim@example.org", name="Kim Erase")
    exercise = make_exercise(db, survey)
    with ctx():
        exercises.send(db, exercise, now=utcnow())
    answer_through_link(
        client, db, link_in(emails_to(db, "kim@example.org")[0], "/answer/"), survey
    )
    client.get("/manage/panel/")  # signed in still
    export = client.get(f"/manage/panel/members/{person.id}/export")
    data = json.loads(export.get_data(as_text=True))
    assert data["member"]["email"] == "kim@example.org"
    assert data["invitations"][0]["answers"]
    refused = client.post(f"/manage/panel/members/{person.id}/erase", data={})
    assert refused.status_code == 400
    person_id = person.id
    client.post(f"/manage/panel/members/{person_id}/erase", data={"confirm": "yes"})
    db.expire_all()
    assert db.get(PanelMember, person_id) is None
    assert db.scalar(select(func.count()).where(Response.consultation_id == survey.id)) == 0

    former = member(db, email="old@example.org", name="Old Member")
    former.status = MemberStatus.LEFT
    former.left_at = utcnow() - timedelta(days=400)
    recent = member(db, email="new@example.org")
    recent.status = MemberStatus.LEFT
    recent.left_at = utcnow() - timedelta(days=10)
    outcome = privacy.apply_retention(db, now=utcnow(), retention_days=365)
    assert outcome["panel_details_removed"] == 1
    assert former.email is None
    assert former.name == ""
    assert former.status == MemberStatus.REMOVED
    assert former.profile  # kept, unlinked, for the balance history
    assert recent.email == "new@example.org"

    logged = db.execute(
        select(AuditEvent.action, AuditEvent.target_id)
        .where(AuditEvent.action.startswith("panel."))
        .order_by(AuditEvent.id)
    ).all()
    assert [action for action, _ in logged] == [
        "panel.member.exported",
        "panel.member.erased",
        "panel.retention",
    ]
    assert logged[0].target_id == logged[1].target_id == str(person_id)


def test_ended_terms_retire_and_closed_surveys_refuse_links(client, db, ctx):
    person = member(db, email="t@example.org")
    person.term_ends_at = utcnow() - timedelta(days=1)
    assert privacy.retire_ended_terms(db, now=utcnow()) == 1
    assert person.status == MemberStatus.RETIRED
    survey = factories.consultation(status=ConsultationStatus.CLOSED)
    exercise = make_exercise(db, survey)
    with pytest.raises(exercises.ExerciseError), ctx():
        exercises.send(db, exercise, now=utcnow())
