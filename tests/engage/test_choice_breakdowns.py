"""Choice results by respondent group, on known data with the figures worked out by hand: counts
and shares of the group, cells under 10 hidden, one more hidden wherever a hidden number could be
worked out from a published total, and groups that stand out flagged. Then the findings page:
chosen in a GET form, showing the demo's answers by area as counted from the demo's content."""

from __future__ import annotations

import re
import secrets
from collections import Counter

from sqlalchemy import select

from engage.demo import seed
from engage.findings.breakdowns import choice_breakdowns
from surveys import services
from surveys.base import utcnow
from surveys.models import Consultation
from surveys.questions import Parsed
from tests import factories

AREAS = ["North", "South", "East"]
# Per area, each person's single choice (o1 Satisfied, o2 Neither, o3 Dissatisfied) and their
# multiple choice (o1 Buses, o2 Libraries, o3 Parks): (answer, how many people).
SINGLE = {
    "o1": [("o1", 30), ("o2", 10)],
    "o2": [("o1", 10), ("o2", 25), ("o3", 5)],
    "o3": [("o1", 20), ("o2", 20)],
}
MULTIPLE = {
    "o1": [(["o1", "o2"], 12), (["o1"], 13), (["o3"], 15)],
    "o2": [(["o1", "o2"], 8), (["o2"], 22), (["o3"], 10)],
    "o3": [(["o1"], 20), (["o2"], 20)],
}


def spread(rows):
    return [value for value, n in rows for _ in range(n)]


def answer(db, item, answers, channel="hub"):
    parsed = {question.id: Parsed(value=value) for question, value in answers.items()}
    services.submit_response(
        db, item, parsed, token=secrets.token_urlsafe(16), now=utcnow(), channel=channel
    )


def known(db):
    item = factories.consultation()
    single, multiple, _ = item.questions
    area = services.add_question(
        db, item, type="locality", title="Which area do you live in?", options=AREAS
    )
    for code in ("o1", "o2", "o3"):
        for one, many in zip(spread(SINGLE[code]), spread(MULTIPLE[code]), strict=True):
            answer(db, item, {area: code, single: one, multiple: many})
    db.flush()
    return item, single, multiple, area


def cells(table):
    return {
        (table.group_labels[g.value], table.theme_labels[c.theme]): c
        for g in table.breakdown.groups
        for c in g.cells
    }


def test_a_single_choice_by_area_hides_what_could_be_worked_out(db):
    item, single, _, _ = known(db)
    (table,) = choice_breakdowns(db, single, item, [], only="locality")
    assert table.title == "Area: Which area do you live in?"
    assert [(g.value, g.respondents) for g in table.breakdown.groups] == [
        ("o1", 40),
        ("o2", 40),
        ("o3", 40),
    ]
    found = cells(table)
    # South's 5 "Dissatisfied" is hidden. Its column adds up to the published 5, so one more
    # is hidden (North's 0, the smallest); each person chose one answer, so each row adds up to
    # its group's 40 too: South's 10 and North's 10 go, then East's 20 and 20 to protect those
    # columns. What is left cannot give any hidden number away.
    shown = {key: (c.count, c.share) for key, c in found.items() if c.count is not None}
    assert shown == {
        ("North", "Satisfied"): (30, 0.75),
        ("South", "Neither"): (25, 0.625),
        ("East", "Dissatisfied"): (0, 0.0),
    }
    assert all(c.share is None and c.flag is None for c in found.values() if c.count is None)
    # Satisfied: 30, 10, 20 of 40 each, 20 expected; North's adjusted residual is
    # 10 / sqrt(20 × 2/3 × 1/2) = 3.87. Neither: 10, 25, 20, 18.33 expected; South's is
    # 6.67 / sqrt(18.33 × 2/3 × 65/120) = 2.59. Dissatisfied: East's is -1.62, no flag.
    assert found[("North", "Satisfied")].flag == "over"
    assert found[("South", "Neither")].flag == "over"
    assert found[("East", "Dissatisfied")].flag is None
    # Every column has a hidden cell, so the exact residuals would reveal them: withheld.
    assert all(c.residual is None for c in found.values())


def test_a_multiple_choice_protects_only_rows_that_add_up(db):
    item, _, multiple, _ = known(db)
    (table,) = choice_breakdowns(db, multiple, item, [], only="locality")
    found = cells(table)
    # South's 8 Buses is hidden, then East's 20 (the column adds up to the published 53).
    # North and South chose two answers at times, so their rows add up to nothing published;
    # but everyone in East chose one, so East's row adds up to its 40: its 20 Libraries goes
    # too, and then North's 12 Libraries to protect that column.
    shown = {key: c.count for key, c in found.items() if c.count is not None}
    assert shown == {
        ("North", "Buses"): 25,
        ("North", "Parks"): 15,
        ("South", "Libraries"): 30,
        ("South", "Parks"): 10,
        ("East", "Parks"): 0,
    }
    # Buses: 25, 8, 20 (17.67 expected): North 7.33 / sqrt(17.67 × 2/3 × 67/120) = 2.86.
    # Libraries: 12, 30, 20 (20.67 expected): South 9.33 / 2.58 = 3.62.
    # Parks: 15, 10, 0 (8.33 expected): North 3.18, South 0.79, East -3.97.
    assert found[("North", "Buses")].flag == "over"
    assert found[("South", "Libraries")].flag == "over"
    assert found[("North", "Parks")].flag == "over"
    assert found[("South", "Parks")].flag is None
    assert found[("East", "Parks")].flag == "under"
    assert found[("South", "Parks")].share == 0.25
    # Parks has no hidden cell, so its figures are given exactly.
    assert round(found[("East", "Parks")].residual, 2) == -3.97


