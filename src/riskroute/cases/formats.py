"""How the case service writes a date for people: "4 Jul 2026", on every page and in every message."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def show_date(value: dt.date | dt.datetime | str | None) -> str:
    """A date as "4 Jul 2026" (a time, if any, is dropped; a stored ISO string is read first)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    return f"{value.day} {value:%b %Y}"


def show_moment(value: dt.datetime | None) -> str:
    """A moment as "4 Jul 2026 14:05" (local time), for history entries and approvals."""
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{show_date(local.date())} {local:%H:%M}"
