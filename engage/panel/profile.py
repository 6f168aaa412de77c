"""What the panel asks and promises: the consent text and the profile questions used for balance.

The profile questions are the equalities block's (Scotland's Census 2022 categories), so the
panel's make-up is read against the same population figures as a consultation's respondents.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from surveys import equalities
from surveys.equalities import BlockQuestion

# Raise the version whenever the wording below changes; each member's consent records it.
CONSENT_VERSION = "2026-1"
CONSENT_POINTS = (
    "We keep your name, your contact details and your answers to the questions about you.",
    "Officers of the Community Planning Partnership's partners use them to invite you to "
    "consultations, to send you the panel newsletter and to check that the panel reflects "
    "the people who live here. Nobody else sees them, and we never sell or share them.",
    "Your answers to consultations are reported only in groups of 10 people or more; your name "
    "is never shown beside them.",
    "You are a member for {term} years. You can change your details or leave at any time from "
    "your own page.",
    "When you leave, or your membership ends, we stop contacting you and delete your contact "
    "details after {retention} days.",
)

PROFILE_KEYS = ("age_band", "sex", "disability", "ethnicity", "carer", "locality")
REQUIRED_KEYS = ("age_band", "locality")
# Panel members are 16 or over: the youngest age band is left out.
TOO_YOUNG = "under-16"


def consent_points(term_years: int, retention_days: int) -> list[str]:
    return [p.format(term=term_years, retention=retention_days) for p in CONSENT_POINTS]


def questions(localities: Sequence[str]) -> list[BlockQuestion]:
    """The profile questions, in order, with the partnership's localities."""
    block = {q.key: q for q in equalities.questions(localities)}
    asked = []
    for key in PROFILE_KEYS:
        question = block.get(key)
        if question is None:
            continue
        if key == "age_band":
            options = [o for o in question.options if o["value"] != TOO_YOUNG]
            question = BlockQuestion(question.key, question.title, options, hint=question.hint)
        asked.append(question)
    return asked


def label(question: BlockQuestion, value: str | None) -> str:
    return question.option_label(value) if value else "Not answered"


def read(
    block: Sequence[BlockQuestion], form: Mapping[str, Sequence[str]]
) -> tuple[dict[str, str], dict[str, str]]:
    """The codes chosen by key, and plain-English errors by field name."""
    values, problems = equalities.parse(block, form)
    errors = {p.field_id: "Select one of the options" for p in problems}
    for question in block:
        if question.key in REQUIRED_KEYS and question.key not in values:
            errors.setdefault(question.field_name, f"Answer: {question.title}")
    return values, errors
