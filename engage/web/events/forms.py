"""Reading the officers' event form: what was typed (kept to show again) and what is wrong."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from engage.dates import UK
from engage.events.models import AUDIENCE_LABELS, KIND_LABELS, Event

TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$")
TEXT_FIELDS = (
    "kind",
    "title",
    "description",
    "agenda",
    "locality",
    "venue",
    "access_info",
    "online_link",
    "start_time",
    "end_time",
    "capacity",
    "audience",
    "consultation",
    "reminder_hours",
)
DATES = ("date", "opens", "closes")


def parse_time(text: str) -> time | None:
    match = TIME.match(text.strip().lower())
    if not match:
        return None
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _date(values: dict[str, str], prefix: str) -> date | None | str:
    parts = [values.get(f"{prefix}-{p}", "") for p in ("day", "month", "year")]
    if not any(parts):
        return None
    try:
        return date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        return "bad"


def values_of(event: Event) -> dict[str, Any]:
    start, end = event.starts_at.astimezone(UK), event.ends_at.astimezone(UK)
    values: dict[str, Any] = {
        "kind": event.kind,
        "title": event.title,
        "description": event.description,
        "agenda": event.agenda,
        "locality": event.locality,
        "venue": event.venue,
        "access_info": event.access_info,
        "online_link": event.online_link,
        "start_time": f"{start:%H:%M}",
        "end_time": f"{end:%H:%M}",
        "capacity": "" if event.capacity is None else str(event.capacity),
        "audience": event.audience,
        "consultation": str(event.consultation_id or ""),
        "reminder_hours": str(event.reminder_hours),
    }
    for prefix, value in (
        ("date", start),
        ("opens", event.signup_opens_at),
        ("closes", event.signup_closes_at),
    ):
        if value is not None:
            local = value.astimezone(UK)
            values.update(
                {
                    f"{prefix}-day": str(local.day),
                    f"{prefix}-month": str(local.month),
                    f"{prefix}-year": str(local.year),
                }
            )
    return values


def read(form: Any, localities: list[str], consultations: set[int]) -> tuple[dict, dict, dict]:
    """(values as typed, errors by field id, cleaned fields for the service)."""
    values: dict[str, Any] = {name: form.get(name, "").strip() for name in TEXT_FIELDS}
    for prefix in DATES:
        for part in ("day", "month", "year"):
            values[f"{prefix}-{part}"] = form.get(f"{prefix}-{part}", "").strip()
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    if values["kind"] not in KIND_LABELS:
        errors["kind"] = "Select the type of event"
    if not values["title"]:
        errors["title"] = "Enter the event's title"
    elif len(values["title"]) > 200:
        errors["title"] = "The title must be 200 characters or fewer"
    if values["locality"] and values["locality"] not in localities:
        errors["locality"] = "Select the area the event is for"
    if not values["venue"] and not values["online_link"]:
        errors["venue"] = "Enter the venue, or an online link below"
    if values["online_link"] and not values["online_link"].startswith(("https://", "http://")):
        errors["online_link"] = "Enter the online link as a web address, like https://..."
    day = _date(values, "date")
    if day is None:
        errors["date-day"] = "Enter the date of the event"
    elif day == "bad":
        errors["date-day"] = "The date of the event must be a real date, like 27 3 2027"
    start, end = parse_time(values["start_time"]), parse_time(values["end_time"])
    if start is None:
        errors["start_time"] = "Enter the start time, like 18:30 or 6:30pm"
    if end is None:
        errors["end_time"] = "Enter the end time, like 20:00 or 8pm"
    elif start is not None and end <= start:
        errors["end_time"] = "The end time must be after the start time"
    if isinstance(day, date) and start and end:
        clean["starts_at"] = datetime.combine(day, start, tzinfo=UK)
        clean["ends_at"] = datetime.combine(day, end, tzinfo=UK)
    capacity = values["capacity"]
    if capacity and (not capacity.isdigit() or not 1 <= int(capacity) <= 10000):
        errors["capacity"] = "Enter the number of places as a whole number, like 40"
    clean["capacity"] = int(capacity) if capacity.isdigit() and not errors.get("capacity") else None
    if values["audience"] not in AUDIENCE_LABELS:
        errors["audience"] = "Select who the event is for"
    chosen = values["consultation"]
    if chosen and (not chosen.isdigit() or int(chosen) not in consultations):
        errors["consultation"] = "Select a consultation from the list"
    clean["consultation_id"] = int(chosen) if chosen.isdigit() else None
    hours = values["reminder_hours"] or "0"
    if not hours.isdigit() or int(hours) > 24 * 14:
        errors["reminder_hours"] = "Enter how many hours before to remind, like 48, or 0 for none"
    clean["reminder_hours"] = int(hours) if hours.isdigit() else 0
    for prefix, label, clock in (
        ("opens", "opening", time(0)),
        ("closes", "closing", time(23, 59)),
    ):
        value = _date(values, prefix)
        if value == "bad":
            errors[f"{prefix}-day"] = f"The sign-up {label} date must be a real date, like 1 3 2027"
            clean[f"signup_{prefix}_at"] = None
        else:
            clean[f"signup_{prefix}_at"] = (
                datetime.combine(value, clock, tzinfo=UK) if isinstance(value, date) else None
            )
    if (
        clean.get("signup_opens_at")
        and clean.get("signup_closes_at")
        and clean["signup_closes_at"] <= clean["signup_opens_at"]
    ):
        errors["closes-day"] = "Sign-up must close after it opens"
    for name in (
        "kind",
        "title",
        "description",
        "agenda",
        "locality",
        "venue",
        "access_info",
        "online_link",
        "audience",
    ):
        clean[name] = values[name]
    return values, errors, clean
