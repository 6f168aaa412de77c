"""Access control that fails closed: every route in the URL map, for every kind of person.

The rule table below says who may use each endpoint. The test builds the demo partnership,
takes objects owned by Craigmuir Council (a consultation, its pages and questions, its
analysis, an event, a codebook, a report...) and asks each route as: nobody, a resident, a
Residents' Panel member, the council's officer, another partner's (the NHS board's) officer, a
JOG member and an administrator. A person the table refuses must be refused (sent to sign in,
403 or 404) and the request must change nothing; a person it allows must not be. An endpoint
missing from the table fails the test, so a new route needs a rule before it ships.
"""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select

from engage.accounts.models import User
from engage.codebooks.models import Codebook
from engage.curation.models import CuratedTheme, StrategicPriority
from engage.demo import seed
from engage.events.models import Event, EventSignup, SignupStatus
from engage.findings.models import AnalysisRun, QuestionAnalysis, Theme
from engage.panel.models import MemberStatus, PanelExercise, PanelMember, PanelNewsletter
from engage.reports.models import Report
from engage.web.panel.views import SESSION_KEY
from surveys.models import (
    Consultation,
    ConsultationStatus,
    Document,
    Organisation,
    Question,
    TrackedLink,
)
from tests import factories

ROLES = ("anonymous", "resident", "panel", "officer_own", "officer_other", "jog", "admin")

# Who may use each kind of route. "Owner" means the officer of the partner that owns the object.
EVERYONE = frozenset(ROLES)
PANEL = frozenset({"panel"})
SIGNED_IN = frozenset({"resident", "officer_own", "officer_other", "jog", "admin"})
READERS = frozenset({"officer_own", "officer_other", "jog", "admin"})
OFFICERS = frozenset({"officer_own", "officer_other", "admin"})
OWNER = frozenset({"officer_own", "admin"})
OWNER_OR_JOG = frozenset({"officer_own", "jog", "admin"})  # unpublished findings
JOG = frozenset({"jog", "admin"})
ADMIN = frozenset({"admin"})

PUBLIC_ENDPOINTS = {
    "static",
    "public.index",
    "public.accessibility",
    "public.healthz",
    "public.consultation",
    "public.document",
    "public.short_link",
    # Residents answer without an account; drafts are reached by their unguessable token.
    *(
        f"{bp}.{name}"
        for bp in ("participate", "embed")
        for name in ("start", "step", "email_link", "submit", "resume", "resume_link", "thank_you")
    ),
    "events.index",
    "events.event",
    "events.calendar",
    "events.sign_up",
    # A booking is reached by its signed link, the feedback survey by its token.
    "events.booking",
    "events.booking_calendar",
    "events.cancel",
    "events.feedback",
    "panel.index",
    "panel.check_email",
    "panel.confirm",
    "panel.answer",
    "panel.join",
    "panel.newsletter_archive",
    "panel.newsletter",
    "panel.sign_in",
    "panel.sign_in_link",
    "panel.unsubscribe",
    "panel.renew",  # a single-use emailed link stands in for signing in
    "health.healthz",  # load balancers and monitoring ask without signing in
    "health.readyz",
    "auth.login",
}

