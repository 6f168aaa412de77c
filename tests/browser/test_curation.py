"""An officer runs the analysis of a closed consultation, curates its themes (rename, merge, move,
quotes, a priority, approve) and publishes "We asked, you said, we did"; a JOG member reads the
evidence on the priority board, comments and records a recommendation to the CPP Board.
axe-core checks every page state reached, at 1280 px and at 320 px."""

from __future__ import annotations

import csv
import io
import secrets
from collections import Counter
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from engage.curation import board
from engage.curation import services as curation
from engage.curation.runs import request_analysis
from engage.db import get_session
from engage.findings import services as findings
from surveys import services
from surveys.base import utcnow
from surveys.models import Answer, Consultation, ConsultationStatus, Organisation
from surveys.questions import get_type
from tests.browser import scenario
from tests.browser.test_codebooks import run_the_worker
from tests.browser.test_journeys import sign_in
from tests.browser.test_reports import build_waiting_reports
from tests.worker.corpus import ANSWERS
from tests.worker.test_report_figures import THEMES, tables

pytestmark = pytest.mark.browser

TITLE = "Getting to the hospital"
SLUG = "getting-to-the-hospital"
PRIVATE = "Phone me on 07700 900123, the buses to the hospital never come on time"


@pytest.fixture(scope="module")
def closed_consultation(live_app) -> int:
    """A closed consultation of the council's with the test corpus as its free-text answers,
    and the partnership's strategic priorities."""
    with live_app.app_context():
        session = get_session()
        existing = session.scalar(select(Consultation.id).where(Consultation.title == TITLE))
        if existing is not None:
            return existing
        board.seed(session)
        council = session.scalars(select(Organisation).where(Organisation.code == "council")).one()
        now = utcnow()
        item = scenario.consultation(session, council.id, TITLE, now - timedelta(days=40))
        item.status = ConsultationStatus.OPEN
        q1, _q2, q3 = item.questions
        for n, text in enumerate([PRIVATE, *ANSWERS]):
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


def free_text_question(live_app, consultation_id: int) -> int:
    with live_app.app_context():
        item = get_session().get(Consultation, consultation_id)
        return item.questions[2].id


def open_theme_editor(page, theme_id: str) -> None:
    """Open the theme's 'Rename or map it to a priority' section (a details element)."""
    page.click(f"#theme-{theme_id} summary")


def theme_ids(page) -> list[str]:
    return [
        element.get_attribute("id").removeprefix("theme-")
        for element in page.query_selector_all("[id^='theme-'].engage-card")
    ]


