"""The append-only audit log: every export and report download writes exactly one row with who
and what; approvals and publications are recorded; rows cannot be changed or removed; the
administrators' page lists, filters and pages through them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, text, update

from engage.audit import services as audit
from engage.audit.models import AuditEvent
from engage.audit.services import PAGE_SIZE, AuditLogError
from engage.codebooks import services as codebooks
from engage.curation import services as curation
from surveys import definitions
from tests import factories
from tests.engage.curation_data import analysed
from tests.engage.test_reports import finished_report


@dataclass
class Download:
    url: str
    user: object
    action: str
    target_type: str
    target_id: int
    detail: dict


def responses_export(db, fmt="csv", what="responses"):
    item = factories.consultation()
    officer = factories.user(role="officer", organisation_=item.organisation)
    factories.response(item, {item.questions[0].id: ["o1"]})
    path = "responses" if what == "responses" else "responses/summary"
    action = "export.responses" if what == "responses" else "export.summary"
    url = f"/manage/{item.id}/{path}.{fmt}"
    return Download(url, officer, action, "consultation", item.id, {"format": fmt})


def free_text_export(db, fmt="csv"):
    data = analysed(db)
    jog = factories.user(role="jog")
    url = f"/findings/{data.consultation.id}/answers.{fmt}"
    detail = {"format": fmt, "masked": True}
    return Download(url, jog, "export.free_text", "consultation", data.consultation.id, detail)


def scorecard_export(db, fmt="csv"):
    council = factories.organisation()
    item = definitions.build(
        db,
        definitions.available()["partnership-scorecard"],
        organisation_id=council.id,
        title="Partnership Assessment Scorecard 2025",
        partners=["Craigmuir Council", "NHS Craigmuir"],
        closes_at=datetime(2025, 6, 30, tzinfo=UTC),
    )
    item.status = "closed"
    db.flush()
    jog = factories.user(role="jog")
    url = f"/scorecard/{item.id}/year-on-year.{fmt}"
    return Download(url, jog, "export.scorecard", "consultation", item.id, {"format": fmt})


def codebook_export(db):
    officer = factories.user(role="officer")
    codebook = codebooks.create(
        db,
        name="Priorities",
        organisation_id=officer.organisation_id,
        shared=False,
        themes=[{"id": "older", "label": "Older people"}],
    )
    detail = {"format": "json", "name": "Priorities"}
    url = f"/codebooks/{codebook.id}/codebook.json"
    return Download(url, officer, "export.codebook", "codebook", codebook.id, detail)


def report_download(db, fmt="pdf"):
    item = factories.consultation()
    report = finished_report(item)
    jog = factories.user(role="jog")
    detail = {"format": fmt, "kind": "findings", "consultation": item.id}
    return Download(
        f"/reports/{report.id}/download/{fmt}", jog, "report.download", "report", report.id, detail
    )


def panel_letters(db):
    from engage.panel.models import ExerciseStatus, PanelInvitation
    from tests.engage.test_panel import make_exercise
    from tests.engage.test_panel_refresh import postal

    member = postal(db, "Morag Post")
    exercise = make_exercise(db, factories.consultation())
    exercise.status = ExerciseStatus.SENT  # as sent: the postal member has an invitation
    db.add(PanelInvitation(exercise=exercise, member=member, token_hash="0" * 64))
    db.flush()
    officer = factories.user(role="officer")
    url = f"/manage/panel/exercises/{exercise.id}/letters.csv"
    detail = {"format": "csv", "letters": 1}
    return Download(url, officer, "panel.letters", "panel_exercise", exercise.id, detail)


def subject_access_export(db):
    import json

    from cryptography.fernet import Fernet, MultiFernet

    from engage import crypto
    from engage.privacy.people import Query

    factories.user("resident", email="fiona.mackay@example.org")
    admin = factories.user("admin")
    query = Query.clean(email="fiona.mackay@example.org")
    # The test app's key: derived from its SECRET_KEY, as no ENCRYPTION_KEY is set.
    keys = MultiFernet([Fernet(crypto.derived_key("test-secret"))])
    token = crypto.encrypt(json.dumps(query.as_dict()), keys)
    counts = {"accounts": 1, "panel_members": 0, "event_sign_ups": 0, "responses": 0}
    detail = {"searched_by": "email", **counts, "drafts": 0, "emails": 0}
    url = f"/admin/people/export.json?q={token}"
    return Download(
        url, admin, "privacy.person.exported", "person", query.reference("test-secret"), detail
    )


DOWNLOADS = {
    "responses.csv": lambda db: responses_export(db, "csv"),
    "responses.xlsx": lambda db: responses_export(db, "xlsx"),
    "summary.csv": lambda db: responses_export(db, "csv", "summary"),
    "summary.xlsx": lambda db: responses_export(db, "xlsx", "summary"),
    "free-text.csv": lambda db: free_text_export(db, "csv"),
    "free-text.xlsx": lambda db: free_text_export(db, "xlsx"),
    "scorecard.csv": lambda db: scorecard_export(db, "csv"),
    "scorecard.xlsx": lambda db: scorecard_export(db, "xlsx"),
    "codebook.json": codebook_export,
    "report.html": lambda db: report_download(db, "html"),
    "report.pdf": lambda db: report_download(db, "pdf"),
    "report.xlsx": lambda db: report_download(db, "xlsx"),
    "report.csv": lambda db: report_download(db, "csv"),
    "event-sign-ups.csv": lambda db: event_export(db, "csv", "sign-ups"),
    "event-sign-ups.xlsx": lambda db: event_export(db, "xlsx", "sign-ups"),
    "event-summary.csv": lambda db: event_export(db, "csv", "summary"),
    "event-summary.xlsx": lambda db: event_export(db, "xlsx", "summary"),
    "panel-letters.csv": panel_letters,
    "subject-access.json": subject_access_export,
}


def event_export(db, fmt, what):
    from tests.engage.events_data import event

    officer = factories.user(role="officer")
    item = event(organisation=officer.organisation)
    action = "export.event_signups" if what == "sign-ups" else "export.event_summary"
    url = f"/manage/events/{item.id}/{what}.{fmt}"
    return Download(url, officer, action, "event", item.id, {"format": fmt})


def events(db) -> list[AuditEvent]:
    db.expire_all()
    return list(db.scalars(select(AuditEvent).order_by(AuditEvent.id)))


@pytest.mark.parametrize("name", sorted(DOWNLOADS))
def test_each_download_writes_exactly_one_audit_row(client, auth, db, name):
    download = DOWNLOADS[name](db)
    auth.login(download.user)
    before = len(events(db))
    response = client.get(download.url)
    assert response.status_code == 200, name
    assert response.headers["Content-Disposition"].startswith("attachment;")
    rows = events(db)[before:]
    assert len(rows) == 1, name
    (row,) = rows
    assert row.action == download.action
    assert row.actor_id == download.user.id
    assert row.actor_role == download.user.role
    assert (row.target_type, row.target_id) == (download.target_type, str(download.target_id))
    assert row.detail == download.detail
    assert row.at is not None


# Routes that serve files and are covered above, and those left out on purpose: the blank import
# template holds no data, consultation documents are public, a run's status is not a file.
AUDITED = {
    "consultations.export_responses",
    "consultations.export_summary",
    "findings.answers_export",
    "scorecard.download",
    "codebooks.download",
    "reports.download",
    "events_manage.download_signups",
    "events_manage.download_summary",
    "panel_manage.letters_csv",
    "privacy.export_person",
}
NOT_AUDITED = {"consultations.import_template", "public.document", "consultations.run_status"}
FILE_RULE = re.compile(r"\.(csv|xlsx|json|pdf)$|<any\(csv|/download|/documents/")


def test_every_route_that_serves_a_file_is_audited_or_left_out_on_purpose(app):
    """A new download route fails here until it records an audit row and joins DOWNLOADS."""
    served = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and FILE_RULE.search(rule.rule)
    }
    assert served == AUDITED | NOT_AUDITED


def test_a_refused_download_writes_nothing(client, auth, db):
    download = responses_export(db)
    auth.login(factories.user(role="officer"))  # another partner's officer
    before = len(events(db))
    assert client.get(download.url).status_code == 403
    assert len(events(db)) == before


def test_approving_themes_and_publishing_results_are_recorded(client, auth, db):
    data = analysed(db)
    officer = factories.user(role="officer", organisation_=data.consultation.organisation)
    auth.login(officer)
    item = curation.start(db, data.question, data.run, officer.id)
    roads = item.themes[1]
    assert (
        client.post(
            f"/curation/questions/{data.question.id}/approve", data={"typical_quotes": "yes"}
        ).status_code
        == 303
    )
    (approved,) = [e for e in events(db) if e.action == "curation.approve"]
    assert approved.actor_id == officer.id
    assert (approved.target_type, approved.target_id) == ("question", str(data.question.id))
    assert approved.detail == {"consultation": data.consultation.id, "themes": 2}
    texts = {"we_asked": "What matters?", "you_said": "Roads.", "we_did": "Fixing them."}
    response = client.post(
        f"/manage/{data.consultation.id}/results", data={**texts, "theme": [str(roads.id)]}
    )
    assert response.status_code in (302, 303)
    (published,) = [e for e in events(db) if e.action == "results.publish"]
    assert published.actor_id == officer.id
    assert published.target_id == str(data.consultation.id)
    assert published.detail == {"themes": [roads.id]}


def test_record_takes_a_user_an_id_or_nobody(db):
    user = factories.user(role="jog")
    by_user = audit.record(db, action="x.test", actor=user, target_type="thing", target_id=3)
    by_id = audit.record(db, action="x.test", actor=user.id, detail={"a": 1})
    by_nobody = audit.record(db, action="x.test")
    assert (by_user.actor_id, by_user.actor_role, by_user.target_id) == (user.id, "jog", "3")
    assert (by_id.actor_id, by_id.actor_role, by_id.detail) == (user.id, "jog", {"a": 1})
    assert (by_nobody.actor_id, by_nobody.actor_role, by_nobody.detail) == (None, None, {})


# Append-only ---------------------------------------------------------------------------------


def test_the_orm_refuses_to_change_a_row(db):
    row = audit.record(db, action="x.test", detail={"n": 1})
    row.action = "x.changed"
    with pytest.raises(AuditLogError):
        db.flush()
    db.rollback()


def test_the_orm_refuses_to_delete_a_row(db):
    row = audit.record(db, action="x.test")
    db.delete(row)
    with pytest.raises(AuditLogError):
        db.flush()
    db.rollback()


@pytest.mark.parametrize(
    "statement",
    [
        lambda: update(AuditEvent).values(action="x.changed"),
        lambda: delete(AuditEvent),
    ],
    ids=["update", "delete"],
)
def test_bulk_statements_through_the_orm_are_refused(db, statement):
    audit.record(db, action="x.test")
    with pytest.raises(AuditLogError):
        db.execute(statement())
    db.rollback()


@pytest.mark.parametrize(
    "sql",
    ["UPDATE audit_events SET action = 'x.changed'", "DELETE FROM audit_events"],
    ids=["update", "delete"],
)
def test_the_database_refuses_plain_sql_too(db, sql):
    """Triggers from the migration, on SQLite and PostgreSQL alike."""
    audit.record(db, action="x.test")
    # The driver's own error class differs between SQLite and PostgreSQL.
    with pytest.raises(Exception, match="append-only"), db.begin_nested():  # noqa: PT011
        db.execute(text(sql))
    assert (
        db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "x.test"))
        == 1
    )


# The administrators' page --------------------------------------------------------------------


def admin_with_events(db, n_extra: int = 0):
    admin = factories.user(role="admin", name="Ada Admin")
    jog = factories.user(role="jog", name="Iain Jog", email="iain@example.org")
    audit.record(db, action="export.responses", actor=jog, target_type="consultation", target_id=7)
    audit.record(
        db,
        action="report.download",
        actor=admin,
        target_type="report",
        target_id=2,
        detail={"format": "pdf"},
    )
    for n in range(n_extra):
        audit.record(db, action="export.summary", actor=admin, target_id=n)
    return admin, jog


def table(page: str) -> str:
    return page.split("<tbody")[1].split("</tbody>")[0]


def test_only_administrators_read_the_audit_log(client, auth, db):
    assert client.get("/audit").status_code == 302  # to sign in
    for role in ("resident", "officer", "jog"):
        auth.login(factories.user(role=role))
        assert client.get("/audit").status_code == 403, role
        auth.logout()


def test_the_page_lists_events_newest_first_in_words(client, auth, db):
    admin, jog = admin_with_events(db)
    auth.login(admin)
    page = client.get("/audit").get_data(as_text=True)
    assert "<title>Audit log" in page
    rows = table(page)
    assert rows.index("Downloaded a report") < rows.index("Downloaded the responses")
    assert "Iain Jog (Joint Officers&#39; Group member)" in rows
    assert "Report 2" in rows
    assert "format: pdf" in rows
    assert 'href="/audit"' in page  # in the navigation for administrators


def test_filters_by_action_who_and_date(client, auth, db):
    admin, jog = admin_with_events(db)
    auth.login(admin)
    rows = table(client.get("/audit?action=report.download").get_data(as_text=True))
    assert "Downloaded a report" in rows
    assert "Downloaded the responses" not in rows
    body = table(client.get("/audit?who=iain").get_data(as_text=True))
    assert "Downloaded the responses" in body
    assert "Downloaded a report" not in body
    today = datetime.now(UTC)
    tomorrow = today + timedelta(days=1)
    args = f"since={tomorrow.day}&since={tomorrow.month}&since={tomorrow.year}"
    page = client.get(f"/audit?{args}").get_data(as_text=True)
    assert "No events match the filters" in page
    args = f"since={today.day}&since={today.month}&since={today.year}"
    args += f"&until={today.day}&until={today.month}&until={today.year}"
    assert "Downloaded a report" in table(client.get(f"/audit?{args}").get_data(as_text=True))


def test_a_bad_date_is_an_error_with_a_summary(client, auth, db):
    admin, _ = admin_with_events(db)
    auth.login(admin)
    response = client.get("/audit?since=31&since=2&since=2027")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "<title>Error:" in page
    assert 'href="#since-day"' in page
    response = client.get("/audit?since=2&since=2&since=2027&until=1&until=2&until=2027")
    assert response.status_code == 400
    assert "must be the same as or after" in response.get_data(as_text=True)


def test_the_page_is_paginated_keeping_the_filters(client, auth, db):
    admin, _ = admin_with_events(db, n_extra=PAGE_SIZE + 5)
    auth.login(admin)
    page = client.get("/audit?action=export.summary").get_data(as_text=True)
    assert f"{PAGE_SIZE + 5} events matching the filters" in page
    assert "action=export.summary&amp;page=2" in page
    second = client.get("/audit?action=export.summary&page=2").get_data(as_text=True)
    assert table(second).count('<tr class="govuk-table__row">') == 5


def test_the_about_column_names_each_object_and_links_to_it(app, client, auth, db):
    from tests.engage.test_panel import make_exercise
    from tests.engage.test_panel import member as panel_member

    item = factories.consultation(title="Buses & bins")
    report = finished_report(item)
    codebook = codebooks.create(
        db, name="Priorities 2027", organisation_id=item.organisation_id, shared=False, themes=[]
    )
    exercise = make_exercise(db, item, title="Panel: buses")
    member = panel_member(db, name="Morag Private", email="morag@example.org")
    admin = factories.user(role="admin", name="Ada Admin")
    for kind, target in [
        ("consultation", item.id),
        ("report", report.id),
        ("codebook", codebook.id),
        ("panel_exercise", exercise.id),
        ("panel_member", member.id),
        ("consultation", 987654),  # since deleted
        ("user", admin.id),
    ]:
        audit.record(db, action="export.summary", actor=admin, target_type=kind, target_id=target)
    auth.login(admin)
    rows = table(client.get("/audit").get_data(as_text=True))
    cell = {
        name: re.sub(r"\s+", " ", row.split("</td>")[3].split(">", 1)[1])
        for row in rows.split("</tr>")[:-1]
        for name in [re.sub(r"<[^>]+>", "", row.split("</td>")[3]).strip()]
    }
    with app.test_request_context():
        from flask import url_for

        links = {
            "Consultation: Buses &amp; bins": url_for(
                "consultations.detail", consultation_id=item.id
            ),
            "Report: Findings: Buses &amp; bins": url_for("reports.report", report_id=report.id),
            "Codebook: Priorities 2027": url_for("codebooks.show", codebook_id=codebook.id),
            "Panel exercise: Panel: buses": url_for(
                "panel_manage.exercise", exercise_id=exercise.id
            ),
            f"Panel member {member.id}": url_for("panel_manage.member", member_id=member.id),
        }
    for name, href in links.items():
        assert name in cell, (name, list(cell))
        assert f'<a class="govuk-link" href="{href}">' in cell[name], name
    assert "Consultation 987654 (deleted)" in cell
    assert "href" not in cell["Consultation 987654 (deleted)"]
    assert "Account: Ada Admin" in cell
    assert "Morag Private" not in rows  # a panel member is named by number only


def test_the_about_column_links_only_where_the_reader_may_look(app, db):
    from flask_login import login_user

    from engage.web.audit.about import describe

    item = factories.consultation(title="Roads")
    report = finished_report(item)
    codebook = codebooks.create(
        db, name="Ours", organisation_id=item.organisation_id, shared=False, themes=[]
    )
    events = [
        audit.record(db, action="x.test", target_type=kind, target_id=target)
        for kind, target in [
            ("consultation", item.id),
            ("report", report.id),
            ("codebook", codebook.id),
        ]
    ]
    readers = {
        "jog": factories.user(role="jog"),
        "owner": factories.user(role="officer", organisation_=item.organisation),
        "other": factories.user(role="officer"),
    }
    linked = {}
    for name, reader in readers.items():
        with app.test_request_context():
            login_user(reader)
            about = describe(db, events)
            linked[name] = [about[e.id].href is not None for e in events]
            assert [about[e.id].name for e in events] == ["Roads", "Findings: Roads", "Ours"]
    # (consultation's own page, the report, the codebook)
    assert linked["owner"] == [True, True, True]
    assert linked["jog"] == [False, True, False]
    assert linked["other"] == [False, False, False]  # not published, not theirs
