"""Strategic priorities, runs against them, and the JOG's priority-setting board."""

from __future__ import annotations

from sqlalchemy import select

from engage.curation import board
from engage.curation import services as curation
from engage.curation.models import CuratedAssignment, CuratedSet, CuratedTheme, CurationEvent
from engage.findings.models import AnalysisRun
from surveys.base import utcnow
from surveys.models import Answer
from tests import factories
from tests.engage.curation_data import analysed


def curated_with_priority(db):
    data = analysed(db)
    children, older, regeneration = board.seed(db)
    item = curation.start(db, data.question, data.run, None)
    buses, roads = item.themes
    curation.set_priority(db, item, roads.id, regeneration, user_id=None)
    curation.mark_quote(db, item, roads.id, data.answer_ids[3], on=True, user_id=None)
    return data, item, regeneration


def test_the_board_shows_residents_and_masked_quotes_per_priority_and_emerging_issues(db):
    data, _item, regeneration = curated_with_priority(db)
    rows, emerging = board.board(db)
    assert [r.priority.title for r in rows][2] == regeneration.title
    row = rows[2]
    assert row.residents == 2
    assert row.evidence[0].themes == ["Roads"]
    assert "07700 900123" not in row.evidence[0].quotes[0]
    assert "potholes" in row.evidence[0].quotes[0]
    assert rows[0].evidence == []
    assert [(e.label, e.size) for e in emerging] == [("Buses", 3)]


def test_a_run_against_the_priorities_carries_them_as_a_codebook(client, auth, db):
    data = analysed(db)
    board.seed(db)
    auth.login(factories.user(role="officer", organisation_=data.consultation.organisation))
    response = client.post(f"/curation/consultations/{data.consultation.id}/priorities-run")
    assert response.status_code == 303
    run = db.scalars(select(AnalysisRun).order_by(AnalysisRun.id.desc())).first()
    ids = [t["id"] for t in run.params["codebook"]["themes"]]
    assert all(i.startswith("priority-") for i in ids)
    assert len(ids) == 3
    assert curation.priority_of_key(ids[0]) is not None


def test_jog_members_comment_and_record_recommendations_with_history(client, auth, db):
    _data, _item, regeneration = curated_with_priority(db)
    jog = factories.user(role="jog")
    auth.login(jog)
    page = client.get("/curation/board").get_data(as_text=True)
    assert "Emerging issues" in page
    assert regeneration.title in page
    url = f"/curation/board/{regeneration.id}"
    empty = client.post(f"{url}/recommendation", data={"text": "  "})
    assert empty.status_code == 400
    assert "Enter the recommendation to the CPP Board" in empty.get_data(as_text=True)
    assert (
        client.post(f"{url}/comment", data={"text": "Roads came up everywhere"}).status_code == 303
    )
    client.post(f"{url}/recommendation", data={"text": "Fund pothole repairs first"})
    client.post(f"{url}/recommendation", data={"text": "Fund pothole and pavement repairs"})
    page = client.get("/curation/board").get_data(as_text=True)
    section = page.split(f'id="priority-{regeneration.id}"')[1]
    assert "Roads came up everywhere" in section
    latest = section.split("govuk-inset-text")[1]
    assert "Fund pothole and pavement repairs" in latest
    assert "Earlier recommendations" in section
    actions = db.scalars(select(CurationEvent.action)).all()
    assert actions.count("recommendation") == 2


def test_officers_read_the_board_but_only_jog_members_write_and_residents_are_refused(
    client, auth, db
):
    _data, _item, regeneration = curated_with_priority(db)
    auth.login(factories.user(role="officer"))
    assert client.get("/curation/board").status_code == 200
    assert (
        client.post(f"/curation/board/{regeneration.id}/comment", data={"text": "x"}).status_code
        == 403
    )
    auth.logout()
    auth.login(factories.user(role="jog"))
    assert client.get("/curation/priorities").status_code == 403


