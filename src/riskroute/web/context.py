"""Template context shared by every page."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def service_flags(request: HttpRequest) -> dict[str, object]:
    """Tell templates whether demo mode is on (a banner must say so on every page)."""
    return {"demo_mode": settings.DEMO_MODE}