RULES: dict[str, frozenset[str]] = {
    **{endpoint: EVERYONE for endpoint in PUBLIC_ENDPOINTS},
    "auth.logout": SIGNED_IN,
    "auth.password": SIGNED_IN,
    # The one-time code pages serve only someone who has just given a right password.
    "auth.code": EVERYONE,
    "auth.set_up_codes": EVERYONE,
    "panel.me": PANEL,
    "panel.details": PANEL,
    "panel.leave": PANEL,
    "panel.sign_out": EVERYONE,  # signing out when not signed in does nothing
    "audit.index": ADMIN,
    # Subject access and erasure: administrators only; a retention schedule is the owner's.
    "privacy.find_person": ADMIN,
    "privacy.export_person": ADMIN,
    "privacy.erase_person": ADMIN,
    "privacy.retention_schedule": OWNER,
    # Codebooks: every officer keeps their own; another partner's private one is not theirs.
    "codebooks.index": OFFICERS,
    "codebooks.new": OFFICERS,
    "codebooks.upload": OFFICERS,
    "codebooks.from_analysis": OWNER,
    "codebooks.show": OWNER,
    "codebooks.download": OWNER,
    "codebooks.delete": OWNER,
    "codebooks.settings": OWNER,
    "codebooks.edit_theme": OWNER,
    "codebooks.remove_theme": OWNER,
    "codebooks.add_theme": OWNER,
    # Curation: the owning partner edits; readers of the findings may look.
    "curation.board": READERS,
    "curation.note": JOG,
    "curation.run_against_priorities": OWNER,
    "curation.priority_list": OFFICERS,
    "curation.question": OWNER_OR_JOG,
    "curation.approve": OWNER,
    "curation.merge": OWNER,
    "curation.add_proposed": OWNER,
    "curation.start": OWNER,
    "curation.answers": OWNER,
    "curation.priority": OWNER,
    "curation.rename": OWNER,
    # Events: JOG members nominate their staff; the organiser's partner manages an event.
    "events.nominate": JOG,
    "events.nominations": JOG,
    "events_manage.index": OFFICERS,
    "events_manage.new": OFFICERS,
    # Any officer sees an event's counts (page, report, summary); names and changes are the
    # organising partner's alone.
    "events_manage.event": OFFICERS,
    "events_manage.report": OFFICERS,
    "events_manage.download_summary": OFFICERS,
    **{
        f"events_manage.{name}": OWNER
        for name in (
            "allocations",
            "edit",
            "feedback",
            "outcomes",
            "register",
            "signups",
            "download_signups",
            "cancel_signup",
            "cancel_event",
        )
    },
    "findings.index": READERS,
    "findings.consultation": OWNER_OR_JOG,
    "findings.answers_export": OWNER_OR_JOG,
    "findings.word_cloud": OWNER_OR_JOG,
    "findings.theme_word_cloud": OWNER_OR_JOG,
    "consultations.index": OFFICERS,
    "consultations.new": OFFICERS,
    "consultations.run": OWNER,
    "consultations.run_status": OWNER,
    **{
        f"consultations.{name}": OWNER
        for name in (
            "detail",
            "start_analysis",
            "archive",
            "close",
            "copy",
            "edit_details",
            "documents",
            "delete_document",
            "embed",
            "new_link",
            "open_",
            "delete_page",
            "edit_page",
            "move_page",
            "add_page",
            "preview",
            "preview_step",
            "condition",
            "condition_values",
            "delete_question",
            "edit_question",
            "move_question",
            "routing",
            "add_question",
            "export_responses",
            "enter_responses",
            "import_responses",
            "export_summary",
            "import_template",
            "results",
        )
    },
    # The panel is the partnership's: any partner's officer runs it.
    **{
        f"panel_manage.{name}": OFFICERS
        for name in (
            "index",
            "balance",
            "bounces",
            "exercise_list",
            "exercise",
            "remind",
            "send_exercise",
            "new_exercise",
            "member_list",
            "member",
            "end_membership",
            "erase",
            "export",
            "add_member",
            "newsletter_list",
            "preview_newsletter",
            "edit_newsletter",
            "send_newsletter",
            "new_newsletter",
            "letters_csv",
            "letters_page",
            "renew_member",
            "send_renewals",
            "wave_report",
        )
    },
    # Results go to the panel only from the partners who ran the consultation.
    "panel_manage.newsletter_from_results": OWNER,
    "population.index": READERS,
    "population.save": OFFICERS,
    "population.import_csv": OFFICERS,
    "reports.report": OWNER_OR_JOG,
    "reports.download": OWNER_OR_JOG,
    "reports.status": OWNER_OR_JOG,
    "reports.board_reports": READERS,
    "reports.request_board": READERS,
    "reports.consultation_reports": OWNER_OR_JOG,
    "reports.request_findings": OWNER_OR_JOG,
    "scorecard.index": READERS,
    "scorecard.consultation": OWNER_OR_JOG,
    "scorecard.download": OWNER_OR_JOG,
    "scorecard.follows": OWNER,
    "scorecard.next_year": OWNER,
    "scorecard.nominations": OWNER,
    "scorecard.nominations_file": OWNER,
}


