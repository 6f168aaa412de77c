"""Officers' pages for keeping the panel fresh: renewing members near the end of their term
(by hand, or by emailing them a link), recruitment waves, and invitation letters for members
who asked to be contacted by post."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from engage.audit.models import AuditEvent
from engage.audit.services import record
from engage.db import get_session
from engage.mail import nudge_sender
from engage.panel import balance as balancing
from engage.panel import emails, letters, profile, waves
from engage.panel import services as members
from engage.panel.models import ExerciseStatus, MemberStatus, PanelMember
from engage.population import services as population
from engage.web.panel import manage_bp as bp
from engage.web.panel.manage import NEARING_END, member_or_404
from engage.web.panel.manage_exercises import exercise_or_404

RENEWAL_RESEND = timedelta(days=30)  # a member is sent a renewal link at most this often


def now() -> datetime:
    return datetime.now(UTC)


def nearing_end(db) -> list[PanelMember]:
    return list(
        db.scalars(
            select(PanelMember)
            .where(
                PanelMember.status == MemberStatus.ACTIVE,
                PanelMember.term_ends_at <= now() + NEARING_END,
            )
            .order_by(PanelMember.term_ends_at)
        )
    )


@bp.post("/members/<int:member_id>/renew")
def renew_member(member_id: int) -> ResponseReturnValue:
    """Another term for a member who asked to stay (by phone, letter or in person)."""
    item = member_or_404(member_id)
    if item.status != MemberStatus.ACTIVE:
        flash("Only an active member's membership can be renewed", "important")
        return redirect(url_for("panel_manage.member", member_id=item.id), 303)
    db = get_session()
    until = members.renew(item, now=now(), term_years=current_app.config["PANEL_TERM_YEARS"])
    record(
        db,
        action="panel.member.renewed",
        actor=current_user,
        target_type="panel_member",
        target_id=item.id,
        detail={"by": "officer", "until": until.date().isoformat()},
    )
    db.commit()
    flash(f"{item.name}'s membership now runs until {until.day} {until:%B %Y}", "success")
    return redirect(url_for("panel_manage.member", member_id=item.id), 303)


@bp.post("/renewals")
def send_renewals() -> ResponseReturnValue:
    """Email a renewal link to each member whose term ends within 90 days and who can be
    emailed, unless they were sent one in the last 30 days."""
    db = get_session()
    recent = set(
        db.scalars(
            select(AuditEvent.target_id).where(
                AuditEvent.action == "panel.renewal.sent",
                AuditEvent.at > now() - RENEWAL_RESEND,
            )
        )
    )
    sent = 0
    for member in nearing_end(db):
        if not member.emailable or str(member.id) in recent:
            continue
        emails.renewal(db, member)
        record(
            db,
            action="panel.renewal.sent",
            actor=current_user,
            target_type="panel_member",
            target_id=member.id,
        )
        sent += 1
    nudge_sender(db)
    db.commit()
    flash(f"Renewal links emailed to {sent} members", "success")
    return redirect(url_for("panel_manage.index"), 303)


@bp.get("/waves")
def wave_report() -> ResponseReturnValue:
    db = get_session()
    found = waves.waves(db)
    chosen = request.args.get("wave")
    tables = None
    wave = None
    if chosen is not None:
        wave = next((w for w in found if w.name == chosen), None)
        if wave is None:
            abort(404)
        figures = population.load(db)
        block = profile.questions(current_app.config["LOCALITIES"])
        tables = balancing.balance(
            block, waves.profiles(db, chosen), figures.people, figures.sources
        )
    return render_template(
        "panel/manage/waves.html",
        waves=found,
        wave=wave,
        tables=tables,
        join_url=url_for("panel.join", _external=True),
    )


def exercise_letters(exercise_id: int, kind: str) -> tuple:
    exercise = exercise_or_404(exercise_id)
    if exercise.status != ExerciseStatus.SENT:
        abort(409)
    found = letters.letters(exercise)
    db = get_session()
    record(
        db,
        action="panel.letters",
        actor=current_user,
        target_type="panel_exercise",
        target_id=exercise.id,
        detail={"format": kind, "letters": len(found)},
    )
    db.commit()
    return exercise, found


@bp.get("/exercises/<int:exercise_id>/letters")
def letters_page(exercise_id: int) -> ResponseReturnValue:
    exercise, found = exercise_letters(exercise_id, "page")
    return render_template(
        "panel/manage/letters.html",
        exercise=exercise,
        letters=found,
        closes=letters.closes(exercise),
    )


@bp.get("/exercises/<int:exercise_id>/letters.csv")
def letters_csv(exercise_id: int) -> ResponseReturnValue:
    exercise, found = exercise_letters(exercise_id, "csv")
    return Response(
        letters.mail_merge(exercise, found),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f"attachment; filename=panel-letters-{exercise.id}.csv",
            "Cache-Control": "no-store",
        },
    )
