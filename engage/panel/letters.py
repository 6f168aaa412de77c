"""Invitation letters for members who asked to be contacted by post: a printable page (one
letter a sheet) and a mail-merge CSV for the council's print room, both audited.

A letter carries the member's own link, as the email does; the CSV goes through
``surveys.exports.to_csv`` so a name or address starting with "=" cannot run as a formula.
"""

from __future__ import annotations

from dataclasses import dataclass

from engage.panel import emails
from engage.panel.models import MemberStatus, PanelExercise
from surveys.exports import to_csv

HEADER = (
    "Reference",
    "Name",
    "Address",
    "Postcode",
    "Survey",
    "Closes",
    "Your own link",
)


@dataclass(frozen=True)
class Letter:
    reference: str
    name: str
    address_lines: list[str]
    postcode: str
    link: str


def letters(exercise: PanelExercise) -> list[Letter]:
    """A letter for each active member invited who asked for post and has not answered."""
    found = []
    for invite in exercise.invitations:
        member = invite.member
        if member.status != MemberStatus.ACTIVE or member.contact_by != "post":
            continue
        if invite.responded_at is not None or not member.address:
            continue
        found.append(
            Letter(
                reference=f"P{exercise.id}-{member.id}",
                name=member.name,
                address_lines=[
                    line.strip() for line in member.address.splitlines() if line.strip()
                ],
                postcode=member.postcode,
                link=emails.exercise_link(exercise, member),
            )
        )
    return found


def closes(exercise: PanelExercise) -> str:
    when = exercise.consultation.closes_at
    return f"{when.day} {when:%B %Y}" if when else ""


def mail_merge(exercise: PanelExercise, found: list[Letter]) -> bytes:
    rows = [
        [
            letter.reference,
            letter.name,
            ", ".join(letter.address_lines),
            letter.postcode,
            exercise.title,
            closes(exercise),
            letter.link,
        ]
        for letter in found
    ]
    return to_csv(HEADER, rows)
