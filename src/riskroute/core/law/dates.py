"""Calendar arithmetic for legal periods: whole months, clamped to the end of a short month."""

from __future__ import annotations

import calendar
from datetime import date


def add_months(start: date, months: int) -> date:
    """The same day of the month `months` later; 31 Jan + 1 month is 28/29 Feb, 29 Feb + 12 is 28 Feb.

    Legal periods here are whole months or years, and "a year after 29 February" has no day of
    its own: clamping to the month's last day never runs past the real anniversary.
    """
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
