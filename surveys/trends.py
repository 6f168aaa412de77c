"""Year-on-year figures for a repeated survey, such as the annual Partnership Assessment Scorecard.

Each statement (a matrix row) is set beside its twin in last year's survey: the share agreeing,
the mean score, the change and whether the change in the share agreeing is statistically
significant. Pure: plain values and transient ``Question`` objects in, dataclasses out; the
database is read by ``engage.scorecard.services``.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from surveys.equalities import SUPPRESS_BELOW
from surveys.models import Question

ALPHA = 0.05  # significance level of each statement's test
# Expected counts below this make the z-test's normal approximation unsafe (Cochran's rule).
MIN_EXPECTED = 5
_NOT_ON_SCALE = re.compile(r"\b(don.?t know|not sure|not applicable|n/a|prefer not)\b")
_AGREE = re.compile(r"\bagree\b")
_DISAGREE = re.compile(r"\b(disagree|neither)\b")


def normalise(text: str) -> str:
    """Wording compared the way a reader would: case, spacing, quotes and end stops ignored."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").casefold()
    return re.sub(r"\s+", " ", text).strip(" .?!:")


# --- Matching last year's items -----------------------------------------------------------


def match_questions(
    current: Sequence[Question], previous: Sequence[Question]
) -> dict[int, Question]:
    """Each current question's counterpart last time, by current question id.

    A copy remembers the question it was copied from (``copied_from_id``), so a reworded question
    still finds its original; otherwise a question of the same type with the same wording does.
    """
    by_id = {q.id: q for q in previous}
    by_wording: dict[tuple[str, str], Question] = {}
    for q in previous:
        by_wording.setdefault((q.type, normalise(q.title)), q)
    matched: dict[int, Question] = {}
    used: set[int] = set()
    for q in current:
        twin = by_id.get(q.copied_from_id) if q.copied_from_id is not None else None
        if twin is None or twin.type != q.type:
            twin = by_wording.get((q.type, normalise(q.title)))
        if twin is not None and twin.id not in used:
            matched[q.id] = twin
            used.add(twin.id)
    return matched


def match_choices(
    current: Sequence[Mapping[str, str]],
    previous: Sequence[Mapping[str, str]],
    *,
    linked: bool,
) -> dict[str, str]:
    """Current option (or matrix row) value -> last year's value for the same option.

    Values survive copying and later edits of the wording (``surveys.builder.relabel``), so for a
    copied question the value is the item's identity and wording is the fallback. Surveys built
    separately number their values by position, so there only the wording counts.
    """
    matched: dict[str, str] = {}
    used: set[str] = set()
    if linked:
        known = {o["value"] for o in previous}
        for option in current:
            if option["value"] in known:
                matched[option["value"]] = option["value"]
                used.add(option["value"])
    by_wording: dict[str, str] = {}
    for option in previous:
        if option["value"] not in used:
            by_wording.setdefault(normalise(option["label"]), option["value"])
    for option in current:
        if option["value"] in matched:
            continue
        twin = by_wording.pop(normalise(option["label"]), None)
        if twin is not None:
            matched[option["value"]] = twin
    return matched


def partner_question(
    questions: Sequence[Question], partner_names: Iterable[str] = ()
) -> Question | None:
    """The question that asks which partner organisation a person works for.

    The first single-choice question whose wording mentions an organisation, or else the first
    whose options name at least two of the partnership's organisations.
    """
    choices = [q for q in questions if q.type == "single_choice"]
    for q in choices:
        if re.search(r"\borgani[sz]ation", q.title, re.IGNORECASE):
            return q
    names = {normalise(n) for n in partner_names}
    for q in choices:
        if len(names & {normalise(o["label"]) for o in q.options}) >= 2:
            return q
    return None


