"""Members of the panel: joining, confirming, signing in by email, changing details and leaving.

Functions take a Session and never commit. Secrets sent by email (confirmation and sign-in
links) are random and single use; only their SHA-256 hashes are kept.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from engage.panel.models import FORMER, MemberStatus, PanelMember
from engage.panel.profile import CONSENT_VERSION

SIGN_IN_LIFETIME = timedelta(hours=24)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")
PHONE = re.compile(r"^[0-9+() -]{6,20}$")


def new_secret() -> str:
    return secrets.token_urlsafe(24)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def normalise_email(email: str | None) -> str | None:
    cleaned = (email or "").strip().lower()
    return cleaned or None


def normalise_postcode(postcode: str) -> str:
    compact = "".join(postcode.upper().split())
    match = POSTCODE.match(compact)
    return f"{match.group(1)} {match.group(2)}" if match else compact


@dataclass
class Details:
    """Contact details and preferences as typed; ``check`` says what is wrong, by field."""

    name: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    postcode: str = ""
    contact_by: str = "email"
    newsletters: bool = True
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_form(cls, form: Any) -> Details:
        return cls(
            name=form.get("name", "").strip(),
            email=form.get("email", "").strip(),
            phone=form.get("phone", "").strip(),
            address=form.get("address", "").strip(),
            postcode=form.get("postcode", "").strip(),
            contact_by=form.get("contact_by", "email"),
            newsletters=form.get("newsletters") == "yes",
        )

    @classmethod
    def of(cls, member: PanelMember) -> Details:
        return cls(
            name=member.name,
            email=member.email or "",
            phone=member.phone,
            address=member.address,
            postcode=member.postcode,
            contact_by=member.contact_by,
            newsletters=member.newsletters,
        )

    def check(self, *, email_required: bool) -> dict[str, str]:
        errors: dict[str, str] = {}
        if not self.name:
            errors["name"] = "Enter your full name"
        elif len(self.name) > 200:
            errors["name"] = "Your name must be 200 characters or fewer"
        if self.email and not EMAIL.match(self.email):
            errors["email"] = "Enter an email address in the correct format, like name@example.com"
        elif not self.email and (email_required or self.contact_by == "email"):
            errors["email"] = "Enter your email address"
        if self.phone and not PHONE.match(self.phone):
            errors["phone"] = "Enter a telephone number, like 01632 960 001 or 07700 900 982"
        if self.postcode and not POSTCODE.match("".join(self.postcode.upper().split())):
            errors["postcode"] = "Enter a real postcode, like KA1 1AA"
        if self.contact_by == "post" and not (self.address and self.postcode):
            errors.setdefault("address", "Enter your address and postcode to be contacted by post")
        if self.contact_by not in ("email", "post"):
            errors["contact_by"] = "Select how you would like us to contact you"
        self.errors = errors
        return errors

    def apply(self, member: PanelMember) -> None:
        member.name = self.name
        member.email = normalise_email(self.email)
        member.phone = self.phone
        member.address = self.address
        member.postcode = normalise_postcode(self.postcode) if self.postcode else ""
        member.contact_by = self.contact_by
        member.newsletters = self.newsletters


def current(session: Session) -> Any:
    """Members who still hold contact details (everyone but those the retention job cleared)."""
    return select(PanelMember).where(PanelMember.status != MemberStatus.REMOVED)


def by_email(session: Session, email: str | None) -> PanelMember | None:
    address = normalise_email(email)
    if not address:
        return None
    return session.scalar(
        current(session).where(PanelMember.email == address).order_by(PanelMember.id).limit(1)
    )


def possible_duplicates(
    session: Session, details: Details, *, exclude_id: int | None = None
) -> list[PanelMember]:
    """Members who may be the same person: the same email, or the same name and postcode."""
    conditions = []
    address = normalise_email(details.email)
    if address:
        conditions.append(PanelMember.email == address)
    if details.name and details.postcode:
        conditions.append(
            (func.lower(PanelMember.name) == details.name.lower())
            & (PanelMember.postcode == normalise_postcode(details.postcode))
        )
    if not conditions:
        return []
    stmt = current(session).where(or_(*conditions)).order_by(PanelMember.id)
    if exclude_id is not None:
        stmt = stmt.where(PanelMember.id != exclude_id)
    return list(session.scalars(stmt))


def term_end(start: datetime, years: int) -> datetime:
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)


def sign_up(
    session: Session,
    details: Details,
    profile: dict[str, str],
    *,
    now: datetime,
    wave: str = "",
) -> tuple[PanelMember, str]:
    """A pending member and the secret for their confirmation link."""
    secret = new_secret()
    member = PanelMember(
        status=MemberStatus.PENDING,
        profile=dict(profile),
        consent_version=CONSENT_VERSION,
        consented_at=now,
        joined_via="online",
        recruitment_wave=wave[:100],
        confirm_hash=hash_secret(secret),
    )
    details.apply(member)
    session.add(member)
    session.flush()
    return member, secret


def add_from_paper(
    session: Session,
    details: Details,
    profile: dict[str, str],
    *,
    signed_on: datetime,
    now: datetime,
    term_years: int,
    officer_id: int | None,
    wave: str = "",
) -> PanelMember:
    """A member from a signed paper form: active at once, their consent dated as signed."""
    member = PanelMember(
        status=MemberStatus.ACTIVE,
        profile=dict(profile),
        consent_version=CONSENT_VERSION,
        consented_at=signed_on,
        joined_via="paper",
        recruitment_wave=wave[:100],
        added_by_id=officer_id,
        confirmed_at=now,
        term_ends_at=term_end(now, term_years),
    )
    details.apply(member)
    session.add(member)
    session.flush()
    return member


def confirm(session: Session, secret: str, *, now: datetime, term_years: int) -> PanelMember | None:
    """Make the member with this confirmation secret active; None when the link is not known."""
    if not secret:
        return None
    member = session.scalar(
        select(PanelMember).where(PanelMember.confirm_hash == hash_secret(secret))
    )
    if member is None:
        return None
    member.confirm_hash = None
    if member.status == MemberStatus.PENDING:
        member.status = MemberStatus.ACTIVE
        member.confirmed_at = now
        member.term_ends_at = term_end(now, term_years)
    session.flush()
    return member


def issue_sign_in(member: PanelMember, *, now: datetime) -> str:
    """A new sign-in secret for the member; any earlier link stops working."""
    secret = new_secret()
    member.sign_in_hash = hash_secret(secret)
    member.sign_in_expires_at = now + SIGN_IN_LIFETIME
    return secret


def use_sign_in(session: Session, secret: str, *, now: datetime) -> PanelMember | None:
    """The member this sign-in link is for, once: the link is spent by using it."""
    if not secret:
        return None
    member = session.scalar(
        select(PanelMember).where(PanelMember.sign_in_hash == hash_secret(secret))
    )
    if member is None:
        return None
    expired = member.sign_in_expires_at is None or member.sign_in_expires_at <= now
    member.sign_in_hash = None
    member.sign_in_expires_at = None
    session.flush()
    if expired or member.status not in (MemberStatus.ACTIVE, MemberStatus.PENDING):
        return None
    if member.status == MemberStatus.PENDING:  # signing in by email proves the address too
        member.status = MemberStatus.ACTIVE
        member.confirmed_at = now
        member.confirm_hash = None
    return member


def update_details(member: PanelMember, details: Details) -> None:
    changed_email = normalise_email(details.email) != member.email
    details.apply(member)
    if changed_email:
        member.bounced_at = None  # a new address gets a fresh start


def leave(member: PanelMember, *, now: datetime, status: str = MemberStatus.LEFT) -> None:
    """End a membership: no more invitations or newsletters; the retention job clears the rest."""
    member.status = status
    member.left_at = now
    member.sign_in_hash = None
    member.confirm_hash = None
    member.session_version += 1


def is_former(member: PanelMember) -> bool:
    return member.status in FORMER


def mark_bounced(session: Session, addresses: list[str], *, now: datetime) -> int:
    """Stop emailing members at these addresses (a bounce report, or the mail server's refusal)."""
    wanted = {a for a in (normalise_email(x) for x in addresses) if a}
    if not wanted:
        return 0
    members = session.scalars(current(session).where(PanelMember.email.in_(wanted))).all()
    for member in members:
        member.bounced_at = member.bounced_at or now
    session.flush()
    return len(members)


def renew(member: PanelMember, *, now: datetime, term_years: int) -> datetime:
    """Another term for an active member, from the end of the current one (or from now, when it
    has no end date or has passed), so renewing early loses nothing."""
    start = member.term_ends_at if member.term_ends_at and member.term_ends_at > now else now
    member.term_ends_at = term_end(start, term_years)
    return member.term_ends_at
