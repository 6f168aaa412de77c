"""Officers' tracked links and embed snippet, the public short link, and framing headers."""

from __future__ import annotations

import html
import re
import secrets

import pytest
from sqlalchemy import select

from engage.app import create_app
from surveys import links, services
from surveys.base import utcnow
from surveys.models import TrackedLink
from tests import factories
from tests.conftest import app_config


@pytest.fixture
def officer(db):
    return factories.user("officer")


@pytest.fixture
def item(officer):
    return factories.consultation(officer.organisation, title="Parks in Drumlee")


def test_officer_creates_a_link_and_sees_it_on_the_consultation_page(client, auth, db, item):
    auth.login(factories.user("officer", item.organisation))
    page = client.get(f"/manage/{item.id}/links/new")
    assert page.status_code == 200
    assert "Create a tracked link" in page.get_data(as_text=True)
    assert re.search(r"<legend[^>]*>\s*Where will you share it\?", page.get_data(as_text=True))
    response = client.post(
        f"/manage/{item.id}/links/new", data={"label": "Facebook post", "channel": "hub"}
    )
    assert response.status_code == 302
    assert response.location.endswith(f"/manage/{item.id}#links")
    link = db.scalars(select(TrackedLink).where(TrackedLink.consultation_id == item.id)).one()
    assert (link.label, link.channel) == ("Facebook post", "hub")

    text = client.get(f"/manage/{item.id}").get_data(as_text=True)
    assert "Facebook post" in text
    assert f"http://localhost/s/{link.code}" in text
    assert "Responses by channel" in text


def test_a_partner_website_link_goes_straight_to_its_snippet(client, auth, db, officer, item):
    auth.login(officer)
    response = client.post(
        f"/manage/{item.id}/links/new", data={"label": "College website", "channel": "embed"}
    )
    link = db.scalars(select(TrackedLink).where(TrackedLink.consultation_id == item.id)).one()
    assert response.status_code == 302
    assert response.location.endswith(f"/manage/{item.id}/embed?link={link.id}")


@pytest.mark.parametrize(
    ("data", "message", "field"),
    [
        (
            {"label": "", "channel": "hub"},
            "Enter a name for the link, like College website",
            "label",
        ),
        (
            {"label": "x" * 201, "channel": "hub"},
            "Keep the name to 200 characters or fewer",
            "label",
        ),
        ({"label": "Poster"}, "Select where you will share the link", "channel"),
        (
            {"label": "Poster", "channel": "paper"},
            "Select where you will share the link",
            "channel",
        ),
    ],
)
def test_link_form_errors_are_plain_english_and_keep_the_input(
    client, auth, officer, item, data, message, field
):
    auth.login(officer)
    response = client.post(f"/manage/{item.id}/links/new", data=data)
    assert response.status_code == 400
    text = html.unescape(response.get_data(as_text=True))
    assert "<title>Error: Create a tracked link" in text
    assert f'<a href="#{field}">{message}</a>' in text
    if data["label"] and len(data["label"]) < 200:
        assert f'value="{data["label"]}"' in text


def test_a_second_link_with_the_same_name_is_refused(client, auth, db, officer, item):
    auth.login(officer)
    links.create_link(db, item, label="Facebook post", channel="hub")
    response = client.post(
        f"/manage/{item.id}/links/new", data={"label": "Facebook Post", "channel": "event"}
    )
    assert response.status_code == 400
    text = html.unescape(response.get_data(as_text=True))
    assert "This consultation already has a link called “Facebook Post”" in text
    assert len(links.link_stats(db, item.id)) == 1


def test_another_partners_officer_gets_403(client, auth, db, item):
    link = links.create_link(db, item, label="College website", channel="embed")
    auth.login(factories.user("officer"))  # a different organisation
    assert client.get(f"/manage/{item.id}/links/new").status_code == 403
    response = client.post(
        f"/manage/{item.id}/links/new", data={"label": "Mine now", "channel": "hub"}
    )
    assert response.status_code == 403
    assert client.get(f"/manage/{item.id}/embed?link={link.id}").status_code == 403
    assert len(links.link_stats(db, item.id)) == 1


