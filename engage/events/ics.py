"""The calendar file (iCalendar, RFC 5545) for an event, built with the ``icalendar`` library.

Times are written in UTC, which every calendar converts to the reader's zone; the UID is stable
for an event, so a second file (after a change of time) updates the entry instead of adding one.
"""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from engage.events.models import Event

CONTENT_TYPE = "text/calendar; charset=utf-8; method=PUBLISH"


def uid(event: Event, domain: str) -> str:
    return f"event-{event.id}@{domain}"


def location(event: Event) -> str:
    if event.venue and event.online_link:
        return f"{event.venue} (or online: {event.online_link})"
    return event.venue or event.online_link or "To be confirmed"


def calendar(event: Event, *, domain: str, url: str, partnership: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", f"-//{partnership}//Engage events//EN")
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if event.cancelled_at else "PUBLISH")
    item = CalendarEvent()
    item.add("uid", uid(event, domain))
    item.add("dtstamp", datetime.now(UTC))
    item.add("dtstart", event.starts_at.astimezone(UTC))
    item.add("dtend", event.ends_at.astimezone(UTC))
    item.add("summary", event.title)
    description = [event.description] if event.description else []
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
