""" "We asked, you said, we did" sent to the Residents' Panel as a newsletter: started from the
results page by the consultation's own officers, previewed, sent once to the panel or a locality,
kept in the archive, and carrying no unmasked personal details."""

from __future__ import annotations

from sqlalchemy import func, select

from engage.curation import services as curation
from engage.panel.models import PanelNewsletter
from tests import factories
from tests.engage.curation_data import analysed
from tests.engage.test_panel import LOCALITIES, emails_to, localities, member  # noqa: F401

PHONE = "07700 900123"


def published(db, client, auth):
    """A closed consultation with approved themes, a quote holding a phone number, and its
    results published by its officer (signed in)."""
    data = analysed(db)
    officer = factories.user(role="officer", organisation_=data.consultation.organisation)
    auth.login(officer)
    item = curation.start(db, data.question, data.run, officer.id)
    buses, roads = item.themes
    curation.mark_quote(db, item, roads.id, data.answer_ids[3], on=True, user_id=officer.id)
    curation.approve(db, item, user_id=officer.id)
    texts = {
        "we_asked": "What matters in your street?",
        "you_said": "Roads came up most.",
        "we_did": "The council will resurface Main Street in 2027.",
    }
    response = client.post(
        f"/manage/{data.consultation.id}/results", data={**texts, "theme": [str(roads.id)]}
    )
    assert response.status_code in (302, 303)
    return data


def test_results_go_to_the_panel_once_masked_with_a_link_to_the_hub(client, auth, db):
    data = published(db, client, auth)
    north = member(db, email="north@example.org", profile={"locality": LOCALITIES[0]})
    member(db, email="south@example.org", profile={"locality": LOCALITIES[1]})
    results_url = f"/manage/{data.consultation.id}/results"
    assert "Prepare a panel newsletter" in client.get(results_url).get_data(as_text=True)

    started = client.post(f"/manage/panel/newsletters/from-results/{data.consultation.id}")
    assert started.status_code == 303
    item = db.scalar(
        select(PanelNewsletter).where(PanelNewsletter.consultation_id == data.consultation.id)
    )
    preview = client.get(started.headers["Location"]).get_data(as_text=True)
    assert "We asked, you said, we did" in preview
    assert "Roads" in preview
    assert "Buses" not in preview
    assert "Call me on [phone] about the potholes" in preview
    assert PHONE not in preview
    assert "resurface Main Street" in preview
    assert f"/consultations/{data.consultation.slug}" in preview
    assert "It will go to 2 members" in preview
    # Starting again reopens the same draft.
    client.post(f"/manage/panel/newsletters/from-results/{data.consultation.id}")
    assert db.scalar(select(func.count()).select_from(PanelNewsletter)) == 1

    # Sent to one locality only; the edit keeps the themes, which are not on the form.
    edit = {f"heading-{n}": s["heading"] for n, s in enumerate(item.sections, 1)}
    edit |= {f"body-{n}": s["body"] for n, s in enumerate(item.sections, 1)}
    edit |= {"title": item.title, "intro": item.intro, "locality": LOCALITIES[0]}
    edit["results-3"] = str(data.consultation.id)
    assert client.post(f"/manage/panel/newsletters/{item.id}/edit", data=edit).status_code == 303
    db.expire_all()
    assert item.sections[1]["themes"][0]["label"] == "Roads"
    client.post(f"/manage/panel/newsletters/{item.id}/send")
    client.post(f"/manage/panel/newsletters/{item.id}/send")  # a double click sends nothing more

    (email,) = emails_to(db, north.email)
    assert emails_to(db, "south@example.org") == []
    for part in (email.body, email.html):
        assert "Roads (2 residents)" in part
        assert "Call me on [phone] about the potholes" in part
        assert PHONE not in part
        assert "07700" not in part
        assert "resurface Main Street" in part
        assert f"/consultations/{data.consultation.slug}" in part
    assert email.headers["List-Unsubscribe"]

    # The results page says it was sent; starting again does not make another.
    page = client.get(results_url).get_data(as_text=True)
    assert "These results were sent to 1 panel member" in page
    again = client.post(f"/manage/panel/newsletters/from-results/{data.consultation.id}")
    assert again.headers["Location"].endswith(f"/manage/panel/newsletters/{item.id}")
    assert db.scalar(select(func.count()).select_from(PanelNewsletter)) == 1
    archive = client.get(f"/panel/newsletters/{item.id}").get_data(as_text=True)
    assert "Call me on [phone] about the potholes" in archive
    assert PHONE not in archive


def test_only_the_consultations_officers_and_only_once_published(client, auth, db):
    data = analysed(db)
    auth.login(factories.user(role="officer"))  # another partner's officer
    url = f"/manage/panel/newsletters/from-results/{data.consultation.id}"
    assert client.post(url).status_code == 403
    auth.logout()
    auth.login(factories.user(role="officer", organisation_=data.consultation.organisation))
    refused = client.post(url)  # closed, results not published yet
    assert refused.status_code == 303
    assert refused.headers["Location"].endswith(f"/manage/{data.consultation.id}/results")
    assert db.scalar(select(func.count()).select_from(PanelNewsletter)) == 0
    auth.logout()
    auth.login(factories.user(role="jog"))
    assert client.post(url).status_code == 403
