"""Recruitment waves: how many joined through each ``?wave=`` sign-up link (or were keyed in
with that wave), how many confirmed and are still members, and their profile against the
population targets. Takes a Session and never commits."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engage.panel.models import MemberStatus, PanelMember
from surveys.numbers import percent

NO_WAVE = ""


@dataclass(frozen=True)
class Wave:
    name: str
    joined: int  # signed up online or keyed in from paper
    confirmed: int  # became members (confirmed their email, or from a paper form)
    active: int  # members now
    first: object  # datetime of the first sign-up

    @property
    def label(self) -> str:
        return self.name or "No wave named"

    @property
    def confirmation_rate(self) -> int:
        return percent(self.confirmed, self.joined)


def waves(session: Session) -> list[Wave]:
    rows = session.execute(
        select(
            PanelMember.recruitment_wave,
            PanelMember.status,
            PanelMember.confirmed_at,
            PanelMember.consented_at,
        ).where(PanelMember.status != MemberStatus.REMOVED)
    ).all()
    found: dict[str, dict] = {}
    for wave, status, confirmed_at, consented_at in rows:
        item = found.setdefault(
            wave, {"joined": 0, "confirmed": 0, "active": 0, "first": consented_at}
        )
        item["joined"] += 1
        item["confirmed"] += confirmed_at is not None
        item["active"] += status == MemberStatus.ACTIVE
        item["first"] = min(item["first"], consented_at)
    items = [Wave(name, **counts) for name, counts in found.items()]
    return sorted(items, key=lambda w: (w.name == NO_WAVE, w.first), reverse=False)


def profiles(session: Session, wave: str) -> list[dict]:
    """The profiles of the wave's members who confirmed (the ones who count for balance)."""
    return list(
        session.scalars(
            select(PanelMember.profile).where(
                PanelMember.recruitment_wave == wave,
                PanelMember.confirmed_at.is_not(None),
                PanelMember.status != MemberStatus.REMOVED,
            )
        )
    )