def test_every_route_has_a_rule(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - RULES.keys())
    assert not missing, f"routes without an access rule in {__name__}.RULES: {missing}"
    stale = sorted(RULES.keys() - endpoints)
    assert not stale, f"rules for routes that no longer exist: {stale}"


def test_the_table_names_only_known_roles() -> None:
    for endpoint, allowed in RULES.items():
        assert allowed <= set(ROLES), endpoint


# --- the world: the demo partnership, seen from the council's objects -------------------------


def build_world(app: Flask, db, monkeypatch) -> dict:
    monkeypatch.setattr(seed.findings, "dispatch", lambda session, celery, runs: None)
    with app.app_context():
        seed.run()
    council = db.scalar(select(Organisation).where(Organisation.code == "council"))
    nhs = db.scalar(select(Organisation).where(Organisation.code == "nhs_board"))
    consultation = db.scalar(select(Consultation).where(Consultation.slug == "what-matters-most"))
    # The council's alone (the demo shares it with every partner) and unpublished, so only its
    # officers and the JOG may read its findings.
    consultation.co_owners = []
    consultation.published_at = None
    consultation.status = ConsultationStatus.CLOSED
    db.flush()
    assert consultation.owner_ids() == {council.id} != {nhs.id}
    questions = list(
        db.scalars(
            select(Question)
            .where(Question.consultation_id == consultation.id)
            .order_by(Question.position)
        )
    )
    free_text = next(
        q
        for q in questions
        if db.scalar(select(QuestionAnalysis).where(QuestionAnalysis.question_id == q.id))
    )
    analysis = db.scalar(
        select(QuestionAnalysis).where(QuestionAnalysis.question_id == free_text.id)
    )
    run = db.get(AnalysisRun, analysis.run_id)
    theme = db.scalar(select(Theme).where(Theme.question_analysis_id == analysis.id))
    curated = db.scalar(select(CuratedTheme).limit(1))
    codebook = db.scalar(select(Codebook).where(Codebook.organisation_id == council.id))
    codebook.shared = False
    event = db.scalar(select(Event).where(Event.organisation_id == council.id))
    signup = db.scalar(select(EventSignup).where(EventSignup.event_id == event.id))
    report = Report(kind="findings", consultation_id=consultation.id, title="Findings")
    db.add(report)
    document = Document(
        consultation_id=consultation.id,
        title="Plan",
        filename="plan.pdf",
        content_type="application/pdf",
        data=b"%PDF-1.4",
        size=8,
    )
    db.add(document)
    link = db.scalar(select(TrackedLink).limit(1))
    member = db.scalar(select(PanelMember).where(PanelMember.status == MemberStatus.ACTIVE))
    db.flush()

    def user(email: str) -> User:
        return db.scalar(select(User).where(User.email == email))

    people = {
        "resident": user("resident@craigmuir.example.org"),
        "officer_own": user("officer@craigmuir.example.org"),
        "officer_other": user("officer.nhs@craigmuir.example.org"),
        "jog": user("jog@craigmuir.example.org"),
        "admin": user("admin@craigmuir.example.org"),
    }
    assert people["officer_own"].organisation_id == council.id
    params = {
        "consultation_id": consultation.id,
        "slug": consultation.slug,
        "page_id": consultation.pages[0].id,
        "question_id": free_text.id,
        "source_id": questions[0].id,
        "document_id": document.id,
        "codebook_id": codebook.id,
        "number": 1,
        "analysis_id": analysis.id,
        "theme_id": theme.id,
        "run_theme_id": theme.id,
        "run_id": run.id,
        "priority_id": db.scalar(select(StrategicPriority.id).limit(1)),
        "kind": "comment",
        "event_id": event.id,
        "signup_id": signup.id if signup else 1,
        "exercise_id": db.scalar(select(PanelExercise.id).limit(1)),
        "member_id": member.id,
        "newsletter_id": db.scalar(select(PanelNewsletter.id).limit(1)) or 1,
        "report_id": report.id,
        "fmt": "csv",
        "filename": "css/engage.css",
        "code": link.code if link else "nope",
        "token": "not-a-real-token",
        "secret": "not-a-real-secret",
        "step": "1",
    }
    # Curation routes take the curated theme, not the machine's.
    overrides = {
        "curation.answers": {"theme_id": curated.id},
        "curation.priority": {"theme_id": curated.id},
        "curation.rename": {"theme_id": curated.id},
        "reports.download": {"fmt": "html"},
    }
    return {"people": people, "params": params, "overrides": overrides, "member": member}


