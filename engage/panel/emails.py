"""The panel's emails, each with a plain-text and an HTML part, queued in the outbox.

Links in them are absolute: from the request's address when a page queues them, from
``ENGAGE_BASE_URL`` when the worker does (reminders and scheduled exercises). Emails a member
can stop carry a ``List-Unsubscribe`` header (with one-click, RFC 8058) and a link in the text.
"""

from __future__ import annotations

import hashlib
import hmac
from base64 import urlsafe_b64encode
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, has_request_context, url_for
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from engage.mail import queue_email
from engage.panel.models import PanelExercise, PanelInvitation, PanelMember, PanelNewsletter
from surveys.models import Consultation

UNSUBSCRIBE_KINDS = {
    "newsletters": "the panel newsletter",
    "all": "all emails about the Residents' Panel",
}


def external(endpoint: str, **values: Any) -> str:
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        return url_for(endpoint, _external=True, **values)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="panel-unsubscribe")


def unsubscribe_token(member: PanelMember, kind: str) -> str:
    return _serializer().dumps([member.id, kind])


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    try:
        member_id, kind = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(member_id, int) or kind not in UNSUBSCRIBE_KINDS:
        return None
    return member_id, kind


RENEW_LINK_DAYS = 120  # longer than the 90 days before a term ends in which links are sent


def _renew_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="panel-renew")


def renew_token(member: PanelMember) -> str:
    """A link to renew, tied to the term it renews: once renewed, the term's end moves and the
    link stops working, so it renews once."""
    ends = int(member.term_ends_at.timestamp()) if member.term_ends_at else 0
    return _renew_serializer().dumps([member.id, ends])


def read_renew_token(token: str, member_of: Any) -> PanelMember | None:
    """The member the link renews, while it is fresh and their term has not moved since."""
    try:
        member_id, ends = _renew_serializer().loads(token, max_age=RENEW_LINK_DAYS * 86400)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(member_id, int):
        return None
    member = member_of(member_id)
    if member is None or member.term_ends_at is None:
        return None
    if int(member.term_ends_at.timestamp()) != ends:
        return None
    return member


