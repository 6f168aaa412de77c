"""Codebooks: officers create, edit, upload and share them, and choose one for an analysis run."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select

from analysis.codebook_file import CodebookError
from engage.codebooks import services as codebooks
from engage.codebooks.models import Codebook
from engage.curation.runs import request_analysis
from engage.findings import services as findings
from engage.findings.models import AnalysisRun
from tests import factories

PRIORITIES = {
    "themes": [
        {
            "id": "children",
            "label": "Vulnerable children and young people",
            "description": "Child poverty, care experienced young people, youth work",
            "examples": ["A youth club for the kids", "Support for young carers"],
        },
        {"id": "older", "label": "Older people", "description": "Adding life to years"},
    ]
}


def officer_with_codebook(db, shared: bool = False):
    officer = factories.user(role="officer")
    codebook = codebooks.create(
        db,
        name="Strategic priorities",
        organisation_id=officer.organisation_id,
        shared=shared,
        themes=PRIORITIES["themes"],
    )
    return officer, codebook


def test_an_officer_creates_a_codebook_and_adds_edits_and_removes_themes(client, auth, db):
    auth.login(factories.user(role="officer"))
    created = client.post("/codebooks/new", data={"name": "Priorities"})
    assert created.status_code == 303
    url = created.headers["Location"]
    codebook = db.scalars(select(Codebook)).one()
    assert codebook.themes == []
    added = client.post(
        f"{url}/themes/new",
        data={
            "label": "Older people – adding life to years",
            "description": "Loneliness, care at home, getting out and about",
            "examples": "A lunch club for older people\n\n  Help with shopping  \n",
        },
    )
    assert added.status_code == 303
    db.expire_all()
    assert codebook.themes == [
        {
            "id": "older-people-adding-life-to-years",
            "label": "Older people – adding life to years",
            "description": "Loneliness, care at home, getting out and about",
            "examples": ["A lunch club for older people", "Help with shopping"],
        }
    ]
    page = client.get(url).get_data(as_text=True)
    assert "A lunch club for older people" in page
    changed = client.post(
        f"{url}/themes/1", data={"label": "Older people", "description": "", "examples": ""}
    )
    assert changed.status_code == 303
    db.expire_all()
    assert codebook.themes[0]["label"] == "Older people"
    assert codebook.themes[0]["id"] == "older-people-adding-life-to-years"  # ids stay put
    assert client.post(f"{url}/themes/1/delete").status_code == 303
    db.expire_all()
    assert codebook.themes == []


def test_a_theme_without_a_label_is_refused_and_nothing_typed_is_lost(client, auth, db):
    officer, codebook = officer_with_codebook(db)
    auth.login(officer)
    response = client.post(
        f"/codebooks/{codebook.id}/themes/new",
        data={"label": " ", "description": "Keep this", "examples": "And this"},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "<title>Error:" in page
    assert "Enter the theme" in page
    assert "Keep this" in page
    assert "And this" in page


def test_an_uploaded_file_becomes_a_codebook(client, auth, db):
    auth.login(factories.user(role="officer"))
    data = json.dumps(PRIORITIES).encode()
    response = client.post(
        "/codebooks/upload",
        data={"name": "Priorities", "shared": "y", "file": (io.BytesIO(data), "p.json")},
    )
    assert response.status_code == 303
    codebook = db.scalars(select(Codebook)).one()
    assert codebook.shared is True
    assert [t["id"] for t in codebook.themes] == ["children", "older"]
    assert codebook.themes[1]["examples"] == []
    download = client.get(f"/codebooks/{codebook.id}/codebook.json")
    assert json.loads(download.data)["themes"][0] == PRIORITIES["themes"][0]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "p.json is not valid JSON (Expecting property name enclosed in double"),
        (b"\xff\xfe\x00", "p.json is not UTF-8 text; save it again as UTF-8."),
        (b"[]", 'p.json must be a JSON object with a "themes" list'),
        (b'{"themes": []}', "p.json has no themes: add at least one."),
        (
            b'{"themes": [{"id": "a", "label": "A"}, {"id": "a", "label": "B"}]}',
            'Theme 2 in p.json repeats the id "a": each id must be different.',
        ),
    ],
)
def test_a_bad_file_gets_the_same_plain_message_as_the_command_line(
    client, auth, db, tmp_path, content, message
):
    from analysis.codebook_file import read_codebook

    on_disk = tmp_path / "p.json"
    on_disk.write_bytes(content)
    with pytest.raises(CodebookError) as error:
        read_codebook(on_disk)
    assert str(error.value).startswith(message)
    auth.login(factories.user(role="officer"))
    response = client.post(
        "/codebooks/upload",
        data={"name": "Kept name", "file": (io.BytesIO(content), "p.json")},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    from markupsafe import escape

    assert str(escape(str(error.value))) in page
    assert "Kept name" in page
    assert db.scalars(select(Codebook)).first() is None


def test_another_partners_private_codebook_is_hidden_until_shared(client, auth, db):
    _owner, codebook = officer_with_codebook(db)
    other = factories.user(role="officer")
    auth.login(other)
    assert client.get(f"/codebooks/{codebook.id}").status_code == 404
    assert "Strategic priorities" not in client.get("/codebooks/").get_data(as_text=True)
    codebook.shared = True
    db.flush()
    assert client.get(f"/codebooks/{codebook.id}").status_code == 200
    assert "Strategic priorities" in client.get("/codebooks/").get_data(as_text=True)
    # Shared to read and use, never to change.
    assert client.post(f"/codebooks/{codebook.id}/themes/1/delete").status_code == 403
    assert client.post(f"/codebooks/{codebook.id}/delete").status_code == 403


def test_jog_members_have_no_codebook_pages(client, auth, db):
    auth.login(factories.user(role="jog"))
    assert client.get("/codebooks/").status_code == 403


def test_the_officer_chooses_a_codebook_for_the_run(client, auth, db, monkeypatch):
    officer, codebook = officer_with_codebook(db)
    item = factories.consultation(officer.organisation)
    monkeypatch.setattr(findings, "dispatch", lambda *a, **k: 0)
    auth.login(officer)
    page = client.get(f"/manage/{item.id}/analysis").get_data(as_text=True)
    assert "Find themes automatically" in page
    assert "Map to codebook: Strategic priorities" in page
    started = client.post(f"/manage/{item.id}/analysis", data={"method": f"codebook-{codebook.id}"})
    assert started.status_code == 303
    run = db.scalars(select(AnalysisRun)).one()
    assert run.params["mode"] == "codebook"
    assert run.params["codebook_name"] == "Strategic priorities"
    assert run.params["codebook"] == PRIORITIES | {
        "themes": [{**PRIORITIES["themes"][0]}, {**PRIORITIES["themes"][1], "examples": []}]
    }
    detail = client.get(f"/manage/{item.id}").get_data(as_text=True)
    assert "Mapped to codebook: Strategic priorities" in detail


def test_a_codebook_the_officer_may_not_use_is_refused(client, auth, db, monkeypatch):
    _owner, codebook = officer_with_codebook(db)
    officer = factories.user(role="officer")
    item = factories.consultation(officer.organisation)
    monkeypatch.setattr(findings, "dispatch", lambda *a, **k: 0)
    auth.login(officer)
    refused = client.post(f"/manage/{item.id}/analysis", data={"method": f"codebook-{codebook.id}"})
    assert refused.status_code == 400
    assert "Choose one of the ways shown" in refused.get_data(as_text=True)
    assert db.scalars(select(AnalysisRun)).first() is None


def test_posting_without_a_choice_finds_themes_freely(client, auth, db, monkeypatch):
    officer = factories.user(role="officer")
    item = factories.consultation(officer.organisation)
    monkeypatch.setattr(findings, "dispatch", lambda *a, **k: 0)
    auth.login(officer)
    assert client.post(f"/manage/{item.id}/analysis").status_code == 303
    assert db.scalars(select(AnalysisRun)).one().params == {"mode": "free"}


def test_a_runs_themes_are_saved_as_a_codebook_with_masked_examples(client, auth, db):
    officer = factories.user(role="officer")
    item = factories.consultation(officer.organisation)
    q1, _q2, q3 = item.questions
    text = "Ring me on 07700 900123 about the buses to the hospital"
    answer = factories.response(item, {q1.id: ["o1"], q3.id: [text]}).answers[-1]
    run = request_analysis(db, item, trigger="officer")
    findings.start_run(db, run.id, task_id=None)
    theme = {"id": "t1", "label": "Buses", "terms": ["bus", "hospital"], "size": 1, "share": 1.0}
    result = {
        "themes": [{**theme, "quotes": [str(answer.id)]}],
        "assignments": [{"id": str(answer.id), "themes": ["t1"], "primary": "t1"}],
    }
    qa = findings.store_question_result(db, run.id, q3.id, answer_count=1, result=result)
    findings.finish_run(db, run.id)
    auth.login(officer)
    page = client.get(f"/findings/{item.id}").get_data(as_text=True)
    assert "Save these themes as a codebook" in page
    saved = client.post(f"/codebooks/from-analysis/{qa.id}")
    assert saved.status_code == 303
    codebook = db.scalars(select(Codebook)).one()
    assert codebook.organisation_id == officer.organisation_id
    assert codebook.shared is False
    [saved_theme] = codebook.themes
    assert saved_theme["label"] == "Buses"
    assert saved_theme["description"] == "bus, hospital"
    assert "07700 900123" not in saved_theme["examples"][0]
    assert "buses to the hospital" in saved_theme["examples"][0]


def test_ids_are_short_and_unique():
    assert codebooks.new_id("Older people – adding life to years", set()) == (
        "older-people-adding-life-to-years"
    )
    assert codebooks.new_id("Housing", {"housing"}) == "housing-2"
    assert codebooks.new_id("!!!", set()) == "theme"
    assert len(codebooks.new_id("x" * 100, set())) <= codebooks.MAX_ID_LENGTH


def test_an_uploaded_id_longer_than_a_theme_key_is_refused():
    document = {"themes": [{"id": "x" * 41, "label": "Long"}]}
    with pytest.raises(CodebookError, match="too long"):
        codebooks.read_upload("long.json", json.dumps(document).encode())


def test_administrators_see_every_codebook(db):
    _owner, private = officer_with_codebook(db)
    admin = factories.user(role="admin")
    assert private in codebooks.readable(db, admin)
    assert codebooks.can_change(admin, private)
