"""Officers' panel pages: members (from paper forms too), balance, refresh, bounces and privacy.

Exercises and newsletters are in ``manage_exercises``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import func, or_, select

from engage.accounts.models import Role
from engage.audit.services import record
from engage.db import get_session
from engage.panel import balance as balancing
from engage.panel import privacy, profile
from engage.panel import services as members
from engage.panel.models import STATUS_LABELS, MemberStatus, PanelMember
from engage.population import services as population
from engage.web.auth.guard import role_required
from engage.web.forms import first_errors
from engage.web.panel import forms
from engage.web.panel import manage_bp as bp

NEARING_END = timedelta(days=90)
PAGE_SIZE = 50


def now() -> datetime:
    return datetime.now(UTC)


def block() -> list:
    return profile.questions(current_app.config["LOCALITIES"])


def member_or_404(member_id: int) -> PanelMember:
    member = get_session().get(PanelMember, member_id)
    if member is None:
        abort(404)
    return member


@bp.before_request
@role_required(Role.OFFICER)
def officers_only() -> None:
    """Every page here is for engagement officers (and administrators)."""


@bp.get("/")
def index() -> ResponseReturnValue:
    db = get_session()
    counts: dict[str, int] = {
        status: n
        for status, n in db.execute(
            select(PanelMember.status, func.count()).group_by(PanelMember.status)
        )
    }
    nearing = db.scalars(
        select(PanelMember)
        .where(
            PanelMember.status == MemberStatus.ACTIVE,
            PanelMember.term_ends_at <= now() + NEARING_END,
        )
        .order_by(PanelMember.term_ends_at)
    ).all()
    bounced = db.scalar(
        select(func.count()).where(
            PanelMember.status == MemberStatus.ACTIVE, PanelMember.bounced_at.is_not(None)
        )
    )
    return render_template(
        "panel/manage/index.html",
        counts=counts,
        labels=STATUS_LABELS,
        nearing=nearing,
        bounced=bounced or 0,
        join_link=url_for("panel.join", _external=True),
    )


@bp.get("/members")
def member_list() -> ResponseReturnValue:
    q = request.args.get("q", "").strip()
    status = request.args.get("status", "")
    stmt = select(PanelMember).order_by(PanelMember.name, PanelMember.id)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(
            or_(
                func.lower(PanelMember.name).like(like),
                PanelMember.email.like(like),
                func.lower(PanelMember.postcode).like(like),
            )
        )
    if status in STATUS_LABELS:
        stmt = stmt.where(PanelMember.status == status)
    found = get_session().scalars(stmt.limit(PAGE_SIZE + 1)).all()
    return render_template(
        "panel/manage/members.html",
        members=found[:PAGE_SIZE],
        more=len(found) > PAGE_SIZE,
        q=q,
        status=status,
        labels=STATUS_LABELS,
    )


@bp.route("/members/new", methods=["GET", "POST"])
def add_member() -> ResponseReturnValue:
    """Key in a member from a signed paper form, checking they are not on the panel already."""
    context = {"questions": block(), "consent": []}
    if request.method == "GET":
        return render_template(
            "panel/manage/member_new.html",
            details=members.Details(contact_by="post"),
            answers={},
            errors={},
            duplicates=[],
            form={},
            **context,
        )
    form = forms.PaperMemberForm()
    errors = form.check(block())
    details, answers = form.details(), form.answers
    db = get_session()
    duplicates = [] if errors else members.possible_duplicates(db, details)
    if duplicates and not form.not_duplicate.data:
        errors["not_duplicate"] = (
            "This person may already be on the panel. Check the members listed; if this is "
            "someone else, tick the box to add them anyway"
        )
    if errors:
        return render_template(
            "panel/manage/member_new.html",
            details=details,
            answers=answers,
            errors=errors,
            duplicates=duplicates,
            form=form.shown(),
            **context,
        ), 400
    member = members.add_from_paper(
        db,
        details,
        answers,
        signed_on=form.signed_at(),
        now=now(),
        term_years=current_app.config["PANEL_TERM_YEARS"],
        officer_id=current_user.id,
        wave=form.wave.data,
    )
    db.commit()
    flash(f"{member.name} has been added to the panel", "success")
    return redirect(url_for("panel_manage.member", member_id=member.id), 303)


@bp.get("/members/<int:member_id>")
def member(member_id: int) -> ResponseReturnValue:
    item = member_or_404(member_id)
    return render_template(
        "panel/manage/member.html",
        member=item,
        questions=block(),
        label=profile.label,
    )


@bp.get("/members/<int:member_id>/export")
def export(member_id: int) -> ResponseReturnValue:
    """Subject-access request: everything held on the member, as a JSON file."""
    item = member_or_404(member_id)
    db = get_session()
    data = privacy.export(db, item)
    record(
        db,
        action="panel.member.exported",
        actor=current_user,
        target_type="panel_member",
        target_id=item.id,
    )
    db.commit()
    return Response(
        json.dumps(data, indent=2, ensure_ascii=False),
        mimetype="application/json",
        headers={
            "Content-Disposition": f"attachment; filename=panel-member-{item.id}.json",
            "Cache-Control": "no-store",
        },
    )


@bp.route("/members/<int:member_id>/erase", methods=["GET", "POST"])
def erase(member_id: int) -> ResponseReturnValue:
    item = member_or_404(member_id)
    if request.method == "GET":
        return render_template("panel/manage/erase.html", member=item, error=None)
    form = forms.EraseForm()
    if not form.validate():
        error = next(iter(first_errors(form).values()))
        return render_template("panel/manage/erase.html", member=item, error=error), 400
    db = get_session()
    privacy.erase(db, item, actor=current_user)
    db.commit()
    flash("The member and everything held on them have been erased", "success")
    return redirect(url_for("panel_manage.member_list"), 303)


@bp.post("/members/<int:member_id>/end")
def end_membership(member_id: int) -> ResponseReturnValue:
    item = member_or_404(member_id)
    if item.status in (MemberStatus.ACTIVE, MemberStatus.PENDING):
        members.leave(item, now=now(), status=MemberStatus.RETIRED)
        get_session().commit()
        flash(f"{item.name}'s membership has ended", "success")
    return redirect(url_for("panel_manage.member", member_id=item.id), 303)


@bp.get("/balance")
def balance() -> ResponseReturnValue:
    db = get_session()
    active = db.scalars(
        select(PanelMember.profile).where(PanelMember.status == MemberStatus.ACTIVE)
    ).all()
    figures = population.load(db)
    tables = balancing.balance(block(), active, figures.people, figures.sources)
    by = request.args.get("by", "age_band")
    # Officers know who is on the panel and see every count; anyone else would see small
    # groups as "fewer than 10" (this page is officers' only today).
    cross = balancing.cross_table(
        block(), active, by, suppressed=current_user.role not in (Role.OFFICER, Role.ADMIN)
    )
    return render_template(
        "panel/manage/balance.html",
        tables=tables,
        cross=cross,
        by=by,
        cross_choices=[q for q in block() if q.key != "locality"],
        active=len(active),
        join_url=url_for("panel.join", _external=True),
    )


@bp.route("/bounces", methods=["GET", "POST"])
def bounces() -> ResponseReturnValue:
    """Addresses the mail provider reports as undeliverable: stop emailing those members."""
    if request.method == "GET":
        return render_template("panel/manage/bounces.html", text="", error=None)
    form = forms.BouncesForm()
    if not form.validate():
        error = next(iter(first_errors(form).values()))
        text = form.addresses.data or ""
        return render_template("panel/manage/bounces.html", text=text, error=error), 400
    addresses = form.found()
    db = get_session()
    marked = members.mark_bounced(db, addresses, now=now())
    db.commit()
    flash(
        f"{marked} of {len(addresses)} addresses belong to panel members; "
        "they will not be emailed until they give a new address",
        "success",
    )
    return redirect(url_for("panel_manage.index"), 303)
