"""One consultation's findings, gathered once and written as a web page, a PDF and data files.

The report is a file that travels (emailed, attached to Board papers), so its quotes and word
clouds always have personal details masked, whoever asked for it. Everything is read into plain
values first, so the database session can close before the slow rendering.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
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
from surveys import equalities, links, services
from surveys.models import Answer, Consultation
from surveys.population import NOT_ANSWERED, GroupTable
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
    shown = summary.reviewed(session, reviewed, pii.mask_text)
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


# What the line of breakdowns left out calls each attribute (analysis.breakdowns' keys, which are
# the equalities block's fields for its questions).
ATTRIBUTE_NAMES = {
    "channel": "channel",
    "panel": "Residents' Panel membership",
    "locality": "area",
    "age_band": "age",
    "sex": "sex",
    "trans": "trans status",
    "disability": "disability",
    "ethnicity": "ethnic group",
    "sexual_orientation": "sexual orientation",
    "religion": "religion",
    "carer": "unpaid caring",
}
EQUALITIES_KEYS = tuple(q.key for q in equalities.QUESTIONS)

# Why a breakdown is left out of the report, in the words of its "Not shown" line.
NOBODY = "nobody said which group they were in"
ALL_SMALL = "no group had 10 or more people"
# Secondary suppression hides one more group where exactly one is small, so with two hidden
# groups one of them may have had 10 or more people.
SMALL_OR_PROTECTED = "every group had fewer than 10 people or was hidden to protect a smaller one"
ONE_SHOWN = "only one group could be shown"
ONE_GROUP = "everyone was in the same group"
ONE_GROUP_GIVEN = "everyone who answered was in the same group"
CELLS_HIDDEN = "every figure was under 10 or hidden to protect a smaller one"
CELLS_ZERO = "nobody in any group gave any of these answers"


def _hidden_reason(hidden: int) -> str:
    return SMALL_OR_PROTECTED if hidden == 2 else ALL_SMALL


def left_out_because(b: Any) -> str | None:
    """Why a breakdown (analysis.breakdowns.Breakdown) has nothing to show, or None if it has:
    at least two groups (not counting people who gave no answer) must be shown to compare, and
    some figure in them other than a zero."""
    named = [g for g in b.groups if g.value is not None]
    with_people = [g for g in named if g.respondents is None or g.respondents > 0]
    shown = [g for g in with_people if g.respondents is not None]
    hidden = sum(1 for g in b.groups if g.respondents is None)
    if not with_people:
        return NOBODY
    if not shown:
        return _hidden_reason(hidden)
    if len(shown) == 1:
        if hidden:
            return ONE_SHOWN
        unanswered = any(g.value is None and g.respondents for g in b.groups)
        return ONE_GROUP_GIVEN if unanswered else ONE_GROUP
    cells = [c for g in shown for c in g.cells]
    if not any(c.count for c in cells):  # every cell hidden or zero: no figure to compare
        return CELLS_HIDDEN if any(c.count is None for c in cells) else CELLS_ZERO
    return None


def printable(tables: Iterable[Any]) -> tuple[list[Any], list[tuple[str, str]]]:
    """The tables by group worth printing, without the groups nobody was in, and
    (attribute key, reason) for each one left out.

    Dropping a group of nobody gives nothing away: its zeros are shown anyway, and the hidden
    cells stay hidden. The data files keep every table whole.
    """
    kept: list[Any] = []
    left_out: list[tuple[str, str]] = []
    for table in tables:
        b = table.breakdown
        reason = left_out_because(b)
        if reason is not None:
            left_out.append((b.attribute, reason))
            continue
        groups = tuple(g for g in b.groups if g.respondents != 0)
        kept.append(replace(table, breakdown=replace(b, groups=groups)))
    return kept, left_out


def printable_profile(
    tables: Iterable[GroupTable],
) -> tuple[list[GroupTable], list[tuple[str, str]]]:
    """Who took part, question by question, without the groups nobody was in (unless they are
    under-represented: nobody came from a group the area has many of) and without the questions
    where no group can be shown; (key, reason) for each question left out."""
    kept: list[GroupTable] = []
    left_out: list[tuple[str, str]] = []
    for table in tables:
        named = [r for r in table.rows if r.value != NOT_ANSWERED]
        if not any(r.count for r in named) and not any(r.flag for r in table.rows):
            if any(r.count is None for r in named):
                hidden = sum(1 for r in table.rows if r.count is None)
                left_out.append((table.key, _hidden_reason(hidden)))
            else:
                left_out.append((table.key, NOBODY))
            continue
        kept.append(replace(table, rows=[r for r in table.rows if r.count != 0 or r.flag]))
    return kept, left_out


def _and(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _name(key: str) -> str:
    return ATTRIBUTE_NAMES.get(key, key.replace("_", " "))


def not_shown(left_out: Sequence[tuple[str, str]], *, breakdowns: bool = True) -> str | None:
    """One plain sentence naming what was left out and why, e.g. "Not shown: breakdowns by age
    and channel, because no group had 10 or more people." None when nothing was.

    For breakdowns, all the equalities questions left out for one reason are named once, as
    "the equalities questions"; ``breakdowns=False`` names who-took-part tables instead."""
    if not left_out:
        return None
    by_reason: dict[str, list[str]] = {}
    for key, reason in left_out:
        keys = by_reason.setdefault(reason, [])
        if key not in keys:
            keys.append(key)
    parts = []
    for reason, keys in by_reason.items():
        every_question = breakdowns and set(EQUALITIES_KEYS) <= set(keys)
        names: list[str] = []
        for key in keys:
            if not (every_question and key in EQUALITIES_KEYS):
                names.append(_name(key))
            elif key == EQUALITIES_KEYS[0]:
                names.append("the equalities questions")
        parts.append(f"{_and(names)}, because {reason}")
    if breakdowns:
        return "Not shown: breakdowns by " + "; by ".join(parts) + "."
    return "Not shown: the tables for " + "; for ".join(parts) + "."


def render_html(data: FindingsData) -> str:
    # Straight from the Jinja environment: a report is a file, not a page of the site, so it
    # needs none of the site layout's request context (and the worker has no request).
    return current_app.jinja_env.get_template("reports/findings.html").render(data=data)


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
                        "Fewer than 10" if c.count is None else c.count,
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
        # "Not shown" rather than "Fewer than 10" (which the theme tables have always said).
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
        groups += group_rows(q.number, q.breakdowns, "Fewer than 10")
    took_part: list[Row] = []
    for table in data.who_took_part or []:
        for row in table.rows:
            took_part.append(
                [
                    table.question,
                    row.label,
                    "Fewer than 10" if row.count is None else row.count,
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