def test_officer_curates_the_themes_and_publishes_we_asked_you_said_we_did(
    make_page, base_url, live_app, closed_consultation
):
    page, axe = make_page()
    sign_in(page, base_url, scenario.OFFICER)
    page.goto(f"{base_url}/manage/{closed_consultation}")
    page.click("text=Find themes in the answers")
    page.click("button:has-text('Find themes')")
    run_the_worker(live_app)
    page.reload()
    page.click("text=Read the findings")
    page.click("a:has-text('Curate the themes')")
    assert "Start curating these themes" in page.inner_text("main")
    axe.check("curation-start")
    page.click("button:has-text('Start curating these themes')")
    assert "The themes are ready to curate" in page.inner_text("main")
    axe.check("curation")
    first, second, *others = theme_ids(page)
    assert others, "the corpus has at least three themes"

    # Rename: an empty name is refused, with the reason, and what was typed stays.
    open_theme_editor(page, first)
    page.fill(f"#label-{first}", "")
    page.fill(f"#description-{first}", "Bus routes, fares and times")
    page.click(f"#theme-{first} button:has-text('Save name and description')")
    assert page.title().startswith("Error:")
    assert "Enter a name for the theme" in page.inner_text(".govuk-error-summary")
    assert page.input_value(f"#description-{first}") == "Bus routes, fares and times"
    axe.check("curation-rename-error")
    page.fill(f"#label-{first}", "Hospital buses for appointments")
    page.click(f"#theme-{first} button:has-text('Save name and description')")
    assert "Theme renamed" in page.inner_text(".govuk-notification-banner")
    assert "Hospital buses for appointments" in page.inner_text(f"#theme-{first} h3")

    # Merge the second theme into the first.
    second_label = page.inner_text(f"#theme-{second} h3").splitlines()[0].strip()
    page.select_option("#keep", first)
    page.check(f"#merge-{second}")
    page.click("button:has-text('Merge themes')")
    assert "Themes merged" in page.inner_text(".govuk-notification-banner")
    assert second not in theme_ids(page)
    axe.check("curation-merged")

    # Move two answers of another theme into the first; asking with none ticked explains.
    source = others[0]
    page.click(f"#theme-{source} button:has-text('Move')")
    assert "Tick at least one answer first" in page.inner_text(".govuk-error-summary")
    axe.check("curation-move-error")
    boxes = page.query_selector_all(f"#theme-{source} input[name=answer]")
    moved = [box.get_attribute("value") for box in boxes[:2]]
    for value in moved:
        page.check(f"#answer-{source}-{value}")
    page.select_option(f"#to-{source}", first)
    page.click(f"#theme-{source} button:has-text('Move')")
    assert "Answers moved" in page.inner_text(".govuk-notification-banner")
    for value in moved:
        assert page.query_selector(f"#answer-{first}-{value}") is not None
    assert "Moved by an officer" in page.inner_text(f"#theme-{first}")

    # Quotes, one of them with personal details the public must never see.
    quote_ids = [
        box.get_attribute("value")
        for box in page.query_selector_all(f"#theme-{first} input[name=answer]")
    ]
    private_row = page.locator(f"#theme-{first} tr", has_text="07700 900123")
    private_id = private_row.locator("input[name=answer]").get_attribute("value")
    chosen = [private_id, next(i for i in quote_ids if i != private_id)]
    for value in chosen:
        page.check(f"#answer-{first}-{value}")
    page.click(f"#theme-{first} button:has-text('Choose as quotes')")
    assert "Quotes chosen for publication" in page.inner_text(".govuk-notification-banner")
    assert page.inner_text(f"#theme-{first}").count("Quote") >= 2

    # Split two answers of another theme into a theme of their own.
    if len(others) > 1:
        split_from = others[1]
        boxes = page.query_selector_all(f"#theme-{split_from} input[name=answer]")
        for box in boxes[:2]:
            page.check(f"#answer-{split_from}-{box.get_attribute('value')}")
        page.fill(f"#new-label-{split_from}", "Hospital parking")
        page.click(f"#theme-{split_from} button:has-text('Split')")
        assert "Hospital parking" in page.inner_text("main")

    # Map the theme to a strategic priority, then approve: themes without chosen quotes are
    # named, and approving asks before quoting their most typical answers.
    open_theme_editor(page, first)
    page.select_option(f"#priority-{first}", label="Community regeneration and empowerment")
    page.click(f"#theme-{first} button:has-text('Save priority')")
    assert "Priority saved" in page.inner_text(".govuk-notification-banner")
    page.click("button:has-text('Approve these themes')")
    assert page.title().startswith("Error:")
    assert "No quotes are chosen for" in page.inner_text(".govuk-error-summary")
    assert "Not approved yet" in page.inner_text("main")
    axe.check("curation-approve-asks-about-quotes")
    page.check("#typical_quotes")
    page.click("button:has-text('Approve these themes')")
    assert "Approved by" in page.inner_text("main")
    history = page.inner_text("#history ~ .engage-table-scroll")
    for words in ("Renamed", f"Merged ‘{second_label}’", "Moved an answer", "Approved the"):
        assert words in history
    assert "%" in page.inner_text("#agreement")
    axe.check("curation-approved")
    page.click("text=Findings for")
    assert "These themes were reviewed by officers" in page.inner_text("main")
    assert "Hospital buses for appointments" in page.inner_text("main")
    axe.check("findings-curated")
    page.click("text=Themes by group: who raised what")  # the approved themes by group
    groups = page.inner_text(".govuk-details__text")
    assert "themes by: How people responded" in groups
    assert "Hospital buses for appointments" in groups
    axe.check("findings-curated-by-group")

    # One truth: every place the themes appear gives the approved names and sizes.
    truth = approved_themes(live_app, closed_consultation)
    assert "Hospital parking" in truth or len(others) < 2
    assert themes_on_the_findings_page(page.content()) == {k: v[0] for k, v in truth.items()}
    answers_csv = fetch(page, base_url, "a[href$='answers.csv']")
    rows = list(csv.reader(io.StringIO(answers_csv.text().lstrip("\ufeff"))))
    in_download = Counter(label for row in rows[1:] for label in row[4].split("; ") if label)
    assert dict(in_download) == {k: v[0] for k, v in truth.items()}
    assert {row[6] for row in rows[1:]} == {"Officers' approved themes"}
    page.click("text=Make a findings report")
    page.click("button:has-text('Make a new report')")
    build_waiting_reports(live_app)
    page.reload()
    html = fetch(page, base_url, "a[href$='/download/html']").text()
    assert themes_in_the_report(html) == {k: v[0] for k, v in truth.items()}
    book = load_workbook(io.BytesIO(fetch(page, base_url, "a[href$='/download/xlsx']").body()))
    sheet = {r[2]: r[4] for r in book["Themes"].iter_rows(min_row=2, values_only=True) if r[0] == 3}
    assert {k: n for k, n in sheet.items() if k in truth} == {k: v[0] for k, v in truth.items()}
    assert set(sheet) - set(truth) <= {"Other", "No substantive comment"}
    quoted = {r[1] for r in book["Quotes"].iter_rows(min_row=2, values_only=True) if r[0] == 3}
    assert quoted == set(truth), "every approved theme is quoted, chosen or typical"
    pdf = fetch(page, base_url, "a[href$='/download/pdf']").body()
    assert pdf[:5] == b"%PDF-"
    page.goto(f"{base_url}/curation/board")
    card = page.locator(".engage-card", has_text="Community regeneration")
    assert f"{truth['Hospital buses for appointments'][1]}" in card.locator("td").first.inner_text()

    # "We asked, you said, we did", drafted from the approved themes with their true counts.
    page.goto(f"{base_url}/manage/{closed_consultation}/results")
    assert "Hospital buses for appointments" in page.inner_text("main")
    axe.check("results-with-themes")
    page.click("button:has-text('Draft ‘We asked’ and ‘You said’')")
    drafted = page.input_value("#you_said")
    largest = max(truth.items(), key=lambda item: item[1][1])
    people = largest[1][1]
    if sum(1 for _, n in truth.values() if n == people) == 1:
        assert drafted.startswith(f"{largest[0]} came up more than anything else: {people} people")
    else:
        assert "more than anything else" not in drafted
    axe.check("results-drafted")
    page.fill("#we_asked", "We asked how you get to the hospital.")
    page.fill("#you_said", "You said the buses are too few and too dear.")
    page.fill("#we_did", "We asked the bus company for an hourly service to the hospital.")
    page.check("label:has-text('Hospital buses for appointments')")
    page.click("button:has-text('Preview')")
    assert "Preview: what residents will see" in page.inner_text("main")
    assert f"Raised by {truth['Hospital buses for appointments'][1]} people." in page.inner_text(
        "#preview"
    )
    axe.check("results-preview")
    page.click("button:has-text('Publish results')")
    assert "Results published" in page.inner_text("main")

    # The hub shows it, with quotes masked.
    public, public_axe = make_page()
    public.goto(base_url)
    public.click(f"text={TITLE}")
    main = public.inner_text("main")
    assert "We asked the bus company for an hourly service" in main
    assert "Hospital buses for appointments" in main
    assert "07700 900123" not in main
    assert "[phone]" in main
    assert f"Raised by {truth['Hospital buses for appointments'][1]} people." in main
    public_axe.check("hub-we-asked-you-said-we-did")
    assert not page.errors  # type: ignore[attr-defined]
    assert not public.errors  # type: ignore[attr-defined]


