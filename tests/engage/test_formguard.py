"""Bot checks instead of a CAPTCHA (engage/formguard.py): a honeypot field nobody meets and a
signed form-start time. A form sent back too soon, or with the honeypot filled in, is shown again
with everything kept and a polite request: nothing is dropped silently. Officers' paper entry is
exempt. The minimum time is the production default, 3 seconds, in every test here."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from engage.events.models import EventSignup
from engage.panel.models import PanelMember
from engage.web import formguard
from surveys import drafts
from surveys.base import utcnow
from surveys.models import Draft, Response
from tests import factories
from tests.engage.events_data import event
from tests.engage.test_panel import join_form
from tests.engage.test_participate import Respondent, form_for

AGAIN = "Please check your answers and send them again."


@pytest.fixture(autouse=True)
def three_seconds(app, monkeypatch):
    monkeypatch.setitem(app.config, "FORM_MIN_SECONDS", 3)


def count(db, model) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model))


class Fields(HTMLParser):
    """Every <input> and <label for> on a page, by name / for."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.inputs: dict[str, dict] = {}
        self.labels: dict[str, str] = {}
        self.hidden_by: dict[str, dict] = {}
        self._stack: list[dict] = []
        self._label: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input":
            self.inputs[attrs.get("name", "")] = attrs
            if self._stack:
                self.hidden_by[attrs.get("name", "")] = self._stack[-1]
        elif tag == "div":
            self._stack.append(attrs)
        elif tag == "label":
            self._label = attrs.get("for")

    def handle_endtag(self, tag):
        if tag == "div" and self._stack:
            self._stack.pop()
        elif tag == "label":
            self._label = None

    def handle_data(self, data):
        if self._label and data.strip():
            self.labels[self._label] = data.strip()


def assert_honeypot(html: str) -> str:
    """The honeypot is empty, hidden from sight and screen readers, out of the tab order, never
    autofilled, and labelled for anyone who meets it anyway; returns the form-start note."""
    fields = Fields(html)
    trap = fields.inputs[formguard.HONEYPOT]
    assert trap.get("value", "") == ""
    assert trap["tabindex"] == "-1"
    assert trap["autocomplete"] == "off"
    assert fields.labels[trap["id"]] == "Leave this empty"
    wrapper = fields.hidden_by[formguard.HONEYPOT]
    assert wrapper["aria-hidden"] == "true"
    assert "govuk-visually-hidden" in wrapper["class"]
    return fields.inputs[formguard.STARTED]["value"]


# The rules -----------------------------------------------------------------------------------


def test_a_note_is_signed_and_dated(app):
    with app.app_context():
        now = utcnow()
        note = formguard.issue(now - timedelta(seconds=5))
        assert formguard.started_at(note) == (now - timedelta(seconds=5)).replace(microsecond=0)
        assert formguard.started_at(note[:-2] + "xx") is None  # forged
        assert formguard.started_at("") is None
        assert formguard.started_at(None) is None


@pytest.mark.parametrize(
    ("seconds_ago", "honeypot", "too_soon"),
    [(10, "", False), (3.5, "", False), (1, "", True), (10, "http://spam", True), (None, "", True)],
)
def test_too_soon(app, seconds_ago, honeypot, too_soon):
    with app.app_context():
        form = {formguard.HONEYPOT: honeypot}
        if seconds_ago is not None:
            form[formguard.STARTED] = formguard.issue(utcnow() - timedelta(seconds=seconds_ago))
        assert formguard.too_soon(form) is too_soon


def test_zero_turns_the_time_check_off_but_not_the_honeypot(app, monkeypatch):
    monkeypatch.setitem(app.config, "FORM_MIN_SECONDS", 0)
    with app.app_context():
        assert formguard.too_soon({}) is False
        assert formguard.too_soon({formguard.HONEYPOT: "x"}) is True


# Panel sign-up -------------------------------------------------------------------------------


def test_joining_the_panel_too_fast_asks_again_and_keeps_everything(app, client, db):
    note = assert_honeypot(client.get("/panel/join").get_data(as_text=True))
    response = client.post("/panel/join", data={**join_form(), formguard.STARTED: note})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert AGAIN in page
    assert 'value="Sam Resident"' in page
    assert 'value="sam@example.org"' in page
    assert count(db, PanelMember) == 0
    # The page shown again keeps the first showing's time, so sending it later works.
    assert assert_honeypot(page) == note
    later = client.post("/panel/join", data={**join_form(), **factories.form_started(app, 4)})
    assert later.status_code == 303
    assert count(db, PanelMember) == 1


