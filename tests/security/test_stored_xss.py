"""Stored XSS: every field a person types that Engage shows somewhere holds the payload corpus
(tests/security/corpus.py), and every page, download, report and email that shows it must show
it as text.

The world is the demo partnership (as the access matrix builds it); the fields below are then
overwritten with payloads, every GET route in the URL map is asked as the most privileged person
it lets in, and each answer is parsed by its type: HTML for elements and attributes that came
from a payload, SVG likewise, CSV and XLSX for cells a spreadsheet would run as formulas, PDF
for the payload as literal text.
"""

from __future__ import annotations

import io
import re
import zipfile

import pypdfium2 as pdfium
import pytest
from sqlalchemy import select

from engage.curation.models import CuratedTheme, PriorityNote, StrategicPriority
from engage.events import emails as event_emails
from engage.events import services as events
from engage.events.models import Event, EventSignup
from engage.findings.models import QuestionAnalysis, Theme
from engage.mail import OutboxEmail
from engage.panel import emails as panel_emails
from engage.panel.models import PanelExercise, PanelMember, PanelNewsletter
from engage.reports import services as reports
from surveys.models import (
    Answer,
    Consultation,
    Document,
    Organisation,
    Page,
    Question,
    TrackedLink,
)
from tests.engage.test_access_matrix import RULES, build_world, client_for, url_for_rule
from tests.security import corpus
from worker import reports as report_tasks

TEXT_QUESTIONS = {"short_text", "long_text"}

# Every field a person types that is shown somewhere: (model, attribute). Officers write the
# consultation and event fields, residents the answers and sign-up details, curators the themes.
FIELDS = [
    (Organisation, "name"),
    (Consultation, "title"),
    (Consultation, "summary"),
    (Consultation, "other_ways"),
    (Consultation, "we_asked"),
    (Consultation, "you_said"),
    (Consultation, "we_did"),
    (Page, "title"),
    (Page, "intro"),
    (Question, "title"),
    (Question, "hint"),
    (Document, "title"),
    (TrackedLink, "label"),
    (Theme, "label"),
    (CuratedTheme, "label"),
    (CuratedTheme, "description"),
    (StrategicPriority, "title"),
    (StrategicPriority, "description"),
    (PriorityNote, "text"),
    (Event, "title"),
    (Event, "description"),
    (Event, "agenda"),
    (Event, "venue"),
    (Event, "access_info"),
    (Event, "outcomes"),
    (EventSignup, "name"),
    (EventSignup, "organisation_name"),
    (EventSignup, "needs_detail"),
    (PanelMember, "name"),
    (PanelMember, "address"),
    (PanelExercise, "title"),
    (PanelNewsletter, "title"),
    (PanelNewsletter, "intro"),
]


def limit(model, attribute) -> int | None:
    return getattr(model.__table__.c[attribute].type, "length", None)


def poison(db) -> None:
    """Overwrite every typed field in the world with the payloads."""
    for model, attribute in FIELDS:
        value = corpus.packed(limit(model, attribute))
        for row in db.scalars(select(model)):
            setattr(row, attribute, value)
    for question in db.scalars(select(Question)):
        question.options = [
            {**option, "label": f"{corpus.packed(150)} {n}"}
            for n, option in enumerate(question.options)
        ]
    for answer in db.scalars(
        select(Answer).join(Question).where(Question.type.in_(TEXT_QUESTIONS))
    ):
        answer.value = answer.text = corpus.PAYLOAD
    for analysis in db.scalars(select(QuestionAnalysis)):
        analysis.word_cloud_terms = corpus.VECTORS[:6]
    for theme in db.scalars(select(Theme)):
        theme.terms = corpus.VECTORS[:4]
    for item in db.scalars(select(PanelNewsletter)):
        item.sections = [
            {**s, "heading": corpus.packed(200), "body": corpus.PAYLOAD} for s in item.sections
        ]
    for event in db.scalars(select(Event)):
        event.online_link = corpus.URL_PAYLOAD
    db.flush()


@pytest.fixture
def world(app, db, monkeypatch):
    world = build_world(app, db, monkeypatch)
    poison(db)
    return world


def problems_in(response, where: str) -> list[str]:
    """What in this response came alive from a payload, by its content type."""
    kind = response.mimetype or ""
    data = response.get_data()
    found: list[str] = []
    if response.status_code >= 500:
        found.append(f"status {response.status_code}")
    elif kind == "text/html":
        found = corpus.html_problems(data.decode())
    elif kind == "image/svg+xml":
        found = corpus.svg_problems(data.decode())
    elif kind == "text/csv":
        found = [f"formula {c!r}" for c in corpus.formula_cells(corpus.csv_cells(data))]
    elif kind.endswith("spreadsheetml.sheet"):
        found = [f"formula {c!r}" for c in corpus.formula_cells(corpus.xlsx_cells(data))]
    elif kind == "application/zip":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in archive.namelist():
                if name.endswith(".csv"):
                    cells = corpus.csv_cells(archive.read(name))
                    found += [f"{name}: formula {c!r}" for c in corpus.formula_cells(cells)]
    return [f"{where}: {p}" for p in found]


def best_role(endpoint: str) -> str:
    allowed = RULES[endpoint]
    for role in ("admin", "panel", "anonymous"):
        if role in allowed:
            return role
    return sorted(allowed)[0]