def fetch(page, base_url: str, selector: str):
    """What the link at ``selector`` downloads, with the page's sign-in."""
    return page.request.get(base_url + page.get_attribute(selector, "href"))


def approved_themes(live_app, consultation_id: int) -> dict[str, tuple[int, int]]:
    """{label: (answers, distinct people)} of the approved set, from the database."""
    with live_app.app_context():
        session = get_session()
        question_id = session.get(Consultation, consultation_id).questions[2].id
        item = curation.curated_set(session, question_id)
        assert item is not None
        assert item.approved_at is not None
        found = {}
        for theme in item.themes:
            ids = [link.answer_id for link in theme.assignments]
            people = session.scalar(
                select(func.count(func.distinct(Answer.response_id))).where(Answer.id.in_(ids))
            )
            found[theme.label] = (len(ids), people)
        return found


def themes_on_the_findings_page(html: str) -> dict[str, int]:
    caption = "Themes reviewed by officers in the answers to question 3"
    for found, rows in tables(html):
        if found == caption:
            at = rows[0].index("Answers")
            return {row[0]: int(row[at]) for row in rows[1:]}
    raise AssertionError("no table of reviewed themes on the page")


def themes_in_the_report(html: str) -> dict[str, int]:
    for caption, rows in tables(html):
        if THEMES.match(caption) and caption.endswith("question 3"):
            at = rows[0].index("Answers") if "Answers" in rows[0] else rows[0].index("People")
            return {row[0]: int(row[at]) for row in rows[1:]}
    raise AssertionError("no themes table for question 3 in the report")


