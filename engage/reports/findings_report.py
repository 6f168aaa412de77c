"""One consultation's findings, gathered once and written as a web page, a PDF and data files.

The report is a file that travels (emailed, attached to Board papers), so its quotes and word
clouds always have personal details masked, whoever asked for it. Everything is read into plain
values first, so the database session can close before the slow rendering.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analysis import pii
from engage.curation import groups, summary
from engage.curation import services as curation
from engage.findings import services as findings
from engage.findings.breakdowns import choice_breakdowns, theme_breakdowns
from engage.findings.models import ThemeKind
from engage.reports.charts import Chart, bar_chart
from engage.reports.printable import not_shown, printable, printable_profile, wide
from surveys import links, services
from surveys.models import Answer, Consultation
from surveys.population import GroupTable
from surveys.questions import get_type

Row = list[Any]
Sheet = tuple[str, list[str], list[Row]]


@dataclass
class ThemeFinding:
    label: str
    terms: list[str]
    size: int
    share: float
    low: float
    high: float
    tone: str
    quotes: list[str]
    proposed: bool  # a new theme among answers that fit no codebook (or reviewed) theme
    cloud: str | None  # a data URI
    cloud_alt: str


@dataclass
class QuestionFinding:
    number: int
    title: str
    free_text: bool
    counts: list[tuple[str, int]] = field(default_factory=list)
    answered: int = 0
    chart: Chart | None = None
    themes: list[ThemeFinding] = field(default_factory=list)
    themes_chart: Chart | None = None
    note: str | None = None
    no_comment: int = 0
    other: int = 0
    no_comment_quotes: list[str] = field(default_factory=list)
    other_quotes: list[str] = field(default_factory=list)
    analysed: bool = False
    reviewed: bool = False  # the themes are the officers' approved, curated set
    breakdowns: list[Any] = field(default_factory=list)  # findings.AttributeBreakdown
    # A closed question's answers by every attribute (the page shows one at a time).
    choice_groups: list[Any] = field(default_factory=list)
    cloud: str | None = None
    cloud_alt: str = ""

    @property
    def printed_choice_groups(self) -> list[Any]:
        return printable(self.choice_groups)[0]

    @property
    def printed_breakdowns(self) -> list[Any]:
        return printable(self.breakdowns)[0]

    @property
    def has_wide_tables(self) -> bool:
        return any(wide(t) for t in self.printed_choice_groups + self.printed_breakdowns)

    @property
    def choice_groups_not_printed(self) -> str | None:
        """The one line saying which of the answers' breakdowns are left out, and why."""
        return not_shown(printable(self.choice_groups)[1])

    @property
    def breakdowns_not_printed(self) -> str | None:
        """The one line saying which of the themes' breakdowns are left out, and why."""
        return not_shown(printable(self.breakdowns)[1])


@dataclass
class FindingsData:
    title: str
    summary: str
    status: str
    opens_at: Any
    closes_at: Any
    responses: int
    channels: list[tuple[str, int]]
    who_took_part: list[GroupTable] | None
    questions: list[QuestionFinding]
    we_asked: str
    you_said: str
    we_did: str
    partnership: str
    codebook_name: str | None = None

    @property
    def printed_who_took_part(self) -> list[GroupTable]:
        return printable_profile(self.who_took_part or [])[0]

    @property
    def who_took_part_not_printed(self) -> str | None:
        return not_shown(printable_profile(self.who_took_part or [])[1], breakdowns=False)


def _answers(session: Session, question_id: int) -> int:
    stmt = select(func.count()).select_from(Answer).where(Answer.question_id == question_id)
    return session.scalar(stmt) or 0


def _png_uri(png: bytes | None) -> str | None:
    return "data:image/png;base64," + base64.b64encode(png).decode() if png else None