def test_a_co_owners_officer_may_create_links(client, auth, db, item):
    partner = factories.organisation()
    item.co_owners.append(partner)
    db.flush()
    auth.login(factories.user("officer", partner))
    response = client.post(
        f"/manage/{item.id}/links/new", data={"label": "NHS staff intranet", "channel": "intranet"}
    )
    assert response.status_code == 302


@pytest.mark.parametrize("role", ["resident", "jog"])
def test_people_who_are_not_officers_cannot_manage_links(client, auth, item, role):
    auth.login(factories.user(role, item.organisation if role == "jog" else None))
    assert client.get(f"/manage/{item.id}/links/new").status_code == 403
    assert client.get(f"/manage/{item.id}/embed").status_code == 403


def test_signed_out_people_are_sent_to_sign_in(client, item):
    response = client.get(f"/manage/{item.id}/embed")
    assert response.status_code == 302
    assert "/sign-in" in response.location


def test_embed_page_shows_the_snippet_for_the_chosen_link(client, auth, db, officer, item):
    auth.login(officer)
    first = links.create_link(db, item, label="College website", channel="embed")
    second = links.create_link(db, item, label="Library website", channel="embed")
    links.create_link(db, item, label="Facebook post", channel="hub")
    text = client.get(f"/manage/{item.id}/embed?link={second.id}").get_data(as_text=True)
    snippet = html.unescape(
        re.search(r'<textarea[^>]*id="snippet"[^>]*>(.*?)</textarea>', text, re.S)[1]
    )
    assert snippet.strip() == (
        f'<iframe src="http://localhost/s/{second.code}" '
        f'title="Consultation: Parks in Drumlee" width="100%" height="900" loading="lazy" '
        f'style="border: 0; max-width: 100%;"></iframe>'
    )
    assert re.search(r"<textarea[^>]*readonly", text)
    assert '<label class="govuk-label govuk-label--s" for="snippet">' in text
    plain = html.unescape(
        re.search(r'<textarea[^>]*id="plain-link"[^>]*>(.*?)</textarea>', text, re.S)[1]
    )
    assert f'href="http://localhost/consultations/{item.slug}/respond?via={second.code}"' in plain
    # The radios offer partner website links only.
    assert "Library website" in text
    assert "Facebook post" not in text
    default = client.get(f"/manage/{item.id}/embed").get_data(as_text=True)
    assert f"via={first.code}" in default


def test_embed_snippet_escapes_the_title(client, auth, db, officer):
    item = factories.consultation(officer.organisation, title='Parks "and" <play>')
    links.create_link(db, item, label="College website", channel="embed")
    auth.login(officer)
    text = client.get(f"/manage/{item.id}/embed").get_data(as_text=True)
    snippet = html.unescape(re.search(r'id="snippet"[^>]*>(.*?)</textarea>', text, re.S)[1])
    assert 'title="Consultation: Parks &#34;and&#34; &lt;play&gt;"' in snippet
    assert "<play>" not in snippet


def test_embed_page_without_partner_links_offers_to_create_one(client, auth, officer, item):
    auth.login(officer)
    text = client.get(f"/manage/{item.id}/embed").get_data(as_text=True)
    assert "no partner website links yet" in text
    assert f"/manage/{item.id}/links/new?channel=embed" in text
    assert "<iframe" not in html.unescape(text)
    form = client.get(f"/manage/{item.id}/links/new?channel=embed").get_data(as_text=True)
    assert re.search(r'value="embed"\s+checked', form)


def test_short_link_counts_the_visit_and_redirects(client, db, item):
    link = links.create_link(db, item, label="Facebook post", channel="hub")
    for expected in (1, 2):
        response = client.get(f"/s/{link.code}")
        assert response.status_code == 303
        assert response.location == f"/consultations/{item.slug}/respond?via={link.code}"
        db.refresh(link)
        assert link.visits == expected


def test_short_link_codes_work_in_capitals_and_head_requests_count_nothing(client, db, item):
    link = links.create_link(db, item, label="Poster", channel="event")
    response = client.get(f"/s/{link.code.upper()}")
    assert response.status_code == 303
    assert response.location.endswith(f"via={link.code}")
    assert client.head(f"/s/{link.code}").status_code == 303
    db.refresh(link)
    assert link.visits == 1


