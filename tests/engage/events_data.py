"""Builders for event tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from engage.events import services
from engage.events.models import Event
from surveys.base import utcnow
from tests import factories


def event(capacity: int | None = 2, **kw: Any) -> Event:
    start = kw.pop("starts_at", utcnow() + timedelta(days=10))
    owner = kw.pop("organisation", None) or factories.organisation()
    fields = {
        "kind": "forum",
        "title": "North Locality Forum",
        "description": "Meet the partners.",
        "venue": "Craigmuir Town Hall, High Street",
        "access_info": "Step-free entrance on Kirk Lane",
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "audience": "public",
        "locality": "",
        "capacity": capacity,
        **kw,
    }
    return services.create_event(
        factories.session(), fields, organisation_id=owner.id, officer_id=None
    )


def details(name: str = "Ali Resident", **kw: Any) -> services.Details:
    email = kw.pop("email", name.split()[0].lower() + "@example.org")
    return services.Details(name=name, email=email, **kw)