def test_a_filled_honeypot_is_asked_again_never_dropped_silently(app, client, db):
    data = {**join_form(), **factories.form_started(app), formguard.HONEYPOT: "http://spam"}
    response = client.post("/panel/join", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert AGAIN in page
    assert "http://spam" not in page  # shown again empty
    assert count(db, PanelMember) == 0


def test_a_panel_form_without_a_note_is_asked_again(client, db):
    response = client.post("/panel/join", data=join_form())
    assert response.status_code == 400
    assert AGAIN in response.get_data(as_text=True)
    assert count(db, PanelMember) == 0


def test_mistakes_come_before_the_time_check(client, db):
    response = client.post("/panel/join", data=join_form(consent=None))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Tick the box to say you agree" in page
    assert AGAIN not in page


# Event sign-up -------------------------------------------------------------------------------


def test_event_sign_up_too_fast_asks_again_and_keeps_needs(app, client, db):
    item = event()
    url = f"/events/{item.id}/sign-up"
    note = assert_honeypot(client.get(url).get_data(as_text=True))
    form = {"name": "Ali Resident", "email": "ali@example.org", "needs": ["hearing_loop"]}
    response = client.post(url, data={**form, formguard.STARTED: note})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert AGAIN in page
    assert 'value="Ali Resident"' in page
    assert re.search(r'value="hearing_loop"[^>]*checked', page)
    assert count(db, EventSignup) == 0
    assert client.post(url, data={**form, **factories.form_started(app)}).status_code == 303
    assert count(db, EventSignup) == 1


def test_event_honeypot(app, client, db):
    item = event()
    data = {"name": "Bo B", "email": "bo@example.org", formguard.HONEYPOT: "buy now"}
    response = client.post(
        f"/events/{item.id}/sign-up", data={**data, **factories.form_started(app)}
    )
    assert response.status_code == 400
    assert AGAIN in response.get_data(as_text=True)
    assert count(db, EventSignup) == 0


# Surveys -------------------------------------------------------------------------------------


def test_a_survey_sent_too_soon_after_its_first_page_is_asked_again(client, db):
    item = factories.consultation()
    person = Respondent(client, item)
    person.start()
    note = assert_honeypot(person.get(1).get_data(as_text=True))
    assert person.post(1, {**form_for(item), formguard.STARTED: note}).status_code == 303
    check = person.get("check").get_data(as_text=True)
    assert_honeypot(check)

    response = person.submit()
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert AGAIN in page
    assert "More buses to the hospital" in page  # the answers, kept on the check page
    db.expire_all()
    assert db.scalar(select(func.count()).where(Response.consultation_id == item.id)) == 0
    assert db.scalar(select(Draft).where(Draft.consultation_id == item.id)) is not None


def test_a_survey_begun_long_enough_ago_is_stored(app, client, db):
    item = factories.consultation()
    person = Respondent(client, item)
    person.start()
    person.post(1, {**form_for(item), **factories.form_started(app, 60)})
    draft = db.scalar(select(Draft).where(Draft.consultation_id == item.id))
    assert (utcnow() - drafts.started(draft)).total_seconds() >= 60
    assert person.submit().status_code == 303
    assert db.scalar(select(func.count()).where(Response.consultation_id == item.id)) == 1


def test_a_forged_first_page_note_counts_from_the_first_answer(client, db):
    item = factories.consultation()
    person = Respondent(client, item)
    person.start()
    person.post(1, {**form_for(item), formguard.STARTED: "forged.note"})
    assert person.submit().status_code == 400


def test_a_survey_step_with_the_honeypot_filled_is_shown_again_unsaved(app, client, db):
    item = factories.consultation()
    person = Respondent(client, item)
    person.start()
    data = {**form_for(item), **factories.form_started(app), formguard.HONEYPOT: "x"}
    response = person.post(1, data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert AGAIN in page
    assert "More buses to the hospital" in page
    assert db.scalar(select(Draft).where(Draft.consultation_id == item.id)) is None


def test_personal_links_count_from_when_the_link_was_opened(db):
    item = factories.consultation()
    now = utcnow()
    draft = drafts.start(db, item, channel="panel", now=now)
    assert drafts.started(draft) == now


def test_paper_entry_by_officers_is_exempt(client, auth, db):
    officer = factories.user("officer")
    item = factories.consultation(officer.organisation)
    auth.login(officer)
    q1, q2, q3 = item.questions
    data = {
        "channel": "event",
        "entered": "0",
        "submission_token": "p" * 30,
        q1.field_name: "o2",
        q2.field_name: ["o1"],
        q3.field_name: "Typed from paper",
    }
    page = client.get(f"/manage/{item.id}/responses/enter").get_data(as_text=True)
    assert formguard.HONEYPOT not in Fields(page).inputs
    response = client.post(f"/manage/{item.id}/responses/enter", data=data)
    assert response.status_code in (200, 303)
    assert db.scalar(select(func.count()).where(Response.consultation_id == item.id)) == 1