def test_short_link_for_a_partner_website_goes_to_the_embedded_survey(client, db, item):
    link = links.create_link(db, item, label="College website", channel="embed")
    response = client.get(f"/s/{link.code}")
    assert response.status_code == 303
    assert response.location == f"/embed/{item.slug}/respond?via={link.code}"


@pytest.mark.parametrize("code", ["nosuchcode", "2345678923", "x", "'%20or%201=1"])
def test_unknown_short_links_get_a_friendly_404(client, code):
    response = client.get(f"/s/{code}")
    assert response.status_code == 404
    assert "Link not found" in response.get_data(as_text=True)


def test_a_link_to_a_forthcoming_consultation_shows_when_it_opens(client, db):
    item = factories.consultation(status="scheduled")
    link = links.create_link(db, item, label="Poster", channel="event")
    response = client.get(f"/s/{link.code}")
    assert response.status_code == 303
    assert response.location == f"/consultations/{item.slug}"


def test_links_to_draft_consultations_404_and_count_nothing(client, db):
    item = factories.consultation(status="draft")
    link = links.create_link(db, item, label="Poster", channel="event")
    response = client.get(f"/s/{link.code}")
    assert response.status_code == 404
    assert "Link not found" in response.get_data(as_text=True)
    db.refresh(link)
    assert link.visits == 0


def test_responses_by_channel_on_the_consultation_page(client, auth, db, officer, item):
    college = links.create_link(db, item, label="College website", channel="embed")
    links.create_link(db, item, label="Staff bulletin", channel="intranet")
    sent = [("embed", college.id)] * 3 + [("hub", None), ("phone", None), ("phone", None)]
    for channel, link_id in sent:
        services.submit_response(
            db,
            item,
            {},
            token=secrets.token_urlsafe(24),
            now=utcnow(),
            channel=channel,
            tracked_link_id=link_id,
        )
    auth.login(officer)
    text = client.get(f"/manage/{item.id}").get_data(as_text=True)
    text = text[text.index('id="links"') :]  # the channels section, after the survey's pages
    table = text[
        text.index("Responses by channel") : text.index(
            "</table>", text.index("Responses by channel")
        )
    ]
    rows = re.findall(
        r'<th scope="row" class="govuk-table__header">([^<]+)</th>\s*<td[^>]*>(\d+)</td>', table
    )
    assert rows == [
        ("Consultation hub", "1"),
        ("Partner website", "3"),
        ("Partner intranet", "0"),
        ("Paper", "0"),
        ("Event", "0"),
        ("Phone", "2"),
        ("Residents&#39; Panel", "0"),
    ]
    cards = re.findall(
        r'govuk-summary-card__title">\s*(.*?)\s*</h4>.*?Responses\s*</dt>\s*<dd[^>]*>\s*(\d+)',
        text,
        re.S,
    )
    assert cards == [("College website", "3"), ("Staff bulletin", "0")]


def test_embedded_pages_may_be_framed_by_any_site_and_others_by_none(client, item):
    embedded = client.get(f"/embed/{item.slug}/respond")
    policy = embedded.headers["Content-Security-Policy"]
    assert "frame-ancestors *" in policy
    assert "X-Frame-Options" not in embedded.headers
    for path in ("/", f"/consultations/{item.slug}/respond", "/s/nosuchcode", "/embedded"):
        response = client.get(path)
        assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"], path
        assert response.headers["X-Frame-Options"] == "SAMEORIGIN", path


def test_framing_can_be_limited_to_listed_partner_sites(tmp_path, database_url):
    app = create_app(
        app_config(
            tmp_path,
            database_url,
            None,
            EMBED_FRAME_ANCESTORS=["https://www.college.ac.uk", "https://intranet.nhs.scot"],
        )
    )
    try:
        response = app.test_client().get("/embed/parks/respond")
        assert (
            "frame-ancestors https://www.college.ac.uk https://intranet.nhs.scot"
            in response.headers["Content-Security-Policy"]
        )
        assert "X-Frame-Options" not in response.headers
    finally:
        app.extensions["engine"].dispose()
