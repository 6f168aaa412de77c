"""Dates as people in Scotland read them: UK time, written the way GOV.UK writes them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


def longdate(value: datetime) -> str:
    """27 March 2027, in UK time."""
    local = value.astimezone(UK)
    return f"{local.day} {local:%B %Y}"
