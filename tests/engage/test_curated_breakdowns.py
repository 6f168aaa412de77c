"""Approved curated themes broken down by respondent group, on the findings page and in the
findings report: each shown count equals the answers behind it, groups and cells under 10 are
hidden, groups that stand out are flagged, and a later run's proposed themes are still listed."""

from __future__ import annotations

import secrets
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from engage.curation import groups
from engage.curation import services as curation
from engage.curation.models import CuratedAssignment, CuratedTheme
from engage.curation.runs import request_analysis
from engage.findings import services as findings
from engage.reports import findings_report
from surveys import services
from surveys.base import utcnow
from surveys.models import Answer, ConsultationStatus
from surveys.models import Response as StoredResponse
from surveys.questions import get_type
from tests import factories

# The officers' themes by channel; in each channel a few answers are in no theme. The machine
# put the first paper answer in "Buses"; an officer moved it to "Roads".
SEGMENTS = [
    ("hub", "t1", 30),
    ("hub", "t2", 10),
    ("hub", None, 2),
    ("paper", "t2", 1),  # the moved answer
    ("paper", "t1", 3),
    ("paper", "t2", 14),
    ("paper", None, 2),
    ("phone", "t1", 12),
    ("phone", "t2", 3),
    ("phone", None, 1),
]
CHANNELS = [channel for channel, _, n in SEGMENTS for _ in range(n)]
CURATED = [key for _, key, n in SEGMENTS for _ in range(n)]
MOVED = CHANNELS.index("paper")
MACHINE = [("t1" if i == MOVED else key) for i, key in enumerate(CURATED)]


def theme(key, label, ids):
    return {
        "id": key,
        "kind": "found",
        "label": label,
        "terms": [label.lower()],
        "size": len(ids),
        "share": len(ids) / len(CHANNELS),
        "quotes": ids[:2],
    }


@pytest.fixture
def approved(db):
    item = factories.consultation()
    question = item.questions[2]
    answer_ids = []
    for n, channel in enumerate(CHANNELS):
        parsed = {question.id: get_type(question.type).parse(question, [f"Answer number {n}"])}
        response = services.submit_response(
            db,
            item,
            parsed,
            token=secrets.token_urlsafe(16),
            now=utcnow() - timedelta(hours=1),
            channel=channel,
        )
        answer_ids.append(response.answers[-1].id)
    item.status = ConsultationStatus.CLOSED
    ids = [str(i) for i in answer_ids]
    run = request_analysis(db, item, trigger="officer")
    findings.start_run(db, run.id, task_id=None)
    result = {
        "themes": [
            theme("t1", "Buses", [i for i, k in zip(ids, MACHINE, strict=True) if k == "t1"]),
            theme("t2", "Roads", [i for i, k in zip(ids, MACHINE, strict=True) if k == "t2"]),
        ],
        "assignments": [
            {"id": i, "themes": [k] if k else [], "primary": k}
            for i, k in zip(ids, MACHINE, strict=True)
        ],
        "no_comment": 0,
        "other": 5,
    }
    findings.store_question_result(db, run.id, question.id, answer_count=len(ids), result=result)
    findings.finish_run(db, run.id)
    officer = factories.user(role="officer", organisation_=item.organisation)
    curated = curation.start(db, question, run, officer.id)
    buses, roads = curated.themes
    curation.move(
        db, curated, answer_ids[MOVED], from_id=buses.id, to_id=roads.id, user_id=officer.id
    )
    curation.approve(db, curated, user_id=officer.id)
    db.flush()
    return item, curated, officer


def counted_from_answers(db, curated) -> Counter:
    """(curated theme label, channel) → answers, straight from the stored assignments."""
    rows = db.execute(
        select(CuratedTheme.label, StoredResponse.channel)
        .join(CuratedAssignment, CuratedAssignment.theme_id == CuratedTheme.id)
        .join(Answer, Answer.id == CuratedAssignment.answer_id)
        .join(StoredResponse, StoredResponse.id == Answer.response_id)
        .where(CuratedTheme.set_id == curated.id)
    )
    return Counter((label, channel) for label, channel in rows)


def test_counts_equal_the_answers_behind_them_and_small_cells_are_hidden(db, approved):
    item, curated, _ = approved
    tables = groups.curated_breakdowns(db, curated, item, [])
    channel = next(t for t in tables if t.title == "How people responded")
    truth = counted_from_answers(db, curated)
    assert truth[("Buses", "hub")] == 30
    assert truth[("Roads", "paper")] == 15  # the officer's move counted, not the machine's
    assert truth[("Buses", "paper")] == 3
    assert [channel.theme_labels[k] for k in channel.breakdown.themes] == ["Buses", "Roads"]
    shown = 0
    for group in channel.breakdown.groups:
        for cell in group.cells:
            real = truth[(channel.theme_labels[cell.theme], group.value)]
            if cell.count is not None:
                assert cell.count == real
                shown += 1
            if 0 < real < 10:
                assert cell.count is None  # never shown, nor its share or flag
                assert cell.share is None
                assert cell.flag is None
    assert shown >= 2
    cells = {
        (channel.theme_labels[c.theme], g.value): c
        for g in channel.breakdown.groups
        for c in g.cells
    }
    assert cells[("Buses", "hub")].count == 30
    assert cells[("Roads", "paper")].count == 15
    assert cells[("Roads", "paper")].flag == "over"  # 15 of 20 on paper, 10 of 42 online
    assert cells[("Roads", "hub")].count is None  # hidden so the small phone cell stays hidden
    assert cells[("Buses", "phone")].count is None  # likewise for the small paper cell
    respondents = {g.value: g.respondents for g in channel.breakdown.groups}
    assert (respondents["hub"], respondents["paper"], respondents["phone"]) == (42, 20, 16)


