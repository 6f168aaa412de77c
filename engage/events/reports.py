"""Reports on an event: sign-ups, the waiting list, the needs summary for the venue, attendance
by organisation and locality; as tables for the pages and as CSV or XLSX.

Counts are for anyone who runs events; names are for the event's organiser only (the officers
of the partner that organises it, and administrators).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from engage.events.models import NEEDS, Event, EventSignup, SignupStatus
from surveys import exports
from surveys.numbers import percent

STATUS_LABELS = {
    SignupStatus.CONFIRMED: "Has a place",
    SignupStatus.WAITING: "Waiting list",
    SignupStatus.CANCELLED: "Cancelled",
}


def is_organiser(user: Any, event: Event) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.role == "admin":
        return True
    return user.role == "officer" and user.organisation_id == event.organisation_id


@dataclass(frozen=True)
class Row:
    label: str
    signed_up: int
    attended: int

    @property
    def percent(self) -> int:
        return percent(self.attended, self.signed_up)


@dataclass(frozen=True)
class Summary:
    confirmed: int
    waiting: int
    cancelled: int
    attended: int
    needs: list[tuple[str, int, int]]  # label, among those with a place, among those waiting
    by_organisation: list[Row]
    by_locality: list[Row]


def _rows(people: list[EventSignup], key: Any, blank: str) -> list[Row]:
    groups: dict[str, list[EventSignup]] = {}
    for person in people:
        groups.setdefault(key(person) or blank, []).append(person)
    return [
        Row(label, len(group), sum(1 for p in group if p.attended_at))
        for label, group in sorted(groups.items(), key=lambda item: (item[0] == blank, item[0]))
    ]


def summary(event: Event) -> Summary:
    confirmed, waiting = event.confirmed, event.waiting
    have = Counter(code for s in confirmed for code in s.needs)
    queued = Counter(code for s in waiting for code in s.needs)
    return Summary(
        confirmed=len(confirmed),
        waiting=len(waiting),
        cancelled=sum(1 for s in event.signups if s.status == SignupStatus.CANCELLED),
        attended=sum(1 for s in confirmed if s.attended_at),
        needs=[(label, have[code], queued[code]) for code, label in NEEDS.items()],
        by_organisation=_rows(
            confirmed,
            lambda s: s.organisation.name if s.organisation else s.organisation_name,
            "No organisation given",
        ),
        by_locality=_rows(confirmed, lambda s: s.locality, "Area not given"),
    )


SIGNUP_HEADER = [
    "Name",
    "Email",
    "Telephone",
    "Organisation",
    "Area",
    "Status",
    "Waiting list position",
    "Needs",
    "Dietary and other needs",
    "Check-in code",
    "Nominated",
    "Signed up",
    "Attended",
]


def signup_rows(event: Event) -> list[list[exports.Cell]]:
    positions = {s.id: n for n, s in enumerate(event.waiting, start=1)}
    rows: list[list[exports.Cell]] = []
    order = {SignupStatus.CONFIRMED: 0, SignupStatus.WAITING: 1, SignupStatus.CANCELLED: 2}
    for s in sorted(
        event.signups, key=lambda s: (order[SignupStatus(s.status)], s.queued_at, s.id)
    ):
        rows.append(
            [
                s.name,
                s.email,
                s.phone,
                s.organisation.name if s.organisation else s.organisation_name,
                s.locality,
                STATUS_LABELS[SignupStatus(s.status)],
                positions.get(s.id, ""),
                "; ".join(s.need_labels),
                s.needs_detail,
                s.check_in_code,
                "Yes" if s.nominated_by_id else "No",
                s.queued_at.strftime("%Y-%m-%d %H:%M"),
                "Yes" if s.attended_at else "No",
            ]
        )
    return rows


def summary_sheets(event: Event) -> list[tuple[str, list[str], list[list[exports.Cell]]]]:
    data = summary(event)
    totals: list[list[exports.Cell]] = [
        ["With a place", data.confirmed],
        ["On the waiting list", data.waiting],
        ["Cancelled", data.cancelled],
        ["Attended", data.attended],
    ]
    needs: list[list[exports.Cell]] = [[label, have, queued] for label, have, queued in data.needs]

    def table(rows: list[Row]) -> list[list[exports.Cell]]:
        return [[r.label, r.signed_up, r.attended, r.percent] for r in rows]

    return [
        ("Totals", ["Measure", "People"], totals),
        ("Needs for the venue", ["Need", "With a place", "On the waiting list"], needs),
        (
            "By organisation",
            ["Organisation", "With a place", "Attended", "Attended %"],
            table(data.by_organisation),
        ),
        ("By area", ["Area", "With a place", "Attended", "Attended %"], table(data.by_locality)),
    ]


def signups_file(event: Event, fmt: str) -> bytes:
    rows = signup_rows(event)
    if fmt == "xlsx":
        return exports.to_xlsx(SIGNUP_HEADER, rows, "Sign-ups")
    return exports.to_csv(SIGNUP_HEADER, rows)


def summary_file(event: Event, fmt: str) -> bytes:
    sheets = summary_sheets(event)
    if fmt == "xlsx":
        return exports.to_xlsx_book(sheets)
    body: list[list[exports.Cell]] = []
    for n, (title, header, rows) in enumerate(sheets):
        if n:
            body.append([])
        body.append([title])
        body.append(list(header))
        body.extend(rows)
    return exports.to_csv(["Event", event.title], body)
