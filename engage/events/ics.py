"""The calendar file (iCalendar, RFC 5545; iTIP methods, RFC 5546) for an event, built with the
``icalendar`` library.

Times are written in UTC, which every calendar converts to the reader's zone. The UID is stable
for an event (its domain comes from ``BASE_URL``, so files from pages and from the worker agree)
and SEQUENCE only grows, so a later file updates the entry instead of adding one. Once the event
is cancelled the file is a METHOD:CANCEL with STATUS:CANCELLED, which removes the entry.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parseaddr
from urllib.parse import urlsplit

from flask import current_app
from icalendar import Calendar, vCalAddress
from icalendar import Event as CalendarEvent

from engage.events.models import Event


def method(event: Event) -> str:
    return "CANCEL" if event.cancelled_at else "PUBLISH"


def content_type(event: Event) -> str:
    return f"text/calendar; charset=utf-8; method={method(event)}"


def uid_domain() -> str:
    return urlsplit(current_app.config["BASE_URL"]).hostname or "engage"


def uid(event: Event, domain: str) -> str:
    return f"event-{event.id}@{domain}"


def location(event: Event) -> str:
    if event.venue and event.online_link:
        return f"{event.venue} (or online: {event.online_link})"
    return event.venue or event.online_link or "To be confirmed"


def _address(email: str, name: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{parseaddr(email)[1] or email}")
    if name:
        address.params["cn"] = name
    return address


def calendar(
    event: Event,
    *,
    domain: str,
    url: str,
    partnership: str,
    organizer: str = "",
    attendee: tuple[str, str] | None = None,
) -> bytes:
    """``organizer`` is the sender's address; ``attendee`` (email, name) the person a
    cancellation is sent to, which RFC 5546 asks a CANCEL to name (a PUBLISH names no one)."""
    cal = Calendar()
    cal.add("prodid", f"-//{partnership}//Engage events//EN")
    cal.add("version", "2.0")
    cal.add("method", method(event))
    item = CalendarEvent()
    item.add("uid", uid(event, domain))
    if organizer:
        item.add("organizer", _address(organizer, partnership))
    if event.cancelled_at and attendee:
        item.add("attendee", _address(*attendee))
    item.add("dtstamp", datetime.now(UTC))
    item.add("dtstart", event.starts_at.astimezone(UTC))
    item.add("dtend", event.ends_at.astimezone(UTC))
    item.add("summary", f"Cancelled: {event.title}" if event.cancelled_at else event.title)
    description = [event.description] if event.description else []
    if event.cancelled_at:
        description.insert(0, f"This event has been cancelled. {event.cancellation_reason}".strip())
        description.append(f"Details: {url}")
    else:
        if event.access_info:
            description.append(f"Getting there and access: {event.access_info}")
        description.append(f"Details, and to change or cancel your place: {url}")
    item.add("description", "\n\n".join(description))
    item.add("location", location(event))
    item.add("url", url)
    item.add("sequence", event.changes)
    item.add("status", "CANCELLED" if event.cancelled_at else "CONFIRMED")
    cal.add_component(item)
    return cal.to_ical()


def filename(event: Event) -> str:
    return f"event-{event.id}.ics"