def invitation_token(exercise_id: int, member_id: int) -> str:
    """The secret in a member's link to an exercise, derived so reminders can repeat it.

    Only its hash is stored; without the app's secret key nobody can make one.
    """
    secret = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(secret, f"panel-invitation:{exercise_id}:{member_id}".encode(), "sha256")
    return urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class Email:
    subject: str
    greeting: str
    paragraphs: list[str]
    link_text: str = ""
    link: str = ""
    after: list[str] = field(default_factory=list)
    unsubscribe: tuple[str, str] | None = None  # (link, what it stops)

    def text(self) -> str:
        parts = [self.greeting, *self.paragraphs]
        if self.link:
            parts.append(f"{self.link_text}:\n{self.link}")
        parts += self.after
        if self.unsubscribe:
            url, what = self.unsubscribe
            parts.append(f"To stop {what}, open this link:\n{url}")
        parts.append(current_app.config["PARTNERSHIP_NAME"])
        return "\n\n".join(parts) + "\n"

    def html(self) -> str:
        # Rendered without the page context processors: the worker has no request.
        template = current_app.jinja_env.get_template("panel/email.html")
        return template.render(email=self, partnership_name=current_app.config["PARTNERSHIP_NAME"])

    def queue(self, session: Session, to: str) -> None:
        headers = {}
        if self.unsubscribe:
            headers = {
                "List-Unsubscribe": f"<{self.unsubscribe[0]}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            }
        queue_email(
            session,
            to=to,
            subject=self.subject,
            body=self.text(),
            html=self.html(),
            headers=headers,
        )


def _hello(member: PanelMember) -> str:
    return f"Dear {member.name}," if member.name else "Hello,"


def _unsubscribe(member: PanelMember, kind: str) -> tuple[str, str]:
    url = external("panel.unsubscribe", token=unsubscribe_token(member, kind))
    return url, UNSUBSCRIBE_KINDS[kind]


def confirm(session: Session, member: PanelMember, secret: str) -> None:
    assert member.email
    Email(
        subject="Confirm that you want to join the Residents' Panel",
        greeting=_hello(member),
        paragraphs=[
            "Thank you for signing up to the Residents' Panel. You will not be a member until "
            "you confirm your email address.",
        ],
        link_text="Confirm your email address",
        link=external("panel.confirm", secret=secret),
        after=["If you did not sign up, ignore this email and we will delete your details."],
    ).queue(session, member.email)


def already_member(session: Session, member: PanelMember, secret: str) -> None:
    """Someone signed up with an address we already have: tell its owner, reveal nothing."""
    assert member.email
    Email(
        subject="You are already on the Residents' Panel",
        greeting=_hello(member),
        paragraphs=[
            "Someone (probably you) tried to join the Residents' Panel with this email "
            "address, which is already signed up. You do not need to join again.",
        ],
        link_text="To see or change your details, sign in with this link (it works once, "
        "for 24 hours)",
        link=external("panel.sign_in_link", secret=secret),
        after=["If this was not you, you can ignore this email."],
    ).queue(session, member.email)


def sign_in(session: Session, member: PanelMember, secret: str) -> None:
    assert member.email
    Email(
        subject="Your sign-in link for the Residents' Panel",
        greeting=_hello(member),
        paragraphs=["You asked to sign in to your Residents' Panel page."],
        link_text="Sign in with this link (it works once, for 24 hours)",
        link=external("panel.sign_in_link", secret=secret),
        after=["If you did not ask for this, you can ignore this email."],
    ).queue(session, member.email)


def invitation(session: Session, invite: PanelInvitation, *, reminder: bool = False) -> None:
    member, exercise = invite.member, invite.exercise
    assert member.email
    consultation = exercise.consultation
    closes = (
        f" It closes on {consultation.closes_at.day} {consultation.closes_at:%B %Y}."
        if consultation.closes_at
        else ""
    )
    opening = (
        f"A reminder: we would still like to hear from you about “{exercise.title}”."
        if reminder
        else f"As a member of the Residents' Panel, you are invited to answer “{exercise.title}”."
    )
    Email(
        subject=("Reminder: " if reminder else "Residents' Panel: ") + exercise.title,
        greeting=_hello(member),
        paragraphs=[opening + closes, consultation.summary] if consultation.summary else [opening],
        link_text="Your own link to the survey (please do not share it)",
        link=external(
            "panel.answer", exercise_id=exercise.id, token=invitation_token(exercise.id, member.id)
        ),
        after=["If you have already answered, thank you: you can ignore this email."]
        if reminder
        else [],
        unsubscribe=_unsubscribe(member, "all"),
    ).queue(session, member.email)


def newsletter_paragraphs(item: PanelNewsletter) -> list[str]:
    """The newsletter as plain paragraphs: intro, each section, and a results newsletter's
    themes with their (already masked) quotes."""
    paragraphs = [item.intro] if item.intro else []
    for section in item.sections:
        paragraphs.append(f"{section['heading']}\n{section['body']}".strip())
        for theme in section.get("themes") or []:
            residents = theme["residents"]
            lines = [
                f"{theme['label']} ({residents} {'resident' if residents == 1 else 'residents'})"
            ]
            lines += [f"“{quote}”" for quote in theme.get("quotes", [])]
            paragraphs.append("\n".join(lines))
    return paragraphs


def newsletter_email(
    session: Session,
    item: PanelNewsletter,
    member: PanelMember,
    unsubscribe: tuple[str, str] | None = None,
) -> Email:
    after = []
    if item.consultation_id is not None:
        consultation = session.get(Consultation, item.consultation_id)
        if consultation is not None:
            link = external("public.consultation", slug=consultation.slug)
            after.append(f"The full results, on the consultation's page:\n{link}")
    return Email(
        subject=f"Residents' Panel newsletter: {item.title}",
        greeting=_hello(member),
        paragraphs=newsletter_paragraphs(item),
        link_text="Read it on the web, with links to the results",
        link=external("panel.newsletter", newsletter_id=item.id),
        after=after,
        unsubscribe=unsubscribe or _unsubscribe(member, "newsletters"),
    )


def newsletter(session: Session, item: PanelNewsletter, member: PanelMember) -> None:
    assert member.email
    newsletter_email(session, item, member).queue(session, member.email)


def renewal(session: Session, member: PanelMember) -> None:
    assert member.email
    assert member.term_ends_at
    ends = member.term_ends_at
    Email(
        subject="Your Residents' Panel membership is ending: would you like to stay?",
        greeting=_hello(member),
        paragraphs=[
            f"Your membership of the Residents' Panel ends on {ends.day} {ends:%B %Y}. Thank "
            "you for taking part. If you would like to stay on the panel for another term, "
            "use the link below. If not, you need do nothing: we will stop contacting you "
            "when your term ends.",
        ],
        link_text="Stay on the panel for another term (the link works once)",
        link=external("panel.renew", token=renew_token(member)),
        unsubscribe=_unsubscribe(member, "all"),
    ).queue(session, member.email)


def exercise_link(exercise: PanelExercise, member: PanelMember) -> str:
    return external(
        "panel.answer", exercise_id=exercise.id, token=invitation_token(exercise.id, member.id)
    )