def gather(session: Session, consultation: Consultation) -> FindingsData:
    run = findings.latest_successful_run(session, consultation.id)
    by_question = {qa.question_id: qa for qa in run.questions} if run else {}
    quote_ids = [i for qa in by_question.values() for t in qa.themes for i in t.quote_answer_ids]
    quote_ids += [
        i for qa in by_question.values() for i in (*qa.other_quote_ids, *qa.no_comment_quote_ids)
    ]
    quotes = {
        i: pii.mask_text(text) for i, text in findings.quote_texts(session, quote_ids).items()
    }
    questions = []
    for number, question in enumerate(consultation.questions, start=1):
        qtype = get_type(question.type)
        item = QuestionFinding(number=number, title=question.title, free_text=qtype.free_text)
        if qtype.has_options:
            item.counts = services.choice_counts(session, question)
            item.answered = _answers(session, question.id)
            item.chart = bar_chart(
                item.counts, title=f"answers to question {number}", base=item.answered
            )
            item.choice_groups = choice_breakdowns(
                session, question, consultation, current_app.config["LOCALITIES"]
            )
        qa = by_question.get(question.id) if qtype.free_text else None
        reviewed = curation.curated_set(session, question.id) if qtype.free_text else None
        if reviewed is not None and reviewed.approved_at is not None:
            _use_curated(session, item, reviewed)
            item.breakdowns = groups.curated_breakdowns(
                session, reviewed, consultation, current_app.config["LOCALITIES"]
            )
            # Not yet reviewed: listed after the officers' themes, outside their chart.
            item.themes += [_theme(t, quotes) for t in summary.pending_proposed(reviewed, qa)]
            if qa is not None:
                item.cloud = _png_uri(qa.word_cloud_png)
                item.cloud_alt = (
                    f"Word cloud of the words used most often in answers to question {number}. "
                    f"The largest are: {', '.join(qa.word_cloud_terms[:10])}."
                )
        elif qa is not None:
            item.analysed = True
            item.answered = qa.answer_count
            item.note, item.no_comment, item.other = qa.note, qa.no_comment, qa.other
            item.themes = [_theme(t, quotes) for t in qa.themes]
            item.other_quotes = [quotes[i] for i in qa.other_quote_ids if quotes.get(i)]
            item.no_comment_quotes = [quotes[i] for i in qa.no_comment_quote_ids if quotes.get(i)]
            if item.themes:
                item.themes_chart = bar_chart(
                    [(t.label, t.size) for t in item.themes],
                    title=f"themes in the answers to question {number}",
                    base=qa.answer_count,
                )
            item.breakdowns = theme_breakdowns(
                session, qa, consultation, current_app.config["LOCALITIES"]
            )
            item.cloud = _png_uri(qa.word_cloud_png)
            item.cloud_alt = (
                f"Word cloud of the words used most often in answers to question {number}. "
                f"The largest are: {', '.join(qa.word_cloud_terms[:10])}."
            )
        questions.append(item)
    return FindingsData(
        title=consultation.title,
        summary=consultation.summary,
        status=consultation.status,
        opens_at=consultation.opens_at,
        closes_at=consultation.closes_at,
        responses=services.response_count(session, consultation.id),
        channels=[
            (c.label, c.responses)
            for c in links.channel_counts(session, consultation.id)
            if c.responses
        ],
        who_took_part=findings.who_took_part(
            session, consultation, current_app.config["LOCALITIES"]
        ),
        questions=questions,
        we_asked=consultation.we_asked,
        you_said=consultation.you_said,
        we_did=consultation.we_did,
        partnership=current_app.config["PARTNERSHIP_NAME"],
        codebook_name=(run.params or {}).get("codebook_name") if run else None,
    )


def _use_curated(session: Session, item: QuestionFinding, reviewed: Any) -> None:
    """The officers' approved themes instead of the machine's: sizes over those who wrote an
    answer, key words, range and tone measured from each theme's answers on approval, and the
    quotes officers chose (else the theme's most typical answers), masked."""
    shown = summary.reviewed(session, reviewed, pii.mask_text, wait=True)
    item.analysed, item.reviewed, item.answered = True, True, shown.answered
    item.other = shown.unplaced
    item.themes = [
        ThemeFinding(
            label=t.label,
            terms=t.terms,
            size=t.size,
            share=t.share,
            low=t.low,
            high=t.high,
            tone=t.sentiment.get("label", ""),
            quotes=t.quotes,
            proposed=False,
            cloud=None,
            cloud_alt="",
        )
        for t in shown.themes
    ]
    if item.themes:
        item.themes_chart = bar_chart(
            [(t.label, t.size) for t in item.themes],
            title=f"themes in the answers to question {item.number}, reviewed by officers",
            base=shown.answered,
        )