# --- Scoring one statement ----------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    """How a matrix's options score: 1 at the disagreeing end up to n at the agreeing end.

    Options off the scale ("Don't know", "Not applicable") have no score and count nowhere.
    ``agree`` holds the options that count as agreeing (Agree and Strongly agree); a scale with
    no "agree" wording counts its top two points instead.
    """

    scores: Mapping[str, int]
    agree: frozenset[str]


def scale(options: Sequence[Mapping[str, str]]) -> Scale:
    on_scale = [o for o in options if not _NOT_ON_SCALE.search(normalise(o["label"]))]
    agreeing = [
        i
        for i, o in enumerate(on_scale)
        if _AGREE.search(normalise(o["label"])) and not _DISAGREE.search(normalise(o["label"]))
    ]
    n = len(on_scale)
    # The agreeing end is the end the agree options sit at; LIKERT lists "Strongly agree" first.
    starts_high = not agreeing or sum(agreeing) / len(agreeing) < (n - 1) / 2
    scores = {o["value"]: (n - i if starts_high else i + 1) for i, o in enumerate(on_scale)}
    if agreeing:
        agree = frozenset(on_scale[i]["value"] for i in agreeing)
    else:
        agree = frozenset(v for v, s in scores.items() if s > n - 2)
    return Scale(scores, agree)


@dataclass(frozen=True)
class Figures:
    """One statement in one year (for everyone, or one partner's staff)."""

    n: int  # people who gave a point on the scale
    agree: int
    total: int  # sum of their scores

    @property
    def share(self) -> float | None:
        return self.agree / self.n if self.n else None

    @property
    def mean(self) -> float | None:
        return self.total / self.n if self.n else None

    @property
    def shown(self) -> bool:
        """Whether the figures may be shown: a group of 1 to 9 people could be recognised."""
        return self.n >= SUPPRESS_BELOW


def figures(chosen: Iterable[str | None], on: Scale) -> Figures:
    """Figures from each person's chosen option value (None: no answer)."""
    scored = [v for v in chosen if v is not None and v in on.scores]
    return Figures(
        n=len(scored),
        agree=sum(1 for v in scored if v in on.agree),
        total=sum(on.scores[v] for v in scored),
    )


# --- Testing a change ---------------------------------------------------------------------


@dataclass(frozen=True)
class Test:
    method: str
    p_value: float
    z: float | None = None  # the z statistic, for the z-test


def two_proportion_z(x1: int, n1: int, x2: int, n2: int) -> Test:
    """The pooled two-proportion z-test, two-sided: has the share changed from x1/n1 to x2/n2?"""
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:  # everyone agreed both years, or nobody did: nothing changed
        return Test("two-proportion z-test", 1.0, 0.0)
    z = (x2 / n2 - x1 / n1) / se
    return Test("two-proportion z-test", math.erfc(abs(z) / math.sqrt(2)), z)


def fisher_exact(x1: int, n1: int, x2: int, n2: int) -> Test:
    """Fisher's exact test, two-sided: every table with the same margins that is no more likely
    than the one seen counts towards the p-value."""
    agree, total = x1 + x2, n1 + n2

    def chance(a: int) -> float:
        return math.comb(n1, a) * math.comb(n2, agree - a) / math.comb(total, agree)

    seen = chance(x1)
    low, high = max(0, agree - n2), min(n1, agree)
    p = sum(q for a in range(low, high + 1) if (q := chance(a)) <= seen * (1 + 1e-7))
    return Test("Fisher's exact test", min(1.0, p))


def share_test(before: Figures, after: Figures) -> Test:
    """Whether the share agreeing changed: the two-proportion z-test, or Fisher's exact test
    when a group is too small for it.

    Why this test: the page's headline figure for each statement is the share agreeing, so the
    flag tests that very figure and a reader never sees "significant" beside a number it is not
    about. A chi-square test over all five points would also flag shifts within agreement
    (Strongly agree to Agree) that leave the headline unchanged, and would be unreliable in
    partner groups with empty cells; Mann-Whitney on a five-point scale is swamped by ties and
    answers a question (is one year's score "stochastically larger"?) that readers do not ask.
    The mean score is shown beside it as a description, not tested.

    The years' respondents are treated as independent samples: answers are anonymous, so no one
    can be paired across years. Some staff answer both years; that positive correlation makes the
    test cautious rather than eager. The z-test's normal approximation needs every expected cell
    count to be at least ``MIN_EXPECTED`` (Cochran's rule); below that Fisher's exact test is used.
    Each statement is tested on its own at ``ALPHA``: with 18 statements, about one in twenty
    flags could be chance, which the page says.
    """
    x1, n1, x2, n2 = before.agree, before.n, after.agree, after.n
    agree, total = x1 + x2, n1 + n2
    expected = [n * k / total for n in (n1, n2) for k in (agree, total - agree)]
    if min(expected) >= MIN_EXPECTED:
        return two_proportion_z(x1, n1, x2, n2)
    return fisher_exact(x1, n1, x2, n2)


class Direction(enum.StrEnum):
    UP = "up"
    DOWN = "down"
    SAME = "no significant change"


@dataclass(frozen=True)
class Change:
    """A statement this year against last year, for one group of people.

    ``direction`` is None when there is nothing to compare: no twin last year, or a year with
    too few people to show (``Figures.shown``).
    """

    current: Figures
    previous: Figures | None
    test: Test | None = None
    direction: Direction | None = None

    @property
    def points(self) -> float | None:
        """The change in the share agreeing, in percentage points."""
        if self.direction is None or self.previous is None:
            return None
        return 100 * ((self.current.share or 0) - (self.previous.share or 0))

    @property
    def mean_change(self) -> float | None:
        if self.direction is None or self.previous is None:
            return None
        return (self.current.mean or 0) - (self.previous.mean or 0)


def compare(current: Figures, previous: Figures | None, alpha: float = ALPHA) -> Change:
    if previous is None or not (current.shown and previous.shown):
        return Change(current, previous)
    test = share_test(previous, current)
    if test.p_value >= alpha:
        direction = Direction.SAME
    else:
        direction = (
            Direction.UP
            if current.agree / current.n > previous.agree / previous.n
            else Direction.DOWN
        )
    return Change(current, previous, test, direction)


# --- Response rates -----------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """One partner's responses against the staff it nominated."""

    responses: int
    nominated: int | None

    @property
    def shown(self) -> bool:
        return self.responses == 0 or self.responses >= SUPPRESS_BELOW

    @property
    def rate(self) -> float | None:
        return self.responses / self.nominated if self.nominated else None


def response_rates(
    partners: Sequence[str | None], nominated: Mapping[str, int], options: Sequence[str]
) -> dict[str, Rate]:
    """Each option of the organisation question -> its responses and nominations.

    ``partners`` holds each response's answer to the organisation question (None: not answered).
    """
    counts: dict[str | None, int] = {}
    for value in partners:
        counts[value] = counts.get(value, 0) + 1
    return {v: Rate(counts.get(v, 0), nominated.get(v)) for v in options}


# --- The year-on-year table ---------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One statement this year, and where it was last year (if it was asked)."""

    question: Question
    row: str
    label: str
    twin: Question | None = None
    twin_row: str | None = None


@dataclass(frozen=True)
class Respondent:
    """One response: the organisation answer and each matrix question's answers by row."""

    partner: str | None
    answers: Mapping[int, Mapping[str, str]]


def items(current: Sequence[Question], previous: Sequence[Question]) -> list[Item]:
    """Every matrix statement this year, in survey order, with its twin last year."""
    matrices = [q for q in current if q.type == "matrix"]
    twins = match_questions(matrices, [q for q in previous if q.type == "matrix"])
    found = []
    for q in matrices:
        twin = twins.get(q.id)
        rows_now = list(q.settings.get("rows") or [])
        rows_then = list(twin.settings.get("rows") or []) if twin else []
        pairs = match_choices(
            rows_now, rows_then, linked=bool(twin and twin.id == q.copied_from_id)
        )
        for row in rows_now:
            twin_row = pairs.get(row["value"])
            found.append(Item(q, row["value"], row["label"], twin if twin_row else None, twin_row))
    return found


def change(
    item: Item, current: Sequence[Respondent], previous: Sequence[Respondent] | None
) -> Change:
    """The statement's figures this year against last year's, for the respondents given."""
    now = figures(
        (r.answers.get(item.question.id, {}).get(item.row) for r in current),
        scale(item.question.options),
    )
    if previous is None or item.twin is None or item.twin_row is None:
        return compare(now, None)
    twin, twin_row = item.twin, item.twin_row
    then = figures(
        (r.answers.get(twin.id, {}).get(twin_row) for r in previous), scale(twin.options)
    )
    return compare(now, then)