def url_for_rule(rule, params: dict, overrides: dict) -> str:
    values = {**params, **overrides.get(rule.endpoint, {})}

    def fill(match: re.Match) -> str:
        converter, name = match.group(1), match.group(2)
        if converter and converter.startswith("any("):
            return str(values.get(name, converter[4:].split(",")[0]))
        return str(values[name])

    return re.sub(r"<(?:([^:<>]+):)?([^<>]+)>", fill, rule.rule)


def client_for(app: Flask, role: str, world: dict):
    client = app.test_client()
    if role == "panel":
        member = world["member"]
        with client.session_transaction() as session:
            session[SESSION_KEY] = f"{member.id}:{member.session_version}"
    elif role != "anonymous":
        person = world["people"][role]
        response = factories.sign_in(client, person, seed.DEMO_PASSWORD)
        assert response.status_code == 302, role
        assert "/sign-in" not in response.headers["Location"], role
    return client


def refused(response) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    location = response.headers.get("Location", "")
    return response.status_code in (302, 303) and "sign-in" in location


def test_every_route_refuses_whom_the_table_refuses(app, db, monkeypatch):
    world = build_world(app, db, monkeypatch)
    clients = {role: client_for(app, role, world) for role in ROLES}
    rules = sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
    holes = []
    for rule in rules:
        allowed = RULES[rule.endpoint]
        url = url_for_rule(rule, world["params"], world["overrides"])
        method = "GET" if "GET" in rule.methods else "POST"
        for role in ROLES:
            if role in allowed:
                continue
            response = clients[role].open(url, method=method, data={})
            if not refused(response):
                holes.append(f"{role} {method} {url} ({rule.endpoint}) -> {response.status_code}")
    assert not holes, "routes that let in people the table refuses:\n" + "\n".join(holes)


def test_every_page_lets_in_whom_the_table_allows(app, db, monkeypatch):
    world = build_world(app, db, monkeypatch)
    clients = {role: client_for(app, role, world) for role in ROLES}
    wrong = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or RULES[rule.endpoint] == EVERYONE:
            continue  # posts change things; public pages with made-up tokens answer 404
        url = url_for_rule(rule, world["params"], world["overrides"])
        for role in sorted(RULES[rule.endpoint]):
            response = clients[role].get(url)
            if refused(response) and response.status_code != 404:
                wrong.append(f"{role} GET {url} ({rule.endpoint}) -> {response.status_code}")
    assert not wrong, "routes that refuse people the table allows:\n" + "\n".join(wrong)


def test_another_partners_officer_sees_counts_not_names(app, db, monkeypatch):
    world = build_world(app, db, monkeypatch)
    signup = db.scalar(
        select(EventSignup).where(
            EventSignup.event_id == world["params"]["event_id"],
            EventSignup.status == SignupStatus.CONFIRMED,
        )
    )
    url = f"/manage/events/{signup.event_id}"
    own = client_for(app, "officer_own", world)
    assert signup.name in own.get(f"{url}/sign-ups").get_data(as_text=True)
    other = client_for(app, "officer_other", world)
    for page in (url, f"{url}/report", f"{url}/summary.csv"):
        assert signup.name not in other.get(page).get_data(as_text=True), page