def test_a_small_group_and_the_one_that_would_give_it_away_are_hidden(db):
    item = factories.consultation()
    single = item.questions[0]
    for channel, value, n in [
        ("hub", "o1", 20),
        ("hub", "o2", 10),
        ("paper", "o1", 6),
        ("event", "o1", 6),
        ("event", "o2", 6),
    ]:
        for _ in range(n):
            answer(db, item, {single: value}, channel=channel)
    db.flush()
    (table,) = choice_breakdowns(db, single, item, [], only="channel")
    sizes = {table.group_labels[g.value]: g.respondents for g in table.breakdown.groups}
    # Paper's 6 is hidden, and so is the event's 12: otherwise 48 answers less the hub's 30
    # would give the paper's number away.
    assert sizes["Paper"] is None
    assert sizes["Event"] is None
    assert sizes["Consultation hub"] == 30
    assert sizes["Phone"] == 0
    found = cells(table)
    assert found[("Consultation hub", "Satisfied")].count == 20
    assert found[("Paper", "Satisfied")].count is None
    assert found[("Event", "Neither")].count is None
    # One group left to compare: nothing is flagged.
    assert not table.breakdown.flagged()


def test_the_area_question_is_not_broken_down_by_itself(db):
    item, _, _, area = known(db)
    assert choice_breakdowns(db, area, item, [], only="locality") == []
    assert [t.title for t in choice_breakdowns(db, area, item, [])] == ["How people responded"]
    assert choice_breakdowns(db, item.questions[2], item, []) == []  # free text


def test_the_page_breaks_choices_down_by_the_group_chosen(client, auth, db):
    item, *_ = known(db)
    auth.login(factories.user(role="jog"))
    page = client.get(f"/findings/{item.id}").get_data(as_text=True)
    assert 'name="by"' in page
    assert "answers by:" not in page  # nothing broken down until a group is chosen
    page = client.get(f"/findings/{item.id}?by=locality").get_data(as_text=True)
    table = page.split("Question 1 answers by: Area: Which area do you live in?</caption>")[1]
    table = table.split("</table>")[0]
    north = re.sub(r"\s+", " ", table.split(">North</th>")[1].split("</tr>")[0])
    assert "30 (75%)<br><strong>More than others</strong>" in north
    assert "–<span" in north  # North's hidden cells
    assert "Question 2 answers by: Area" in page
    assert "Question 4 answers by" not in page  # the area question itself
    bad = client.get(f"/findings/{item.id}?by=shoe-size")
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert "<title>Error:" in text
    assert "Choose a group from the list" in text
    assert 'href="#by"' in text


def test_the_demo_page_shows_its_answers_by_area_as_counted_from_its_content(
    app, client, auth, db, monkeypatch
):
    monkeypatch.setattr(seed.findings, "dispatch", lambda session, celery, runs: None)
    with app.app_context():
        seed.run()
    spec = next(c for c in seed.load("consultations.json") if c["slug"] == "what-matters-most")
    truth = Counter((r["q5"], r["q1"]) for r in spec["responses"] if "q1" in r)
    sizes = Counter(r["q5"] for r in spec["responses"] if "q1" in r)
    item = db.scalar(select(Consultation).where(Consultation.slug == "what-matters-most"))
    auth.login(factories.user(role="jog"))
    page = client.get(f"/findings/{item.id}?by=locality").get_data(as_text=True)
    table = page.split("Question 1 answers by: Area: Which area do you live in?</caption>")[1]
    table = table.split("</table>")[0]
    header = re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', table)[2:]
    assert header[0] == "Very satisfied"
    shown = 0
    for row in re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", table, re.S)[1:]:
        area = re.search(r'<th scope="row"[^>]*>([^<]+)</th>', row)[1]
        cells = [" ".join(c.split()) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        people, figures = cells[0], cells[1:]
        if area == "Not answered":
            continue
        # A group under 10 is hidden; so may a larger one be, if the small one could be
        # worked out from it.
        assert people == "Not shown" or (people == str(sizes[area]) and sizes[area] >= 10)
        assert people == "Not shown" or sizes[area] >= 10, area
        for label, cell in zip(header, figures, strict=True):
            real = truth[(area, label)]
            if cell.startswith("–"):
                continue
            count = int(cell.split()[0])
            assert count == real, (area, label)
            assert f"({100 * real / sizes[area]:.0f}%)" in cell or real == 0
            assert not 0 < real < 10, (area, label)
            shown += 1
    assert shown >= 5


def test_other_answers_have_a_column_so_they_cannot_be_worked_out(db):
    item = factories.consultation()
    single = item.questions[0]
    single.settings = {"allow_other": True}
    area = services.add_question(db, item, type="locality", title="Your area", options=AREAS)
    for place, value, n in [
        ("o1", "o1", 20),
        ("o1", "other", 3),
        ("o2", "o1", 15),
        ("o2", "o2", 15),
    ]:
        for _ in range(n):
            answer(db, item, {area: place, single: value})
    db.flush()
    (table,) = choice_breakdowns(db, single, item, [], only="locality")
    found = cells(table)
    assert found[("North", "Other")].count is None  # 3
    # North's 20 "Satisfied" would give the 3 away (23 less 20): hidden too, and so South's
    # 15 to protect the column.
    assert found[("North", "Satisfied")].count is None
    assert found[("South", "Satisfied")].count is None
    assert found[("South", "Neither")].count == 15
