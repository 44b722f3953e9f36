"""Authentication backends: lockout of repeated failures, and demo accounts only in demo mode."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest


class LockoutBackend(AxesStandaloneBackend):  # type: ignore[misc]
    """django-axes' lockout check, for sign-ins that arrive through a request.

    Lockout counts failures per user name and client address, so it needs the request. Every
    sign-in through the web goes through the login view, which passes it; a call without one
    (a management shell, a test's `Client.login`) has no address to lock and is left to the
    password backend rather than refused outright, as `AxesStandaloneBackend` would.
    """

    def authenticate(self, request: HttpRequest | None, *args: Any, **kwargs: Any) -> Any:
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)


class DemoAwareModelBackend(ModelBackend):
    """Django's username/password backend, refusing `is_demo` accounts outside demo mode.

    Demo passwords are printed and public, so an account made by `riskroute demo` must be dead
    the moment demo mode is off, including any session it already holds (`get_user` also asks
    `user_can_authenticate`).
    """

    def user_can_authenticate(self, user: Any) -> bool:
        if getattr(user, "is_demo", False) and not settings.DEMO_MODE:
            return False
        return super().user_can_authenticate(user)
