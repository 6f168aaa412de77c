"""Residents' Panel membership as a findings breakdown attribute, on known data: a response
counts as a member's when it came through a member's link (the panel channel) or gave the email
address of an active member; cells under 10 are hidden like every other breakdown's."""

from __future__ import annotations

import secrets
from collections import Counter
from datetime import timedelta

from engage.findings import breakdowns
from engage.panel import membership
from engage.panel.models import MemberStatus
from surveys import services
from surveys.base import utcnow
from surveys.questions import get_type
from tests import factories
from tests.engage.test_panel import member

# (channel, email given, theme): how many. "active" is an active member's address typed in
# another case; "former" belongs to someone who left the panel, so it does not count.
# Some answers are in no theme, as in real findings.
SEGMENTS = [
    ("panel", None, "t1", 10),
    ("panel", None, "t2", 2),
    ("panel", None, None, 3),
    ("hub", "ACTIVE@example.org", "t1", 3),
    ("hub", "former@example.org", "t2", 1),
    ("hub", None, "t1", 14),
    ("hub", None, "t2", 20),
    ("hub", None, None, 2),
]


def consultation_with_answers(db):
    item = factories.consultation()
    email_q = services.add_question(db, item, type="email", title="Your email (optional)")
    text_q = item.questions[2]
    memberships, truth = {}, Counter()
    for channel, email, key, n in SEGMENTS:
        for i in range(n):
            parsed = {text_q.id: get_type(text_q.type).parse(text_q, [f"Answer {key} {i}"])}
            if email:
                parsed[email_q.id] = get_type("email").parse(email_q, [email])
            response = services.submit_response(
                db,
                item,
                parsed,
                token=secrets.token_urlsafe(16),
                now=utcnow() - timedelta(hours=1),
                channel=channel,
            )
            answer = next(a for a in response.answers if a.question_id == text_q.id)
            memberships[answer.id] = {key} if key else set()
            is_member = channel == "panel" or email == "ACTIVE@example.org"
            truth[(membership.MEMBER if is_member else membership.NOT_MEMBER, key)] += 1
    db.flush()
    return item, text_q, memberships, truth


def test_themes_by_panel_membership_count_members_and_hide_small_cells(db):
    member(db, email="active@example.org")
    former = member(db, email="former@example.org")
    former.status = MemberStatus.LEFT
    item, question, memberships, truth = consultation_with_answers(db)
    assert truth[(membership.MEMBER, "t1")] == 13
    assert truth[(membership.NOT_MEMBER, "t2")] == 21

    assert len(membership.panel_responses(db, item.id)) == 18
    tables = breakdowns.membership_breakdowns(
        db, question.id, item, [], memberships, {"t1": "Buses", "t2": "Roads"}
    )
    titles = [t.title for t in tables]
    assert titles[:2] == ["How people responded", "Residents' Panel membership"]
    table = tables[1]
    assert table.group_labels[membership.MEMBER] == "Residents' Panel member"
    groups = {g.value: g for g in table.breakdown.groups}
    assert groups[membership.MEMBER].respondents == 18
    assert groups[membership.NOT_MEMBER].respondents == 37
    shown = 0
    for group in table.breakdown.groups:
        for cell in group.cells:
            real = truth[(group.value, cell.theme)]
            if cell.count is not None:
                assert cell.count == real
                shown += 1
            if 0 < real < 10:
                assert cell.count is None
                assert cell.share is None
                assert cell.flag is None
    cells = {(g.value, c.theme): c for g in table.breakdown.groups for c in g.cells}
    assert cells[(membership.MEMBER, "t1")].count == 13
    assert cells[(membership.NOT_MEMBER, "t1")].count == 14
    assert cells[(membership.MEMBER, "t1")].flag == "over"  # 13 of 18 against 14 of 37
    assert cells[(membership.MEMBER, "t2")].count is None  # 2: hidden
    # ... and so is the other group's, or the theme's total would give the 2 away.
    assert cells[(membership.NOT_MEMBER, "t2")].count is None
    assert shown >= 2


def test_no_panel_table_when_no_member_answered(db):
    item = factories.consultation()
    question = item.questions[2]
    answer = factories.response(item, {question.id: ["Buses please"]}).answers[-1]
    tables = breakdowns.membership_breakdowns(
        db, question.id, item, [], {answer.id: {"t1"}}, {"t1": "Buses"}
    )
    assert "Residents' Panel membership" not in [t.title for t in tables]
