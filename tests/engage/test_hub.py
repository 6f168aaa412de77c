"""The public hub (search, filters, consultation pages, documents, results) and the officer's
lifecycle pages (details, documents, results, archive, copy, templates)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from surveys import lifecycle
from surveys.base import utcnow
from surveys.documents import MAX_BYTES
from surveys.models import Consultation, ConsultationStatus, Document
from tests import factories

PDF = b"%PDF-1.7\n" + b"x" * 2000


@pytest.fixture
def officer(db):
    return factories.user("officer")


@pytest.fixture
def hub(db):
    """A council and the police, with consultations in every state."""
    council = factories.organisation("council-h")
    police = factories.organisation("police-h", kind="police")
    now = utcnow()
    made = {
        "buses": factories.consultation(council, title="Buses in Drumlee", status="open"),
        "safety": factories.consultation(police, title="Feeling safe at night", status="open"),
        "parks": factories.consultation(
            council,
            title="Parks for everyone",
            status="scheduled",
            opens_at=now + timedelta(days=10),
            closes_at=now + timedelta(days=40),
        ),
        "old": factories.consultation(council, title="Last year's bus review", status="closed"),
        "gone": factories.consultation(council, title="Archived library hours", status="archived"),
        "secret": factories.consultation(council, title="Draft housing plan", status="draft"),
    }
    made["buses"].topic, made["buses"].localities = "transport", ["Drumlee"]
    made["old"].topic = "transport"
    made["safety"].topic = "safety"
    made["safety"].co_owners.append(council)
    db.flush()
    return made


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_hub_lists_open_forthcoming_and_closed_only(client, hub):
    text = page(client, "/")
    for title in ("Buses in Drumlee", "Feeling safe at night", "Parks for everyone"):
        assert title in text
    assert "Last year&#39;s bus review" in text
    assert "Archived library hours" not in text
    assert "Draft housing plan" not in text
    assert "Forthcoming consultations" in text
    assert "· Opens " in text  # forthcoming ones show their opening date
    assert "<strong>4</strong> consultations" in text
    # The archived one still answers at its address; the draft does not exist publicly.
    assert "Archived consultation" in page(client, f"/consultations/{hub['gone'].slug}")
    assert client.get(f"/consultations/{hub['secret'].slug}").status_code == 404


def test_forthcoming_page_shows_its_opening_date_and_no_respond_button(client, hub):
    text = page(client, f"/consultations/{hub['parks'].slug}")
    assert "Forthcoming consultation" in text
    assert "This consultation opens on" in text
    assert "Respond online" not in text
    assert "Respond online" in page(client, f"/consultations/{hub['buses'].slug}")


def test_search_matches_every_word_in_title_or_summary(client, hub):
    text = page(client, "/?q=bus+DRUMLEE")
    assert "Buses in Drumlee" in text
    assert "Last year" not in text
    assert "<strong>1</strong> consultation matches your search" in text
    assert 'value="bus DRUMLEE"' in text
    assert "Clear filters" in text
    # Words in the summary count too; LIKE wildcards are taken literally.
    assert "<strong>5</strong>" not in page(client, "/?q=%25")
    assert "No consultations match your search" in page(client, "/?q=%25")


def test_partner_filter_includes_co_owned_consultations(client, hub):
    police = page(client, "/?partner=police-h")
    assert "Feeling safe at night" in police
    assert "Buses in Drumlee" not in police
    council = page(client, "/?partner=council-h")
    assert "Feeling safe at night" in council  # the council co-owns it
    assert "Buses in Drumlee" in council
    assert 'value="council-h" selected' in council


def test_topic_and_locality_filters(client, hub):
    transport = page(client, "/?topic=transport")
    assert "Buses in Drumlee" in transport
    assert "Last year" in transport
    assert "Feeling safe" not in transport
    kirkhallie = page(client, "/?locality=Drumlee&topic=transport")
    assert "Buses in Drumlee" in kirkhallie
    # Only the Drumlee consultation names an area, so the locality list offers Drumlee; the
    # whole-area ones are about Drumlee too.
    drumlee = page(client, "/?locality=Drumlee")
    assert "Feeling safe at night" in drumlee


def test_locality_filter_leaves_out_other_areas(client, hub, app, monkeypatch):
    monkeypatch.setitem(app.config, "LOCALITIES", ["Drumlee", "Kirkhallie"])
    text = page(client, "/?locality=Kirkhallie")
    assert "Buses in Drumlee" not in text
    assert "Feeling safe at night" in text


def test_unknown_filter_values_are_ignored_and_nothing_found_is_explained(client, hub):
    text = page(client, "/?partner=nobody&topic=gardening&locality=Mars")
    assert "<strong>4</strong> consultations" in text
    empty = page(client, "/?q=zebra+crossing+unicorns")
    assert "<strong>0</strong> consultations match your search" in empty
    assert "No consultations match your search" in empty
    assert "check the spelling" in empty


def test_we_asked_you_said_we_did_is_public_only_once_published(client, auth, db, hub):
    old = hub["old"]
    old.we_asked = "Draft wording, not published"
    db.flush()
    url = f"/consultations/{old.slug}"
    text = page(client, url)
    assert "We asked, you said, we did" not in text
    assert "Draft wording" not in text
    lifecycle.publish_results(
        db,
        old,
        we_asked="We asked about buses.",
        you_said="You said evening buses matter.\n\nAnd Sundays.",
        we_did="We added a late bus.",
        now=utcnow(),
    )
    text = page(client, url)
    assert "We asked, you said, we did" in text
    assert '<p class="govuk-body">And Sundays.</p>' in text
    assert "Results published" in page(client, "/")


# Officers: documents


def upload(client, url, data):
    response = client.post(url, data=data, content_type="multipart/form-data")
    # The test client spools a big body to a temporary file and leaves it open.
    response.request.environ["wsgi.input"].close()
    return response


def add_document(client, item, title="Draft plan", name="plan.pdf", data=PDF):
    return upload(
        client, f"/manage/{item.id}/documents", {"title": title, "file": (io.BytesIO(data), name)}
    )


def test_officer_uploads_and_residents_download(client, auth, db, officer):
    item = factories.consultation(officer.organisation)
    auth.login(officer)
    response = add_document(client, item, name="Draft plan (v2).pdf")
    assert response.status_code == 302
    document = db.scalars(select(Document).where(Document.consultation_id == item.id)).one()
    assert (document.filename, document.content_type, document.size) == (
        "Draft plan v2.pdf",
        "application/pdf",
        len(PDF),
    )
    auth.logout()
    text = page(client, f"/consultations/{item.slug}")
    assert 'Draft plan <span class="engage-meta">(PDF, 2 KB)</span>' in text
    download = client.get(f"/consultations/{item.slug}/documents/{document.id}")
    assert download.status_code == 200
    assert download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"] == 'attachment; filename="Draft plan v2.pdf"'
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    other = factories.consultation()
    assert client.get(f"/consultations/{other.slug}/documents/{document.id}").status_code == 404


def test_a_file_between_the_form_limit_and_10_mb_is_accepted(client, auth, db, officer):
    item = factories.consultation(officer.organisation)
    auth.login(officer)
    big = PDF + b"0" * (5 * 1024 * 1024)  # over the 2 MB limit of every other form
    assert add_document(client, item, data=big).status_code == 302
    assert item.documents[0].size == len(big)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "", "file": (io.BytesIO(PDF), "plan.pdf")}, "Enter the title of the document"),
        ({"title": "Plan"}, "Select a file"),
        ({"title": "Plan", "file": (io.BytesIO(b""), "plan.pdf")}, "The selected file is empty"),
        ({"title": "Plan", "file": (io.BytesIO(b"MZ"), "setup.exe")}, "must be a PDF, Word"),
        ({"title": "Plan", "file": (io.BytesIO(b"<html>"), "plan.pdf")}, "not a real PDF"),
        (
            {"title": "Plan", "file": (io.BytesIO(PDF + b"0" * MAX_BYTES), "plan.pdf")},
            "must be smaller than 10 MB",
        ),
    ],
)
def test_upload_mistakes_are_explained_and_the_title_kept(client, auth, officer, data, message):
    item = factories.consultation(officer.organisation)
    auth.login(officer)
    response = upload(client, f"/manage/{item.id}/documents", data)
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<title>Error:" in text
    assert message in text
    assert 'href="#title"' in text or 'href="#file"' in text
    if data["title"]:
        assert 'value="Plan"' in text
    assert not item.documents


def test_a_huge_upload_gets_a_plain_message(client, auth, officer):
    item = factories.consultation(officer.organisation)
    auth.login(officer)
    response = add_document(client, item, data=PDF + b"0" * (3 * MAX_BYTES))
    assert response.status_code == 413
    assert "must be smaller than 10 MB" in response.get_data(as_text=True)


def test_officer_removes_a_document(client, auth, db, officer):
    item = factories.consultation(officer.organisation)
    auth.login(officer)
    add_document(client, item)
    document_id = item.documents[0].id
    response = client.post(f"/manage/{item.id}/documents/{document_id}/delete")
    assert response.status_code == 302
    db.expire_all()
    assert item.documents == []
    assert client.get(f"/consultations/{item.slug}/documents/{document_id}").status_code == 404


def test_another_partners_officer_cannot_touch_documents(client, auth, db, officer):
    item = factories.consultation(factories.organisation())
    auth.login(factories.user("officer", item.organisation))
    add_document(client, item)
    document = item.documents[0]
    auth.logout()
    auth.login(officer)
    assert client.get(f"/manage/{item.id}/documents").status_code == 403
    assert add_document(client, item, title="Mine now").status_code == 403
    assert client.post(f"/manage/{item.id}/documents/{document.id}/delete").status_code == 403
    assert client.post(f"/manage/{item.id}/results").status_code == 403
    assert client.post(f"/manage/{item.id}/archive").status_code == 403
    assert client.post(f"/manage/{item.id}/copy").status_code == 403
    assert client.get(f"/manage/{item.id}/details").status_code == 403
    db.expire_all()
    assert [d.title for d in item.documents] == ["Draft plan"]


def test_residents_and_jog_cannot_upload(client, auth, db):
    item = factories.consultation()
    assert add_document(client, item).status_code == 302  # anonymous: sent to sign in
    auth.login(factories.user("jog"))
    assert add_document(client, item).status_code == 403
    assert not item.documents


# Officers: details, results, archive, copy, templates


def test_officer_edits_the_details(client, auth, db, officer, app, monkeypatch):
    monkeypatch.setitem(app.config, "LOCALITIES", ["Drumlee", "Kirkhallie"])
    item = factories.consultation(officer.organisation, status="draft")
    auth.login(officer)
    form = page(client, f"/manage/{item.id}/details")
    assert 'value="Kirkhallie"' in form
    response = client.post(
        f"/manage/{item.id}/details",
        data={
            "title": "Buses",
            "summary": "Tell us about buses.",
            "opens": ["1", "3", "2031"],
            "closes": ["1", "4", "2031"],
            "topic": "transport",
            "localities": ["Kirkhallie"],
            "other_ways": "Ring 0300 123 4567.",
            "anonymous": "no",
            "equalities": "yes",
        },
    )
    assert response.status_code == 302
    db.expire_all()
    assert (item.title, item.topic, item.localities, item.anonymous, item.equalities) == (
        "Buses",
        "transport",
        ["Kirkhallie"],
        False,
        True,
    )
    assert item.other_ways == "Ring 0300 123 4567."
    assert item.opens_at.date().isoformat() == "2031-03-01"


def test_bad_details_are_explained_and_kept(client, auth, officer):
    item = factories.consultation(officer.organisation, status="scheduled")
    auth.login(officer)
    response = client.post(
        f"/manage/{item.id}/details",
        data={"title": "Kept", "summary": "", "opens": ["", "", ""], "closes": ["1", "4", "2031"]},
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<title>Error:" in text
    assert "Enter a summary" in text
    assert 'value="Kept"' in text


def test_officer_publishes_results_only_when_closed(client, auth, db, officer):
    item = factories.consultation(officer.organisation, status="open")
    auth.login(officer)
    response = client.post(f"/manage/{item.id}/results", data={"we_asked": "x"})
    assert response.status_code == 302
    assert "once the consultation has closed" in page(client, f"/manage/{item.id}")
    db.expire_all()
    assert item.status == "open"

    item.status = ConsultationStatus.CLOSED
    db.flush()
    response = client.post(f"/manage/{item.id}/results", data={"we_asked": "We asked."})
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter the ‘You said’ text" in text
    assert "We asked." in text
    response = client.post(
        f"/manage/{item.id}/results",
        data={"we_asked": "We asked.", "you_said": "You said.", "we_did": "We did."},
    )
    assert response.status_code == 302
    db.expire_all()
    assert item.status == ConsultationStatus.PUBLISHED
    assert "Change the published results" in page(client, f"/manage/{item.id}")
    assert "We did." in page(client, f"/consultations/{item.slug}")


def test_officer_archives_a_closed_consultation(client, auth, db, officer):
    item = factories.consultation(officer.organisation, status="open")
    auth.login(officer)
    client.post(f"/manage/{item.id}/archive")
    db.expire_all()
    assert item.status == "open"
    item.status = ConsultationStatus.CLOSED
    db.flush()
    client.post(f"/manage/{item.id}/archive")
    db.expire_all()
    assert item.status == ConsultationStatus.ARCHIVED
    assert item.title not in page(client, "/")
    assert client.get(f"/consultations/{item.slug}").status_code == 200


def test_officer_copies_a_consultation(client, auth, db, officer):
    item = factories.consultation(officer.organisation, status="closed")
    auth.login(officer)
    response = client.post(f"/manage/{item.id}/copy")
    copy = db.scalars(
        select(Consultation).where(Consultation.title == f"Copy of {item.title}")
    ).one()
    assert response.headers["Location"].endswith(f"/manage/{copy.id}")
    assert copy.status == ConsultationStatus.DRAFT
    assert len(copy.questions) == 3


def test_officer_starts_from_a_template(client, auth, db, officer):
    factories.organisation()  # a second partner, so the partner question lists real names
    auth.login(officer)
    form = page(client, "/manage/new")
    assert "Partnership Assessment Scorecard" in form
    response = client.post(
        "/manage/new",
        data={
            "start": "partnership-scorecard",
            "title": "Scorecard 2027",
            "summary": "",
            "organisation_id": officer.organisation_id,
            "opens": ["", "", ""],
            "closes": ["1", "12", "2030"],
        },
    )
    assert response.status_code == 302
    item = db.scalars(select(Consultation).where(Consultation.title == "Scorecard 2027")).one()
    assert item.topic == "partnership"
    assert len(item.pages) == 8
    partner = item.questions[0]
    assert officer.organisation.name in [o["label"] for o in partner.options]


def test_blank_consultation_still_needs_a_summary(client, auth, officer):
    auth.login(officer)
    response = client.post(
        "/manage/new",
        data={
            "start": "blank",
            "title": "T",
            "organisation_id": officer.organisation_id,
            "opens": ["", "", ""],
            "closes": ["1", "12", "2030"],
        },
    )
    assert response.status_code == 400
    assert "Enter a summary" in response.get_data(as_text=True)
