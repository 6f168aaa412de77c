"""The curation page: owning officers edit without JavaScript, JOG members read masked answers,
other partners' officers are refused, and a refused edit keeps what was typed."""

from __future__ import annotations

import csv
import html
import io

from engage.curation import services as curation
from tests import factories
from tests.engage.curation_data import analysed


def setup(db, auth):
    data = analysed(db)
    officer = factories.user(role="officer", organisation_=data.consultation.organisation)
    auth.login(officer)
    return data, officer


def test_an_officer_starts_curating_and_walks_the_edits(client, auth, db):
    data, officer = setup(db, auth)
    ids = data.answer_ids
    url = f"/curation/questions/{data.question.id}"
    findings_page = client.get(f"/findings/{data.consultation.id}").get_data(as_text=True)
    assert url in findings_page
    assert "Start curating" in client.get(url).get_data(as_text=True)
    assert client.post(f"{url}/start").status_code == 303
    item = curation.curated_set(db, data.question.id)
    buses, roads = item.themes
    page = client.get(url).get_data(as_text=True)
    assert "100%" in page
    assert "07700 900123" in page  # the owning officer reads answers as written
    response = client.post(
        f"{url}/themes/{buses.id}/rename", data={"label": "Public transport", "description": "x"}
    )
    assert response.status_code == 303
    response = client.post(
        f"{url}/themes/{buses.id}/answers",
        data={"answer": [str(ids[4])], "do": "split", "new_label": "Young people"},
    )
    assert response.status_code == 303
    client.post(f"{url}/themes/{roads.id}/answers", data={"answer": [str(ids[3])], "do": "quote"})
    client.post(
        f"{url}/themes/{roads.id}/answers",
        data={"answer": [str(ids[2])], "do": "move", "to": str(buses.id)},
    )
    asked = client.post(f"{url}/approve")
    assert asked.status_code == 400  # two themes have no quotes chosen: it asks first
    message = "No quotes are chosen for ‘Public transport’ and ‘Young people’"
    assert message in asked.get_data(as_text=True)
    db.expire_all()
    assert item.approved_at is None
    client.post(f"{url}/approve", data={"typical_quotes": "yes"})
    db.expire_all()
    labels = [t.label for t in item.themes]
    assert labels == ["Public transport", "Roads", "Young people"]
    assert item.approved_at is not None
    # Each theme's evidence is measured again from the answers it now holds.
    for theme in item.themes:
        assert theme.evidence["terms"]
        assert 0 < theme.evidence["low"] <= theme.evidence["high"] <= 1
        assert theme.evidence["sentiment"]["label"]
        held = {str(link.answer_id) for link in theme.assignments}
        assert set(theme.evidence["typical"]) <= held
    # The answers download names the approved themes, not the machine's.
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(f"/findings/{data.consultation.id}/answers.csv")
                .get_data(as_text=True)
                .lstrip("\ufeff")
            )
        )
    )
    themes_of = {row[3]: row[4] for row in rows[1:]}
    approved_labels = {label for row in rows[1:] for label in row[4].split("; ") if label}
    assert approved_labels <= set(labels)
    assert {row[6] for row in rows[1:]} == {"Officers' approved themes"}
    assert len(themes_of) == len(ids)
    page = client.get(url).get_data(as_text=True)
    assert "Approved by" in page
    assert "Split 1 answer from ‘Public transport’ into a new theme ‘Young people’" in page
    # Answers 2 (moved) and 4 (split off) disagree with the machine, the other three agree.
    assert ">60%<" in page
    assert "officers moved 2 by hand" in page