def curated(live_app, consultation_id: int) -> None:
    """What the officer's journey leaves, made through the services when it has not run."""
    with live_app.app_context():
        session = get_session()
        question_id = session.get(Consultation, consultation_id).questions[2].id
        if curation.curated_set(session, question_id) is not None:
            return
        item = session.get(Consultation, consultation_id)
        run = findings.latest_successful_run(session, consultation_id)
        if run is None:
            run = request_analysis(session, item, trigger="closing")
            session.commit()
            run_the_worker(live_app)
            session = get_session()
            item = session.get(Consultation, consultation_id)
            run = findings.latest_successful_run(session, consultation_id)
        question = item.questions[2]
        item = curation.start(session, question, run, None)
        regeneration = board.priorities(session)[2]
        curation.set_priority(session, item, item.themes[0].id, regeneration, user_id=None)
        session.commit()


@pytest.mark.parametrize("width", [1280, 320])
def test_jog_member_reads_the_board_comments_and_recommends(
    make_page, base_url, live_app, closed_consultation, width
):
    curated(live_app, closed_consultation)
    page, axe = make_page(width=width)
    sign_in(page, base_url, scenario.JOG)
    if width > 800:
        page.click("text=Priority board")
    else:
        page.goto(f"{base_url}/curation/board")
    main = page.inner_text("main")
    assert "Community regeneration and empowerment" in main
    assert TITLE in main, "the consultation is evidence for a priority"
    assert "Emerging issues" in main
    assert "Which groups raise it more than others" in main
    assert "07700 900123" not in main
    axe.check("board")
    assert no_sideways_scroll(page) <= 0

    card = "#" + page.locator(".engage-card", has_text="Community regeneration").get_attribute("id")
    number = card.removeprefix("#priority-")
    page.click(f"{card} button:has-text('Record recommendation')")
    assert page.title().startswith("Error:")
    assert "Enter the recommendation to the CPP Board" in page.inner_text(".govuk-error-summary")
    axe.check("board-error")
    page.click(".govuk-error-summary a >> nth=0")
    assert page.evaluate("document.activeElement.id") == f"recommendation-{number}"
    page.fill(f"#comment-{number}", f"Bus links to the hospital keep coming up ({width})")
    page.click(f"{card} button:has-text('Add comment')")
    assert "Comment added" in page.inner_text(".govuk-notification-banner")
    text = f"Fund an hourly hospital bus from the villages ({width})"
    page.fill(f"#recommendation-{number}", text)
    page.click(f"{card} button:has-text('Record recommendation')")
    assert "Recommendation recorded" in page.inner_text(".govuk-notification-banner")
    assert text in page.inner_text(card)
    assert f"Bus links to the hospital keep coming up ({width})" in page.inner_text(card)
    axe.check("board-recorded")
    assert not page.errors  # type: ignore[attr-defined]


def test_curation_edits_work_without_javascript(make_page, base_url, live_app, closed_consultation):
    curated(live_app, closed_consultation)
    question_id = free_text_question(live_app, closed_consultation)
    page, _axe = make_page(javascript=False)
    sign_in(page, base_url, scenario.OFFICER)
    page.goto(f"{base_url}/curation/questions/{question_id}")
    last = theme_ids(page)[-1]
    open_theme_editor(page, last)
    page.fill(f"#label-{last}", "Written without scripts")
    page.click(f"#theme-{last} button:has-text('Save name and description')")
    assert "Written without scripts" in page.inner_text(f"#theme-{last} h3")
    box = page.query_selector(f"#theme-{last} input[name=answer]")
    page.check(f"#answer-{last}-{box.get_attribute('value')}")
    page.click(f"#theme-{last} button:has-text('Choose as quotes')")
    assert "Quotes chosen for publication" in page.inner_text("main")


def test_curation_page_reflows_at_320_pixels(make_page, base_url, live_app, closed_consultation):
    curated(live_app, closed_consultation)
    question_id = free_text_question(live_app, closed_consultation)
    page, axe = make_page(width=320)
    sign_in(page, base_url, scenario.OFFICER)
    page.goto(f"{base_url}/curation/questions/{question_id}")
    axe.check("curation")
    assert no_sideways_scroll(page) <= 0


def no_sideways_scroll(page) -> int:
    """How far the page scrolls sideways (wide tables scroll inside their own region)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
