"""Channels: tracked links, the embed snippet for partner websites, responses by channel."""

from __future__ import annotations

from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from markupsafe import escape
from wtforms import RadioField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from engage.accounts.models import Role
from engage.db import get_session
from engage.web.auth.guard import role_required
from engage.web.consultations import bp
from engage.web.consultations.views import managed_consultation
from engage.web.forms import SelectChoice, error_list
from surveys import links
from surveys.models import CHANNEL_LABELS, Channel, Consultation, TrackedLink

CHANNEL_HINTS = {
    Channel.HUB: "Social media, email, newsletters and posters: people answer on this site",
    Channel.EMBED: "The survey shown inside a partner's web page, through the embed snippet",
    Channel.INTRANET: "A partner's staff intranet or staff bulletin",
    Channel.EVENT: "A QR code or link handed out at a drop-in, stall or meeting",
}
IFRAME_HEIGHT = 900  # px: a survey page with a few questions shows without an inner scrollbar


class LinkForm(FlaskForm):
    label = StringField(
        "Name of the link",
        description="Where you will share it, so you can tell the links apart. "
        "For example, College website or NHS staff intranet.",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter a name for the link, like College website"),
            Length(
                max=links.MAX_LABEL,
                message=f"Keep the name to {links.MAX_LABEL} characters or fewer",
            ),
        ],
    )
    channel = RadioField(
        "Where will you share it?",
        description="Responses that arrive through the link are counted under this channel.",
        choices=[SelectChoice(c.value, CHANNEL_LABELS[c]) for c in links.LINK_CHANNELS],
        widget=GovRadioInput(),
        validators=[InputRequired("Select where you will share the link")],
        validate_choice=False,  # create_link refuses other channels with a plainer message
    )
    submit = SubmitField("Create link", widget=GovSubmitInput())


@dataclass(frozen=True)
class ChannelPanel:
    channels: list[links.ChannelCount]
    links: list[links.LinkStats]


@bp.app_template_global("channel_panel")
def channel_panel(consultation: Consultation) -> ChannelPanel:
    """What the officer's consultation page shows about channels: two grouped queries."""
    session = get_session()
    return ChannelPanel(
        channels=links.channel_counts(session, consultation.id),
        links=links.link_stats(session, consultation.id),
    )


@bp.app_template_global("short_url")
def short_url(link: TrackedLink) -> str:
    return url_for("public.short_link", code=link.code, _external=True)


def site_url(path: str) -> str:
    return url_for("public.index", _external=True).rstrip("/") + path


def embed_snippet(consultation: Consultation, link: TrackedLink) -> str:
    """The HTML a partner pastes into their page: a titled, lazily loaded frame.

    The frame opens the short link, so each load counts as a visit before it lands on the
    embedded survey.
    """
    src = short_url(link)
    title = f"Consultation: {consultation.title}"
    return (
        f'<iframe src="{escape(src)}" title="{escape(title)}" width="100%" '
        f'height="{IFRAME_HEIGHT}" loading="lazy" style="border: 0; max-width: 100%;"></iframe>'
    )


def plain_link(consultation: Consultation, link: TrackedLink) -> str:
    """For sites that cannot take a frame: an ordinary link to the survey, credited to the link."""
    href = site_url(links.respond_path(consultation.slug, link.code, embedded=False))
    return f'<a href="{escape(href)}">Have your say: {escape(consultation.title)}</a>'


@bp.route("/<int:consultation_id>/links/new", methods=["GET", "POST"])
@role_required(Role.OFFICER)
def new_link(consultation_id: int) -> ResponseReturnValue:
    consultation = managed_consultation(consultation_id)
    form = LinkForm()
    if request.method == "GET" and request.args.get("channel") in links.LINK_CHANNELS:
        form.channel.data = request.args["channel"]
    if form.validate_on_submit():
        session = get_session()
        try:
            link = links.create_link(
                session, consultation, label=form.label.data or "", channel=form.channel.data
            )
        except links.LinkError as exc:
            session.rollback()
            getattr(form, exc.field).errors = [str(exc)]
        else:
            session.commit()
            flash(f"Link created: {link.label}", "success")
            if link.channel == Channel.EMBED:
                return redirect(
                    url_for("consultations.embed", consultation_id=consultation.id, link=link.id)
                )
            return redirect(
                url_for("consultations.detail", consultation_id=consultation.id, _anchor="links")
            )
    errors = error_list(form)
    return render_template(
        "links/new.html",
        form=form,
        consultation=consultation,
        errors=errors,
        hints=[{"hint": {"text": CHANNEL_HINTS[c]}} for c in links.LINK_CHANNELS],
    ), (400 if errors else 200)


@bp.get("/<int:consultation_id>/embed")
@role_required(Role.OFFICER)
def embed(consultation_id: int) -> ResponseReturnValue:
    """The snippet for one of the consultation's partner-website links (the first by default)."""
    consultation = managed_consultation(consultation_id)
    partner_links = [
        s.link
        for s in links.link_stats(get_session(), consultation.id)
        if s.link.channel == Channel.EMBED
    ]
    chosen = next(
        (link for link in partner_links if str(link.id) == request.args.get("link")),
        partner_links[0] if partner_links else None,
    )
    return render_template(
        "links/embed.html",
        consultation=consultation,
        partner_links=partner_links,
        chosen=chosen,
        snippet=embed_snippet(consultation, chosen) if chosen else "",
        plain=plain_link(consultation, chosen) if chosen else "",
    )
