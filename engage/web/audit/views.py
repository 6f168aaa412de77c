"""The administrators' audit page: every recorded event, newest first, filtered and paginated."""

from __future__ import annotations

from typing import Any

from flask import render_template, request, url_for
from flask.typing import ResponseReturnValue

from engage.accounts.models import ROLE_LABELS, Role
from engage.audit import services as audit
from engage.dates import UK, longdate
from engage.db import get_session
from engage.web.audit import bp
from engage.web.audit.about import describe
from engage.web.audit.forms import AuditFilterForm
from engage.web.auth.guard import role_required
from engage.web.forms import error_list


@bp.get("")
@role_required(Role.ADMIN)
def index() -> ResponseReturnValue:
    form = AuditFilterForm(formdata=request.args or None)
    valid = form.validate() if request.args else True
    filters = (
        audit.Filters(
            action=form.action.data or "",
            who=(form.who.data or "").strip(),
            since=form.since.data,
            until=form.until.data,
        )
        if valid
        else audit.Filters()
    )
    page_number = request.args.get("page", "1")
    session = get_session()
    result = audit.search(session, filters, int(page_number) if page_number.isdigit() else 1)
    errors = error_list(form) if not valid else []
    # Imported here: it reads the models of every area, some of whose views record events.

    about = describe(session, [event for event, _ in result.rows])
    return render_template(
        "audit/index.html",
        form=form,
        errors=errors,
        page=result,
        rows=[_row(event, user, about.get(event.id)) for event, user in result.rows],
        pagination=_pagination(result) if valid else None,
        filtered=valid and filters != audit.Filters(),
    ), (400 if errors else 200)


def _row(event: Any, user: Any, about: Any) -> dict[str, Any]:
    """One table row in words: when (UK time), what, who, about what (``about.About``, with a
    link where the reader may open it), and the details."""
    if event.actor_id is None:
        who = "Engage (no one signed in)"
    elif user is None:
        who = f"Account {event.actor_id} (removed)"
    else:
        who = user.name or user.email
    role = ROLE_LABELS.get(Role(event.actor_role)) if event.actor_role in set(Role) else None
    details = "; ".join(f"{key.replace('_', ' ')}: {value}" for key, value in event.detail.items())
    return {
        "when": f"{longdate(event.at)} {event.at.astimezone(UK):%H:%M}",
        "what": audit.ACTIONS.get(event.action, event.action),
        "who": f"{who} ({role})" if role and user is not None else who,
        "about": about,
        "details": details,
    }


def _pagination(page: audit.Page) -> dict[str, Any] | None:
    """GOV.UK pagination parameters, keeping the filters in every link."""
    if page.pages < 2:
        return None
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k != "page"}

    def href(number: int) -> str:
        return url_for("audit.index", **args, page=number)

    numbers = sorted(
        {1, page.pages, *range(max(1, page.number - 1), min(page.pages, page.number + 1) + 1)}
    )
    items: list[dict[str, Any]] = []
    previous = 0
    for number in numbers:
        if number - previous > 1:
            items.append({"ellipsis": True})
        items.append({"number": number, "href": href(number), "current": number == page.number})
        previous = number
    params: dict[str, Any] = {"items": items, "landmarkLabel": "Pages of the audit log"}
    if page.number > 1:
        params["previous"] = {"href": href(page.number - 1)}
    if page.number < page.pages:
        params["next"] = {"href": href(page.number + 1)}
    return params