def test_a_refused_split_explains_and_keeps_the_name_typed(client, auth, db):
    data, officer = setup(db, auth)
    item = curation.start(db, data.question, data.run, officer.id)
    buses = item.themes[0]
    url = f"/curation/questions/{data.question.id}"
    response = client.post(
        f"{url}/themes/{buses.id}/answers", data={"do": "split", "new_label": "Young people"}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    assert "Choose the answers that belong in the new theme" in page
    assert 'value="Young people"' in page
    response = client.post(f"{url}/themes/{buses.id}/rename", data={"label": " "})
    assert "Enter a name for the theme" in response.get_data(as_text=True)


def test_jog_members_read_masked_answers_and_cannot_edit(client, auth, db):
    data = analysed(db)
    curation.start(db, data.question, data.run, None)
    auth.login(factories.user(role="jog"))
    url = f"/curation/questions/{data.question.id}"
    page = client.get(url).get_data(as_text=True)
    assert "07700 900123" not in page
    assert "potholes" in page
    assert "Merge themes" not in page
    assert client.post(f"{url}/approve").status_code == 403


def test_another_partners_officer_is_refused(client, auth, db):
    data = analysed(db)
    auth.login(factories.user(role="officer"))
    assert client.get(f"/curation/questions/{data.question.id}").status_code == 403


def test_we_asked_you_said_we_did_shows_chosen_approved_themes_and_masked_quotes(client, auth, db):
    data, officer = setup(db, auth)
    ids = data.answer_ids
    item = curation.start(db, data.question, data.run, officer.id)
    buses, roads = item.themes
    curation.mark_quote(db, item, roads.id, ids[3], on=True, user_id=officer.id)
    url = f"/manage/{data.consultation.id}/results"
    assert "Once officers approve" in client.get(url).get_data(as_text=True)
    curation.approve(db, item, user_id=officer.id)
    form = client.get(url).get_data(as_text=True)
    assert 'name="theme"' in form
    assert "07700 900123" not in form
    texts = {"we_asked": "What matters?", "you_said": "Roads.", "we_did": "Fixing them."}
    response = client.post(url, data={**texts, "theme": [str(roads.id)]})
    assert response.status_code in (302, 303)
    db.expire_all()
    assert roads.published
    assert not buses.published
    page = client.get(f"/consultations/{data.consultation.slug}").get_data(as_text=True)
    results = page.split('id="results"')[1]
    assert "Roads" in results
    assert "Raised by 2 people" in results
    assert "potholes" in results
    assert "07700 900123" not in results
    assert "Buses" not in results


def test_findings_show_the_curated_themes_once_approved(client, auth, db):
    data = analysed(db)
    officer = factories.user(role="officer", organisation_=data.consultation.organisation)
    item = curation.start(db, data.question, data.run, officer.id)
    buses, roads = item.themes
    curation.rename(db, item, roads.id, label="Roads and pavements", description="", user_id=None)
    curation.mark_quote(db, item, roads.id, data.answer_ids[3], on=True, user_id=None)
    auth.login(factories.user(role="jog"))
    url = f"/findings/{data.consultation.id}"

    before = client.get(url).get_data(as_text=True)
    assert "Roads and pavements" not in before, "not approved: the run's themes as they were"
    assert "These themes were reviewed by officers" not in before
    assert "have not been reviewed by officers yet: officers are reviewing them now" in before

    curation.approve(db, item, user_id=officer.id)
    page = client.get(url).get_data(as_text=True)
    assert "These themes were reviewed by officers" in page
    assert f"by {officer.name}" in page
    assert "Roads and pavements" in page
    assert ">Quotes</h3>" in page
    assert "about the potholes" in page
    assert "07700 900123" not in page, "a JOG member reads the chosen quote masked"
    assert "1 is in no theme" in page


def test_each_reader_is_offered_only_what_they_can_do(client, auth, db):
    data, officer = setup(db, auth)
    findings_url = f"/findings/{data.consultation.id}"
    page = client.get(findings_url).get_data(as_text=True)
    assert "Curate the themes" in page
    assert "have not been reviewed by officers yet" in page  # the machine's set, labelled
    auth.logout()
    auth.login(factories.user(role="jog"))
    page = client.get(findings_url).get_data(as_text=True)
    assert "rename, merge and split" not in page
    assert "Curate the themes" not in page
    assert "have not been reviewed by officers yet" in page
    item = curation.start(db, data.question, data.run, officer.id)
    curation.approve(db, item, user_id=officer.id)
    db.commit()
    page = client.get(findings_url).get_data(as_text=True)
    assert "See how officers reviewed the themes" in page
    assert "rename, merge and split" not in page
    assert "have not been reviewed by officers yet" not in page
    curation_page = client.get(f"/curation/questions/{data.question.id}").get_data(as_text=True)
    assert "Approve these themes" not in curation_page
    assert "Merge" not in curation_page


def test_an_officer_drafts_previews_then_publishes_we_asked_you_said_we_did(client, auth, db):
    data, officer = setup(db, auth)
    item = curation.start(db, data.question, data.run, officer.id)
    buses, roads = item.themes
    curation.approve(db, item, user_id=officer.id)
    db.commit()
    url = f"/manage/{data.consultation.id}/results"
    typed = {"we_asked": "", "you_said": "My own notes", "we_did": "We will add a bus."}
    drafted = client.post(url, data=typed | {"draft": "Draft"})
    assert drafted.status_code == 200
    page = drafted.get_data(as_text=True)
    # Buses has 3 answers from 3 people, Roads 2, of 6 who wrote: the larger leads.
    assert "Buses came up more than anything else: 3 people of the 6 who wrote to us" in page
    assert "You also told us about roads (2 people)." in page
    assert "My own notes" in page  # what the officer had typed is kept below the draft
    assert "What should change in your area?" in page  # We asked: the consultation's summary
    assert "6 people answered." in page
    # Drafting again, as people do, neither repeats the draft nor loses what was typed.
    first = drafted_text(page)
    again = client.post(url, data=typed | {"you_said": first, "draft": "Draft"})
    second = drafted_text(again.get_data(as_text=True))
    assert second == first
    assert second.count("Buses came up more than anything else") == 1
    assert second.count("My own notes") == 1
    db.expire_all()
    assert data.consultation.you_said in ("", None)  # nothing published by drafting
    texts = {
        "we_asked": "We asked about transport.",
        "you_said": "Buses came up most.",
        "we_did": "We will add a bus.",
        "theme": [str(buses.id)],
    }
    preview = client.post(url, data=texts | {"preview": "Preview"})
    page = preview.get_data(as_text=True)
    assert "Preview: what residents will see" in page
    assert "Raised by 3 people." in page
    db.expire_all()
    assert data.consultation.published_at is None
    published = client.post(url, data=texts | {"submit": "Publish results"})
    assert published.status_code == 302
    db.expire_all()
    assert data.consultation.you_said == "Buses came up most."


def drafted_text(page: str) -> str:
    """What the 'You said' box holds on a results page."""
    box = page.split('id="you_said"', 1)[1].split(">", 1)[1].split("</textarea>", 1)[0]
    return html.unescape(box).strip()


def test_a_large_question_is_approved_at_once_and_measured_by_the_worker(
    app, client, auth, db, monkeypatch
):
    from sqlalchemy import select

    from engage import outbox
    from engage.curation import evidence
    from worker import tasks

    monkeypatch.setattr(evidence, "MEASURE_IN_REQUEST", 3)  # this question's 5 answers are "large"
    data = analysed(db)
    officer = factories.user(role="officer", organisation_=data.consultation.organisation)
    item = curation.start(db, data.question, data.run, officer.id)
    auth.login(officer)
    client.post(f"/curation/questions/{data.question.id}/approve", data={"typical_quotes": "yes"})
    db.expire_all()
    assert item.approved_at is not None
    assert not any(t.evidence for t in item.themes), "nothing measured while the officer waited"
    row = db.scalars(
        select(outbox.TaskOutbox).where(outbox.TaskOutbox.task == evidence.MEASURE_TASK)
    ).one()
    assert row.args == [item.id]

    auth.login(factories.user(role="jog"))
    url = f"/findings/{data.consultation.id}"
    page = client.get(url).get_data(as_text=True)
    assert "These themes were reviewed by officers" in page
    assert "still being worked out" in page
    db.expire_all()
    assert not any(t.evidence for t in item.themes), "reading the page measures nothing"

    with app.app_context():
        assert tasks.measure_curated.run(row.id, item.id) is True
        assert tasks.measure_curated.run(row.id, item.id) is False, "a second delivery: nothing"
    db.expire_all()
    assert all(t.evidence["terms"] for t in item.themes)
    assert db.get(outbox.TaskOutbox, row.id).done_at is not None
    page = client.get(url).get_data(as_text=True)
    assert "still being worked out" not in page
    assert "(most typical answers; not chosen by officers)" in page
