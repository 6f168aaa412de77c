"""The demo's figures read against its own database, page by page (issue 22: every total on
every page). Each check here was a mismatch found by reading the seeded demo's pages."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from engage.dates import UK
from engage.demo import seed
from engage.events.models import Event, EventSignup
from engage.mail import OutboxEmail
from engage.panel.models import MemberStatus, PanelExercise, PanelMember, PanelNewsletter
from surveys.models import Answer, Channel, Consultation, Document, Question, Response
from tests import factories

CONTENT = Path(seed.__file__).parent / "content"


def test_the_demo_figures_agree_with_its_database(app, client, db, auth, monkeypatch):
    monkeypatch.setattr(seed.findings, "dispatch", lambda session, celery, runs: None)
    with app.app_context():
        seed.run()
    public = client.get("/consultations/what-matters-most").get_data(as_text=True)

    # The published "Who took part, by area" file counts the stored answers (it said 41, 29,
    # 22, 27, 19, 18, 24 against 44, 43, 34, 22, 8, 10, 19).
    item = db.scalars(select(Consultation).where(Consultation.slug == "what-matters-most")).one()
    document = db.scalars(select(Document).where(Document.consultation_id == item.id)).all()
    by_area = next(d for d in document if d.title == "Who took part, by area")
    assert f"/documents/{by_area.id}" in public
    rows = list(csv.reader(io.StringIO(by_area.data.decode())))[1:]
    area = db.scalars(
        select(Question).where(Question.consultation_id == item.id, Question.type == "locality")
    ).one()
    stored = Counter(  # counted here: PostgreSQL cannot group by a JSON column
        db.scalars(select(Answer.value).where(Answer.question_id == area.id))
    )
    labels = {o["value"]: o["label"] for o in area.options}
    assert {name: int(n) for name, n in rows} == {labels[v]: n for v, n in stored.items()}

    # The past seminar's feedback survey shows as sent, with its answers counted, and those
    # answers came in through the event's feedback link.
    seminar = db.scalars(select(Event).where(Event.feedback_consultation_id.is_not(None))).one()
    assert seminar.feedback_sent_at is not None
    feedback = seminar.feedback_consultation
    channels = db.scalars(select(Response.channel).where(Response.consultation_id == feedback.id))
    assert set(channels) == {Channel.EVENT}
    attended = db.scalar(
        select(func.count()).where(
            EventSignup.event_id == seminar.id, EventSignup.attended_at.is_not(None)
        )
    )
    answered = db.scalar(select(func.count()).where(Response.consultation_id == feedback.id))
    auth.login(factories.user("admin"))
    page = client.get(f"/manage/events/{seminar.id}").get_data(as_text=True)
    assert f"{answered} of {attended} attendees have answered" in page

    # Everyone signed up to the cancelled workshop was emailed, as the page says.
    workshop = db.scalars(select(Event).where(Event.cancelled_at.is_not(None))).one()
    told = db.scalars(select(EventSignup.email).where(EventSignup.event_id == workshop.id)).all()
    assert told
    for address in told:
        assert db.scalar(select(func.count()).where(OutboxEmail.to == address)) >= 1

    # The spring newsletter's recipients are those it could reach by email, as sending counts.
    spring = db.scalars(select(PanelNewsletter).where(PanelNewsletter.title.like("Spring%"))).one()
    emailable = [
        m
        for m in db.scalars(select(PanelMember).where(PanelMember.status == MemberStatus.ACTIVE))
        if m.emailable and m.newsletters
    ]
    assert spring.recipients == len(emailable)

    # The panel exercise's "cannot be emailed" counts those still to answer, as the letters do.
    exercise = db.scalars(select(PanelExercise).where(PanelExercise.sent_at.is_not(None))).first()
    unanswered = [
        i for i in exercise.invitations if i.responded_at is None and not i.member.emailable
    ]
    page = client.get(f"/manage/panel/exercises/{exercise.id}").get_data(as_text=True)
    assert unanswered, "the demo has postal members still to answer"
    assert f">{len(unanswered)} members who have not answered" in page

    # The scorecards close on the day their content gives, in the UK (23:00 UTC in June was
    # the next day).
    content = json.loads((CONTENT / "scorecard.json").read_text())
    for year in content["years"]:
        card = db.scalars(select(Consultation).where(Consultation.title == year["title"])).one()
        closes = date.fromisoformat(year["closes"])
        assert card.closes_at.astimezone(UK).date() == closes
        page = client.get(f"/consultations/{card.slug}").get_data(as_text=True)
        assert f"{closes.day} {closes:%B %Y}" in page