FORMATS = ("csv", "xlsx", "json", "html", "pdf")
# Pages whose purpose is to show the typed fields: each must show a payload, so a clean result
# is not a page that showed nothing.
MUST_SHOW = {
    "public.index",
    "public.consultation",
    "events.index",
    "events.event",
    "events_manage.event",
    "events_manage.signups",
    "events_manage.register",
    "panel_manage.member_list",
    "panel_manage.member",
    "panel.newsletter",
    "findings.consultation",
    "curation.question",
    "curation.board",
    "consultations.detail",
    "consultations.edit_question",
    "consultations.results",
    "codebooks.show",
}


def test_every_page_and_download_shows_the_payloads_as_text(app, db, world):
    """Every GET route, then a resident's own journey through the survey with typed payloads."""
    clients = {role: client_for(app, role, world) for role in ("admin", "panel", "anonymous")}
    holes, shown, asked = [], set(), 0
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        client = clients.get(best_role(rule.endpoint)) or clients["admin"]
        formats = FORMATS if "<fmt>" in rule.rule or ":fmt>" in rule.rule else (None,)
        for fmt in formats:
            overrides = {**world["overrides"]}
            if fmt:
                overrides[rule.endpoint] = {**overrides.get(rule.endpoint, {}), "fmt": fmt}
            url = url_for_rule(rule, world["params"], overrides)
            response = client.get(url)
            asked += 1
            holes += problems_in(response, f"{rule.endpoint} {url}")
            if response.mimetype == "text/html" and corpus.shows_payload(response.get_data(True)):
                shown.add(rule.endpoint)
    assert not holes, "payloads that came alive:\n" + "\n".join(holes)
    assert asked > 150
    assert shown >= MUST_SHOW, f"pages that showed no payload: {sorted(MUST_SHOW - shown)}"


def residents_answers(app, db, world) -> None:
    """A resident types the payloads into every answer, and sees them on check your answers."""
    client = client_for(app, "anonymous", world)
    item = db.get(Consultation, world["params"]["consultation_id"])
    item.status = "open"
    item.closes_at = None
    db.flush()
    location = client.get(f"/consultations/{item.slug}/respond").headers["Location"]
    holes = []
    for _ in range(20):  # page by page until the check page
        page = client.get(location)
        holes += problems_in(page, location)
        if location.endswith("/check"):
            break
        html = page.get_data(as_text=True)
        data = {"form_key": re.search(r'name="form_key" value="([^"]+)"', html).group(1)}
        for field in set(re.findall(r'<textarea[^>]* name="([^"]+)"', html)):
            data[field] = corpus.PAYLOAD
        for field in set(re.findall(r'<input[^>]*type="text"[^>]*name="([^"]+)"', html)):
            data.setdefault(field, corpus.packed(100))
        for name, value in re.findall(
            r'type="(?:radio|checkbox)"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html
        ):
            data.setdefault(name, value)
        data.pop("website", None)  # the honeypot stays empty, as a person leaves it
        answered = client.post(location, data=data)
        holes += problems_in(answered, f"POST {location}")
        if answered.status_code != 303:
            break  # a question that needs another kind of answer: what was shown is checked
        location = answered.headers["Location"]
    check = client.get(location)
    assert not holes, "\n".join(holes)
    if location.endswith("/check"):
        assert corpus.shows_payload(check.get_data(as_text=True))


def booking_page_and_emails(app, db, world) -> None:
    signup = db.get(EventSignup, world["params"]["signup_id"])
    client = client_for(app, "anonymous", world)
    with app.app_context():
        token = events.manage_token(signup)
    page = client.get(f"/events/booking/{token}")
    assert page.status_code == 200
    assert not problems_in(page, "booking")
    assert corpus.shows_payload(page.get_data(as_text=True))

    member = world["member"]
    member.email = member.email or "member@example.org"
    newsletter = db.scalar(select(PanelNewsletter).limit(1))
    with app.test_request_context():
        event_emails.confirmation(db, signup, events.waiting_position(db, signup))
        panel_emails.newsletter(db, newsletter, member)
    db.flush()
    assert_emails_safe(db)


def assert_emails_safe(db) -> None:
    sent = db.scalars(select(OutboxEmail)).all()
    assert sent
    shown = False
    for email in sent:
        if email.html:
            assert not corpus.html_problems(email.html), email.subject
            shown = shown or corpus.shows_payload(email.html)
        assert corpus.TEMPLATE_RESULT not in email.body
        assert not re.search(r"[\r\n]", email.subject)
    assert shown, "no email showed a payload"
    assert any("<script>alert('xss-script')</script>" in e.body for e in sent)


def test_reports_bookings_and_emails(app, db, world):
    """The findings report built from the poisoned world (page, PDF, XLSX, CSV), a booking page,
    and the emails for an event sign-up and a panel newsletter."""
    booking_page_and_emails(app, db, world)
    item = db.get(Consultation, world["params"]["consultation_id"])
    report = reports.request_findings_report(db, item, requested_by_id=None)
    db.flush()
    with app.app_context():
        report_tasks.build_report.run(report.id)
    db.expire_all()
    client = client_for(app, "admin", world)
    holes = []
    for fmt in ("html", "pdf", "xlsx", "csv"):
        response = client.get(f"/reports/{report.id}/download/{fmt}")
        assert response.status_code == 200, fmt
        holes += problems_in(response, fmt)
        if fmt == "html":
            html = response.get_data(as_text=True)
            assert corpus.shows_payload(html)
            for svg in re.findall(r"<svg\b.*?</svg>", html, flags=re.S):
                holes += corpus.svg_problems(svg)
        if fmt == "pdf":
            document = pdfium.PdfDocument(response.get_data())
            text = "".join(page.get_textpage().get_text_range() for page in document)
            assert "xss-" in text  # the payload is printed as words, not run or dropped
    assert not holes, "\n".join(holes)