def test_officers_keep_the_priorities_and_a_missing_title_keeps_what_was_typed(client, auth, db):
    board.seed(db)
    auth.login(factories.user(role="officer"))
    response = client.post(
        "/curation/priorities", data={"title": "", "description": "Safer streets at night"}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Enter the priority’s title" in page
    assert "Safer streets at night" in page
    response = client.post(
        "/curation/priorities",
        data={"title": "Safer streets", "description": "Lighting", "examples": "a\n\nb"},
    )
    assert response.status_code == 303
    added = board.priorities(db)[-1]
    assert (added.title, added.examples, added.active) == ("Safer streets", ["a", "b"], True)


def by_channel(db, channels: list[str], raised: list[int]):
    """A consultation whose answers come by the given channels, the answers at ``raised`` in a
    curated theme mapped to the first priority."""
    from engage.curation.models import CuratedAssignment, CuratedSet, CuratedTheme

    item = factories.consultation()
    question = item.questions[2]
    children, _older, _regeneration = board.seed(db)
    answers = []
    for channel in channels:
        response = factories.response(item, {question.id: ["Somewhere for teenagers to go"]})
        response.channel = channel
        answers.append(response.answers[-1].id)
    curated = CuratedSet(question_id=question.id, consultation_id=item.id)
    db.add(curated)
    db.flush()
    theme = CuratedTheme(set_id=curated.id, label="Youth clubs", priority_id=children.id)
    db.add(theme)
    db.flush()
    db.add_all(CuratedAssignment(theme_id=theme.id, answer_id=answers[n]) for n in raised)
    db.flush()
    return item


def test_the_board_says_which_groups_raise_a_priority_more_than_others(db):
    """All 30 answers on paper raise the priority, 12 of 40 online answers do: paper stands
    out, and only groups raising it more than others are named."""
    item = by_channel(db, ["paper"] * 30 + ["hub"] * 40, list(range(42)))
    rows, _ = board.board(db, [])
    (found,) = rows[0].groups
    assert found.group == "Paper"
    assert found.share == 1.0
    assert found.sentence() == (
        "How people responded: Paper raised it more than other groups (100% of them), "
        f"in ‘{item.title}’"
    )
    assert all(not row.groups for row in rows[1:])


def test_groups_under_ten_are_never_compared_on_the_board(db):
    """All 30 on paper, 5 of 30 online and all 5 at an event raise it: the event group of 5 is
    hidden, and with it one more group so its size cannot be worked out, which leaves one
    group: nothing is compared and nothing named."""
    by_channel(db, ["paper"] * 30 + ["hub"] * 30 + ["event"] * 5, [*range(35), *range(60, 65)])
    rows, _ = board.board(db, [])
    assert rows[0].groups == []


TWO_QUESTIONS = (
    {"type": "long_text", "title": "What is wrong with getting about?"},
    {"type": "long_text", "title": "What one thing would you change?"},
)


def curated(db, question, themes, *, approved=True):
    """A curated set for ``question``: {label: (priority or None, [answers])}."""
    item = CuratedSet(
        question_id=question.id,
        consultation_id=question.consultation_id,
        approved_at=utcnow() if approved else None,
    )
    for position, (label, (priority, answers)) in enumerate(themes.items()):
        item.themes.append(
            CuratedTheme(
                label=label,
                position=position,
                priority_id=priority.id if priority else None,
                assignments=[CuratedAssignment(answer_id=a.id) for a in answers],
            )
        )
    db.add(item)
    db.flush()
    return item


def test_a_resident_raising_a_priority_in_two_questions_counts_once(db):
    _children, _older, regeneration = board.seed(db)
    item = factories.consultation(questions=TWO_QUESTIONS, title="Getting about")
    first, second = item.questions
    # Four people: two raise shops in both questions, one in each question only once.
    people = [
        factories.response(item, {first.id: [f"Empty shops {n}"], second.id: [f"Shops {n}"]})
        for n in range(4)
    ]
    answers = [{a.question_id: a for a in p.answers} for p in people]
    curated(
        db,
        first,
        {
            "High street": (
                regeneration,
                [answers[0][first.id], answers[1][first.id], answers[2][first.id]],
            ),
            "Dog fouling": (None, [answers[3][first.id]]),
        },
    )
    curated(
        db,
        second,
        {
            "Town centre": (
                regeneration,
                [answers[0][second.id], answers[1][second.id], answers[3][second.id]],
            ),
            "dog  fouling": (None, [answers[0][second.id], answers[3][second.id]]),
        },
        approved=False,
    )
    rows, emerging = board.board(db)
    row = next(r for r in rows if r.priority.id == regeneration.id)
    (evidence,) = row.evidence
    assert evidence.residents == 4  # 3 + 3 answers, but four different people
    assert [(q.number, q.people) for q in evidence.questions] == [(1, 3), (2, 3)]
    assert evidence.themes == ["High street", "Town centre"]
    assert evidence.approved is False  # one of the two sets is not approved yet
    assert row.residents == 4
    (issue,) = emerging  # one issue, from both questions, named once
    assert issue.label == "Dog fouling"
    assert issue.size == 2  # person 3 in both questions, person 0 in the second
    assert [(s.number, s.people, s.approved) for s in issue.sources] == [
        (2, 2, False),
        (1, 1, True),
    ]
    # Every figure is the database's: distinct responses behind the themes.
    behind = {
        a.response_id
        for theme in db.scalars(
            select(CuratedTheme).where(CuratedTheme.priority_id == regeneration.id)
        )
        for a in (db.get(Answer, link.answer_id) for link in theme.assignments)
    }
    assert len(behind) == evidence.residents


def test_the_board_page_shows_the_figures_by_question_and_where_issues_came_up(client, auth, db):
    test_a_resident_raising_a_priority_in_two_questions_counts_once(db)
    auth.login(factories.user(role="jog"))
    page = client.get("/curation/board").get_data(as_text=True)
    assert "Question 1: 3<br>Question 2: 3" in page
    assert "Getting about, question 2 (What one thing would you change?): 2" in page
    assert "Not yet approved" in page
