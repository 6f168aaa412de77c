"""Who may read a consultation's findings (issue 5, access): until the results are published,
the officers of the partners who run it and the Joint Officers' Group (and administrators);
once "We asked, you said, we did" is published, any partner's officer too."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from engage.accounts.models import Role
from engage.db import get_session
from surveys.models import Consultation, ConsultationStatus

HIDDEN = (ConsultationStatus.DRAFT, ConsultationStatus.SCHEDULED)


def may_read(item: Consultation) -> bool:
    if current_user.has_role(Role.JOG):  # administrators pass has_role too
        return True
    if not current_user.has_role(Role.OFFICER):
        return False
    return item.published_at is not None or current_user.organisation_id in item.owner_ids()


def readable(consultation_id: int | None) -> Consultation:
    """The consultation whose findings this reader may see: 404 if it has none yet, 403 if the
    reader's partner does not run it and its results are not published."""
    item = get_session().get(Consultation, consultation_id) if consultation_id else None
    if item is None or item.status in HIDDEN:
        abort(404)
    if not may_read(item):
        abort(403)
    return item