def _theme(theme: Any, quotes: dict[int, str]) -> ThemeFinding:
    return ThemeFinding(
        label=theme.label,
        terms=list(theme.terms[:6]),
        size=theme.size,
        share=theme.share,
        low=theme.low,
        high=theme.high,
        tone=(theme.sentiment or {}).get("label", ""),
        proposed=theme.kind == ThemeKind.PROPOSED,
        quotes=[quotes[i] for i in theme.quote_answer_ids if quotes.get(i)],
        cloud=_png_uri(theme.word_cloud_png),
        cloud_alt=(
            f"Word cloud of the answers in the theme {theme.label}. "
            f"Its key words are: {', '.join(theme.terms[:8])}."
        ),
    )


def render_html(data: FindingsData) -> str:
    # Straight from the Jinja environment: a report is a file, not a page of the site, so it
    # needs none of the site layout's request context (and the worker has no request).
    return current_app.jinja_env.get_template("reports/findings.html").render(data=data, wide=wide)


STANDS_OUT = {"over": "More than others", "under": "Fewer than others"}


def group_rows(number: int, tables: list[Any], hidden_group: str) -> list[Row]:
    """One row per cell of a question's tables by group (themes or answers), hidden ones as the
    page shows them (a hidden group's size as ``hidden_group``)."""
    rows: list[Row] = []
    for table in tables:
        for g in table.breakdown.groups:
            for c in g.cells:
                rows.append(
                    [
                        number,
                        table.title,
                        table.group_labels.get(g.value, g.value),
                        hidden_group if g.respondents is None else g.respondents,
                        table.theme_labels.get(c.theme, c.theme),
                        "Not shown" if c.count is None else c.count,
                        c.share,
                        STANDS_OUT.get(c.flag or "", ""),
                    ]
                )
    return rows


def sheets(data: FindingsData) -> list[Sheet]:
    """The report's figures as tables, one per sheet (XLSX) or file (CSV)."""
    choices: list[Row] = []
    choice_groups: list[Row] = []
    themes: list[Row] = []
    quotes: list[Row] = []
    groups: list[Row] = []
    for q in data.questions:
        for label, n in q.counts:
            share = round(n / q.answered, 4) if q.answered else None
            choices.append([q.number, q.title, label, n, share])
        # A group can be hidden because another small one could be worked out from it, so
        # hidden groups and cells say "Not shown", never "Fewer than 10".
        choice_groups += group_rows(q.number, q.choice_groups, "Not shown")
        for t in q.themes:
            themes.append(
                [
                    q.number,
                    q.title,
                    t.label,
                    ", ".join(t.terms),
                    t.size,
                    t.share,
                    t.low,
                    t.high,
                    t.tone,
                ]
            )
            quotes.extend([q.number, t.label, text] for text in t.quotes)
        quotes.extend([q.number, "Other", text] for text in q.other_quotes)
        quotes.extend([q.number, "No substantive comment", text] for text in q.no_comment_quotes)
        if q.analysed:
            themes.append(
                [
                    q.number,
                    q.title,
                    "No substantive comment",
                    "",
                    q.no_comment,
                    None,
                    None,
                    None,
                    "",
                ]
            )
            themes.append([q.number, q.title, "Other", "", q.other, None, None, None, ""])
        groups += group_rows(q.number, q.breakdowns, "Not shown")
    took_part: list[Row] = []
    for table in data.who_took_part or []:
        for row in table.rows:
            took_part.append(
                [
                    table.question,
                    row.label,
                    row.count_words,
                    row.share,
                    row.population_share,
                    row.flag_words,
                ]
            )
    return [
        (
            "Choice results",
            ["Question", "Question text", "Answer", "People", "Share of those who answered"],
            choices,
        ),
        (
            "Themes",
            [
                "Question",
                "Question text",
                "Theme",
                "Key words",
                "Answers",
                "Share",
                "95% low",
                "95% high",
                "Tone",
            ],
            themes,
        ),
        ("Quotes", ["Question", "Theme", "Quote (personal details removed)"], quotes),
        (
            "Themes by group",
            [
                "Question",
                "Grouped by",
                "Group",
                "People in group",
                "Theme",
                "People",
                "Share of group",
                "Stands out",
            ],
            groups,
        ),
        (
            "Choice results by group",
            [
                "Question",
                "Grouped by",
                "Group",
                "People in group who answered",
                "Answer",
                "People",
                "Share of group",
                "Stands out",
            ],
            choice_groups,
        ),
        (
            "Who took part",
            [
                "Question",
                "Answer",
                "People",
                "Share",
                "Share of population",
                "Compared with the population",
            ],
            took_part,
        ),
    ]
