"""Findings of codebook runs, the Other and no-comment groups, locality breakdowns and the
free-text answers download (masked for JOG members, original for the owning officers)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from engage.codebooks import services as codebooks
from engage.curation.runs import request_analysis
from engage.findings import services as findings
from surveys import services
from surveys.models import Answer, EqualitiesAnswers
from tests import factories

PRIVATE = "Email me at sam.jones@example.org about the 14 bus"
OTHER = "The council should publish its spending on 10 Main Street, call 07700 900123"
NOTHING = "n/a"
FORMULA = '=HYPERLINK("http://evil.example")'


def codebook_findings(db, *, equalities: bool = False):
    """A consultation with a codebook run: one codebook theme, one proposed, Other, no comment."""
    item = factories.consultation()
    item.equalities = equalities
    q1, _q2, q3 = item.questions
    texts = [PRIVATE, "Buses to the hospital", "A youth club", OTHER, NOTHING, FORMULA]
    answers = [factories.response(item, {q1.id: ["o1"], q3.id: [t]}).answers[-1] for t in texts]
    ids = [str(a.id) for a in answers]
    codebook = codebooks.create(
        db,
        name="Strategic priorities",
        organisation_id=item.organisation_id,
        themes=[{"id": "transport", "label": "Getting about", "description": "Buses"}],
    )
    run = request_analysis(db, item, trigger="officer", params=codebooks.run_params(codebook))
    findings.start_run(db, run.id, task_id=None)
    result = {
        "themes": [
            {
                "id": "transport",
                "kind": "codebook",
                "label": "Getting about",
                "terms": ["bus"],
                "size": 2,
                "share": 0.33,
                "quotes": ids[:2],
            },
            {
                "id": "new1",
                "kind": "proposed",
                "label": "Youth club",
                "terms": ["youth", "club"],
                "size": 1,
                "share": 0.17,
                "quotes": [ids[2]],
            },
        ],
        "assignments": [
            {"id": ids[0], "themes": ["transport"], "primary": "transport"},
            {"id": ids[1], "themes": ["transport"], "primary": "transport"},
            {"id": ids[2], "themes": ["new1"], "primary": "new1"},
            {"id": ids[3], "themes": [], "primary": None},
            {"id": ids[4], "themes": [], "primary": None},
            {"id": ids[5], "themes": [], "primary": None},
        ],
        "no_comment": 1,
        "other": 2,
        "other_quotes": [ids[3]],
        "no_comment_quotes": [ids[4]],
    }
    findings.store_question_result(db, run.id, q3.id, answer_count=6, result=result)
    findings.finish_run(db, run.id)
    return item


def test_the_findings_page_names_the_codebook_and_lists_proposed_themes_apart(client, auth, db):
    item = codebook_findings(db)
    auth.login(factories.user(role="jog"))
    page = client.get(f"/findings/{item.id}").get_data(as_text=True)
    assert "The themes came from the codebook <strong>Strategic priorities</strong>" in page
    assert "Codebook themes in the answers to question 3" in page
    codebook_table = page.split("Codebook themes in the answers")[1].split("</table>")[0]
    assert "Getting about" in codebook_table
    assert "Youth club" not in codebook_table
    proposed = page.split(">Proposed new themes</h3>")[1]
    assert "Youth club" in proposed.split("</table>")[0]


def test_other_and_no_comment_groups_show_count_share_and_masked_quotes(client, auth, db):
    item = codebook_findings(db)
    auth.login(factories.user(role="jog"))
    page = client.get(f"/findings/{item.id}").get_data(as_text=True)
    other = page.split('<h3 class="govuk-heading-m" id="other-')[1].split("<h3")[0]
    assert "2 answers, 33% of those who wrote an answer" in other
    assert "07700 900123" not in other
    assert "[phone]" in other
    assert "publish its spending" in other
    nothing = page.split('id="no-comment-')[1].split("<h3")[0]
    assert "No substantive comment" in nothing
    assert "1 answer, 17%" in nothing
    assert "n/a" in nothing
    auth.logout()
    auth.login(factories.user(role="officer", organisation_=item.organisation))
    owner_page = client.get(f"/findings/{item.id}").get_data(as_text=True)
    assert "07700 900123" in owner_page


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_a_jog_members_download_is_masked_and_the_owning_officers_is_not(client, auth, db):
    item = codebook_findings(db)
    auth.login(factories.user(role="jog"))
    masked = client.get(f"/findings/{item.id}/answers.csv")
    assert masked.status_code == 200
    assert "masked" in masked.headers["Content-Disposition"]
    rows = read_csv(masked.data)
    assert rows[0] == [
        "Question number",
        "Question",
        "Response number",
        "Answer",
        "Themes",
        "Main theme",
        "Themes from",
    ]
    text = masked.data.decode("utf-8-sig")
    assert "sam.jones@example.org" not in text
    assert "07700 900123" not in text
    assert "[email]" in text
    by_answer = {row[3]: row for row in rows[1:]}
    assert by_answer["Buses to the hospital"][4] == "Getting about"
    assert by_answer["A youth club"][4] == "Youth club (proposed new theme)"
    assert by_answer[NOTHING][4] == ""
    assert {row[6] for row in rows[1:]} == {"The analysis (not yet reviewed by officers)"}
    assert {row[0] for row in rows[1:]} == {"Q3"}  # free-text answers only
    # A formula is escaped, as in every download (its web address masked too).
    assert any(answer.startswith("'=HYPERLINK(") for answer in by_answer)

    auth.logout()
    auth.login(factories.user(role="officer", organisation_=item.organisation))
    original = client.get(f"/findings/{item.id}/answers.csv")
    assert "sam.jones@example.org" in original.data.decode("utf-8-sig")
    book = load_workbook(io.BytesIO(client.get(f"/findings/{item.id}/answers.xlsx").data))
    cells = [c.value for row in book.active.iter_rows() for c in row]
    assert PRIVATE in cells
    assert "'" + FORMULA in cells


def test_an_officer_of_another_partner_downloads_masked_answers(client, auth, db):
    item = codebook_findings(db)
    auth.login(factories.user(role="officer"))
    text = client.get(f"/findings/{item.id}/answers.csv").data.decode("utf-8-sig")
    assert "sam.jones@example.org" not in text


def test_equalities_answers_never_appear_in_the_download(client, auth, db):
    item = codebook_findings(db, equalities=True)
    auth.login(factories.user(role="officer", organisation_=item.organisation))
    rows = read_csv(client.get(f"/findings/{item.id}/answers.csv").data)
    assert all(len(row) == 7 for row in rows)
    assert not any("age" in cell.lower() for cell in rows[0])


def locality_consultation(db, *, own_question: bool):
    """Answers about buses from Drumlee (40), about bins from Kirkhallie (30), 4 from Ardmore."""
    item = factories.consultation()
    q1, _q2, q3 = item.questions
    area = None
    if own_question:
        area = services.add_question(
            db,
            item,
            type="locality",
            title="Where do you live?",
            options=["Drumlee", "Kirkhallie", "Ardmore"],
        )
    else:
        item.equalities = True
    run = request_analysis(db, item, trigger="officer")
    findings.start_run(db, run.id, task_id=None)
    assignments = []
    for place, code, theme, n in (
        ("Drumlee", "o1", "t1", 40),
        ("Kirkhallie", "o2", "t2", 30),
        ("Ardmore", "o3", "t1", 4),
    ):
        for _ in range(n):
            response = factories.response(item, {q1.id: ["o1"], q3.id: [f"About {theme}"]})
            if area is not None:
                db.add(Answer(response_id=response.id, question_id=area.id, value=code))
            else:
                db.add(
                    EqualitiesAnswers(
                        response_id=response.id, consultation_id=item.id, locality=place
                    )
                )
            answer = next(a for a in response.answers if a.question_id == q3.id)
            assignments.append({"id": str(answer.id), "themes": [theme], "primary": theme})
    db.flush()
    themes = [
        {"id": "t1", "label": "Buses", "terms": ["bus"], "size": 44, "share": 0.59, "quotes": []},
        {"id": "t2", "label": "Bins", "terms": ["bin"], "size": 30, "share": 0.41, "quotes": []},
    ]
    findings.store_question_result(
        db, run.id, q3.id, answer_count=74, result={"themes": themes, "assignments": assignments}
    )
    findings.finish_run(db, run.id)
    return item


@pytest.mark.parametrize("own_question", [True, False])
def test_themes_are_broken_down_by_locality_with_small_areas_hidden(
    app, client, auth, db, monkeypatch, own_question
):
    monkeypatch.setitem(app.config, "LOCALITIES", ["Drumlee", "Kirkhallie", "Ardmore"])
    item = locality_consultation(db, own_question=own_question)
    auth.login(factories.user(role="jog"))
    page = client.get(f"/findings/{item.id}").get_data(as_text=True)
    title = "Where do you live?" if own_question else "Which area do you live in?"
    assert page.count(f"themes by: Area: {title}") == 1
    table = page.split(f"themes by: Area: {title}")[1].split("</table>")[0]
    drumlee = table.split("Drumlee</th>")[1].split("</tr>")[0]
    assert "40 (100%)" in drumlee
    ardmore = table.split("Ardmore</th>")[1].split("</tr>")[0]
    assert "Not shown" in ardmore
    assert ">4<" not in ardmore
    # With Ardmore hidden, the next smallest area is hidden too, so 4 cannot be worked out.
    assert "Not shown" in table.split("Kirkhallie</th>")[1].split("</tr>")[0]
    # The locality table comes straight after the channel table.
    tables = page.split("themes by: ")[1:]
    assert tables[1].startswith("Area:")
