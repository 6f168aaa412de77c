"""Who took part against who lives here: the partnership's population figures.

Officers enter (or import) how many people in the partnership's area are in each equalities
group, usually from Scotland's Census. A consultation's "who took part" profile, and the
Residents' Panel's make-up, are then read against those figures so that groups the partnership
is not hearing from stand out.

Shares are taken over people who gave a group: "Prefer not to say" and unanswered questions are
left out of the respondents' shares, as the census leaves out people it has no answer for.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from analysis.stats import wilson  # plain arithmetic: no numpy in web processes
from surveys.equalities import PREFER_NOT, SUPPRESS_BELOW, BlockQuestion, hidden_words, suppress

# A group is flagged when the population's share lies outside the 95% interval of the
# respondents' share and the two differ by at least this ratio, so a statistically clear but
# trivial difference on a large consultation is not shouted about.
MIN_RATIO = 1.25


@dataclass(frozen=True)
class GroupRow:
    """One group of one question: respondents (None when suppressed) against the population."""

    value: str
    label: str
    count: int | None
    share: float | None  # of respondents who gave a group; None when suppressed or none did
    population_share: float | None  # None when the partnership has no figure for this group
    flag: str | None  # "under" (heard from less than its share), "over", or None
    small: bool = False  # hidden because fewer than 10 people are in it (else shown, or hidden
    # to protect a smaller group, which can be any size)

    @property
    def count_words(self) -> str | int:
        """The count as tables show it: hidden groups say why without saying how many."""
        if self.count is not None:
            return self.count
        return hidden_words(self.small)

    @property
    def flag_words(self) -> str:
        return {"under": "Under-represented", "over": "Over-represented"}.get(self.flag or "", "")


def flag(count: int, base: int, population_share: float) -> str | None:
    """ "under" or "over" when the respondents clearly differ from the population, else None."""
    if base <= 0 or population_share <= 0:
        return None
    low, high = wilson(count, base)
    share = count / base
    if population_share > high and population_share >= share * MIN_RATIO:
        return "under"
    if population_share < low and share >= population_share * MIN_RATIO:
        return "over"
    return None


NOT_ANSWERED = ""


def compare(
    question: BlockQuestion,
    counts: Mapping[str, int],
    population: Mapping[str, int],
    not_answered: int = 0,
) -> list[GroupRow]:
    """Who took part in each group of `question`, against the population, small groups hidden.

    `counts` is respondents by answer value ("Prefer not to say" included), `population` people
    by group. Rows come in the question's order, then "Not answered" (value ``NOT_ANSWERED``).
    Hiding follows ``equalities.suppress`` over the whole table, as the profile does. A group
    hidden for having fewer than 10 people is still flagged "under" when at least 10 would be
    expected in it, which says who is missing without saying how many came; one hidden only to
    protect a smaller group (it may be any size) is flagged on its own count.
    """
    options = [*question.options, {"value": NOT_ANSWERED, "label": "Not answered"}]
    raw = [counts.get(o["value"], 0) for o in options[:-1]] + [not_answered]
    shown = suppress(raw)
    in_groups = [o["value"] not in (PREFER_NOT, NOT_ANSWERED) for o in options]
    base = sum(n for n, grouped in zip(raw, in_groups, strict=True) if grouped)
    people = sum(population.get(o["value"], 0) for o in options)
    rows = []
    for option, n, visible, grouped in zip(options, raw, shown, in_groups, strict=True):
        known = grouped and option["value"] in population and people > 0
        pop_share = population[option["value"]] / people if known else None
        row_flag = None
        if pop_share is not None:
            if visible is None and 0 < n < SUPPRESS_BELOW:
                row_flag = "under" if pop_share * base >= SUPPRESS_BELOW else None
            else:
                row_flag = flag(n, base, pop_share)
        rows.append(
            GroupRow(
                value=option["value"],
                label=option["label"],
                count=visible,
                share=(n / base) if grouped and visible is not None and base else None,
                population_share=pop_share,
                flag=row_flag,
                small=visible is None and 0 < n < SUPPRESS_BELOW,
            )
        )
    return rows


@dataclass(frozen=True)
class GroupTable:
    question: str
    key: str
    rows: list[GroupRow]
    answered: int
    source: str = ""

    @property
    def has_figures(self) -> bool:
        return any(row.population_share is not None for row in self.rows)


def profile(
    block: Sequence[BlockQuestion],
    answers: Sequence[Mapping[str, str | None]],
    population: Mapping[str, Mapping[str, int]],
    sources: Mapping[str, str] | None = None,
) -> list[GroupTable]:
    """Who took part, question by question, against the population figures where there are any.

    ``answers`` holds one mapping of codes by field per response that answered the block.
    """
    tables = []
    for question in block:
        counts: dict[str, int] = {}
        for answer in answers:
            value = answer.get(question.key)
            if value:
                counts[value] = counts.get(value, 0) + 1
        not_answered = len(answers) - sum(counts.values())
        rows = compare(question, counts, population.get(question.key, {}), not_answered)
        tables.append(
            GroupTable(
                question=question.title,
                key=question.key,
                rows=rows,
                answered=len(answers) - not_answered,
                source=(sources or {}).get(question.key, ""),
            )
        )
    return tables


class FigureError(ValueError):
    """A population figure or file that cannot be used; the message says what to change."""


_NUMBER = re.compile(r"^\d{1,3}(,\d{3})+$|^\d+$")


def parse_people(text: str, what: str) -> int | None:
    """A count of people as typed ("2,350", "2350"); None when left blank."""
    cleaned = text.strip().replace(" ", "")
    if not cleaned:
        return None
    if not _NUMBER.match(cleaned):
        raise FigureError(f"Enter the number of {what} as a whole number, like 2,350")
    return int(cleaned.replace(",", ""))


@dataclass(frozen=True)
class ImportedFigure:
    attribute: str
    value: str
    people: int


def read_csv(data: bytes, block: Sequence[BlockQuestion]) -> list[ImportedFigure]:
    """Figures from a CSV with the columns question, group, people.

    The question may be given by its key ("age_band") or its wording, the group by its code or
    its label, as written on the page. Every problem is reported with its row number; nothing
    is returned unless the whole file is usable.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FigureError("The file must be a CSV file saved as UTF-8") from None
    reader = csv.DictReader(io.StringIO(text))
    wanted = {"question", "group", "people"}
    if not reader.fieldnames or not wanted <= {f.strip().lower() for f in reader.fieldnames}:
        raise FigureError("The file must have the columns question, group and people")
    by_name = {}
    for block_question in block:
        by_name[block_question.key.lower()] = block_question
        by_name[block_question.title.lower()] = block_question
    figures: list[ImportedFigure] = []
    problems: list[str] = []
    for number, row in enumerate(reader, start=2):
        cells = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
        if not any(cells.values()):
            continue
        question = by_name.get(cells["question"].lower())
        if question is None:
            problems.append(f"Row {number}: there is no question called “{cells['question']}”")
            continue
        option = next(
            (
                o
                for o in question.options
                if o["value"] != PREFER_NOT
                and cells["group"].lower() in (o["value"].lower(), o["label"].lower())
            ),
            None,
        )
        if option is None:
            problems.append(
                f"Row {number}: “{cells['group']}” is not a group of “{question.title}”"
            )
            continue
        try:
            people = parse_people(cells["people"], "people")
        except FigureError as error:
            problems.append(f"Row {number}: {error}")
            continue
        if people is None:
            problems.append(f"Row {number}: enter the number of people")
            continue
        figures.append(ImportedFigure(question.key, option["value"], people))
    if problems:
        shown = problems[:10]
        more = len(problems) - len(shown)
        raise FigureError("; ".join(shown) + (f"; and {more} more problems" if more else ""))
    if not figures:
        raise FigureError("The file has no figures in it")
    return figures
