"""Two closed years of the Partnership Assessment Scorecard for the demo, the second a copy of
the first, with answers drawn by a seeded random process.

Each statement has a chance of agreement (``agree_first_year``, or its own in
``agree_by_statement``), nudged for some partners' staff; next year a few statements move
(``change_next_year``: joint working gets better, support gets worse) and the rest stay as they
were, so the year-on-year page has significant changes, non-significant ones and, from the
college's handful of staff, groups too small to show.
"""

from __future__ import annotations

import random
import secrets
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy.orm import Session

from engage.dates import UK
from engage.scorecard import services as scorecard
from surveys import definitions, services
from surveys.models import Channel, Consultation, ConsultationStatus, Organisation, Question
from surveys.questions.base import Parsed

OTHER = "Another organisation"


def seed(session: Session, content: dict[str, Any], orgs: dict[str, Organisation]) -> str:
    """Build both years and return a line for the seeding summary."""
    rng = random.Random(content["random_seed"])  # noqa: S311 - demo answers, repeatable on purpose  # nosec B311
    names = {code: org.name for code, org in orgs.items()}
    previous: Consultation | None = None
    made = []
    for index, year in enumerate(content["years"]):
        if previous is None:
            item = definitions.build(
                session,
                definitions.available()[content["template"]],
                organisation_id=orgs[content["organisation"]].id,
                title=year["title"],
                summary=content["summary"],
                partners=[org.name for org in orgs.values()],
            )
        else:
            item = scorecard.copy_as_next_year(session, previous)
            item.title = year["title"]
        item.opens_at = _day(year["opens"], 9)
        item.closes_at = _day(year["closes"], 23)
        item.co_owners = [o for code, o in orgs.items() if code != content["organisation"]]
        partner = scorecard.partner_question(session, item)
        assert partner is not None, "the scorecard template asks for the organisation"
        value_of = {o["label"]: o["value"] for o in partner.options}
        people: list[tuple[str, str]] = []  # (organisation code or OTHER, option value)
        nominated = {}
        for code, spec in content["partners"].items():
            people += [(code, value_of[names[code]])] * spec["responses"][index]
            nominated[value_of[names[code]]] = spec["nominated"][index]
        people += [(OTHER, value_of[OTHER])] * content["other_organisation_responses"][index]
        rng.shuffle(people)
        item.status = ConsultationStatus.OPEN
        window = (item.closes_at - item.opens_at) / (len(people) + 1)
        for n, (code, value) in enumerate(people, start=1):
            answers = {partner.id: Parsed(value=value)}
            for q in item.questions:
                if q.type == "matrix":
                    answers[q.id] = Parsed(value=_matrix_answer(rng, q, content, code, index))
            services.submit_response(
                session,
                item,
                answers,
                token=secrets.token_urlsafe(24),
                now=item.opens_at + window * n,
                channel=Channel.INTRANET,
                keyed_in=True,  # a past year's answers, loaded as they were given
            )
        item.status = ConsultationStatus.CLOSED
        scorecard.save_nominations(session, item, nominated)
        made.append(f"{item.title} ({len(people)} responses)")
        previous = item
    return "; ".join(made)


def _day(text: str, hour: int) -> datetime:
    """`hour` o'clock UK time on the day `text` names, in UTC (23:00 in June is 22:00 UTC;
    23:00 UTC would be the next day in the UK)."""
    day = datetime.fromisoformat(text).date()
    return datetime.combine(day, time(hour), tzinfo=UK).astimezone(UTC)


def _matrix_answer(
    rng: random.Random, question: Question, content: dict[str, Any], code: str, year: int
) -> dict[str, str]:
    """A point on the Likert scale (o1 Strongly agree ... o5 Strongly disagree) for each row."""
    chosen = {}
    for row in question.settings["rows"]:
        label = row["label"]
        p = content["agree_by_statement"].get(label, content["agree_first_year"])
        p += content["agree_by_partner"].get(code, 0.0)
        if year > 0:
            p += content["change_next_year"].get(label, 0.0)
        p = min(max(p, 0.02), 0.98)
        # Of those agreeing, about a third strongly; of the rest, most neither or disagree.
        weights = [p * 0.35, p * 0.65, (1 - p) * 0.45, (1 - p) * 0.4, (1 - p) * 0.15]
        chosen[row["value"]] = rng.choices(["o1", "o2", "o3", "o4", "o5"], weights)[0]
    return chosen
