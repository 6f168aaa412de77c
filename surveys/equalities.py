"""The equalities monitoring block: standard questions a consultation can add after its last page.

Categories follow Scotland's Census 2022. Every question is optional and offers "Prefer not to
say". Answers are stored in their own table (``EqualitiesAnswers``), never among the answers,
and findings suppress any group with fewer than ``SUPPRESS_BELOW`` respondents.

The questions are built as ``BlockQuestion`` objects that behave like a single-choice
``Question`` so the same templates and parser show and read them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from surveys.questions import get_type

PREFER_NOT = "prefer_not"
PREFER_NOT_LABEL = "Prefer not to say"
SUPPRESS_BELOW = 10
PAGE_TITLE = "About you"
PAGE_INTRO = (
    "These questions are optional. They help the partnership check that it hears from everyone "
    "in the community. Your answers are kept apart from your other answers and are only ever "
    "reported for groups of 10 people or more."
)


@dataclass(frozen=True)
class BlockQuestion:
    """One equalities question, shaped like a single-choice ``Question``."""

    key: str
    title: str
    options: list[dict[str, str]]
    hint: str = ""
    type: str = "single_choice"
    required: bool = False
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.field_name

    @property
    def field_name(self) -> str:
        return f"eq-{self.key}"

    def option_label(self, value: str) -> str:
        return next((o["label"] for o in self.options if o["value"] == value), value)


def _options(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"value": v, "label": label} for v, label in pairs] + [
        {"value": PREFER_NOT, "label": PREFER_NOT_LABEL}
    ]


AGE_BANDS = ("under-16", "16-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75-plus")
_AGE_LABELS = ("Under 16", "16 to 24", "25 to 34", "35 to 44", "45 to 54", "55 to 64", "65 to 74")

QUESTIONS: tuple[BlockQuestion, ...] = (
    BlockQuestion(
        "age_band",
        "What is your age?",
        _options(*zip(AGE_BANDS, (*_AGE_LABELS, "75 or over"), strict=True)),
    ),
    BlockQuestion("sex", "What is your sex?", _options(("female", "Female"), ("male", "Male"))),
    BlockQuestion(
        "trans",
        "Do you consider yourself to be trans, or have a trans history?",
        _options(("no", "No"), ("yes", "Yes")),
        hint="Trans is a term used to describe people whose gender is not the same as the sex "
        "they were registered at birth.",
    ),
    BlockQuestion(
        "disability",
        "Do you have a physical or mental health condition or illness lasting, or expected to "
        "last, 12 months or more?",
        _options(("yes", "Yes"), ("no", "No")),
    ),
    BlockQuestion(
        "ethnicity",
        "What is your ethnic group?",
        _options(
            ("white-scottish", "White: Scottish"),
            ("white-british", "White: Other British"),
            ("white-irish", "White: Irish"),
            ("white-gypsy-traveller", "White: Gypsy or Traveller"),
            ("white-roma", "White: Roma"),
            ("white-showperson", "White: Showman or Showwoman"),
            ("white-polish", "White: Polish"),
            ("white-other", "White: another white ethnic group"),
            ("mixed", "Mixed or multiple ethnic groups"),
            ("asian-pakistani", "Pakistani, Scottish Pakistani or British Pakistani"),
            ("asian-indian", "Indian, Scottish Indian or British Indian"),
            ("asian-bangladeshi", "Bangladeshi, Scottish Bangladeshi or British Bangladeshi"),
            ("asian-chinese", "Chinese, Scottish Chinese or British Chinese"),
            ("asian-other", "Another Asian, Scottish Asian or British Asian group"),
            ("african", "African, Scottish African or British African"),
            ("caribbean-black", "Caribbean or Black"),
            ("arab", "Arab, Scottish Arab or British Arab"),
            ("other", "Another ethnic group"),
        ),
    ),
    BlockQuestion(
        "sexual_orientation",
        "Which of the following best describes your sexual orientation?",
        _options(
            ("straight", "Straight or heterosexual"),
            ("gay-lesbian", "Gay or lesbian"),
            ("bisexual", "Bisexual"),
            ("other", "Another sexual orientation"),
        ),
    ),
    BlockQuestion(
        "religion",
        "What religion, religious denomination or body do you belong to?",
        _options(
            ("none", "None"),
            ("church-of-scotland", "Church of Scotland"),
            ("roman-catholic", "Roman Catholic"),
            ("other-christian", "Other Christian"),
            ("muslim", "Muslim"),
            ("hindu", "Hindu"),
            ("buddhist", "Buddhist"),
            ("sikh", "Sikh"),
            ("jewish", "Jewish"),
            ("pagan", "Pagan"),
            ("other", "Another religion or body"),
        ),
    ),
    BlockQuestion(
        "carer",
        "Do you look after, or give help or support to, anyone because of a long-term condition, "
        "illness, disability or problems related to old age?",
        _options(
            ("no", "No"),
            ("1-19", "Yes, 1 to 19 hours a week"),
            ("20-34", "Yes, 20 to 34 hours a week"),
            ("35-plus", "Yes, 35 or more hours a week"),
        ),
        hint="Do not count anything you do as part of your paid work.",
    ),
)
FIELDS = tuple(q.key for q in QUESTIONS) + ("locality",)


def questions(localities: Sequence[str] = ()) -> list[BlockQuestion]:
    """The block, with the partnership's localities as the last question when it has any."""
    block = list(QUESTIONS)
    if localities:
        block.append(
            BlockQuestion(
                "locality",
                "Which area do you live in?",
                _options(*((name, name) for name in localities)),
            )
        )
    return block


@dataclass(frozen=True)
class BlockError:
    field_id: str
    message: str


def parse(
    block: Sequence[BlockQuestion], form: Mapping[str, Sequence[str]]
) -> tuple[dict[str, str], list[BlockError]]:
    """The codes chosen, by field (``age_band``...), and an error for any value not offered."""
    values: dict[str, str] = {}
    errors: list[BlockError] = []
    single = get_type("single_choice")
    for question in block:
        # A BlockQuestion has every Question attribute that single-choice reading uses.
        parsed = single.read(question, form)  # type: ignore[arg-type]  # duck-typed Question
        if parsed.error:
            errors.append(BlockError(question.field_name, parsed.error))
        elif parsed.value:
            values[question.key] = parsed.value
    return values, errors


def hidden_words(small: bool) -> str:
    """What a hidden group's count reads: why it is hidden, never how many. A group hidden to
    protect a smaller one can be any size, so it is only "Not shown"."""
    return "Fewer than 10" if small else "Not shown"


def suppress(counts: Sequence[int]) -> list[int | None]:
    """Hide groups of 1 to 9, and one more group when a single hidden one could be worked out
    from the total (secondary suppression).

    The same rule as ``analysis.breakdowns.suppress_sizes``; kept twice on purpose, because
    neither package may import the other (the web imports surveys, only workers import analysis).
    """
    shown: list[int | None] = [None if 0 < n < SUPPRESS_BELOW else n for n in counts]
    hidden = [i for i, n in enumerate(shown) if n is None]
    if len(hidden) == 1:
        others = [(n, i) for i, n in enumerate(counts) if i not in hidden and n > 0]
        if others:
            shown[min(others)[1]] = None
    return shown
