"""Browser journeys for what the second pass of the panel added, axe-core on every state and a
screenshot of each at 1280 and 320 px (test-artifacts/screenshots/):

- an officer sends a consultation's "We asked, you said, we did" to the panel from its results
  page (prepare, preview, send once), then reads the balance cross-table, the recruitment waves,
  an exercise's postal letters and renews a member;
- a member near the end of their term renews from the emailed link;
- asking for sign-in links too often gives a plain-English error that keeps what was typed.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select

from engage.curation import services as curation
from engage.curation.runs import request_analysis
from engage.db import get_session
from engage.findings import services as findings
from engage.panel import emails, exercises
from engage.panel.models import PanelMember
from engage.panel.services import Details, add_from_paper
from surveys import lifecycle, services
from surveys.base import utcnow
from surveys.models import Consultation, ConsultationStatus
from surveys.questions import get_type
from tests.browser import scenario
from tests.browser.test_journeys import sign_in
from tests.browser.test_panel import latest_link, no_sideways_scroll

LOCALITIES = ["Craigmuir North", "Craigmuir South"]
TEXTS = [
    "More swings for the little ones at Castle Park",
    "The swings at Castle Park are broken",
    "Fix the broken swings please",
    "Call me on 07700 900456 about the swings",
    "Lights on the path through the park",
    "The path is too dark at night",
    "Better lighting on the park path",
    "Dark path, I avoid it in winter",
]


def published_with_themes(live_app, title: str) -> int:
    """A closed consultation with two approved themes (one quote holding a phone number) and
    its results published."""
    with live_app.app_context():
        session = get_session()
        parks = session.scalar(select(Consultation).where(Consultation.slug == scenario.OPEN_SLUG))
        item = scenario.consultation(
            session, parks.organisation_id, title, utcnow() - timedelta(40)
        )
        item.status = ConsultationStatus.OPEN
        question = item.questions[2]
        ids = []
        for text in TEXTS:
            parsed = {question.id: get_type(question.type).parse(question, [text])}
            response = services.submit_response(
                session,
                item,
                parsed,
                token=secrets.token_urlsafe(16),
                now=utcnow(),
                channel="paper",
                keyed_in=True,
            )
            ids.append(str(response.answers[-1].id))
        item.status = ConsultationStatus.CLOSED
        run = request_analysis(session, item, trigger="officer")
        findings.start_run(session, run.id, task_id=None)

        def theme(key, label, members):
            return {
                "id": key,
                "kind": "found",
                "label": label,
                "terms": [label.lower()],
                "size": len(members),
                "share": len(members) / 8,
                "quotes": members[:1],
            }

        result = {
            "themes": [
                theme("t1", "Play park swings", ids[:4]),
                theme("t2", "Park path lighting", ids[4:]),
            ],
            "assignments": [
                {"id": i, "themes": ["t1" if n < 4 else "t2"], "primary": "t1" if n < 4 else "t2"}
                for n, i in enumerate(ids)
            ],
            "no_comment": 0,
            "other": 0,
        }
        findings.store_question_result(session, run.id, question.id, answer_count=8, result=result)
        findings.finish_run(session, run.id)
        curated = curation.start(session, question, run, None)
        swings, lights = curated.themes
        curation.mark_quote(session, curated, swings.id, int(ids[3]), on=True, user_id=None)
        curation.mark_quote(session, curated, lights.id, int(ids[5]), on=True, user_id=None)
        curation.approve(session, curated, user_id=None)
        curation.choose_published(session, item.id, [swings.id, lights.id], user_id=None)
        lifecycle.publish_results(
            session,
            item,
            we_asked="We asked what would make the parks better to use.",
            you_said="Over 8 residents told us about the swings and the dark path.",
            we_did="The council will replace the swings at Castle Park and light the path.",
            now=utcnow(),
        )
        session.commit()
        return item.id


def panel_members(live_app) -> dict[str, int]:
    """A few members: emailable ones in a wave, one by post, one whose term ends soon."""
    with live_app.app_context():
        session = get_session()
        made = {}
        for n, (name, email, wave) in enumerate(
            [
                ("Ailsa Wave", "ailsa.wave@example.org", "autumn-2027"),
                ("Ben Wave", "ben.wave@example.org", "autumn-2027"),
                ("Cara Post", "", "autumn-2027"),
                ("Dougie Ending", "dougie.ending@example.org", ""),
            ]
        ):
            existing = session.scalar(select(PanelMember).where(PanelMember.name == name))
            if existing is not None:
                made[name] = existing.id
                continue
            details = Details(
                name=name,
                email=email,
                contact_by="email" if email else "post",
                address="12 Station Road\nCraigmuir",
                postcode="KA1 1AA",
            )
            member = add_from_paper(
                session,
                details,
                {
                    "age_band": ["16-24", "25-34", "65-74", "45-54"][n],
                    "locality": LOCALITIES[n % 2],
                },
                signed_on=utcnow(),
                now=utcnow(),
                term_years=3,
                officer_id=None,
                wave=wave,
            )
            if name == "Dougie Ending":
                member.term_ends_at = utcnow() + timedelta(days=30)
            made[name] = member.id
        session.commit()
        return made


def test_officer_sends_results_to_the_panel_and_keeps_it_fresh(
    make_page, base_url, live_app, monkeypatch
):
    monkeypatch.setitem(live_app.config, "LOCALITIES", LOCALITIES)  # for the cross-table
    consultation_id = published_with_themes(live_app, "Parks results for the panel")
    members = panel_members(live_app)
    for width in (1280, 320):
        page, axe = make_page(width=width)
        sign_in(page, base_url, scenario.OFFICER)
        page.goto(f"{base_url}/manage/{consultation_id}/results")
        axe.check("results-page")
        page.click("button:has-text('panel newsletter')")
        assert "We asked, you said, we did" in page.inner_text("h1")
        body = page.inner_text("main")
        assert "Play park swings" in body
        assert "[phone]" in body
        assert "07700" not in body
        no_sideways_scroll(page)
        axe.check("results-newsletter-preview")
        if width == 320:
            page.click("button:has-text('Send the newsletter')")
            assert "added to the archive" in page.inner_text(".govuk-notification-banner")
            page.goto(f"{base_url}/manage/{consultation_id}/results")
            assert "These results were sent to" in page.inner_text("#panel ~ p")
            axe.check("results-page-sent")
            page.click("text=Read it in the newsletter archive")
            assert "07700" not in page.inner_text("main")
            axe.check("results-newsletter-archive")

        page.goto(f"{base_url}/manage/panel/balance?by=age_band#cross")
        assert "Active members by locality" in page.inner_text("#cross-caption")
        axe.check("balance-cross-table")
        page.goto(f"{base_url}/manage/panel/waves")
        axe.check("waves")
        page.click("text=autumn-2027")
        assert "3 joined" in page.inner_text("main")
        axe.check("wave-detail")
        no_sideways_scroll(page)

        page.goto(f"{base_url}/manage/panel/members/{members['Dougie Ending']}")
        page.click("button:has-text('Renew membership')")
        assert "now runs until" in page.inner_text(".govuk-notification-banner")
        axe.check("member-renewed")

    with live_app.app_context():
        session = get_session()
        survey = session.scalar(select(Consultation).where(Consultation.slug == scenario.OPEN_SLUG))
        exercise = exercises.create(
            session,
            survey,
            title="Parks by post",
            send_on=None,
            sample_size=None,
            strata=[],
            reminder_days=[],
            officer_id=None,
        )
        exercises.send(session, exercise, now=utcnow())
        session.commit()
        exercise_id = exercise.id
    for width in (1280, 320):
        page, axe = make_page(width=width)
        sign_in(page, base_url, scenario.OFFICER)
        page.goto(f"{base_url}/manage/panel/exercises/{exercise_id}")
        page.click("text=print the invitation letters")
        assert "Dear Cara Post," in page.inner_text("main")
        axe.check("letters")


def test_member_renews_from_the_emailed_link(make_page, base_url, live_app):
    with live_app.app_context():
        session = get_session()
        member = add_from_paper(
            session,
            Details(name="Rhona Renew", email="rhona.renew@example.org"),
            {"age_band": "35-44"},
            signed_on=utcnow(),
            now=utcnow(),
            term_years=3,
            officer_id=None,
        )
        member.term_ends_at = utcnow() + timedelta(days=40)
        emails.renewal(session, member)
        session.commit()
    link = latest_link(live_app, "rhona.renew@example.org", "/panel/renew/")
    for width in (1280, 320):
        page, axe = make_page(width=width)
        page.goto(f"{base_url}{link}")
        if width == 320:  # the link was used at 1280: it renews once
            assert "expired or has been used" in page.inner_text("h1")
            axe.check("renew-link-used")
            continue
        axe.check("renew")
        page.click("button:has-text('Stay on the panel')")
        assert "You are staying on the panel" in page.inner_text("h1")
        axe.check("renewed")


def test_too_many_sign_in_links_says_so_and_keeps_the_address(make_page, base_url):
    for width in (1280, 320):
        page, axe = make_page(width=width)
        address = f"often{width}@example.org"
        for _ in range(6):
            page.goto(f"{base_url}/panel/sign-in")
            page.fill("#email", address)
            page.click("button:has-text('Email me a sign-in link')")
        assert page.title().startswith("Error:")
        assert "Wait an hour" in page.inner_text(".govuk-error-summary")
        assert page.input_value("#email") == address
        no_sideways_scroll(page)
        axe.check("sign-in-too-many")
