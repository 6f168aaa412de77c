"""Officers' pages for the year's exercises (schedule, send, remind, response rates) and the
panel newsletter (compose, preview, send)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from engage import newsletters
from engage.dates import longdate
from engage.db import get_session
from engage.mail import nudge_sender
from engage.panel import emails, exercises, profile
from engage.panel.models import ExerciseStatus, PanelExercise, PanelMember, PanelNewsletter
from engage.web.consultations.views import managed_consultation
from engage.web.forms import first_errors
from engage.web.panel import forms
from engage.web.panel import manage_bp as bp
from surveys.lifecycle import has_results
from surveys.models import Consultation, ConsultationStatus

USABLE = (ConsultationStatus.OPEN, ConsultationStatus.SCHEDULED)


def now() -> datetime:
    return datetime.now(UTC)


def block() -> list[Any]:
    return profile.questions(current_app.config["LOCALITIES"])


def usable_consultations() -> list[Consultation]:
    return list(
        get_session().scalars(
            select(Consultation).where(Consultation.status.in_(USABLE)).order_by(Consultation.title)
        )
    )


def exercise_or_404(exercise_id: int) -> PanelExercise:
    exercise = get_session().get(PanelExercise, exercise_id)
    if exercise is None:
        abort(404)
    return exercise


@bp.get("/exercises")
def exercise_list() -> ResponseReturnValue:
    items = (
        get_session()
        .scalars(
            select(PanelExercise).order_by(PanelExercise.send_on.is_(None), PanelExercise.send_on)
        )
        .all()
    )
    return render_template("panel/manage/exercises.html", exercises=items)


@bp.route("/exercises/new", methods=["GET", "POST"])
def new_exercise() -> ResponseReturnValue:
    allowed = {c.id: c for c in usable_consultations()}
    context = {"consultations": list(allowed.values()), "questions": block()}
    if request.method == "GET":
        blank = {"audience": "whole", "reminders": "7", "strata": []}
        return render_template("panel/manage/exercise_new.html", values=blank, errors={}, **context)
    form = forms.ExerciseForm()
    form.offer(allowed, block())
    if not form.validate():
        return render_template(
            "panel/manage/exercise_new.html",
            values=form.values(),
            errors=first_errors(form),
            **context,
        ), 400
    db = get_session()
    exercise = exercises.create(db, **form.cleaned(), officer_id=current_user.id)
    db.commit()
    flash(f"Exercise added to the plan: {exercise.title}", "success")
    return redirect(url_for("panel_manage.exercise", exercise_id=exercise.id), 303)


@bp.get("/exercises/<int:exercise_id>")
def exercise(exercise_id: int) -> ResponseReturnValue:
    item = exercise_or_404(exercise_id)
    # Still to answer and out of email's reach: they need the invitation on paper.
    invited_by_post = sum(
        1 for i in item.invitations if i.responded_at is None and not i.member.emailable
    )
    return render_template(
        "panel/manage/exercise.html",
        exercise=item,
        rates=exercises.rates(item, block()),
        strata_titles=[q.title for q in block() if q.key in item.strata],
        by_post=invited_by_post,
        due=exercises.due_reminders(item, now()),
    )


@bp.post("/exercises/<int:exercise_id>/send")
def send_exercise(exercise_id: int) -> ResponseReturnValue:
    item = exercise_or_404(exercise_id)
    db = get_session()
    try:
        count = exercises.send(db, item, now=now())
    except exercises.ExerciseError as exc:
        db.rollback()
        flash(str(exc), "important")
        return redirect(url_for("panel_manage.exercise", exercise_id=item.id), 303)
    nudge_sender(db)
    db.commit()
    flash(f"Invitations sent to {count} members", "success")
    return redirect(url_for("panel_manage.exercise", exercise_id=item.id), 303)


@bp.post("/exercises/<int:exercise_id>/remind")
def remind(exercise_id: int) -> ResponseReturnValue:
    item = exercise_or_404(exercise_id)
    if item.status != ExerciseStatus.SENT:
        abort(409)
    db = get_session()
    count = exercises.remind(db, item, now=now())
    nudge_sender(db)
    db.commit()
    flash(f"Reminders sent to {count} members who have not answered yet", "success")
    return redirect(url_for("panel_manage.exercise", exercise_id=item.id), 303)


# Newsletters


def newsletter_or_404(newsletter_id: int) -> PanelNewsletter:
    item = get_session().get(PanelNewsletter, newsletter_id)
    if item is None:
        abort(404)
    return item


@bp.get("/newsletters")
def newsletter_list() -> ResponseReturnValue:
    items = get_session().scalars(select(PanelNewsletter).order_by(PanelNewsletter.id.desc())).all()
    return render_template("panel/manage/newsletters.html", items=items)


def compose(item: PanelNewsletter | None) -> ResponseReturnValue:
    if item is not None and item.sent_at is not None:
        abort(409)  # a sent newsletter is in the archive as it was sent
    db = get_session()
    results = newsletters.with_results(db)
    context = {
        "results": results,
        "localities": current_app.config["LOCALITIES"],
        "sections": newsletters.SECTIONS,
        "item": item,
    }
    if request.method == "GET":
        values: dict[str, Any] = {"title": "", "intro": "", "locality": "", "sections": []}
        if item is not None:
            values = {
                "title": item.title,
                "intro": item.intro,
                "locality": item.locality,
                "sections": [{**s, "n": n + 1} for n, s in enumerate(item.sections)],
            }
        return render_template(
            "panel/manage/newsletter_form.html", values=values, errors={}, **context
        )
    form = forms.NewsletterForm()
    form.offer({c.id for c in results})
    if not form.validate():
        return render_template(
            "panel/manage/newsletter_form.html",
            values=form.values(),
            errors=first_errors(form),
            **context,
        ), 400
    item = newsletters.save(db, item, form.values(), current_user.id)
    db.commit()
    return redirect(url_for("panel_manage.preview_newsletter", newsletter_id=item.id), 303)


@bp.route("/newsletters/new", methods=["GET", "POST"])
def new_newsletter() -> ResponseReturnValue:
    return compose(None)


@bp.route("/newsletters/<int:newsletter_id>/edit", methods=["GET", "POST"])
def edit_newsletter(newsletter_id: int) -> ResponseReturnValue:
    return compose(newsletter_or_404(newsletter_id))


@bp.get("/newsletters/<int:newsletter_id>")
def preview_newsletter(newsletter_id: int) -> ResponseReturnValue:
    item = newsletter_or_404(newsletter_id)
    db = get_session()
    sample = PanelMember(name="Alex Example", email="alex@example.org", id=0)
    email = None
    if item.sent_at is None:
        email = emails.newsletter_email(
            db,
            item,
            sample,
            unsubscribe=("(a link for each member)", emails.UNSUBSCRIBE_KINDS["newsletters"]),
        ).text()
    return render_template(
        "panel/manage/newsletter_preview.html",
        item=item,
        links=newsletters.result_links(db, item),
        recipients=len(newsletters.recipients(db, item)),
        email_text=email,
    )


@bp.post("/newsletters/<int:newsletter_id>/send")
def send_newsletter(newsletter_id: int) -> ResponseReturnValue:
    item = newsletter_or_404(newsletter_id)
    db = get_session()
    count = newsletters.send(db, item, now=now())
    nudge_sender(db)
    db.commit()
    flash(f"Newsletter sent to {count} members and added to the archive", "success")
    return redirect(url_for("panel_manage.newsletter_list"), 303)


@bp.post("/newsletters/from-results/<int:consultation_id>")
def newsletter_from_results(consultation_id: int) -> ResponseReturnValue:
    """Start (or reopen) the newsletter that sends a consultation's "We asked, you said, we
    did" to the panel; officers of the partners who run the consultation only."""
    # Imported here: the consultations package imports the panel (through participate).

    consultation = managed_consultation(consultation_id)
    db = get_session()
    item = newsletters.for_results(db, consultation.id)
    if item is not None and item.sent_at is not None:
        flash(f"These results were sent to the panel on {longdate(item.sent_at)}", "important")
        return redirect(url_for("panel_manage.preview_newsletter", newsletter_id=item.id), 303)
    if item is None:
        if not has_results(consultation):
            flash("Publish the results before sending them to the panel", "important")
            return redirect(url_for("consultations.results", consultation_id=consultation.id), 303)
        item = newsletters.from_results(db, consultation, officer_id=current_user.id)
        db.commit()
    return redirect(url_for("panel_manage.preview_newsletter", newsletter_id=item.id), 303)


@bp.app_template_global()
def panel_results_newsletter(consultation: Consultation) -> PanelNewsletter | None:
    """For the results page: the panel newsletter carrying these results, if one was started."""
    return newsletters.for_results(get_session(), consultation.id)