def test_the_findings_page_shows_breakdowns_of_the_approved_themes(client, auth, db, approved):
    item, _, officer = approved
    auth.login(factories.user(role="jog"))
    page = client.get(f"/findings/{item.id}").get_data(as_text=True)
    assert "These themes were reviewed by officers" in page
    assert "Themes by group: who raised what" in page
    table = page.split("Question 3 themes by: How people responded")[1].split("</table>")[0]
    assert ">Buses</th>" in table
    assert ">Roads</th>" in table
    assert "15 (75%)" in table  # Roads among the 20 paper responses
    assert "More than others" in table


def test_a_later_runs_proposed_themes_are_still_listed(client, auth, db, approved):
    item, curated, officer = approved
    question = item.questions[2]
    parsed = {question.id: get_type(question.type).parse(question, ["A youth club please"])}
    late = services.submit_response(  # a paper return keyed in after closing
        db, item, parsed, token=secrets.token_urlsafe(16), now=utcnow(), channel="paper"
    )
    new_answer = late.answers[-1]
    run = request_analysis(db, item, trigger="officer")
    findings.start_run(db, run.id, task_id=None)
    proposed = {
        "id": "new1",
        "kind": "proposed",
        "label": "Youth club",
        "terms": ["youth"],
        "size": 1,
        "share": 1 / 79,
        "quotes": [str(new_answer.id)],
    }
    findings.store_question_result(
        db,
        run.id,
        question.id,
        answer_count=79,
        result={
            "themes": [proposed],
            "assignments": [{"id": str(new_answer.id), "themes": ["new1"], "primary": "new1"}],
            "no_comment": 0,
            "other": 0,
        },
    )
    findings.finish_run(db, run.id)
    db.flush()
    auth.login(factories.user(role="jog"))
    page = client.get(f"/findings/{item.id}").get_data(as_text=True)
    assert "These themes were reviewed by officers" in page
    assert "Proposed new themes" in page
    assert "Officers have not reviewed them yet" in page
    assert "A youth club please" in page


def test_the_findings_report_has_the_same_breakdowns(app, db, approved):
    item, curated, _ = approved
    with app.app_context():
        data = findings_report.gather(db, item)
        html = findings_report.render_html(data)
        sheets = {title: rows for title, _, rows in findings_report.sheets(data)}
    question = data.questions[2]
    assert question.reviewed
    assert [t.title for t in question.breakdowns][0] == "How people responded"
    assert "Question 3 themes by: How people responded" in html
    by_group = [r for r in sheets["Themes by group"] if r[1] == "How people responded"]
    truth = counted_from_answers(db, curated)
    labels = {"hub": "Consultation hub", "paper": "Paper", "phone": "Phone"}
    for row in by_group:
        group = next((code for code, label in labels.items() if label == row[2]), None)
        if isinstance(row[5], int) and group is not None:
            assert row[5] == truth[(row[4], group)]
    assert ["Paper", "Roads", 15, "More than others"] in [
        [r[2], r[4], r[5], r[7]] for r in by_group
    ]


def test_approved_without_chosen_quotes_the_report_still_quotes_and_measures_each_theme(
    app, db, approved
):
    item, curated, _ = approved
    assert not any(link.quote for t in curated.themes for link in t.assignments)
    with app.app_context():
        data = findings_report.gather(db, item)
        html = findings_report.render_html(data)
        sheets = {title: rows for title, _, rows in findings_report.sheets(data)}
    question = data.questions[2]
    assert question.reviewed
    by_label = {t.label: t for t in question.themes}
    for theme in curated.themes:
        shown = by_label[theme.label]
        assert shown.size == len(theme.assignments)
        assert shown.quotes, f"{theme.label} has quotes: its most typical answers"
        assert 0 < shown.low <= shown.share <= shown.high
        assert shown.tone
    quoted = [row for row in sheets["Quotes"] if row[0] == 3]
    assert {row[1] for row in quoted} >= {t.label for t in curated.themes}
    buses = by_label["Buses"]
    assert f"{buses.share * 100:.0f}% ({buses.low * 100:.0f}–{buses.high * 100:.0f}%)" in html
