"""An officer builds a codebook, maps a consultation's answers onto it and reads the findings;
a JOG member downloads the answers masked. Every page state is checked by axe-core."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from sqlalchemy import select

from engage.db import get_session
from engage.findings.models import AnalysisRun
from surveys import services
from surveys.base import utcnow
from surveys.models import ConsultationStatus, Organisation
from surveys.questions import get_type
from tests.browser import scenario
from tests.browser.test_journeys import sign_in
from tests.worker.corpus import ANSWERS

pytestmark = pytest.mark.browser

TITLE = "Travel around the villages"
PRIVATE = "Phone me on 07700 900123, the 42 bus to the hospital never comes on time"


@pytest.fixture(scope="module")
def closed_consultation(live_app) -> int:
    """A closed consultation of the council's with the test corpus as its free-text answers."""
    with live_app.app_context():
        session = get_session()
        council = session.scalars(select(Organisation).where(Organisation.code == "council")).one()
        now = utcnow()
        item = scenario.consultation(session, council.id, TITLE, now - timedelta(days=40))
        item.status = ConsultationStatus.OPEN
        q1, _q2, q3 = item.questions
        for n, text in enumerate([*ANSWERS, PRIVATE]):
            answers = {
                q1.id: get_type(q1.type).parse(q1, [f"o{n % 3 + 1}"]),
                q3.id: get_type(q3.type).parse(q3, [text]),
            }
            services.submit_response(
                session,
                item,
                answers,
                token=secrets.token_urlsafe(24),
                now=now - timedelta(days=20),
            )
        item.status = ConsultationStatus.CLOSED
        session.commit()
        return item.id


def add_theme(page, label: str, description: str, examples: list[str]) -> None:
    page.click("text=Add a theme")
    page.fill("#label", label)
    page.fill("#description", description)
    page.fill("#examples", "\n".join(examples))
    page.click("button:has-text('Save theme')")


def run_the_worker(live_app) -> None:
    """The live server has no worker process: do what one would, here (the integration tests
    in tests/worker run a real one)."""
    from worker import tasks

    with live_app.app_context():
        session = get_session()
        run = session.scalars(select(AnalysisRun).order_by(AnalysisRun.id.desc())).first()
        run_id = run.id
        session.close()
        tasks.run_analysis.run(run_id)
        get_session().close()


def test_officer_maps_answers_to_a_codebook_and_a_jog_member_reads_them_masked(
    make_page, base_url, live_app, closed_consultation
):
    page, axe = make_page()
    sign_in(page, base_url, scenario.OFFICER)
    page.click("text=Codebooks for theme analysis")
    axe.check("codebooks")
    page.click("text=Create a codebook")
    axe.check("codebook-new")
    page.click("button:has-text('Create codebook')")
    assert page.title().startswith("Error:")
    axe.check("codebook-new-errors")
    page.fill("#name", "Travel priorities")
    page.check("#shared")
    page.click("button:has-text('Create codebook')")
    axe.check("codebook-empty")
    add_theme(
        page,
        "Public transport",
        "Buses, bus fares, timetables and routes to the hospital and the shops",
        ["More buses to the hospital", "Bus fares are too dear", "The bus never comes on time"],
    )
    page.click("text=Add a theme")
    page.fill("#description", "Potholes, road repairs and broken pavements")
    page.click("button:has-text('Save theme')")
    assert page.title().startswith("Error:")
    assert page.input_value("#description") == "Potholes, road repairs and broken pavements"
    axe.check("codebook-theme-errors")
    page.fill("#label", "Roads and pavements")
    page.fill("#examples", "Fix the potholes\nResurface the roads\nThe pavements are broken")
    page.click("button:has-text('Save theme')")
    text = page.inner_text("main")
    assert "1. Public transport" in text
    assert "2. Roads and pavements" in text
    axe.check("codebook")

    page.goto(f"{base_url}/manage/{closed_consultation}")
    page.click("text=Find themes in the answers")
    axe.check("analysis-choice")
    page.check("text=Map to codebook: Travel priorities")
    page.click("button:has-text('Find themes')")
    assert "Theme analysis" in page.inner_text("h1")
    run_the_worker(live_app)
    page.reload()
    axe.check("codebook-run")
    page.click("text=Read the findings")
    text = page.inner_text("main")
    assert "The themes came from the codebook Travel priorities" in text
    assert "Codebook themes in the answers to question 3" in text
    assert "Proposed new themes" in text
    assert "No substantive comment" in text
    assert "07700 900123" in text  # the owning partner's officer reads answers as written
    axe.check("codebook-findings")
    with page.expect_download() as download:
        page.click("a:text-is('CSV')")
    assert download.value.suggested_filename.endswith("free-text-answers.csv")
    assert "07700 900123" in download.value.path().read_text(encoding="utf-8-sig")

    # A JOG member reads the same findings, and downloads the answers, with details masked.
    page, axe = make_page()
    sign_in(page, base_url, scenario.JOG)
    page.goto(f"{base_url}/findings/{closed_consultation}")
    text = page.inner_text("main")
    assert "Proposed new themes" in text
    assert "07700 900123" not in text
    axe.check("codebook-findings-jog")
    with page.expect_download() as download:
        page.click("text=Excel (XLSX)")
    assert download.value.suggested_filename.endswith("free-text-answers-masked.xlsx")
    with page.expect_download() as download:
        page.click("a:text-is('CSV')")
    content = download.value.path().read_text(encoding="utf-8-sig")
    assert "07700 900123" not in content
    assert "[phone]" in content


def test_codebooks_work_without_javascript(make_page, base_url):
    page, _axe = make_page(javascript=False)
    sign_in(page, base_url, scenario.OFFICER)
    page.goto(f"{base_url}/codebooks/new")
    page.fill("#name", "Written without scripts")
    page.click("button:has-text('Create codebook')")
    add_theme(page, "Housing", "Repairs, damp and rents", ["Fix the damp in our flat"])
    page.get_by_role("link", name="Change theme 1, Housing").click()
    assert page.input_value("#examples") == "Fix the damp in our flat"
    page.fill("#label", "Housing and repairs")
    page.click("button:has-text('Save theme')")
    assert "1. Housing and repairs" in page.inner_text("main")
    page.click("button:has-text('Remove')")
    assert "has no themes yet" in page.inner_text("main")
